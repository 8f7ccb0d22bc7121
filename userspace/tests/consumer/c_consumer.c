/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A C program built against the installed libcenalloc (check-consumer.sh
 * on the host; a static build of it in the test VM).  Without arguments it
 * checks what needs no kernel; with --kernel [DEVICE] it creates a buffer
 * (meant for DEVICE, "platform:vivid.0", when given), maps it,
 * writes and reads it back under CPU access, and explains where its memory
 * came from and why, as a C application (GStreamer, PipeWire) would.
 * Exit 0 when everything was as documented, 1 otherwise.
 */
#include <cenalloc/cenalloc.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "c-consumer: FAILED: %s (last error: %s)\n", what,
			cenalloc_last_error());
		failures++;
	}
}

static void check_constraints(void)
{
	struct cenalloc_constraint_set *c = cenalloc_constraints_new();
	uint64_t v = 0;
	char text[32];

	expect(c != NULL, "constraints_new");
	expect(cenalloc_constraints_get(c, CENALLOC_FIELD_ADDR_LIMIT, &v) == 0,
	       "a new set is empty");
	expect(cenalloc_constraints_set(c, CENALLOC_FIELD_ADDR_LIMIT,
					0xffffffffULL) == 0, "set");
	expect(cenalloc_constraints_get(c, CENALLOC_FIELD_ADDR_LIMIT, &v) == 1 &&
	       v == 0xffffffffULL, "get what was set");
	expect(cenalloc_constraints_text(c, CENALLOC_FIELD_ADDR_LIMIT, text,
					 sizeof(text)) == 10 &&
	       strcmp(text, "0xffffffff") == 0, "text of an address");
	expect(cenalloc_constraints_set(c, (enum cenalloc_field)7, 1) == -EINVAL,
	       "an unknown field is refused");
	expect(strcmp(cenalloc_field_name(CENALLOC_FIELD_MAX_SEGMENTS),
		      "max segments") == 0, "the kernel's field names");
	cenalloc_constraints_free(c);
}

static void check_missing_device(void)
{
	struct cenalloc_device *dev = (struct cenalloc_device *)&dev;

	expect(cenalloc_open("/nonexistent/cenalloc", &dev) == -ENOENT,
	       "a missing node is -ENOENT");
	expect(dev == NULL, "no device on failure");
	expect(strstr(cenalloc_last_error(), "modprobe cenalloc") != NULL,
	       "the error says the module is not loaded");
	printf("c-consumer: %s\n", cenalloc_last_error());
	expect(cenalloc_open("/dev/null", &dev) == -ENOTTY,
	       "a node that is not cenalloc is -ENOTTY");
}

/* Print the merged constraints and who imposed each. */
static void explain(const struct cenalloc_buffer_info *info)
{
	const struct cenalloc_constraint_set *m = cenalloc_info_merged(info);
	char text[64];
	int f;

	printf("c-consumer: buffer %llu '%s': %llu bytes in %s, %u run(s)\n",
	       (unsigned long long)cenalloc_info_id(info),
	       cenalloc_info_name(info),
	       (unsigned long long)cenalloc_info_size(info),
	       cenalloc_info_backend(info), cenalloc_info_runs(info));
	printf("c-consumer:   why: %s\n", cenalloc_info_reason(info));
	for (f = 0; f < CENALLOC_FIELD_COUNT; f++) {
		enum cenalloc_field field = (enum cenalloc_field)f;

		int origin = cenalloc_constraints_origin(m, field);

		cenalloc_constraints_text(m, field, text, sizeof(text));
		printf("c-consumer:   %s = %s (%s%s%s)\n",
		       cenalloc_field_name(field), text,
		       cenalloc_source_name(cenalloc_constraints_source(m, field)),
		       origin >= 0 ? " of " : "",
		       origin >= 0 ? cenalloc_info_member_device(info, origin) : "");
	}
}

/* The hinted device's constraints, with their sources, are in INFO. */
static void check_hint(const struct cenalloc_buffer_info *info,
		       const char *device)
{
	const struct cenalloc_constraint_set *m = cenalloc_info_merged(info);
	int f, from_device = 0;

	expect(cenalloc_info_member_count(info) == 1 &&
	       strstr(device, cenalloc_info_member_device(info, 0)) &&
	       (cenalloc_info_member_flags(info, 0) & CENALLOC_MEMBER_HINT),
	       "the hint is the buffer's one member");
	for (f = 0; f < CENALLOC_FIELD_COUNT; f++)
		from_device |= cenalloc_constraints_get(m, (enum cenalloc_field)f,
							NULL) == 1 &&
			       cenalloc_constraints_origin(m, (enum cenalloc_field)f) == 0;
	expect(from_device, "a merged constraint comes from the hinted device");
}

