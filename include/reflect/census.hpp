#pragma once
// How many objects of each type a program holds, and how many bytes, with no annotation: its
// heap's polymorphic objects counted by their vtables, its coroutine frames by coroutine.
//
//   fmt::print("{}\n", reflect::census());                  //   count   bytes  type ...
//   auto before = reflect::census();  ...;  fmt::print("{}\n", reflect::census_diff(before, reflect::census()));

#include <reflect/export.hpp>
#include <reflect/format.hpp>
#include <reflect/target.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reflect {

class Census;
class CensusDiff;
namespace detail {
Census census_in(Registry& registry);
}
REFLECT_API CensusDiff census_diff(const Census& before, const Census& after);

/// One type's live objects.
struct CensusRow {
  /// The type's name as Type::name() spells it (the vtable's class, demangled, when no debug
  /// info describes it); for coroutine frames, the coroutine's function as
  /// Coroutine::function() spells it.
  std::string name;
  std::size_t count = 0;
  /// count × the type's size; for coroutine frames and types without debug info, the bytes of
  /// their blocks as the allocator handed them out.
  std::size_t bytes = 0;
};

/// The live heap objects of a target by type: every object of a polymorphic class that starts
/// a block of the heap (its vtable pointer, at its start, is an address point with
/// offset-to-top 0 of a vtable a module defines: a complete object, not a base), each element
/// of a new[] array of them, and every coroutine frame (as coroutines() finds them). Objects
/// that are members of others, or elements of a container's buffer, are not blocks of their
/// own and are not counted. Rows are sorted by bytes, the largest first (then by name).
class REFLECT_API Census {
 public:
  using const_iterator = std::vector<CensusRow>::const_iterator;
  const_iterator begin() const noexcept { return rows_.begin(); }
  const_iterator end() const noexcept { return rows_.end(); }
  std::size_t size() const noexcept { return rows_.size(); }
  bool empty() const noexcept { return rows_.empty(); }
  /// The row of a type or coroutine, by name; nullopt when none of it is live.
  std::optional<CensusRow> find(std::string_view name) const;
  std::size_t total_count() const noexcept;
  std::size_t total_bytes() const noexcept;

 private:
  friend Census detail::census_in(detail::Registry& registry);
  std::vector<CensusRow> rows_;
};

/// The census of the target. Throws reflect::Error when the target has no memory (a binary
/// on disk, a process that has exited).
REFLECT_API Census census(const Target& target = Target::self());

/// What changed from `before` to `after`, two censuses of one target: a row per type whose
/// count or bytes changed, with the change (after minus before, which may be negative: the
/// row's count and bytes then print with a `-`), sorted by the growth of bytes, the largest
/// first. For leak hunting: take one, run the suspect code, take another.
struct CensusChange {
  std::string name;
  std::int64_t count = 0;
  std::int64_t bytes = 0;
};
class REFLECT_API CensusDiff {
 public:
  using const_iterator = std::vector<CensusChange>::const_iterator;
  const_iterator begin() const noexcept { return rows_.begin(); }
  const_iterator end() const noexcept { return rows_.end(); }
  std::size_t size() const noexcept { return rows_.size(); }
  bool empty() const noexcept { return rows_.empty(); }
  std::optional<CensusChange> find(std::string_view name) const;

 private:
  friend CensusDiff census_diff(const Census& before, const Census& after);
  std::vector<CensusChange> rows_;
};

namespace detail {
/// `{}`: a table, a row a line (`count bytes name`, right-aligned numbers), then the totals;
/// `{:j}`: {"rows": [{"name", "count", "bytes"}...], "count": N, "bytes": N}. `top`: the first
/// rows only (0: all); the totals are of all rows.
REFLECT_API void format_census(fmt::memory_buffer& out, const Census& census, std::size_t top);
REFLECT_API void format_census_json(fmt::memory_buffer& out, const Census& census, std::size_t top, bool pretty);
REFLECT_API void format_census_diff(fmt::memory_buffer& out, const CensusDiff& diff);
REFLECT_API void format_census_diff_json(fmt::memory_buffer& out, const CensusDiff& diff, bool pretty);
}  // namespace detail

}  // namespace reflect

template <> struct fmt::formatter<reflect::Census> : reflect::detail::AlternateSpec {
  template <class FormatContext> auto format(const reflect::Census& census, FormatContext& ctx) const {
    fmt::memory_buffer buffer;
    if (json) reflect::detail::format_census_json(buffer, census, 0, alternate);
    else reflect::detail::format_census(buffer, census, 0);
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};

template <> struct fmt::formatter<reflect::CensusDiff> : reflect::detail::AlternateSpec {
  template <class FormatContext> auto format(const reflect::CensusDiff& diff, FormatContext& ctx) const {
    fmt::memory_buffer buffer;
    if (json) reflect::detail::format_census_diff_json(buffer, diff, alternate);
    else reflect::detail::format_census_diff(buffer, diff);
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};
