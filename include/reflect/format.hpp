#pragma once
// Printing values with {fmt}: `{}` on one line, `{:#}` over several lines.

#include <reflect/json.hpp>
#include <reflect/value.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace reflect {

struct FormatOptions {
  bool multiline = false;          // what `{:#}` selects
  bool show_type = true;           // name the type at the top level; false: the value as it prints nested
  bool follow_pointers = false;    // print what raw pointers point to (`0x… -> {...}`)
  bool dynamic_types = true;       // polymorphic pointees as their dynamic type (`{:s}`: static)
  std::size_t max_elements = 100;  // per sequence; more print as `...`
  std::size_t max_depth = 12;      // deeper aggregates print as `{...}`
  std::size_t max_string = 1000;   // characters per string; more print as `"..."...`
};

/// The printed form of a value (ARCHITECTURE §9). Never throws for bad memory.
REFLECT_API std::string to_string(const Value& value, const FormatOptions& options = {});

namespace detail {
REFLECT_API void format_value(fmt::memory_buffer& out, const Value& value, const FormatOptions& options);
REFLECT_API void format_json(fmt::memory_buffer& out, const Value& value, const JsonOptions& options);
}

/// A value paired with options, for `fmt::print("{}", reflect::formatted(v, {.max_elements = 5}))`.
struct Formatted {
  Value value;
  FormatOptions options;
};
inline Formatted formatted(const Value& value, const FormatOptions& options) {
  return Formatted{value, options};
}

}  // namespace reflect

// Format spec: `#` prints over several lines (or indents JSON); `s` keeps static types (no
// vtable lookups); `j` writes JSON instead of the C++ form: `{}`, `{:#}`, `{:s}`, `{:j}`, `{:#j}`.
template <> struct fmt::formatter<reflect::Formatted> {
  bool alternate = false;
  bool static_types = false;
  bool json = false;
  constexpr auto parse(fmt::format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == '#') {
      alternate = true;
      ++it;
    }
    if (it != ctx.end() && *it == 's') {
      static_types = true;
      ++it;
    }
    if (it != ctx.end() && *it == 'j') {
      json = true;
      ++it;
    }
    if (it != ctx.end() && *it != '}')
      throw fmt::format_error("reflect: format specs are '#' (several lines), 's' (static types) and 'j' (JSON), in that order");
    return it;
  }
  template <class FormatContext> auto format(const reflect::Formatted& f, FormatContext& ctx) const {
    reflect::FormatOptions options = f.options;
    options.multiline = options.multiline || alternate;
    options.dynamic_types = options.dynamic_types && !static_types;
    fmt::memory_buffer buffer;
    if (json)
      reflect::detail::format_json(buffer, f.value,
                                   reflect::JsonOptions{options.multiline, options.follow_pointers, options.dynamic_types,
                                                        options.max_elements, options.max_depth, options.max_string});
    else
      reflect::detail::format_value(buffer, f.value, options);
    // One append, not a character at a time.
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};

template <> struct fmt::formatter<reflect::Value> : fmt::formatter<reflect::Formatted> {
  template <class FormatContext> auto format(const reflect::Value& v, FormatContext& ctx) const {
    return fmt::formatter<reflect::Formatted>::format(reflect::Formatted{v, {}}, ctx);
  }
};

template <> struct fmt::formatter<reflect::Type> : fmt::formatter<std::string_view> {
  template <class FormatContext> auto format(const reflect::Type& t, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(t.name(), ctx);
  }
};
