// Walking a target's heap (heap.hpp). glibc's chunk layout (malloc/malloc.c, glibc 2.26 to
// 2.40): a chunk is two words of header (prev_size, then the size with PREV_INUSE = 1,
// IS_MMAPPED = 2, NON_MAIN_ARENA = 4 in its low bits) followed by the user's bytes; the next
// chunk starts `size` bytes on. The main arena's chunks fill the brk heap from its start to the
// top chunk at its end; every other arena's heaps are 64 MiB-aligned mappings that start with a
// heap_info {ar_ptr, prev, size, ...}, the first of them followed by the arena itself; a large
// block is a chunk mmapped on its own, at the start of its mapping.

#include "heap.hpp"

#include "../dwarf/process.hpp"
#include "type_node.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <optional>

namespace reflect::detail {

namespace {

using Ranges = std::vector<std::pair<std::uintptr_t, std::uintptr_t>>;  // [begin, end) each

constexpr std::uintptr_t kPrevInUse = 1, kIsMmapped = 2, kFlagBits = 7;
constexpr std::size_t kMinChunk = 32, kChunkAlign = 16;
constexpr std::uintptr_t kArenaHeapAlign = std::uintptr_t{64} << 20;  // HEAP_MAX_SIZE on 64-bit
constexpr std::size_t kPage = 4096;
constexpr std::size_t kMaxHead = 64;  // of a chunk's first bytes, kept while the walk reads on
// x86-64 AddressSanitizer: shadow byte of `a` at (a >> 3) + kAsanShadowOffset; the shadow and
// the gap between its halves span [kAsanShadowBegin, kAsanShadowEnd).
constexpr std::uintptr_t kAsanShadowOffset = 0x7fff8000;
constexpr std::uintptr_t kAsanShadowBegin = 0x7fff8000, kAsanShadowEnd = 0x10007fff8000;
constexpr unsigned char kAsanHeapLeftRedzone = 0xfa;
constexpr std::size_t kAsanLargestBlock = std::size_t{1} << 30;  // how far a block's size is read

std::uint64_t load_word(const unsigned char* bytes) {
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

std::string_view file_name(std::string_view path) {
  if (auto slash = path.rfind('/'); slash != std::string_view::npos) path.remove_prefix(slash + 1);
  return path;
}

// A buffer of its own mapping, not the heap's: in this process, a malloc'd buffer would be a
// chunk of the heap being walked, holding copies of other chunks' words.
class ScanBuffer {
 public:
  static constexpr std::size_t kBytes = std::size_t{1} << 20;
  ScanBuffer() {
    void* at = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) throw Error("reflect: cannot map 1 MiB for reading the heap (mmap failed)");
    data_ = static_cast<unsigned char*>(at);
  }
  ~ScanBuffer() { munmap(data_, kBytes); }
  ScanBuffer(const ScanBuffer&) = delete;
  ScanBuffer& operator=(const ScanBuffer&) = delete;
  unsigned char* data() const noexcept { return data_; }
  std::uintptr_t begin() const noexcept { return reinterpret_cast<std::uintptr_t>(data_); }
  std::uintptr_t end() const noexcept { return begin() + kBytes; }

 private:
  unsigned char* data_ = nullptr;
};

// Reads a mapping forward in pieces of the buffer's size: what a walk asks for is served from
// the piece read last, or read anew from where it starts.
class Window {
 public:
  Window(const Memory& memory, unsigned char* buffer, std::size_t capacity)
      : memory_(memory), buffer_(buffer), capacity_(capacity) {}

  /// [address, address + size) of a mapping ending at `limit`; nullptr when it is not readable.
  const unsigned char* get(std::uintptr_t address, std::size_t size, std::uintptr_t limit) {
    if (address >= begin_ && address + size <= end_) return buffer_ + (address - begin_);
    if (size > capacity_ || address + size > limit || !fill(address, limit)) return nullptr;
    return address + size <= end_ ? buffer_ + (address - begin_) : nullptr;
  }
  /// The readable bytes from `address` up to the end of what is read (at least `size` of them),
  /// reading anew when fewer remain; nullptr when not even `size` can be read.
  std::span<const unsigned char> from(std::uintptr_t address, std::size_t size, std::uintptr_t limit) {
    if (!(address >= begin_ && address + size <= end_) && !(address + size <= limit && fill(address, limit)))
      return {};
    if (address + size > end_) return {};
    return {buffer_ + (address - begin_), static_cast<std::size_t>(end_ - address)};
  }
  std::size_t bytes_read() const noexcept { return bytes_read_; }

