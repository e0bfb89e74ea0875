// Every coroutine frame of a target, found in its heap (tasks.hpp): the functions that start a
// frame, from the modules' symbols; the blocks whose first two words are one coroutine's, from
// heap.cpp; the checks of live_coroutine_in() on each.

#include "coroutine_info.hpp"
#include "heap.hpp"
#include "type_node.hpp"

#include "../dwarf/process.hpp"

#include <reflect/error.hpp>
#include <reflect/tasks.hpp>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace reflect {

namespace detail {

namespace {

// The functions a frame's first two words point to, by the coroutine they belong to: GCC's
// `<frame type>.actor` and `.destroy`, clang's `<ramp>.resume`, `.destroy` and `.cleanup` (the
// destroy function of a frame whose allocation was elided).
struct FrameFunctions {
  struct Function {
    std::uintptr_t address;
    std::uint32_t coroutine;  // its index, shared by the functions of one coroutine
    bool resumes;             // the resume (actor) function; else destroy or cleanup
  };
  // Sorted by address, in one block. (Not a hash table: in a scan of this process's own heap,
  // its last node, a null link and then a destroy function's address, reads as the head of a
  // frame at its final suspend point; with no frame type to check its size against, clang
  // 17-19 -O2, it was reported as one.)
  std::vector<Function> by_address;
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;  // for HeapScan::interesting

  const Function* find(std::uintptr_t address) const {
    auto it = std::lower_bound(by_address.begin(), by_address.end(), address,
                               [](const Function& f, std::uintptr_t a) { return f.address < a; });
    return it != by_address.end() && it->address == address ? &*it : nullptr;
  }
};

FrameFunctions frame_functions(Registry& registry) {
  std::vector<const dwarf::Module*> modules;
  {
    std::lock_guard lock(registry.mutex());
    modules = registry.process().modules();
  }
  FrameFunctions out;
  std::unordered_map<std::string_view, std::uint32_t> coroutine_ids;  // names live as long as their module
  for (const dwarf::Module* module : modules)
    module->for_each_symbol([&](const dwarf::SymbolTable::Entry& symbol) {
      if (!symbol.is_function) return;
      const std::string_view name = symbol.name;
      const std::size_t dot = name.rfind('.');
      if (dot == std::string_view::npos) return;
      const std::string_view suffix = name.substr(dot + 1);
      const bool resumes = suffix == "actor" || suffix == "resume";
      if (!resumes && suffix != "destroy" && suffix != "cleanup") return;
      const auto [it, added] = coroutine_ids.try_emplace(name.substr(0, dot), static_cast<std::uint32_t>(coroutine_ids.size()));
      out.by_address.push_back({symbol.address, it->second, resumes});
    });
  // One entry an address: of the coroutine the symbols named first. (std::sort with a full
  // order: clang-19 flags libstdc++ 12's stable_sort as deprecated.)
  std::sort(out.by_address.begin(), out.by_address.end(),
            [](const FrameFunctions::Function& a, const FrameFunctions::Function& b) {
              return std::tie(a.address, a.coroutine, a.resumes) < std::tie(b.address, b.coroutine, b.resumes);
            });
  out.by_address.erase(std::unique(out.by_address.begin(), out.by_address.end(),
                                   [](const FrameFunctions::Function& a, const FrameFunctions::Function& b) {
                                     return a.address == b.address;
                                   }),
                       out.by_address.end());
  out.ranges.reserve(out.by_address.size());
  for (const FrameFunctions::Function& function : out.by_address) out.ranges.emplace_back(function.address, function.address + 1);
  return out;
}

}  // namespace

std::vector<Coroutine> coroutines_in(Registry& registry) {
  const FrameFunctions functions = frame_functions(registry);
  if (functions.by_address.empty()) return {};
  const HeapAllocator allocator = heap_allocator(registry);
  HeapScan scan;
  scan.interesting = functions.ranges;
  scan.head_bytes = 16;
  std::vector<std::pair<std::uintptr_t, std::size_t>> candidates;  // (frame, block size)
  scan_heap(registry.memory(), allocator, scan, [&](const HeapBlock& block) {
    if (block.head.size() < 16) return;
    std::uint64_t words[2];
    std::memcpy(words, block.head.data(), sizeof words);
    const FrameFunctions::Function* destroy = functions.find(words[1]);
    if (destroy == nullptr || destroy->resumes) return;
    if (words[0] != 0) {
      const FrameFunctions::Function* resume = functions.find(words[0]);
      if (resume == nullptr || !resume->resumes || resume->coroutine != destroy->coroutine) return;
    }
    candidates.emplace_back(block.address, block.size);
  });
  std::vector<Coroutine> found;
  for (const auto& [frame, size] : candidates)
    if (std::optional<Coroutine> c = live_coroutine_in(registry, frame, size)) found.push_back(std::move(*c));
  return found;
}

}  // namespace detail

std::vector<Coroutine> coroutines(const Target& target) {
  detail::Registry& registry = detail::registry_of(target);
  if (registry.memory().mappings().empty())
    throw Error("reflect: this target has no memory to find coroutines in (a binary on disk, or a process that has "
                "exited): attach to the running process or open a core file of it");
  return detail::coroutines_in(registry);
}

}  // namespace reflect
