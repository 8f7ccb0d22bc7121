// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "quantity.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "printable.hpp"

namespace cenalloc::platform {

namespace {

struct Unit {
	std::string_view name;
	unsigned shift;
};

constexpr std::array<Unit, 8> kUnits = {{
	{"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20},
	{"G", 30}, {"GiB", 30}, {"T", 40}, {"TiB", 40},
}};

std::string_view trim(std::string_view s)
{
	while (!s.empty() && s.front() == ' ')
		s.remove_prefix(1);
	while (!s.empty() && s.back() == ' ')
		s.remove_suffix(1);
	return s;
}

std::optional<std::uint64_t> fail(std::string *error, std::string text)
{
	if (error)
		*error = std::move(text);
	return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> parse_quantity(std::string_view text,
					    std::string *error)
{
	const std::string_view s = trim(text);
	std::uint64_t value = 0;
	int base = 10;
	std::string_view digits = s;

	if (s.empty())
		return fail(error, "is empty; expected a number");
	if (s.starts_with("0x") || s.starts_with("0X")) {
		base = 16;
		digits.remove_prefix(2);
	}
	const auto [end, ec] = std::from_chars(
		digits.data(), digits.data() + digits.size(), value, base);
	if (end == digits.data())
		return fail(error, in_quotes(s) + " is not a number (write 4096, "
					       "\"0x1000\" or \"4 KiB\")");
	if (ec == std::errc::result_out_of_range)
		return fail(error, in_quotes(s) + " does not fit in 64 bits");
	const std::string_view unit =
		trim(digits.substr(static_cast<std::size_t>(end - digits.data())));
	if (unit.empty())
		return value;
	if (unit.front() == '.')
		return fail(error, in_quotes(s) + " is not a whole number");
	if (base == 16)
		return fail(error, in_quotes(s) +
					   " is not a hexadecimal number (and "
					   "hexadecimal takes no unit)");
	for (const Unit &u : kUnits) {
		if (u.name != unit)
			continue;
		if (value > (~std::uint64_t{0} >> u.shift))
			return fail(error, in_quotes(s) + " does not fit in 64 bits");
		return value << u.shift;
	}
	return fail(error, "unknown unit " + in_quotes(unit) +
				   " in " + in_quotes(s) +
				   " (use K/KiB, M/MiB, G/GiB or T/TiB)");
}

} // namespace cenalloc::platform
