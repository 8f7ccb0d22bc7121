// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "json_number.hpp"

#include <charconv>
#include <string>

namespace cenalloc::platform {

namespace {

// 10^20 > 2^64: a magnitude with more digits than this does not fit.
constexpr std::int64_t kMaxDigits = 20;

// The literal as significant digits times a power of ten.
struct Decimal {
	bool negative = false;
	std::string digits;	// no leading or trailing zeros; "" is zero
	std::int64_t exponent = 0;
};

bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

std::string_view take_digits(std::string_view &s)
{
	std::size_t n = 0;

	while (n < s.size() && is_digit(s[n]))
		n++;
	const std::string_view d = s.substr(0, n);
	s.remove_prefix(n);
	return d;
}

// The exponent part ("e-12"), clamped far beyond any that matters so
// that a huge one cannot overflow.
std::optional<std::int64_t> read_exponent(std::string_view s)
{
	if (s.empty())
		return 0;
	if (s.front() != 'e' && s.front() != 'E')
		return std::nullopt;
	s.remove_prefix(1);
	const bool minus = !s.empty() && s.front() == '-';
	if (!s.empty() && (s.front() == '-' || s.front() == '+'))
		s.remove_prefix(1);
	const std::string_view d = take_digits(s);
	if (d.empty() || !s.empty())
		return std::nullopt;
	std::int64_t e = 0;
	if (d.size() > 9)
		e = 1'000'000'000;
	else
		(void)std::from_chars(d.data(), d.data() + d.size(), e);
	return minus ? -e : e;
}

std::optional<Decimal> read_decimal(std::string_view s)
{
	Decimal d;

	d.negative = !s.empty() && s.front() == '-';
	if (d.negative)
		s.remove_prefix(1);
	const std::string_view whole = take_digits(s);
	std::string_view fraction;
	if (whole.empty())
		return std::nullopt;
	if (!s.empty() && s.front() == '.') {
		s.remove_prefix(1);
		fraction = take_digits(s);
		if (fraction.empty())
			return std::nullopt;
	}
	const auto e = read_exponent(s);
	if (!e)
		return std::nullopt;
	d.digits = std::string(whole) + std::string(fraction);
	d.exponent = *e - static_cast<std::int64_t>(fraction.size());
	while (!d.digits.empty() && d.digits.back() == '0') {
		d.digits.pop_back();
		d.exponent++;
	}
	d.digits.erase(0, d.digits.find_first_not_of('0'));
	return d;
}

} // namespace

std::optional<WholeNumber> whole_number(std::string_view literal)
{
	const auto d = read_decimal(literal);

	if (!d)
		return std::nullopt;
	if (d->digits.empty())
		return WholeNumber{};
	// Trailing zeros are gone: a negative exponent leaves a fraction.
	if (d->exponent < 0 ||
	    static_cast<std::int64_t>(d->digits.size()) + d->exponent > kMaxDigits)
		return std::nullopt;
	std::uint64_t v = 0;
	if (std::from_chars(d->digits.data(),
			    d->digits.data() + d->digits.size(), v)
		    .ec != std::errc{})
		return std::nullopt;
	for (std::int64_t i = 0; i < d->exponent; i++) {
		if (v > ~std::uint64_t{0} / 10)
			return std::nullopt;
		v *= 10;
	}
	return WholeNumber{.negative = d->negative, .magnitude = v};
}

} // namespace cenalloc::platform
