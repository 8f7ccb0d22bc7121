// SPDX-License-Identifier: GPL-2.0 OR MIT
// The C API: constraint sets and the kernel's words for them.
#include <cerrno>
#include <cstdio>

#include "c_api.hpp"

using cenalloc::c_api::fail;
using cenalloc::c_api::field_of;
using cenalloc::c_api::make;

extern "C" {

struct cenalloc_constraint_set *cenalloc_constraints_new(void)
{
	return make<cenalloc_constraint_set>().release();
}

void cenalloc_constraints_free(struct cenalloc_constraint_set *c)
{
	delete c; // NOLINT(cppcoreguidelines-owning-memory): from new
}

int cenalloc_constraints_set(struct cenalloc_constraint_set *c,
			     enum cenalloc_field field, uint64_t value)
{
	const auto f = field_of(field);

	if (!c || !f)
		return fail(EINVAL, "set constraint", "no such field");
	c->c.set(*f, value);
	return 0;
}

int cenalloc_constraints_unset(struct cenalloc_constraint_set *c,
			       enum cenalloc_field field)
{
	const auto f = field_of(field);

	if (!c || !f)
		return fail(EINVAL, "unset constraint", "no such field");
	c->c.unset(*f);
	return 0;
}

int cenalloc_constraints_get(const struct cenalloc_constraint_set *c,
			     enum cenalloc_field field, uint64_t *value)
{
	const auto f = field_of(field);

	if (!c || !f)
		return fail(EINVAL, "get constraint", "no such field");
	const std::optional<std::uint64_t> v = c->c.get(*f);
	if (v && value)
		*value = *v;
	return v ? 1 : 0;
}

enum cenalloc_source cenalloc_constraints_source(const struct cenalloc_constraint_set *c,
						 enum cenalloc_field field)
{
	const auto f = field_of(field);

	if (!c || !f)
		return CENALLOC_SOURCE_NONE;
	return static_cast<cenalloc_source>(c->c.source(*f));
}

int cenalloc_constraints_origin(const struct cenalloc_constraint_set *c,
				enum cenalloc_field field)
{
	const auto f = field_of(field);

	if (!c || !f || !c->c.origin(*f))
		return -1;
	return *c->c.origin(*f);
}

int cenalloc_constraints_text(const struct cenalloc_constraint_set *c,
			      enum cenalloc_field field, char *buf, size_t len)
{
	const auto f = field_of(field);

	if (!c || !f || (!buf && len))
		return fail(EINVAL, "constraint text", "no such field");
	try {
		const std::string text = c->c.value_text(*f);

		if (len)
			(void)std::snprintf(buf, len, "%s", text.c_str());
		return static_cast<int>(text.size());
	} catch (const std::bad_alloc &) {
		return fail(ENOMEM, "constraint text", "out of memory");
	}
}

const char *cenalloc_field_name(enum cenalloc_field field)
{
	const auto f = field_of(field);

	// The kernel's names are NUL-terminated C strings.
	return f ? cenalloc::to_string(*f).data() : nullptr;
}

const char *cenalloc_source_name(enum cenalloc_source source)
{
	if (source < CENALLOC_SOURCE_NONE || source > CENALLOC_SOURCE_DRIVER)
		return nullptr;
	return cenalloc::to_string(static_cast<cenalloc::Source>(source)).data();
}

} // extern "C"
