// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// json_reader.hpp - reading JSON strictly: duplicate keys, unknown fields,
// wrong types and impossible values are errors that name the JSON path
// ("devices[2].max_seg_size") and say what is wrong.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "invalid_input.hpp"

namespace cenalloc::platform {

// Documents keep their keys in the order written, so that messages and
// output follow the file.
using Json = nlohmann::ordered_json;

// Objects and arrays nest at most this deep: the format needs five
// levels; a megabyte of "[" would otherwise take a hundred megabytes.
inline constexpr std::size_t kMaxJsonDepth = 32;

// Parse @text (json_parse.cpp); InvalidInput on a syntax error ("line 3,
// column 7"), a key given twice in one object (its path), or nesting
// deeper than kMaxJsonDepth.  A number written with a fraction or an
// exponent that is a whole number in 64 bits ("1e6", "2.5e3", "4096.0")
// is read as that integer, exactly.
Json parse_json(std::string_view text);

// "devices" + 2 -> "devices[2]"; "devices[2]" + "name" ->
// "devices[2].name"; "" + "name" -> "name".  Keys come from the input:
// they are made printable() (escaped, cut) on the way.
std::string child_path(const std::string &path, std::string_view key);
std::string child_path(const std::string &path, std::size_t index);

// May a limit be written as "any" (no limit, all ones)?
enum class AnyValue : std::uint8_t { refused, allowed };

// A JSON number or a string parse_quantity() reads; "any" (when allowed)
// is @any_value.  The value must lie in [@min, @max].
std::uint64_t read_number(const Json &value, const std::string &path,
			  std::uint64_t min, std::uint64_t max,
			  AnyValue any = AnyValue::refused,
			  std::uint64_t any_value = ~std::uint64_t{0});
bool read_bool(const Json &value, const std::string &path);
// A string of at most @max_length bytes, not empty unless @may_be_empty.
std::string read_string(const Json &value, const std::string &path,
			std::size_t max_length, bool may_be_empty = false);
// A name (device, driver, bus, backend, buffer): read_string(), and no
// control characters, since names are printed as they are.
std::string read_name(const Json &value, const std::string &path,
		      std::size_t max_length);
// The array at @value (InvalidInput otherwise).
const Json &read_array(const Json &value, const std::string &path);

// One JSON object and the fields it may have.  The constructor refuses a
// non-object and any field not in @known, naming it and listing the known
// ones.
class ObjectReader {
public:
	ObjectReader(const Json &object, std::string path,
		     std::initializer_list<std::string_view> known);

	// The field, or nullptr when absent.
	[[nodiscard]] const Json *find(std::string_view key) const;
	// The field; InvalidInput "required field missing" when absent.
	[[nodiscard]] const Json &require(std::string_view key) const;
	[[nodiscard]] std::string path_of(std::string_view key) const
	{
		return child_path(path_, key);
	}
	[[nodiscard]] const std::string &path() const noexcept
	{
		return path_;
	}

	// Shorthands: the field read as above, or nullopt when absent.
	[[nodiscard]] std::optional<std::uint64_t>
	number(std::string_view key, std::uint64_t min, std::uint64_t max,
	       AnyValue any = AnyValue::refused,
	       std::uint64_t any_value = ~std::uint64_t{0}) const;
	[[nodiscard]] std::optional<bool> boolean(std::string_view key) const;
	// A name, read_name().
	[[nodiscard]] std::optional<std::string>
	name(std::string_view key, std::size_t max_length) const;

private:
	const Json &object_;
	std::string path_;
};

} // namespace cenalloc::platform