 private:
  // The buffer holds [address, min(limit, address + capacity)), or its readable start.
  bool fill(std::uintptr_t address, std::uintptr_t limit) {
    begin_ = end_ = 0;
    std::size_t size = static_cast<std::size_t>(std::min<std::uintptr_t>(limit - address, capacity_));
    if (!memory_.read(address, buffer_, size)) {
      // An unreadable page inside (a guard page, a core's missing bytes): what precedes it.
      std::size_t readable = 0;
      while (readable < size) {
        const std::size_t step = std::min(size - readable, kPage - (address + readable) % kPage);
        if (!memory_.read(address + readable, buffer_ + readable, step)) break;
        readable += step;
      }
      size = readable;
    }
    bytes_read_ += size;
    begin_ = address;
    end_ = address + size;
    return size != 0;
  }

  const Memory& memory_;
  unsigned char* buffer_;
  std::size_t capacity_;
  std::uintptr_t begin_ = 0, end_ = 0;
  std::size_t bytes_read_ = 0;
};

class Walker {
 public:
  Walker(const Memory& memory, const HeapAllocator& allocator, const HeapScan& scan,
         const std::function<void(const HeapBlock&)>& visit, ScanBuffer& buffer)
      : memory_(memory),
        allocator_(allocator),
        scan_(scan),
        visit_(visit),
        window_(memory, buffer.data(), ScanBuffer::kBytes) {
    if (!scan_.interesting.empty()) {
      lowest_ = scan_.interesting.front().first;
      highest_ = scan_.interesting.back().second;
    }
  }

  HeapScanReport report;
  std::size_t bytes_read() const noexcept { return window_.bytes_read(); }

  void mapping(const dwarf::Mapping& m) {
    ++report.regions;
    if (allocator_.method == HeapMethod::RawScan) return raw(m.begin, m.end);
    std::uintptr_t at = m.begin;
    // Chunks mmapped on their own (the kernel merges neighbouring ones into one mapping).
    while (at < m.end) {
      const unsigned char* header = window_.get(at, 16, m.end);
      if (header == nullptr) return;
      const std::uint64_t size = load_word(header + 8) & ~kFlagBits;
      if ((load_word(header + 8) & kIsMmapped) == 0 || size < kPage || size % kPage != 0 || size > m.end - at) break;
      ++report.blocks;
      offer(at + 16, size - 16, m.end);
      at += size;
    }
    if (at == m.end) return;
    if (at == m.begin && at % kArenaHeapAlign == 0)
      if (arena_heap(m)) return;
    // The main arena's brk heap ([heap]; in a core, an anonymous segment whose chunks fill it).
    if (chunks_plausible(at, m.end)) {
      walk(at, m.end, m);
    } else if (m.path == "[heap]") {
      report.problems.push_back(fmt::format("the heap at {:#x}-{:#x} holds no chunk glibc malloc could have made", m.begin, m.end));
    }
  }

 private:
  // An arena's heap: heap_info {ar_ptr, prev, size}, then (the arena's first heap) the arena,
  // whose size varies with glibc's version; the first chunk is the first 16-aligned offset from
  // which chunks chain plausibly.
  bool arena_heap(const dwarf::Mapping& m) {
    const unsigned char* info = window_.get(m.begin, 24, m.end);
    if (info == nullptr) return false;
    const std::uint64_t arena = load_word(info), heap_size = load_word(info + 16);
    if (arena == 0 || arena % 8 != 0 || heap_size < kPage || heap_size > m.end - m.begin) return false;
    const std::uintptr_t end = m.begin + heap_size;
    for (std::uintptr_t first = m.begin + 32; first < m.begin + 4096 && first < end; first += kChunkAlign)
      if (chunks_plausible(first, end)) {
        walk(first, end, m);
        return true;
      }
    return false;
  }

  // Whether the first chunks from `at` chain as glibc's would, to `end` or for 16 chunks.
  bool chunks_plausible(std::uintptr_t at, std::uintptr_t end) {
    for (int n = 0; n < 16 && at < end; ++n) {
      const unsigned char* header = window_.get(at, 16, end);
      if (header == nullptr) return false;
      const std::uint64_t size = load_word(header + 8) & ~kFlagBits;
      if (size < kMinChunk || size % kChunkAlign != 0 || size > end - at || (load_word(header + 8) & kIsMmapped)) return false;
      at += size;
    }
    return true;
  }

