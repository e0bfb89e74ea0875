// Every coroutine frame of a target, found in its heap (tasks.hpp): the functions that start a
// frame, from the modules' symbols; the blocks whose first two words are one coroutine's, from
// heap.cpp; the checks of live_coroutine_in() on each.

#include "coroutine_scan.hpp"

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

bool FrameFunctions::starts_frame(std::span<const unsigned char> head) const {
  if (head.size() < 16) return false;
  std::uint64_t words[2];
  std::memcpy(words, head.data(), sizeof words);
  const auto destroy = by_address.find(words[1]);
  if (destroy == by_address.end() || destroy->second.resumes) return false;
  if (words[0] == 0) return true;  // at the final suspend point
  const auto resume = by_address.find(words[0]);
  return resume != by_address.end() && resume->second.resumes && resume->second.coroutine == destroy->second.coroutine;
}

FrameFunctions frame_functions(Registry& registry, ScratchArena& scratch) {
  std::vector<const dwarf::Module*> modules;
  {
    std::lock_guard lock(registry.mutex());
    modules = registry.process().modules();
  }
  FrameFunctions out(scratch);
  std::pmr::unordered_map<std::string_view, std::uint32_t> coroutine_ids(&scratch);  // names live as long as their module
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
      out.by_address.emplace(symbol.address, FrameFunctions::Function{it->second, resumes});
    });
  out.ranges.reserve(out.by_address.size());
  for (const auto& [address, function] : out.by_address) out.ranges.emplace_back(address, address + 1);
  std::sort(out.ranges.begin(), out.ranges.end());
  return out;
}

std::vector<Coroutine> coroutines_in(Registry& registry) {
  ScratchArena scratch;
  const FrameFunctions functions = frame_functions(registry, scratch);
  if (functions.by_address.empty()) return {};
  const HeapAllocator allocator = heap_allocator(registry);
  HeapScan scan;
  scan.interesting = functions.ranges;
  scan.head_bytes = 16;
  std::pmr::vector<HeapBlock> candidates(&scratch);
  scan_heap(registry.memory(), allocator, scan, scratch, [&](const HeapBlock& block) {
    if (functions.starts_frame(block.head)) candidates.push_back({block.address, block.size, {}});
  });
  std::vector<Coroutine> found;
  for (const HeapBlock& block : candidates)
    if (std::optional<Coroutine> c = live_coroutine_in(registry, block.address, block.size)) found.push_back(std::move(*c));
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
