#include "text_escape.hpp"

#include <algorithm>
#include <cstring>

namespace reflect::detail {

std::string_view char_prefix(const TypeNode& ch) {
  std::string_view name = ch.name();
  if (name == "char8_t") return "u8";
  if (name == "char16_t") return "u";
  if (name == "char32_t") return "U";
  if (name == "wchar_t") return "L";
  return "";
}

void escape_cpp(fmt::memory_buffer& out, std::uint32_t c, char quote, bool wide) {
  switch (c) {
    case '\n': out.append(std::string_view("\\n")); return;
    case '\t': out.append(std::string_view("\\t")); return;
    case '\r': out.append(std::string_view("\\r")); return;
    case '\0': out.append(std::string_view("\\0")); return;
    case '\\': out.append(std::string_view("\\\\")); return;
    default: break;
  }
  if (c == static_cast<std::uint32_t>(quote)) {
    out.push_back('\\');
    out.push_back(quote);
  } else if (c >= 0x20 && c < 0x7f) {
    out.push_back(static_cast<char>(c));
  } else if (!wide) {
    fmt::format_to(fmt::appender(out), "\\x{:02x}", c);
  } else if (c <= 0xffff) {
    fmt::format_to(fmt::appender(out), "\\u{:04x}", c);
  } else {
    fmt::format_to(fmt::appender(out), "\\U{:08x}", c);
  }
}

std::size_t utf8_sequence(const unsigned char* s, std::size_t i, std::size_t n) {
  unsigned char c = s[i];
  std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (len == 0 || i + len > n) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((s[i + k] & 0xc0) != 0x80) return 0;
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 (RFC 3629).
  const unsigned char second = s[i + 1];
  if ((c == 0xe0 && second < 0xa0) || (c == 0xed && second >= 0xa0) || (c == 0xf0 && second < 0x90) ||
      (c == 0xf4 && second >= 0x90))
    return 0;
  return len;
}

namespace {

void append(fmt::memory_buffer& out, const unsigned char* bytes, std::size_t n) {
  out.append(reinterpret_cast<const char*>(bytes), reinterpret_cast<const char*>(bytes) + n);
}

std::uint32_t wide_char(const unsigned char* bytes, std::size_t i, std::size_t char_size) {
  std::uint32_t code = 0;
  std::memcpy(&code, &bytes[i * char_size], std::min<std::size_t>(char_size, 4));
  return code;
}

void utf8_encode(fmt::memory_buffer& out, std::uint32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
}

void escape_json(fmt::memory_buffer& out, std::uint32_t c) {
  switch (c) {
    case '"': out.append(std::string_view("\\\"")); return;
    case '\\': out.append(std::string_view("\\\\")); return;
    case '\n': out.append(std::string_view("\\n")); return;
    case '\t': out.append(std::string_view("\\t")); return;
    case '\r': out.append(std::string_view("\\r")); return;
    default: break;
  }
  if (c < 0x20) fmt::format_to(fmt::appender(out), "\\u{:04x}", c);
  else if (c >= 0xd800 && c < 0xe000) fmt::format_to(fmt::appender(out), "\\\\u{:04x}", c);  // a lone surrogate
  else if (c > 0x10ffff) fmt::format_to(fmt::appender(out), "\\\\U{:08x}", c);
  else utf8_encode(out, c);
}

}  // namespace

namespace {

// 8-bit text: runs of printable ASCII and valid UTF-8 sequences copied as they are, every
// other byte through `escape_byte`.
template <class EscapeByte>
void copy_text(fmt::memory_buffer& out, const unsigned char* bytes, std::size_t count, EscapeByte&& escape_byte) {
  for (std::size_t i = 0; i < count;) {
    std::size_t plain = i;
    while (plain < count && bytes[plain] >= 0x20 && bytes[plain] < 0x7f && bytes[plain] != '"' && bytes[plain] != '\\')
      ++plain;
    if (plain > i) {
      append(out, bytes + i, plain - i);
      i = plain;
      continue;
    }
    if (bytes[i] >= 0x80)
      if (std::size_t len = utf8_sequence(bytes, i, count)) {
        append(out, bytes + i, len);
        i += len;
        continue;
      }
    escape_byte(bytes[i]);
    ++i;
  }
}

}  // namespace

void escape_cpp_string(fmt::memory_buffer& out, const unsigned char* bytes, std::size_t count, std::size_t char_size) {
  if (char_size != 1) {
    for (std::size_t i = 0; i < count; ++i) escape_cpp(out, wide_char(bytes, i, char_size), '"', true);
    return;
  }
  copy_text(out, bytes, count, [&](unsigned char byte) { escape_cpp(out, byte, '"', false); });
}

void escape_json_string(fmt::memory_buffer& out, const unsigned char* bytes, std::size_t count, std::size_t char_size) {
  if (char_size != 1) {
    for (std::size_t i = 0; i < count; ++i) escape_json(out, wide_char(bytes, i, char_size));
    return;
  }
  copy_text(out, bytes, count, [&](unsigned char byte) {
    if (byte >= 0x80) fmt::format_to(fmt::appender(out), "\\\\x{:02x}", byte);  // not UTF-8: the text `\xNN`
    else escape_json(out, byte);
  });
}

void append_json_string(fmt::memory_buffer& out, std::string_view text) {
  out.push_back('"');
  escape_json_string(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), 1);
  out.push_back('"');
}

void indent_json(fmt::memory_buffer& out, std::string_view compact) {
  std::size_t depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out.push_back('\n');
    for (std::size_t i = 0; i < depth; ++i) out.append(std::string_view("  "));
  };
  for (std::size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < compact.size()) out.push_back(compact[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; out.push_back(c); break;
      case '{': case '[':
        out.push_back(c);
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out.push_back(compact[++i]);  // empty: stays `{}`
          break;
        }
        ++depth;
        newline();
        break;
      case '}': case ']':
        --depth;
        newline();
        out.push_back(c);
        break;
      case ',': out.push_back(c); newline(); break;
      case ':': out.append(std::string_view(": ")); break;
      default: out.push_back(c); break;
    }
  }
}

}  // namespace reflect::detail
