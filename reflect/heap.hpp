#pragma once
// The live blocks of a target's heap, for what looks at every object without being told where
// they are: the census (objects by vtable) and the discovery of coroutine frames.
//
// Two ways, chosen per target (heap.cpp says how, and the README's "How blocks are found"):
// - glibc malloc's own chunks, walked through its heaps (the main arena's brk heap, the other
//   arenas' 64 MiB-aligned heaps, chunks mmapped on their own). A chunk is in use when the next
//   chunk's PREV_INUSE bit says so; chunks glibc keeps in its tcache and fastbins look in use,
//   but free() overwrote their first words (the safe-linked next pointer; the tcache key), which
//   no vtable and no coroutine function equals.
// - Any other allocator (jemalloc, tcmalloc, AddressSanitizer's): every aligned word of the
//   writable mappings is a candidate block start. Freed memory keeps its words there, so what a
//   candidate holds must be validated by the caller; under AddressSanitizer its shadow memory
//   says which bytes are freed or redzones, and those are skipped.

#include "memory.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace reflect::detail {

class Registry;

enum class HeapMethod : std::uint8_t {
  GlibcChunks,  // glibc malloc's chunks in use
  RawScan,      // every 8-byte aligned word of the writable mappings
};

/// What the target allocates with, from its modules' symbols.
struct HeapAllocator {
  HeapMethod method = HeapMethod::RawScan;
  bool asan = false;  // AddressSanitizer's runtime is loaded: its shadow memory marks freed bytes
  std::string allocator;  // the module defining malloc ("libc.so.6", "libjemalloc.so.2", the executable for a static ASan)
};
HeapAllocator heap_allocator(Registry& registry);  // locks

/// A block the allocator handed out (RawScan: a candidate start).
struct HeapBlock {
  std::uintptr_t address = 0;           // its first byte: what malloc returned
  std::size_t size = 0;                 // the bytes usable from there (RawScan: to the mapping's end)
  std::span<const unsigned char> head;  // its first bytes, as read: HeapScan::head_bytes, or fewer
};

struct HeapScan {
  /// A block is visited only when its first or second word lies in one of these ranges
  /// (sorted, disjoint; [first, second)): the addresses the caller recognises (vtables, a
  /// coroutine's functions). Both words: a new[] array's first word is its element count.
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> interesting;
  std::size_t head_bytes = 32;
};

struct HeapScanReport {
  HeapMethod method = HeapMethod::RawScan;
  std::size_t regions = 0;  // mappings walked
  std::size_t bytes = 0;    // read
  std::size_t blocks = 0;   // chunks in use (GlibcChunks); visited candidates (RawScan)
  /// What could not be walked, one sentence each (a heap whose chunk sizes stop making sense:
  /// a heap changing under an in-process scan, a truncated core).
  std::vector<std::string> problems;
};

/// Calls `visit` for every block of `memory` whose head is interesting.
HeapScanReport scan_heap(const Memory& memory, const HeapAllocator& allocator, const HeapScan& scan,
                         const std::function<void(const HeapBlock&)>& visit);

/// The baseline of the benchmark: reads the mappings scan_heap() would read, in the same
/// pieces, and does nothing else. Returns the bytes read.
std::size_t read_heap_mappings(const Memory& memory, const HeapAllocator& allocator);

}  // namespace reflect::detail