  // The chunks of [first, end): each in use when the next one's PREV_INUSE bit says so; the
  // last is the top chunk (free). A chunk's first bytes are kept from when its header is read,
  // so that the walk reads the heap once, forward.
  void walk(std::uintptr_t first, std::uintptr_t end, const dwarf::Mapping& m) {
    std::uintptr_t at = first;
    std::optional<std::pair<std::uintptr_t, std::size_t>> previous;  // (chunk, size)
    std::array<unsigned char, kMaxHead> previous_head{};
    std::size_t previous_head_size = 0;
    while (at < end) {
      const unsigned char* header = window_.get(at, 16, end);
      if (header == nullptr) {
        report.problems.push_back(fmt::format("the heap at {:#x}-{:#x} is unreadable from {:#x}", m.begin, m.end, at));
        return;
      }
      const std::uint64_t field = load_word(header + 8), size = field & ~kFlagBits;
      if (previous && (field & kPrevInUse) != 0) {
        ++report.blocks;
        offer_read(previous->first + 16, previous->second - 8, {previous_head.data(), previous_head_size}, end);
      }
      // A heap glibc left for a new one ends in a fencepost: a chunk of 16 bytes, then one of 0.
      if (size == 16 && at + 16 < end) {
        const unsigned char* next = window_.get(at + 16, 16, end);
        if (next != nullptr && (load_word(next + 8) & ~kFlagBits) == 0) return;
      }
      if (size < kMinChunk || size % kChunkAlign != 0 || size > end - at) {
        report.problems.push_back(fmt::format(
            "the heap at {:#x}-{:#x} has a chunk at {:#x} of size {:#x}, which glibc malloc would not make: the rest "
            "of it was left out (the heap changed while it was read, or the memory is damaged)",
            m.begin, m.end, at, size));
        return;
      }
      previous.emplace(at, size);
      previous_head_size = std::min<std::size_t>({scan_.head_bytes, kMaxHead, size - 8});
      const unsigned char* chunk = window_.get(at, 16 + previous_head_size, end);
      if (chunk == nullptr) {
        report.problems.push_back(fmt::format("the heap at {:#x}-{:#x} is unreadable from {:#x}", m.begin, m.end, at));
        return;
      }
      std::memcpy(previous_head.data(), chunk + 16, previous_head_size);
      at += size;
    }
  }

  bool interesting(std::uint64_t word) const {
    if (word < lowest_ || word >= highest_) return false;
    auto it = std::upper_bound(scan_.interesting.begin(), scan_.interesting.end(), word,
                               [](std::uint64_t w, const auto& range) { return w < range.first; });
    return it != scan_.interesting.begin() && word < (it - 1)->second;
  }

  // A block of `size` usable bytes at `address`: visited when its head is interesting.
  void offer(std::uintptr_t address, std::size_t size, std::uintptr_t limit) {
    if (size < 16) return;
    const std::size_t head = std::min(scan_.head_bytes, size);
    const unsigned char* bytes = window_.get(address, head, limit);
    if (bytes != nullptr) offer_read(address, size, {bytes, head}, limit);
  }
  void offer_read(std::uintptr_t address, std::size_t size, std::span<const unsigned char> head, std::uintptr_t limit) {
    if (size < 16 || head.size() < 16) return;
    if (!scan_.interesting.empty() && !interesting(load_word(head.data())) && !interesting(load_word(head.data() + 8)))
      return;
    if (head.size() < std::min(scan_.head_bytes, size)) {  // more than was kept: read it
      const unsigned char* bytes = window_.get(address, std::min(scan_.head_bytes, size), limit);
      if (bytes == nullptr) return;
      head = {bytes, std::min(scan_.head_bytes, size)};
    }
    visit_(HeapBlock{address, size, head});
  }

