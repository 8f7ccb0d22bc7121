// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// parse_json(): nlohmann's parser, driven through its SAX interface into
// a document built here.  nlohmann's own builder inserts each member with
// ordered_map::operator[], which first searches the members so far: n keys
// in one object cost n^2/2 string comparisons (40,000 keys took 3 s).
// Here each open object keeps its keys in a std::set (n log n) for the
// duplicate check, and members are appended without a search.
#include <algorithm>
#include <set>

#include "json_number.hpp"
#include "json_reader.hpp"
#include "printable.hpp"

namespace cenalloc::platform {

namespace {

// One open object or array.  Its elements so far are in *value; the one
// being read is the last.
struct Frame {
	Json *value;
	std::string key{};		// objects: the member being read
	std::set<std::string> keys{};	// objects: keys seen so far
};

// "line 3, column 7" of byte @offset of @text.
std::string place_of(std::string_view text, std::size_t offset)
{
	const std::string_view before = text.substr(0, offset);
	const std::size_t nl = before.rfind('\n');
	const auto line = std::ranges::count(before, '\n') + 1;
	const std::size_t column =
		nl == std::string_view::npos ? offset + 1 : offset - nl;

	return "line " + std::to_string(line) + ", column " +
	       std::to_string(column);
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse
// error at line 3, column 7: "; keep "line 3, column 7" as the place.  The
// token quoted after "last read:" is input: made printable.
InvalidInput syntax_error(std::string text, const std::string &token,
			  const std::string &place)
{
	const std::string marker = "parse error at ";
	const std::string read = "last read: '" + token + "'";

	if (auto at = text.find(read); at != std::string::npos)
		text.replace(at, read.size(),
			     "last read: '" + printable(token) + "'");
	if (auto at = text.find(marker); at != std::string::npos) {
		text.erase(0, at + marker.size());
		if (auto colon = text.find(": "); colon != std::string::npos)
			return InvalidInput(text.substr(0, colon),
					    "invalid JSON: " +
						    text.substr(colon + 2));
	}
	// Not a syntax error ("[json.exception.out_of_range.406] number
	// overflow parsing '1e400'"): nlohmann gives no place.
	if (auto id_end = text.find("] "); text.starts_with("[json.") &&
					   id_end != std::string::npos)
		text.erase(0, id_end + 2);
	return InvalidInput(place, "invalid JSON: " + text);
}

// A whole number written with a fraction or an exponent ("1e6", "2.5e3")
// becomes the integer it is, read from its digits (a double would round
// it beyond 2^53); anything else stays a float for the reader to refuse.
Json number_from_literal(double value, const std::string &literal)
{
	const auto w = whole_number(literal);
	constexpr std::uint64_t kMinInt64Magnitude = std::uint64_t{1} << 63;

	if (!w)
		return value;
	if (!w->negative || w->magnitude == 0)
		return w->magnitude;
	if (w->magnitude <= kMinInt64Magnitude)
		return static_cast<std::int64_t>(0 - w->magnitude);
	return value;
}

class StrictBuilder : public nlohmann::json_sax<Json> {
public:
	StrictBuilder(Json &root, std::string_view text)
		: root_(root), text_(text)
	{
	}

	bool null() override { return add(nullptr); }
	bool boolean(bool v) override { return add(v); }
	bool number_integer(number_integer_t v) override { return add(v); }
	bool number_unsigned(number_unsigned_t v) override { return add(v); }
	bool number_float(number_float_t v, const string_t &literal) override
	{
		return add(number_from_literal(v, literal));
	}
	bool string(string_t &v) override { return add(std::move(v)); }
	// JSON text has no binary values; only CBOR and the like do.
	bool binary(binary_t & /*v*/) override { return false; }

	bool start_object(std::size_t /*elements*/) override
	{
		return open(Json::object());
	}
	bool start_array(std::size_t /*elements*/) override
	{
		return open(Json::array());
	}
	bool end_object() override { return close(); }
	bool end_array() override { return close(); }
	bool key(string_t &k) override;
	bool parse_error(std::size_t position, const std::string &token,
			 const nlohmann::detail::exception &e) override
	{
		throw syntax_error(e.what(), token, place_of(text_, position));
	}

private:
	Json *place(Json v);
	bool add(Json v)
	{
		(void)place(std::move(v));
		return true;
	}
	bool open(Json container)
	{
		if (stack_.size() == kMaxJsonDepth)
			throw InvalidInput(path(), "nested more than " +
						std::to_string(kMaxJsonDepth) +
						" levels deep");
		stack_.push_back(Frame{.value = place(std::move(container))});
		return true;
	}
	bool close()
	{
		stack_.pop_back();
		return true;
	}
	[[nodiscard]] std::string path() const;

	Json &root_;
	std::string_view text_;
	std::vector<Frame> stack_;
};

// Where the next value goes: the root, the end of the open array, or the
// open object under the key just read (appended: key() checked it is new).
Json *StrictBuilder::place(Json v)
{
	if (stack_.empty()) {
		root_ = std::move(v);
		return &root_;
	}
	Frame &f = stack_.back();
	if (f.value->is_array()) {
		auto &array = f.value->get_ref<Json::array_t &>();
		array.push_back(std::move(v));
		return &array.back();
	}
	auto &object = f.value->get_ref<Json::object_t &>();
	object.emplace_back(std::move(f.key), std::move(v));
	return &object.back().second;
}

bool StrictBuilder::key(string_t &k)
{
	Frame &f = stack_.back();

	if (!f.keys.insert(k).second)
		throw InvalidInput(child_path(path(), k),
				   "the key appears twice in this object");
	f.key = std::move(k);
	return true;
}

// The JSON path of the innermost open container: each one is the last
// element of the one around it.
std::string StrictBuilder::path() const
{
	std::string p;

	for (std::size_t i = 0; i + 1 < stack_.size(); i++) {
		const Json &outer = *stack_[i].value;
		p = outer.is_array()
			    ? child_path(p, outer.size() - 1)
			    : child_path(p, outer.get_ref<const Json::object_t &>()
						    .back()
						    .first);
	}
	return p;
}

} // namespace

Json parse_json(std::string_view text)
{
	Json root;
	StrictBuilder builder(root, text);

	(void)Json::sax_parse(text.begin(), text.end(), &builder);
	return root;
}

} // namespace cenalloc::platform
