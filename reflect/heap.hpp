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
// - AddressSanitizer's allocator: every aligned word of the writable mappings that its shadow
//   memory marks as the start of a block in use (addressable, after a heap left redzone), with
//   the block's size from the shadow too. Freed blocks (in ASan's quarantine, their words kept)
//   are marked freed, and the inside of a block is no start.
// - Any other allocator (jemalloc, tcmalloc): every aligned word of the writable mappings is a
//   candidate block start, up to the mapping's end. Freed memory keeps its words there, and an
//   object's member or a copy can look like a start: what a candidate holds must be validated
//   by the caller, and some false positives stay (README).

#include "memory.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory_resource>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace reflect::detail {

class Registry;

/// Memory for what a scan of this process's heap keeps (the addresses it looks for, the blocks
/// it found), outside that heap: in the heap, its own tables of vtable address points and
/// coroutine functions would be found as objects and frames. Mapped apart, a megabyte at a
/// time, and left out of the scan. For std::pmr containers.
class ScratchArena final : public std::pmr::memory_resource {
 public:
  ScratchArena() = default;
  ~ScratchArena() override;
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;
  /// The mappings it has made: [begin, end) each.
  const std::vector<std::pair<std::uintptr_t, std::uintptr_t>>& mappings() const noexcept { return mappings_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void*, std::size_t, std::size_t) override {}  // released with the arena
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> mappings_;  // (small: a vector on the heap is fine)
  std::uintptr_t next_ = 0, end_ = 0;
};

enum class HeapMethod : std::uint8_t {
  GlibcChunks,  // glibc malloc's chunks in use
  RawScan,      // every 8-byte aligned word of the writable mappings (under ASan: the blocks' starts)
};

/// What the target allocates with, from its modules' symbols.
struct HeapAllocator {
  HeapMethod method = HeapMethod::RawScan;
  bool asan = false;  // AddressSanitizer's runtime is loaded: its shadow memory marks blocks
  std::string allocator;  // the module defining malloc ("glibc", "libjemalloc.so.2", "libasan.so.8", the executable for a static ASan)
  /// Why the heap cannot be scanned at all (scan_heap throws it as an Error); empty when it can.
  std::string unscannable;
  /// Whether each block visited is one the allocator handed out, with its size: glibc's
  /// chunks and ASan's blocks; not a raw scan's candidates.
  bool exact_blocks() const noexcept { return method == HeapMethod::GlibcChunks || asan; }
};
HeapAllocator heap_allocator(Registry& registry);  // locks

/// A block the allocator handed out (RawScan: a candidate start).
struct HeapBlock {
  std::uintptr_t address = 0;           // its first byte: what malloc returned
  std::size_t size = 0;                 // the bytes usable from there (a raw scan: to the mapping's end)
  std::span<const unsigned char> head;  // its first bytes, as read: HeapScan::head_bytes, or fewer
};

struct HeapScan {
  /// A block is visited only when its first or second word lies in one of these ranges
  /// (sorted, disjoint; [first, second)): the addresses the caller recognises (vtables, a
  /// coroutine's functions). Both words: a new[] array's first word is its element count.
  /// (In a ScratchArena.)
  std::span<const std::pair<std::uintptr_t, std::uintptr_t>> interesting;
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

/// Calls `visit` for every block of `memory` whose head is interesting. In this process,
/// `scratch`'s mappings and this thread's stack are left out (a raw scan would find there the
/// values the caller looks for).
HeapScanReport scan_heap(const Memory& memory, const HeapAllocator& allocator, const HeapScan& scan,
                         const ScratchArena& scratch, const std::function<void(const HeapBlock&)>& visit);

/// The baseline of the benchmark: reads the mappings scan_heap() would read, in the same
/// pieces, and does nothing else. Returns the bytes read.
std::size_t read_heap_mappings(const Memory& memory, const HeapAllocator& allocator);

}  // namespace reflect::detail
