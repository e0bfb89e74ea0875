#pragma once
// What an object really costs: its own bytes and the heap blocks it owns, through its members,
// containers, smart pointers and what they hold, with no annotation.
//
//   reflect::Footprint f = reflect::footprint(reflect::reflect(cache));
//   fmt::print("{}\n", f);  // 1843200 bytes: 48 of its own and 100001 heap blocks ...

#include <reflect/coroutine.hpp>  // detail::AlternateSpec
#include <reflect/export.hpp>
#include <reflect/format.hpp>
#include <reflect/value.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace reflect {

struct FootprintOptions {
  /// Count what raw pointers (and references held in members) point to as owned, and what it
  /// owns in turn. Off by default: a raw pointer rarely owns.
  bool follow_raw_pointers = false;
};

/// A share of a footprint: heap blocks (and for the object itself, its own bytes) under one
/// name.
struct FootprintPart {
  std::string name;
  std::size_t bytes = 0;
  std::size_t blocks = 0;
};

struct Footprint {
  /// The object's own size plus the bytes of every heap block it owns, as asked of the
  /// allocator: containers' buffers at their capacity and their nodes, strings' heap buffers
  /// (capacity + 1), what unique_ptr, shared_ptr (each control block once), optional,
  /// variant, any and function hold, and so on down. A block reached twice counts once (two
  /// shared_ptrs to one object, a cycle).
  std::size_t bytes = 0;
  /// The object's own size (part of bytes).
  std::size_t own_bytes = 0;
  /// The heap blocks counted.
  std::size_t blocks = 0;
  /// By the type that owns each block (the object itself under its own type), the largest first.
  std::vector<FootprintPart> by_type;
  /// By where in the object each block hangs: "" the object itself (its own bytes, a
  /// container's buffer and nodes), ".member", "[]" any element, "[].key" / "[].value" any
  /// entry of a map, "->" what a pointer points to, "?" what an optional, variant, any or
  /// function holds; the largest first.
  std::vector<FootprintPart> by_path;
};

/// The footprint of `value` (the object as its type says; call dynamic() first for the whole
/// object behind a base). Memory that cannot be read stops the count there: what was read
/// counts. Containers' elements are all visited, whatever the printing limits.
REFLECT_API Footprint footprint(const Value& value, const FootprintOptions& options = {});

namespace detail {
REFLECT_API void format_footprint(fmt::memory_buffer& out, const Footprint& footprint, std::size_t top);
/// {"bytes", "own_bytes", "blocks", "by_type": [{"name", "bytes", "blocks"}...], "by_path": [...]}
REFLECT_API void format_footprint_json(fmt::memory_buffer& out, const Footprint& footprint, bool pretty);
}

}  // namespace reflect

/// `N bytes: O of its own and B heap blocks`, then a table by type and one by member path (the
/// ten largest of each). `{:j}` JSON (all of them), `{:#j}` indented.
template <> struct fmt::formatter<reflect::Footprint> : reflect::detail::AlternateSpec {
  template <class FormatContext> auto format(const reflect::Footprint& footprint, FormatContext& ctx) const {
    fmt::memory_buffer buffer;
    if (json) reflect::detail::format_footprint_json(buffer, footprint, alternate);
    else reflect::detail::format_footprint(buffer, footprint, 10);
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};
