#pragma once
// Characters and strings as C++ literals and as JSON strings: the escaping each output needs.

#include "type_node.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace reflect::detail {

/// The literal prefix of a character type: `u8`, `u`, `U`, `L`, or none for `char`.
std::string_view char_prefix(const TypeNode& char_type);

/// One character of a C++ literal, escaped as C++ needs it (`\n`, `\x01`, `\u00e9`).
void escape_cpp(fmt::memory_buffer& out, std::uint32_t code, char quote, bool wide);
/// The inside of a C++ string literal from `count` characters of `char_size` bytes each:
/// valid UTF-8 kept as is, other bytes escaped.
void escape_cpp_string(fmt::memory_buffer& out, const unsigned char* bytes, std::size_t count, std::size_t char_size);

/// The inside of a JSON string from the same characters: UTF-8 kept, wider characters as
/// UTF-8, control characters as `\u00XX`, and bytes that are not UTF-8 as the text `\xNN`
/// (a backslash escaped for JSON), so that the document stays valid.
void escape_json_string(fmt::memory_buffer& out, const unsigned char* bytes, std::size_t count, std::size_t char_size);

/// A JSON string of UTF-8 text, quoted (escape_json_string's rules).
void append_json_string(fmt::memory_buffer& out, std::string_view text);

/// A compact JSON document indented two spaces a level (what `{:#j}` gives).
void indent_json(fmt::memory_buffer& out, std::string_view compact);

/// Length of a valid UTF-8 sequence starting at s[i], or 0.
std::size_t utf8_sequence(const unsigned char* s, std::size_t i, std::size_t n);

}  // namespace reflect::detail
