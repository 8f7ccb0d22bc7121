// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * names and sentences for sources, fields and reasons, so the
 * module, its debugfs files and the userspace tool explain decisions with
 * the same words.
 */
#include "cen_constraints.h"

static const char * const cen_source_names[CEN_SRC_COUNT] = {
	[CEN_SRC_NONE] = "none",
	[CEN_SRC_DEFAULT] = "default policy",
	[CEN_SRC_HINT] = "creation hint",
	[CEN_SRC_DEVICE] = "struct device",
	[CEN_SRC_PROFILE] = "platform profile",
	[CEN_SRC_DRIVER] = "driver",
};

static const char * const cen_field_names[CEN_F_COUNT] = {
	[CEN_F_ADDR_LIMIT] = "address limit",
	[CEN_F_MAX_SEGMENTS] = "max segments",
	[CEN_F_MAX_SEG_SIZE] = "max segment size",
	[CEN_F_SEG_BOUNDARY] = "segment boundary",
	[CEN_F_ALIGN] = "alignment",
	[CEN_F_IOMMU] = "iommu",
	[CEN_F_COHERENCY] = "coherency",
};

static const char * const cen_coherency_names[CEN_COH_COUNT] = {
	[CEN_COH_ANY] = "any",
	[CEN_COH_CACHED] = "cached",
	[CEN_COH_UNCACHED] = "uncached",
	[CEN_COH_CONFLICT] = "conflict",
};

/*
 * Sentence templates: %V is the value, %L the limit, %M the member; %v and
 * %l are the value and the limit when they count bytes, always in decimal
 * (a size in hex reads like an address).
 */
static const char * const cen_reason_text[CEN_R_COUNT] = {
	[CEN_R_OK] = "ok",
	[CEN_R_ZERO_SIZE] = "buffer size is zero",
	[CEN_R_SIZE_OVERFLOW] = "buffer size %v overflows when rounded to pages",
	[CEN_R_BAD_ALIGN] = "alignment %V is not a power of two",
	[CEN_R_BAD_BOUNDARY] = "segment boundary mask %V is not of the form 2^k-1",
	[CEN_R_BAD_COHERENCY] = "coherency value %V is not known",
	[CEN_R_ZERO_SEGMENTS] = "max segments is zero",
	[CEN_R_SEG_BELOW_GRANULE] = "max segment size %V is below the page size %L",
	[CEN_R_BOUNDARY_BELOW_GRANULE] = "segment boundary mask %V is below a page (%L)",
	[CEN_R_COHERENCY_CONFLICT] = "member %V needs cached memory, member %L uncached",
	[CEN_R_ADDR_LIMIT_TOO_LOW] = "%v bytes do not fit below the address limit %L",
	[CEN_R_ALIGN_ABOVE_LIMIT] = "no address aligned to %V lies below the address limit %L",
	[CEN_R_ALIGN_ABOVE_SEGMENT] = "alignment %V exceeds the segment size %L: gaps needed",
	[CEN_R_TOO_FEW_SEGMENTS] = "needs at least %V segments but only %L are allowed",
	[CEN_R_NOT_NEEDED] = "not needed: every device can take scattered pages",
	[CEN_R_NO_SPACE] = "needs %v bytes, %l free",
	[CEN_R_CHUNK_TOO_SMALL] = "needs one contiguous chunk of %v bytes, largest is %l",
	[CEN_R_ADDR_RANGE] = "memory from %V up is not below the address limit %L",
	[CEN_R_BACKEND_ALIGN] = "cannot align to %V (at most %L)",
	[CEN_R_BACKEND_SEGMENTS] = "worst case %V segments, devices allow %L",
	[CEN_R_BACKEND_COHERENCY] = "cannot give %V caching (mask %L)",
	[CEN_R_NO_BACKEND] = "no backend can serve the buffer (%V present)",
	[CEN_R_SEG_EMPTY] = "segment %M is empty",
	[CEN_R_SEG_ADDR_ZERO] = "segment %M starts at address 0",
	[CEN_R_SEG_ABOVE_LIMIT] = "segment %M at %V ends above the address limit %L",
	[CEN_R_SEG_TOO_LONG] = "segment %M is %v bytes, limit %l",
	[CEN_R_SEG_CROSSES_BOUNDARY] = "segment %M at %V crosses the boundary mask %L",
	[CEN_R_SEG_MISALIGNED] = "segment %M at %V is not aligned to %L",
	[CEN_R_SEG_LENGTH_UNALIGNED] = "segment %M length %V is not a multiple of %L",
	[CEN_R_SEG_OVERLAP] = "segment %M at %V overlaps the one at %L",
	[CEN_R_SEG_COUNT] = "%V segments, limit %L",
	[CEN_R_SEG_TOTAL] = "segments add up to %v bytes, buffer is %l",
};

