#pragma once
// JSON documents compared as values, for the tests that check what reflect writes as JSON with
// no fixed spelling (key order, spaces). The parser (nlohmann::json) is compiled once, here:
// included in each test file that needed it, it cost about 7 of the 20 s that g++-12 took for
// such a file at -O2, in every cell of the matrix, for a few lines each.
//
//   CHECK(reflect_test::canonical_json(reflect::to_json(value)) ==
//         reflect_test::canonical_json(R"({"x": 1, "y": 2})"));

#include <optional>
#include <string>
#include <string_view>

namespace reflect_test {

// The document in one spelling: no spaces, object members sorted by key, a number with no
// fraction written as an integer (2.0 as 2). What is not one JSON document comes back as
// "<not JSON (why): TEXT>", which no document equals.
std::string canonical_json(std::string_view text);

// Whether TEXT is one JSON document.
bool is_json(std::string_view text);

// The canonical text of the value at a JSON pointer (RFC 6901: "/tasks/0/children") in a
// document, or "<no /x in: TEXT>".
std::string json_at(std::string_view document, std::string_view pointer);

// The number of elements or members of the array or object at a JSON pointer ("" is the whole
// document); nullopt where there is none.
std::optional<std::size_t> json_size(std::string_view document, std::string_view pointer = "");

// The string at a JSON pointer, unquoted and unescaped; nullopt where there is no string.
std::optional<std::string> json_string_at(std::string_view document, std::string_view pointer);

// A string as a JSON string value (quoted, escaped): what canonical_json and json_at give for it.
std::string json_string(std::string_view text);

}  // namespace reflect_test