static int fill_and_verify(struct cenalloc_mapping *map)
{
	unsigned char *p = cenalloc_mapping_data(map);
	size_t i, n = cenalloc_mapping_size(map);
	int ok = 1;

	if (cenalloc_mapping_begin(map, CENALLOC_ACCESS_WRITE) < 0)
		return 0;
	expect(cenalloc_mapping_begin(map, CENALLOC_ACCESS_WRITE) == -EBUSY,
	       "a second begin is -EBUSY");
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	expect(cenalloc_mapping_end(map) == 0, "end after writing");
	if (cenalloc_mapping_begin(map, CENALLOC_ACCESS_READ) < 0)
		return 0;
	for (i = 0; i < n && ok; i++)
		ok = p[i] == (unsigned char)(i * 7 + 3);
	expect(cenalloc_mapping_end(map) == 0, "end after reading");
	return ok;
}

static int create(struct cenalloc_device *dev, const char *device, int *fd)
{
	struct cenalloc_hints *hints = cenalloc_hints_new();
	int ret;

	expect(hints != NULL, "hints_new");
	expect(cenalloc_hints_add(hints, NULL, NULL) == -EINVAL,
	       "a hint with neither device nor constraints is refused");
	if (device)
		expect(cenalloc_hints_add(hints, device, NULL) == 0, "add hint");
	ret = cenalloc_create_hinted(dev, 1 << 20, "c-consumer", hints, 0, fd);
	cenalloc_hints_free(hints);
	return ret;
}

/* A profile for a device that is not there: loaded, then cleared once. */
static void check_profiles(struct cenalloc_device *dev)
{
	struct cenalloc_constraint_set *c = cenalloc_constraints_new();

	expect(cenalloc_profile_set(dev, "c-consumer-cam", NULL, NULL, c) ==
	       -EINVAL, "a profile that sets nothing is refused");
	cenalloc_constraints_set(c, CENALLOC_FIELD_MAX_SEGMENTS, 1);
	expect(cenalloc_profile_set(dev, "c-consumer-cam", NULL, NULL, c) == 0,
	       "load a profile (root)");
	expect(cenalloc_profile_clear(dev, "c-consumer-cam", NULL, NULL) == 0,
	       "clear it");
	expect(cenalloc_profile_clear(dev, "c-consumer-cam", NULL, NULL) ==
	       -ENOENT, "clearing it again is -ENOENT");
	cenalloc_constraints_free(c);
}

static void check_kernel(const char *device)
{
	struct cenalloc_device *dev = NULL;
	struct cenalloc_mapping *map = NULL;
	struct cenalloc_buffer_info *info = NULL;
	uint32_t page = 0;
	int fd = -1;

	expect(cenalloc_open(NULL, &dev) == 0, "open /dev/cenalloc");
	if (!dev)
		return;
	expect(cenalloc_query(dev, NULL, NULL, &page) > 0 && page >= 4096,
	       "QUERY: backends and page size");
	expect(cenalloc_create(dev, 1 << 20, "c-consumer", 1U << 31, &fd) ==
	       -EINVAL, "unknown flags are refused");
	expect(create(dev, device, &fd) == 0 && fd >= 0,
	       "create a 1 MiB buffer");
	expect(cenalloc_map(dev, fd, CENALLOC_ACCESS_READ_WRITE, &map) == 0,
	       "map it");
	expect(map && fill_and_verify(map), "write, then read back every byte");
	expect(cenalloc_info_get(dev, fd, &info) == 0, "INFO");
	if (info) {
		expect(cenalloc_info_backend(info)[0] != '\0',
		       "backed after the first CPU access");
		expect(cenalloc_info_reason(info)[0] != '\0',
		       "the kernel says why");
		explain(info);
		if (device)
			check_hint(info, device);
	}
	cenalloc_info_free(info);
	check_profiles(dev);
	expect(cenalloc_info_get(dev, cenalloc_device_fd(dev), &info) ==
	       -EINVAL && !info, "INFO on a non-dma-buf fd is -EINVAL");
	cenalloc_unmap(map);
	close(fd);
	cenalloc_close(dev);
}

int main(int argc, char **argv)
{
	check_constraints();
	check_missing_device();
	if (argc > 1 && strcmp(argv[1], "--kernel") == 0)
		check_kernel(argc > 2 ? argv[2] : NULL);
	printf("c-consumer: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