  // Under AddressSanitizer, the size of the live block that starts at `address`; nullopt when
  // none does. Its shadow memory says it: a block in use is addressable (shadow 0 for eight
  // bytes, 1-7 for the last few) and follows the heap's left redzone (0xfa), where ASan keeps
  // the block's header; a freed block (0xfd) or the inside of a block is not such a start.
  std::optional<std::size_t> asan_block(std::uintptr_t address) {
    if (address % 8 != 0) return std::nullopt;
    const std::uintptr_t shadow = (address >> 3) + kAsanShadowOffset;
    unsigned char before_and_first[2];
    if (!read_shadow(shadow - 1, before_and_first, 2) || before_and_first[0] != kAsanHeapLeftRedzone ||
        before_and_first[1] >= 8)
      return std::nullopt;
    std::size_t size = 0;
    unsigned char piece[256];
    for (std::uintptr_t at = shadow; size < kAsanLargestBlock; at += sizeof piece) {
      if (!read_shadow(at, piece, sizeof piece)) return size != 0 ? std::optional(size) : std::nullopt;
      for (unsigned char byte : piece) {
        if (byte == 0) {
          size += 8;
          continue;
        }
        return byte < 8 ? size + byte : size;
      }
    }
    return size;
  }

  // ASan's shadow bytes: in this process, loaded directly (the shadow of every mapped address is
  // mapped; the memory reader's fallback refuses the shadow, as instrumented code must not read
  // it); in another process or a core, through its memory.
  bool read_shadow(std::uintptr_t address, unsigned char* out, std::size_t size) {
    if (&memory_ != &self_memory()) return memory_.read(address, out, size);
    copy_unchecked(out, address, size);
    return true;
  }

  void raw(std::uintptr_t begin, std::uintptr_t end) {
    std::uintptr_t at = begin;
    while (at + 16 <= end) {
      std::span<const unsigned char> bytes = window_.from(at, 16, end);
      if (bytes.empty()) {  // an unreadable page: on to the next
        at = (at / kPage + 1) * kPage;
        continue;
      }
      const std::size_t words = (bytes.size() - 8) / 8;  // positions whose two words are here
      std::size_t k = 0;
      for (; k < words; ++k) {
        const unsigned char* word = bytes.data() + 8 * k;
        if (!interesting(load_word(word)) && !interesting(load_word(word + 8))) continue;
        const std::uintptr_t address = at + 8 * k;
        std::size_t size = static_cast<std::size_t>(end - address);
        if (allocator_.asan) {
          const std::optional<std::size_t> block = asan_block(address);
          if (!block || *block < 16) continue;
          size = *block;
        }
        ++report.blocks;
        const std::size_t head = std::min(scan_.head_bytes, size);
        if (8 * k + head <= bytes.size()) {
          visit_(HeapBlock{address, size, {word, head}});
          continue;
        }
        // The head runs past what is read: read from here on, and go on from there.
        if (const unsigned char* reread = window_.get(address, head, end)) visit_(HeapBlock{address, size, {reread, head}});
        ++k;
        break;
      }
      at += 8 * k;
    }
  }

