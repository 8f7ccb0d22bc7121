// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "json_reader.hpp"

#include <cmath>

#include "printable.hpp"
#include "quantity.hpp"

namespace cenalloc::platform {

namespace {

std::string type_name(const Json &v)
{
	if (v.is_null())
		return "null";
	if (v.is_boolean())
		return "a boolean";
	if (v.is_number())
		return "a number";
	if (v.is_string())
		return "a string";
	if (v.is_array())
		return "an array";
	return "an object";
}

// parse_json() made every whole number in 64 bits an integer: a float
// left is a fraction, or a whole number beyond 64 bits.
InvalidInput float_error(double v, const std::string &path)
{
	const std::string text = Json(v).dump();

	if (v != std::trunc(v))
		return InvalidInput(path, text + " is not a whole number");
	if (v < 0)
		return InvalidInput(path,
				    "must not be negative (it is " + text + ")");
	return InvalidInput(path, text + " does not fit in 64 bits");
}

} // namespace

std::string child_path(const std::string &path, std::string_view key)
{
	const std::string k = printable(key);

	return path.empty() ? k : path + "." + k;
}

std::string child_path(const std::string &path, std::size_t index)
{
	return path + "[" + std::to_string(index) + "]";
}

std::uint64_t read_number(const Json &value, const std::string &path,
			  std::uint64_t min, std::uint64_t max, AnyValue any,
			  std::uint64_t any_value)
{
	std::uint64_t v = 0;

	if (value.is_number_unsigned()) {
		v = value.get<std::uint64_t>();
	} else if (value.is_number_integer()) {
		throw InvalidInput(path, "must not be negative (it is " +
						 value.dump() + ")");
	} else if (value.is_number_float()) {
		throw float_error(value.get<double>(), path);
	} else if (value.is_string()) {
		const auto &s = value.get_ref<const std::string &>();
		std::string error;
		if (s == "any") {
			if (any == AnyValue::refused)
				throw InvalidInput(path,
						   "\"any\" is not allowed "
						   "here; give a number");
			return any_value;
		}
		const auto parsed = parse_quantity(s, &error);
		if (!parsed)
			throw InvalidInput(path, error);
		v = *parsed;
	} else {
		throw InvalidInput(path,
				   "must be a number or a string such as "
				   "\"0xffffffff\" or \"4 MiB\", not " +
					   type_name(value));
	}
	if (v < min)
		throw InvalidInput(path, "must be at least " +
						 std::to_string(min) +
						 " (it is " + std::to_string(v) +
						 ")");
	if (v > max)
		throw InvalidInput(
			path, "must be at most " + std::to_string(max) +
				      (any == AnyValue::allowed ? " or \"any\""
								: "") +
				      " (it is " + std::to_string(v) + ")");
	return v;
}

bool read_bool(const Json &value, const std::string &path)
{
	if (!value.is_boolean())
		throw InvalidInput(path, "must be true or false, not " +
						 type_name(value));
	return value.get<bool>();
}

std::string read_string(const Json &value, const std::string &path,
			std::size_t max_length, bool may_be_empty)
{
	if (!value.is_string())
		throw InvalidInput(path, "must be a string, not " +
						 type_name(value));
	const auto &s = value.get_ref<const std::string &>();
	if (s.empty() && !may_be_empty)
		throw InvalidInput(path, "must not be empty");
	if (s.size() > max_length)
		throw InvalidInput(path, in_quotes(s) + " is longer than " +
						 std::to_string(max_length) +
						 " bytes");
	if (s.find('\0') != std::string::npos)
		throw InvalidInput(path, "must not contain a NUL character");
	return s;
}

std::string read_name(const Json &value, const std::string &path,
		      std::size_t max_length)
{
	std::string s = read_string(value, path, max_length);

	if (printable(s, s.size()) != s)
		throw InvalidInput(path, in_quotes(s) +
						 ": a name must not contain "
						 "control characters");
	return s;
}

const Json &read_array(const Json &value, const std::string &path)
{
	if (!value.is_array())
		throw InvalidInput(path, "must be an array, not " +
						 type_name(value));
	return value;
}

ObjectReader::ObjectReader(const Json &object, std::string path,
			   std::initializer_list<std::string_view> known)
	: object_(object), path_(std::move(path))
{
	if (!object_.is_object())
		throw InvalidInput(path_.empty() ? "the document" : path_,
				   "must be an object, not " +
					   type_name(object_));
	for (const auto &[key, value] : object_.items()) {
		bool ok = false;
		for (std::string_view k : known)
			ok = ok || k == key;
		if (ok)
			continue;
		std::string list;
		for (std::string_view k : known)
			list += (list.empty() ? "" : ", ") + std::string(k);
		throw InvalidInput(path_of(key),
				   "unknown field (known here: " + list + ")");
	}
}

const Json *ObjectReader::find(std::string_view key) const
{
	const auto it = object_.find(std::string(key));

	return it == object_.end() ? nullptr : &*it;
}

const Json &ObjectReader::require(std::string_view key) const
{
	if (const Json *v = find(key))
		return *v;
	throw InvalidInput(path_of(key), "required field is missing");
}

std::optional<std::uint64_t> ObjectReader::number(std::string_view key,
						  std::uint64_t min,
						  std::uint64_t max,
						  AnyValue any,
						  std::uint64_t any_value) const
{
	const Json *v = find(key);

	if (!v)
		return std::nullopt;
	return read_number(*v, path_of(key), min, max, any, any_value);
}

std::optional<bool> ObjectReader::boolean(std::string_view key) const
{
	const Json *v = find(key);

	if (!v)
		return std::nullopt;
	return read_bool(*v, path_of(key));
}

std::optional<std::string> ObjectReader::name(std::string_view key,
					      std::size_t max_length) const
{
	const Json *v = find(key);

	if (!v)
		return std::nullopt;
	return read_name(*v, path_of(key), max_length);
}

} // namespace cenalloc::platform
