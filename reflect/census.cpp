// The census (census.hpp): the heap's blocks (heap.cpp) that start with a vtable address point
// or a coroutine frame, counted by type.

#include "coroutine_scan.hpp"
#include "heap.hpp"
#include "text_escape.hpp"
#include "type_node.hpp"

#include "../dwarf/names.hpp"
#include "../dwarf/process.hpp"

#include <reflect/census.hpp>
#include <reflect/error.hpp>
#include <reflect/tasks.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <unordered_map>

namespace reflect {

namespace detail {

namespace {

// The address points of every vtable the target's modules define, where a complete object's
// vtable pointer points: in the vtable group `_ZTV<class>`, the first slot after an
// offset-to-top of 0 and the class's own type_info (`_ZTI<class>`, or null without RTTI). A
// base subobject's vtable pointer points into the same group after a negative offset-to-top.
struct Vtables {
  struct Class {
    std::string_view symbol;  // `_ZTV...`, valid as long as its module
    std::uintptr_t type_info = 0;
  };
  explicit Vtables(ScratchArena& scratch) : by_address_point(&scratch), ranges(&scratch) {}
  std::pmr::unordered_map<std::uintptr_t, Class> by_address_point;
  std::pmr::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;  // for HeapScan::interesting
};

Vtables vtables(Registry& registry, ScratchArena& scratch) {
  Vtables out(scratch);
  std::lock_guard lock(registry.mutex());  // the module list, symbol lookups
  dwarf::Process& process = registry.process();
  std::pmr::vector<std::uint64_t> words(&scratch);  // a vtable's: its address points
  for (const dwarf::Module* module : process.modules())
    module->for_each_symbol([&](const dwarf::SymbolTable::Entry& symbol) {
      if (symbol.is_function || !symbol.name.starts_with("_ZTV") || symbol.size < 3 * sizeof(std::uint64_t)) return;
      words.resize(std::min<std::uint64_t>(symbol.size, 4096) / sizeof(std::uint64_t));
      if (!try_read_memory(registry.memory(), symbol.address, words.data(), words.size() * sizeof(std::uint64_t)))
        return;
      const std::string_view own = symbol.name.substr(4);
      auto is_own_type_info = [&](std::uint64_t address) {
        const dwarf::Module* holder = process.module_at(address, /*refresh=*/false);
        if (holder == nullptr) return false;
        auto info = holder->symbol_at(address);
        return info && info->offset == 0 && info->name.starts_with("_ZTI") && info->name.substr(4) == own;
      };
      std::size_t slot = 0;  // of the type_info pointer
      for (std::size_t i = 1; i < words.size() && slot == 0; ++i)
        if (words[i - 1] == 0 && words[i] != 0 && is_own_type_info(words[i])) slot = i;
      std::uintptr_t type_info = slot != 0 ? words[slot] : 0;
      if (slot == 0 && words[0] == 0 && words[1] == 0) slot = 1;  // built without RTTI
      if (slot == 0) return;
      const std::uintptr_t address_point = symbol.address + (slot + 1) * sizeof(std::uint64_t);
      out.by_address_point.emplace(address_point, Vtables::Class{symbol.name, type_info});
    });
  out.ranges.reserve(out.by_address_point.size());
  for (const auto& [address, vtable] : out.by_address_point) out.ranges.emplace_back(address, address + 1);
  std::sort(out.ranges.begin(), out.ranges.end());
  return out;
}

using Ranges = std::pmr::vector<std::pair<std::uintptr_t, std::uintptr_t>>;

Ranges merged(const Ranges& a, const Ranges& b, ScratchArena& scratch) {
  Ranges all(a.begin(), a.end(), &scratch);
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  Ranges out(&scratch);
  for (const auto& range : all)
    if (!out.empty() && range.first <= out.back().second) out.back().second = std::max(out.back().second, range.second);
    else out.push_back(range);
  return out;
}

std::uint64_t word_at(std::span<const unsigned char> head, std::size_t index) {
  std::uint64_t word = 0;
  std::memcpy(&word, head.data() + index * sizeof word, sizeof word);
  return word;
}

// Whether all `count` elements of `size` bytes from `first` start with `vptr`.
bool all_elements_have(const Memory& memory, std::uintptr_t first, std::size_t count, std::size_t size,
                       std::uintptr_t vptr) {
  for (std::size_t i = 0; i < count; ++i) {
    std::uintptr_t word = 0;
    if (!try_read_memory(memory, first + i * size, &word, sizeof word) || word != vptr) return false;
  }
  return true;
}

}  // namespace

Census census_in(Registry& registry) {
  ScratchArena scratch;
  const Vtables classes = vtables(registry, scratch);
  const FrameFunctions frames = frame_functions(registry, scratch);
  const HeapAllocator allocator = heap_allocator(registry);
  const bool chunks = allocator.exact_blocks();
  const Ranges interesting = merged(classes.ranges, frames.ranges, scratch);
  HeapScan scan;
  scan.interesting = interesting;
  scan.head_bytes = 16;

  // Counted as the walk goes, by vtable and block size: which class a vtable is, and its size,
  // are found after the walk (finding them may allocate, and change the heap being walked).
  struct BlockSizes {
    // (block size, objects): sizes and counts only, no address a scan would look for, so on the heap.
    std::vector<std::pair<std::size_t, std::size_t>> counts;
    void add(std::size_t block_size) {
      for (auto& [size, count] : counts)
        if (size == block_size) return static_cast<void>(++count);
      counts.emplace_back(block_size, 1);
    }
  };
  struct Array {
    std::uintptr_t first;    // element
    std::size_t block_size;  // from the first element to the block's end
    std::uintptr_t vptr;
    std::uint64_t count;     // the cookie's
  };
  std::pmr::unordered_map<std::uintptr_t, BlockSizes> singles(&scratch);
  std::pmr::vector<Array> arrays(&scratch);
  std::pmr::vector<HeapBlock> frame_blocks(&scratch);
  scan_heap(registry.memory(), allocator, scan, scratch, [&](const HeapBlock& block) {
    if (block.head.size() < 16) return;
    if (frames.starts_frame(block.head)) {
      frame_blocks.push_back({block.address, block.size, {}});
      return;
    }
    const std::uint64_t first = word_at(block.head, 0), second = word_at(block.head, 1);
    if (classes.by_address_point.contains(first)) {
      singles[first].add(block.size);
    } else if (chunks && first != 0 && classes.by_address_point.contains(second)) {
      // new T[n] of a class with a destructor: the element count, then the elements. (A raw
      // scan, finding each element on its own, leaves the count out.)
      arrays.push_back({block.address + 8, block.size - 8, second, first});
    }
  });

  struct Class {
    std::string name;
    std::size_t size = 0;  // 0: no debug info describes it (its objects count their blocks' bytes)
  };
  std::unordered_map<std::uintptr_t, Class> known;
  auto class_of = [&](std::uintptr_t vptr) -> const Class& {
    auto [it, added] = known.try_emplace(vptr);
    if (added) {
      const Vtables::Class& vtable = classes.by_address_point.at(vptr);
      if (const TypeNode* type = registry.type_of_vtable(vptr, vtable.type_info)) {
        it->second.name = std::string(Type(*type).name());
        it->second.size = type->concrete().size;
      } else {
        it->second.name = dwarf::demangle(std::string(vtable.symbol));
        if (it->second.name.starts_with("vtable for ")) it->second.name.erase(0, 11);
      }
    }
    return it->second;
  };
  std::map<std::string, CensusRow> rows;  // by name: one class may have vtables in two modules
  auto add = [&](const Class& cls, std::size_t count, std::size_t bytes) {
    CensusRow& row = rows[cls.name];
    row.name = cls.name;
    row.count += count;
    row.bytes += bytes;
  };
  for (const auto& [vptr, sizes] : singles) {
    const Class& cls = class_of(vptr);
    for (const auto& [block_size, count] : sizes.counts)
      if (cls.size <= block_size)  // else no object of the class fits in the block
        add(cls, count, count * (cls.size != 0 ? cls.size : block_size));
  }
  for (const Array& array : arrays) {
    const Class& cls = class_of(array.vptr);
    if (cls.size != 0 && array.count <= array.block_size / cls.size &&
        all_elements_have(registry.memory(), array.first, array.count, cls.size, array.vptr))
      add(cls, array.count, array.count * cls.size);
  }
  for (const HeapBlock& block : frame_blocks) {
    std::optional<Coroutine> c = live_coroutine_in(registry, block.address, block.size);
    if (!c) continue;
    CensusRow& row = rows[c->function()];
    row.name = c->function();
    row.count += 1;
    row.bytes += chunks ? block.size : c->frame_size().value_or(0);
  }

  Census census;
  census.rows_.reserve(rows.size());
  for (auto& [name, row] : rows) census.rows_.push_back(std::move(row));
  // (std::sort with a full order: clang-19 flags libstdc++ 12's stable_sort as deprecated.)
  std::sort(census.rows_.begin(), census.rows_.end(), [](const CensusRow& a, const CensusRow& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
  });
  return census;
}

}  // namespace detail

std::optional<CensusRow> Census::find(std::string_view name) const {
  for (const CensusRow& row : rows_)
    if (row.name == name) return row;
  return std::nullopt;
}

std::size_t Census::total_count() const noexcept {
  std::size_t total = 0;
  for (const CensusRow& row : rows_) total += row.count;
  return total;
}

std::size_t Census::total_bytes() const noexcept {
  std::size_t total = 0;
  for (const CensusRow& row : rows_) total += row.bytes;
  return total;
}

Census census(const Target& target) {
  detail::Registry& registry = detail::registry_of(target);
  if (registry.memory().mappings().empty())
    throw Error("reflect: this target has no memory to count objects in (a binary on disk, or a process that has "
                "exited): attach to the running process or open a core file of it");
  return detail::census_in(registry);
}

std::optional<CensusChange> CensusDiff::find(std::string_view name) const {
  for (const CensusChange& row : rows_)
    if (row.name == name) return row;
  return std::nullopt;
}

CensusDiff census_diff(const Census& before, const Census& after) {
  std::map<std::string, CensusChange> changes;
  for (const CensusRow& row : after) {
    CensusChange& change = changes[row.name];
    change.name = row.name;
    change.count += static_cast<std::int64_t>(row.count);
    change.bytes += static_cast<std::int64_t>(row.bytes);
  }
  for (const CensusRow& row : before) {
    CensusChange& change = changes[row.name];
    change.name = row.name;
    change.count -= static_cast<std::int64_t>(row.count);
    change.bytes -= static_cast<std::int64_t>(row.bytes);
  }
  CensusDiff diff;
  for (auto& [name, change] : changes)
    if (change.count != 0 || change.bytes != 0) diff.rows_.push_back(std::move(change));
  std::sort(diff.rows_.begin(), diff.rows_.end(), [](const CensusChange& a, const CensusChange& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
  });
  return diff;
}

namespace detail {

namespace {

// Rows of right-aligned numbers under a header, the names last.
struct Table {
  std::vector<std::array<std::string, 3>> lines{{"count", "bytes", "type"}};
  void add(std::string count, std::string bytes, std::string name) {
    lines.push_back({std::move(count), std::move(bytes), std::move(name)});
  }
  void print(fmt::memory_buffer& out) const {
    std::size_t count_width = 0, bytes_width = 0;
    for (const auto& line : lines) {
      count_width = std::max(count_width, line[0].size());
      bytes_width = std::max(bytes_width, line[1].size());
    }
    bool first = true;
    for (const auto& line : lines) {
      if (!first) out.push_back('\n');
      first = false;
      fmt::format_to(fmt::appender(out), "{:>{}}  {:>{}}  {}", line[0], count_width, line[1], bytes_width, line[2]);
    }
  }
};

}  // namespace

void format_census(fmt::memory_buffer& out, const Census& census, std::size_t top) {
  Table table;
  std::size_t shown = 0, rest_count = 0, rest_bytes = 0;
  for (const CensusRow& row : census) {
    if (top != 0 && shown == top) {
      rest_count += row.count;
      rest_bytes += row.bytes;
      continue;
    }
    ++shown;
    table.add(fmt::format("{}", row.count), fmt::format("{}", row.bytes), row.name);
  }
  if (shown < census.size())
    table.add(fmt::format("{}", rest_count), fmt::format("{}", rest_bytes),
              fmt::format("({} more types)", census.size() - shown));
  table.add(fmt::format("{}", census.total_count()), fmt::format("{}", census.total_bytes()), "total");
  table.print(out);
}

void format_census_json(fmt::memory_buffer& out, const Census& census, std::size_t top, bool pretty) {
  fmt::memory_buffer compact;
  compact.append(std::string_view("{\"rows\":["));
  std::size_t shown = 0;
  for (const CensusRow& row : census) {
    if (top != 0 && shown == top) break;
    if (shown++ != 0) compact.push_back(',');
    compact.append(std::string_view("{\"name\":"));
    append_json_string(compact, row.name);
    fmt::format_to(fmt::appender(compact), ",\"count\":{},\"bytes\":{}}}", row.count, row.bytes);
  }
  fmt::format_to(fmt::appender(compact), "],\"count\":{},\"bytes\":{}}}", census.total_count(), census.total_bytes());
  if (pretty) indent_json(out, std::string_view(compact.data(), compact.size()));
  else out.append(compact);
}

void format_census_diff(fmt::memory_buffer& out, const CensusDiff& diff) {
  Table table;
  std::int64_t count = 0, bytes = 0;
  for (const CensusChange& row : diff) {
    table.add(fmt::format("{:+}", row.count), fmt::format("{:+}", row.bytes), row.name);
    count += row.count;
    bytes += row.bytes;
  }
  table.add(fmt::format("{:+}", count), fmt::format("{:+}", bytes), "total");
  table.print(out);
}

void format_census_diff_json(fmt::memory_buffer& out, const CensusDiff& diff, bool pretty) {
  fmt::memory_buffer compact;
  compact.append(std::string_view("{\"rows\":["));
  bool first = true;
  for (const CensusChange& row : diff) {
    if (!first) compact.push_back(',');
    first = false;
    compact.append(std::string_view("{\"name\":"));
    append_json_string(compact, row.name);
    fmt::format_to(fmt::appender(compact), ",\"count\":{},\"bytes\":{}}}", row.count, row.bytes);
  }
  compact.append(std::string_view("]}"));
  if (pretty) indent_json(out, std::string_view(compact.data(), compact.size()));
  else out.append(compact);
}

}  // namespace detail

}  // namespace reflect