/*
 * The same reasons for readers who must not learn physical addresses (any
 * holder of a buffer's fd): the caller has put the segment's offset in
 * the buffer into @value where the sentence above names an address.
 */
static const char * const cen_reason_text_offsets[CEN_R_COUNT] = {
	[CEN_R_ADDR_RANGE] = "the backend's memory is not below the address limit %L",
	[CEN_R_SEG_ABOVE_LIMIT] = "segment %M (buffer offset %V) ends above the address limit %L",
	[CEN_R_SEG_CROSSES_BOUNDARY] = "segment %M (buffer offset %V) crosses the boundary mask %L",
	[CEN_R_SEG_MISALIGNED] = "segment %M (buffer offset %V) is not aligned to %L",
	[CEN_R_SEG_OVERLAP] = "segment %M overlaps another",
};

const char *cen_source_name(enum cen_source s)
{
	return (unsigned int)s < CEN_SRC_COUNT ? cen_source_names[s] : "?";
}

const char *cen_field_name(enum cen_field f)
{
	return (unsigned int)f < CEN_F_COUNT ? cen_field_names[f] : "?";
}

const char *cen_coherency_name(enum cen_coherency c)
{
	return (unsigned int)c < CEN_COH_COUNT ? cen_coherency_names[c] : "?";
}

const char *cen_reason_name(enum cen_reason r)
{
	return (unsigned int)r < CEN_R_COUNT ? cen_reason_text[r] : "unknown reason";
}

/* Numbers that are masks or addresses read best in hex; sizes do not. */
static int cen_put_num(char *buf, size_t len, u64 v, bool bytes)
{
	if (v >= 0x10000 && !bytes)
		return snprintf(buf, len, "0x%llx", (unsigned long long)v);
	return snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* The number a template's %<c> stands for, or false if it is none. */
static bool cen_placeholder(char c, const struct cen_why *why, u64 *v,
			    bool *bytes)
{
	*bytes = c == 'v' || c == 'l';
	switch (c) {
	case 'V':
	case 'v':
		*v = why->value;
		return true;
	case 'L':
	case 'l':
		*v = why->limit;
		return true;
	case 'M':
		*v = why->member;
		return true;
	default:
		return false;
	}
}

/* Fill @buf with @t, its placeholders replaced by @why's numbers. */
static int cen_format(const char *t, const struct cen_why *why, char *buf,
		      size_t len)
{
	size_t pos = 0;
	bool bytes;
	u64 v;
	int n;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (; *t && pos + 1 < len; t++) {
		if (t[0] == '%' && cen_placeholder(t[1], why, &v, &bytes)) {
			n = cen_put_num(buf + pos, len - pos, v, bytes);
			if (n < 0)
				break;
			pos += (size_t)n < len - pos ? (size_t)n : len - pos - 1;
			t++;
			continue;
		}
		buf[pos++] = *t;
	}
	buf[pos] = '\0';
	return (int)pos;
}

int cen_why_format(const struct cen_why *why, char *buf, size_t len)
{
	return cen_format(cen_reason_name(why->code), why, buf, len);
}

bool cen_why_is_address(const struct cen_why *why)
{
	return (unsigned int)why->code < CEN_R_COUNT &&
	       cen_reason_text_offsets[why->code];
}

int cen_why_format_offsets(const struct cen_why *why, char *buf, size_t len)
{
	return cen_format(cen_why_is_address(why) ?
			  cen_reason_text_offsets[why->code] :
			  cen_reason_name(why->code), why, buf, len);
}
