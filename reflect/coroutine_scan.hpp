#pragma once
// Recognising coroutine frames among a heap's blocks (coroutine_scan.cpp): what coroutines()
// and the census (census.cpp) share.

#include "heap.hpp"

#include <reflect/coroutine.hpp>

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reflect::detail {

class Registry;

/// The functions a frame's first two words point to, by the coroutine they belong to: GCC's
/// `<frame type>.actor` and `.destroy`, clang's `<ramp>.resume`, `.destroy` and `.cleanup` (the
/// destroy function of a frame whose allocation was elided), from every module's symbols.
struct FrameFunctions {
  struct Function {
    std::uint32_t coroutine;  // its index, shared by the functions of one coroutine
    bool resumes;             // the resume (actor) function; else destroy or cleanup
  };
  explicit FrameFunctions(ScratchArena& scratch) : by_address(&scratch), ranges(&scratch) {}
  std::pmr::unordered_map<std::uintptr_t, Function> by_address;
  std::pmr::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;  // for HeapScan::interesting

  /// Whether a block's first bytes are a frame's: a destroy function, and a resume function of
  /// the same coroutine or null (the final suspend point).
  bool starts_frame(std::span<const unsigned char> head) const;
};
FrameFunctions frame_functions(Registry& registry, ScratchArena& scratch);  // locks

/// Every live coroutine of the target (tasks.hpp: coroutines()).
std::vector<Coroutine> coroutines_in(Registry& registry);

}  // namespace reflect::detail