  const Memory& memory_;
  const HeapAllocator& allocator_;
  const HeapScan& scan_;
  const std::function<void(const HeapBlock&)>& visit_;
  Window window_;
  std::uint64_t lowest_ = 0, highest_ = ~std::uint64_t{0};
};

// This thread's stack, where a scan's own locals lie.
std::pair<std::uintptr_t, std::uintptr_t> own_stack() {
  std::pair<std::uintptr_t, std::uintptr_t> range{0, 0};
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return range;
  void* low = nullptr;
  std::size_t size = 0;
  if (pthread_attr_getstack(&attr, &low, &size) == 0)
    range = {reinterpret_cast<std::uintptr_t>(low), reinterpret_cast<std::uintptr_t>(low) + size};
  pthread_attr_destroy(&attr);
  return range;
}

// The mappings a scan reads: writable memory that is not a file's (glibc's heaps, mmapped
// chunks, other allocators' arenas; a core's segments that no file was mapped at), nor
// AddressSanitizer's shadow, nor (`left_out`) the scan's own memory.
std::vector<dwarf::Mapping> heap_mappings(const Memory& memory, const HeapAllocator& allocator,
                                          Ranges left_out) {
  std::sort(left_out.begin(), left_out.end());
  std::vector<dwarf::Mapping> out;
  for (dwarf::Mapping& m : memory.mappings()) {
    if (!m.readable || !m.writable || m.shared || m.end <= m.begin) continue;
    if (!m.path.empty() && m.path != "[heap]") continue;
    if (allocator.asan && m.begin < kAsanShadowEnd && m.end > kAsanShadowBegin) continue;
    // What is left of it around the ranges left out (a mapping of ours may have merged with a
    // neighbour).
    std::uintptr_t from = m.begin;
    for (const auto& [begin, end] : left_out) {
      if (end <= from || begin >= m.end) continue;
      if (begin > from) out.push_back({from, begin, true, true, false, false, 0, m.path});
      from = std::max(from, end);
    }
    if (from < m.end) out.push_back({from, m.end, true, true, false, false, 0, m.path});
  }
  return out;
}

Ranges scan_memory(const ScanBuffer& buffer, const ScratchArena* scratch) {
  Ranges ranges{{buffer.begin(), buffer.end()}, own_stack()};
  if (scratch != nullptr) ranges.insert(ranges.end(), scratch->mappings().begin(), scratch->mappings().end());
  return ranges;
}

}  // namespace

HeapAllocator heap_allocator(Registry& registry) {
  std::lock_guard lock(registry.mutex());  // the module list, libdwfl's symbol tables
  const std::vector<const dwarf::Module*> modules = registry.process().modules();
  HeapAllocator result;
  std::vector<std::string> definers;
  bool libc = false;
  for (const dwarf::Module* module : modules) {
    if (!module->defines_function("malloc")) continue;
    if (module->defines_function("__asan_init")) result.asan = true;  // its runtime defines malloc
    // ThreadSanitizer maps its shadow and metadata read-write: tens of terabytes, in pieces of up
    // to 21 TiB and as small as 32 GiB, that no rule tells from a heap a raw scan could read.
    if (module->defines_function("__tsan_init"))
      result.unscannable =
          "reflect: this program runs under ThreadSanitizer, whose shadow memory (terabytes mapped read-write) "
          "cannot be told from its heap: task dumps, coroutines() and the census need a build without "
          "-fsanitize=thread";
    const std::string_view name = file_name(module->path());
    if (name.starts_with("libc.so") || name.starts_with("libc-")) libc = true;
    else definers.emplace_back(name);
  }
  // The dynamic linker binds malloc to the first definition in load order: any definition
  // other than libc's is the allocator (a preloaded or linked jemalloc, a sanitizer's runtime).
  if (!definers.empty()) {
    result.allocator = definers.front();
  } else if (libc) {
    result.method = HeapMethod::GlibcChunks;
    result.allocator = "glibc";
  }
  return result;
}

ScratchArena::~ScratchArena() {
  for (const auto& [begin, end] : mappings_) munmap(reinterpret_cast<void*>(begin), end - begin);
}

void* ScratchArena::do_allocate(std::size_t bytes, std::size_t alignment) {
  std::uintptr_t at = (next_ + alignment - 1) / alignment * alignment;
  if (next_ == 0 || at + bytes > end_) {
    const std::size_t size = std::max<std::size_t>(std::size_t{1} << 20, (bytes + alignment + kPage - 1) / kPage * kPage);
    void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    next_ = reinterpret_cast<std::uintptr_t>(mapped);
    end_ = next_ + size;
    mappings_.emplace_back(next_, end_);
    at = (next_ + alignment - 1) / alignment * alignment;
  }
  next_ = at + bytes;
  return reinterpret_cast<void*>(at);
}

HeapScanReport scan_heap(const Memory& memory, const HeapAllocator& allocator, const HeapScan& scan,
                         const ScratchArena& scratch, const std::function<void(const HeapBlock&)>& visit) {
  if (!allocator.unscannable.empty()) throw Error(allocator.unscannable);
  ScanBuffer buffer;
  Walker walker(memory, allocator, scan, visit, buffer);
  walker.report.method = allocator.method;
  const bool self = &memory == &self_memory();
  for (const dwarf::Mapping& m : heap_mappings(memory, allocator, self ? scan_memory(buffer, &scratch) : Ranges{}))
    walker.mapping(m);
  HeapScanReport report = std::move(walker.report);
  report.bytes = walker.bytes_read();
  return report;
}

std::size_t read_heap_mappings(const Memory& memory, const HeapAllocator& allocator) {
  if (!allocator.unscannable.empty()) throw Error(allocator.unscannable);
  ScanBuffer buffer;
  std::size_t total = 0;
  const bool self = &memory == &self_memory();
  for (const dwarf::Mapping& m : heap_mappings(memory, allocator, self ? scan_memory(buffer, nullptr) : Ranges{}))
    for (std::uintptr_t at = m.begin; at < m.end;) {
      const std::size_t size = static_cast<std::size_t>(std::min<std::uintptr_t>(m.end - at, ScanBuffer::kBytes));
      if (memory.read(at, buffer.data(), size)) total += size;
      at += size;
    }
  return total;
}

}  // namespace reflect::detail
