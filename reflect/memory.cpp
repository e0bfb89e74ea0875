#include "memory.hpp"

#include "../dwarf/core.hpp"
#include "../dwarf/maps.hpp"
#include "../dwarf/process.hpp"

#include <reflect/error.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace reflect::detail {

namespace {

constexpr std::uintptr_t kPage = 4096;
// Nothing is ever mapped in the first page, and no user-space address reaches 2^57 (x86-64
// with 5-level paging; AArch64 stops at 2^52): anything outside is rejected without a system
// call. Garbage pointers are often non-canonical, so this is the common fast reject.
constexpr std::uintptr_t kLowest = kPage;
constexpr std::uintptr_t kUserEnd = std::uintptr_t{1} << 57;

bool plausible(std::uintptr_t address, std::size_t size) noexcept {
  std::uintptr_t end = 0;
  return address >= kLowest && !__builtin_add_overflow(address, size, &end) && end <= kUserEnd;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// ---- process_vm_readv on ourselves --------------------------------------------------------

// getpid() is a system call in today's glibc; the pid is cached and renewed in a forked child
// (which must read its own copy of the memory, not its parent's) by fork.cpp's child handler.
std::atomic<pid_t> self_pid{0};

pid_t self() noexcept {
  pid_t pid = self_pid.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  pid = getpid();
  self_pid.store(pid, std::memory_order_relaxed);
  return pid;
}

// Syscall until a call reports that process_vm_readv is not allowed; then Maps for good.
// REFLECT_MEMORY_READER=maps selects the fallback from the start (the tests run it that way
// too, since the fallback is otherwise only reached on systems that forbid the call).
enum class Method { Syscall, Maps };
Method initial_method() noexcept {
  const char* reader = std::getenv("REFLECT_MEMORY_READER");
  return reader && std::strcmp(reader, "maps") == 0 ? Method::Maps : Method::Syscall;
}
std::atomic<Method> method{initial_method()};

enum class VmRead { Done, Unreadable, Unavailable };

VmRead vm_read(pid_t pid, std::uintptr_t address, void* out, std::size_t size) noexcept {
  auto* to = static_cast<unsigned char*>(out);
  while (size > 0) {
    iovec local{to, size};
    iovec remote{reinterpret_cast<void*>(address), size};
    const ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Not allowed here (a seccomp filter, a kernel without CONFIG_CROSS_MEMORY_ATTACH).
      if (errno == ENOSYS || errno == EPERM) return VmRead::Unavailable;
      return VmRead::Unreadable;  // EFAULT, and anything else: not readable as far as we know
    }
    if (n == 0) return VmRead::Unreadable;
    // A short count means the next page could not be read; asking again from there reports
    // EFAULT unless it was transient.
    to += n;
    address += static_cast<std::uintptr_t>(n);
    size -= static_cast<std::size_t>(n);
  }
  return VmRead::Done;
}

// Whether every page of [address, address + size) can be read, one byte per page, up to 256
// pages per system call: readable() answers for large objects without copying them.
VmRead vm_probe(pid_t pid, std::uintptr_t address, std::size_t size) noexcept {
  constexpr std::size_t kBatch = 256;
  unsigned char sink[kBatch];
  iovec remote[kBatch];
  const std::uintptr_t last = address + (size - 1);  // no overflow: plausible() checked it
  std::uintptr_t at = address;
  bool done = false;
  while (!done) {
    std::size_t count = 0;
    while (count < kBatch && !done) {
      remote[count++] = iovec{reinterpret_cast<void*>(at), 1};
      const std::uintptr_t next_page = (at & ~(kPage - 1)) + kPage;
      if (next_page > last) done = true;
      else at = next_page;
    }
    iovec local{sink, count};
    const ssize_t n = process_vm_readv(pid, &local, 1, remote, count, 0);
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) return VmRead::Unavailable;
    if (n != static_cast<ssize_t>(count)) return VmRead::Unreadable;
  }
  return VmRead::Done;
}

// ---- the fallback: /proc/self/maps --------------------------------------------------------
// Used only where process_vm_readv is not allowed. A snapshot of the readable mappings is
// checked before a plain memcpy: it rejects garbage, but memory unmapped after the snapshot
// was taken (or a file mapping past its file's end) still faults. A miss re-reads the file
// (~0.5 ms) on a miss, within a budget unless a shared object was loaded or unloaded since: a
// burst of a few refreshes, then one per kRefreshInterval, so that memory mapped since the
// last look is found at once while a run of garbage pointers cannot re-read it each time.

struct Range {
  std::uintptr_t begin, end;
};

struct Mappings {
  std::vector<Range> ranges;  // sorted, merged
  std::uint64_t objects_generation = 0;
};

constexpr auto kRefreshInterval = std::chrono::milliseconds(10);
constexpr double kRefreshBurst = 8;

// Snapshots are replaced whole; a reader holds its own reference, so an old one is freed when
// its last reader is done. (refresh_mutex, then mappings_mutex: see fork.cpp.)
constinit std::mutex mappings_mutex;
std::shared_ptr<const Mappings> current_mappings;
constinit std::mutex refresh_mutex;
// Refreshes that may run now (a token bucket), guarded by refresh_mutex.
double refresh_budget = kRefreshBurst;
std::chrono::steady_clock::time_point budget_updated = std::chrono::steady_clock::now();

std::shared_ptr<const Mappings> load_mappings() {
  auto mappings = std::make_shared<Mappings>();
  mappings->objects_generation = dwarf::loaded_objects_generation();
  if (const auto maps = dwarf::read_maps()) {
    for (const dwarf::Mapping& m : *maps) {
      // [vvar] pages can fault on read even though they are mapped readable.
      if (!m.readable || m.path.starts_with("[vvar")) continue;
      if (!mappings->ranges.empty() && mappings->ranges.back().end == m.begin)
        mappings->ranges.back().end = m.end;
      else
        mappings->ranges.push_back({m.begin, m.end});
    }
  }
  return mappings;
}

// AddressSanitizer's shadow memory (x86-64's default mapping: low shadow, gap and high shadow)
// is mapped, so the snapshot lists it, but reading it from instrumented code is an ASan error:
// under ASan a garbage pointer into it is unreadable, as the system call would say.
constexpr std::uintptr_t kAsanShadowBegin = 0x00007fff8000, kAsanShadowEnd = 0x10007fff8000;

bool covered(const Mappings& m, std::uintptr_t address, std::size_t size) {
  if (size == 0) return true;
  if (kAddressSanitizer && address < kAsanShadowEnd && address + size > kAsanShadowBegin) return false;
  auto it = std::upper_bound(m.ranges.begin(), m.ranges.end(), address,
                             [](std::uintptr_t a, const Range& r) { return a < r.begin; });
  if (it == m.ranges.begin()) return false;
  --it;
  return address >= it->begin && address <= it->end && size <= it->end - address;
}

std::shared_ptr<const Mappings> snapshot() {
  std::lock_guard lock(mappings_mutex);
  return current_mappings;
}

bool maps_readable(std::uintptr_t address, std::size_t size) {
  std::shared_ptr<const Mappings> m = snapshot();
  if (m && covered(*m, address, size)) return true;
  std::lock_guard lock(refresh_mutex);
  m = snapshot();  // another thread may have refreshed meanwhile
  if (m && covered(*m, address, size)) return true;
  const auto now = std::chrono::steady_clock::now();
  refresh_budget = std::min(kRefreshBurst, refresh_budget + std::chrono::duration<double>(now - budget_updated) /
                                                             std::chrono::duration<double>(kRefreshInterval));
  budget_updated = now;
  const bool objects_changed = m && m->objects_generation != dwarf::loaded_objects_generation();
  if (m && !objects_changed && refresh_budget < 1) return false;
  if (!objects_changed) refresh_budget -= 1;
  std::shared_ptr<const Mappings> fresh = load_mappings();
  {
    std::lock_guard swap(mappings_mutex);
    current_mappings = fresh;
  }
  return covered(*fresh, address, size);
}

// ---- this thread's own live stack ---------------------------------------------------------
// Between a local of ours and the top of this thread's stack lie the live frames of our
// callers: mapped and readable for as long as we run, whatever other threads do. Objects there
// (the locals a user prints) are copied with memcpy, saving a system call. Not under
// AddressSanitizer, whose redzones between locals a string scan may cross.

constexpr bool kTrustedRangesFastPath = !kAddressSanitizer;

struct StackBounds {
  std::uintptr_t low = 0, top = 0;  // top 0: not known (yet, or pthread could not tell)
  bool looked = false;
};
// The initial-exec TLS model makes these one load relative to %fs, where the default model for
// a shared library calls __tls_get_addr on every read (a seventh of a list walk's time). It
// takes a few bytes of the static TLS block that glibc keeps for libraries, even dlopen'ed ones.
[[gnu::tls_model("initial-exec")]] thread_local StackBounds stack_bounds;

[[gnu::noinline]] bool on_own_stack(std::uintptr_t address, std::size_t size) noexcept {
  if constexpr (!kTrustedRangesFastPath) return false;
  StackBounds& bounds = stack_bounds;
  if (!bounds.looked) {
    bounds.looked = true;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* low = nullptr;
      std::size_t stack_size = 0;
      if (pthread_attr_getstack(&attr, &low, &stack_size) == 0) {
        bounds.low = reinterpret_cast<std::uintptr_t>(low);
        bounds.top = bounds.low + stack_size;
      }
      pthread_attr_destroy(&attr);
    }
  }
  const char marker = 0;
  const auto here = reinterpret_cast<std::uintptr_t>(&marker);
  // On a signal's alternate stack (or any stack but the thread's own) `here` lies outside the
  // bounds, and nothing is trusted.
  return bounds.top != 0 && here >= bounds.low && here < bounds.top && address > here && address <= bounds.top &&
         size <= bounds.top - address;
}

// ---- the main heap (brk) ----------------------------------------------------------------------
// glibc's main malloc arena lives between the kernel's start_brk and the current program
// break, which sbrk(0) returns from a variable (no system call). That range is mapped
// read-write for as long as the break does not move down; malloc moves it down only when
// free() trims the top of the heap. So a range below the current break is copied with memcpy:
// most objects a program prints live there or on its stack, and the system call would cost
// more than the whole formatting (see tools/bench). The one window left: another thread trims
// the heap between our sbrk(0) and the memcpy, while we read a dangling pointer into the freed
// top of the heap. Not under AddressSanitizer either: its allocator does not use brk, and a
// memcpy of a freed or redzone byte would be a report.

std::uintptr_t read_start_brk() noexcept {
  // Field 47 of /proc/self/stat (Linux >= 3.5); the command name (field 2) may hold spaces and
  // parentheses, so fields are counted from its closing parenthesis.
  FILE* stat = std::fopen("/proc/self/stat", "re");
  if (stat == nullptr) return 0;
  char text[2048];
  const std::size_t n = std::fread(text, 1, sizeof text - 1, stat);
  std::fclose(stat);
  text[n] = '\0';
  const char* at = std::strrchr(text, ')');
  if (at == nullptr) return 0;
  ++at;
  for (int field = 3; field < 47; ++field) {
    at = std::strchr(at + 1, ' ');
    if (at == nullptr) return 0;
  }
  return static_cast<std::uintptr_t>(std::strtoull(at + 1, nullptr, 10));
}

// Read once; threads that find it unknown at once each read it (the same number). Not a static
// local: a fork() while another thread initialises one would leave its guard taken in the child.
constexpr std::uintptr_t kStartUnknown = ~std::uintptr_t{0};
std::atomic<std::uintptr_t> main_heap_start{kStartUnknown};

bool in_main_heap(std::uintptr_t address, std::size_t size) noexcept {
  if constexpr (!kTrustedRangesFastPath) return false;
  std::uintptr_t start = main_heap_start.load(std::memory_order_relaxed);
  if (start == kStartUnknown) {
    start = read_start_brk();
    main_heap_start.store(start, std::memory_order_relaxed);
  }
  if (start == 0 || address < start) return false;
  const auto brk = reinterpret_cast<std::uintptr_t>(sbrk(0));
  return brk != static_cast<std::uintptr_t>(-1) && address <= brk && size <= brk - address;
}

// ---- the choice between the two -------------------------------------------------------------

// A node walk reads a link and a scalar per element: copies of 8 bytes and less are inline
// moves rather than a call to memcpy.
void copy_trusted(void* out, std::uintptr_t address, std::size_t size) noexcept {
  const auto* from = reinterpret_cast<const void*>(address);
  switch (size) {
    case 1: std::memcpy(out, from, 1); return;
    case 2: std::memcpy(out, from, 2); return;
    case 4: std::memcpy(out, from, 4); return;
    case 8: std::memcpy(out, from, 8); return;
    default: std::memcpy(out, from, size); return;
  }
}

// The maps fallback's copy, by the kernel: pread of /proc/self/mem, which fails where a page
// was unmapped since the snapshot (another thread's munmap: a heap scan running beside the
// program meets them) instead of faulting. Opened for each read, as a descriptor kept open
// would go on reading the parent's memory in a forked child. Unavailable without /proc.
VmRead proc_mem_read(std::uintptr_t address, void* out, std::size_t size) noexcept {
  const int fd = ::open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return VmRead::Unavailable;
  auto* to = static_cast<unsigned char*>(out);
  VmRead result = VmRead::Done;
  while (size > 0) {
    const ssize_t n = ::pread(fd, to, size, static_cast<off_t>(address));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result = VmRead::Unreadable;
      break;
    }
    to += n;
    address += static_cast<std::uintptr_t>(n);
    size -= static_cast<std::size_t>(n);
  }
  ::close(fd);
  return result;
}

// Copies the range, not looking at open windows.
bool raw_read(std::uintptr_t address, void* out, std::size_t size) noexcept {
  if (in_main_heap(address, size) || on_own_stack(address, size)) {
    copy_trusted(out, address, size);
    return true;
  }
  if (method.load(std::memory_order_relaxed) != Method::Maps) {
    switch (vm_read(self(), address, out, size)) {
      case VmRead::Done: return true;
      case VmRead::Unreadable: return false;
      case VmRead::Unavailable: method.store(Method::Maps, std::memory_order_relaxed); break;
    }
  }
  try {
    if (!maps_readable(address, size)) return false;
  } catch (...) {  // out of memory reading the maps
    return false;
  }
  switch (proc_mem_read(address, out, size)) {
    case VmRead::Done: return true;
    case VmRead::Unreadable: return false;
    case VmRead::Unavailable: break;  // a direct copy, which a page unmapped since the snapshot faults
  }
  // Under ASan, memory a scan reads may be what ASan poisoned (a global's redzone, a freed block).
  if constexpr (kAddressSanitizer) copy_unchecked(out, address, size);
  else copy_trusted(out, address, size);
  return true;
}

// Whether every page of the range can be read, by the system call or the maps snapshot.
bool probe_self(std::uintptr_t address, std::size_t size) {
  if (method.load(std::memory_order_relaxed) != Method::Maps) {
    switch (vm_probe(self(), address, size)) {
      case VmRead::Done: return true;
      case VmRead::Unreadable: return false;
      case VmRead::Unavailable: method.store(Method::Maps, std::memory_order_relaxed); break;
    }
  }
  return maps_readable(address, size);
}

class SelfMemory final : public Memory {
 public:
  bool read(std::uint64_t address, void* out, std::size_t size) const noexcept override {
    return raw_read(address, out, size);
  }
  bool probe(std::uint64_t address, std::size_t size) const override { return probe_self(address, size); }
  std::vector<dwarf::Mapping> mappings() const override { return dwarf::read_maps().value_or(std::vector<dwarf::Mapping>{}); }
};

const SelfMemory self_memory_instance;

// Another process's memory, through process_vm_readv on its pid: no fast paths (nothing of it is
// mapped here) and no fallback (without the system call there is no way in).
class ProcessMemory final : public Memory {
 public:
  explicit ProcessMemory(pid_t pid) : pid_(pid) {}
  bool read(std::uint64_t address, void* out, std::size_t size) const noexcept override {
    return vm_read(pid_, address, out, size) == VmRead::Done;
  }
  bool probe(std::uint64_t address, std::size_t size) const override {
    return vm_probe(pid_, address, size) == VmRead::Done;
  }
  std::vector<dwarf::Mapping> mappings() const override {
    return dwarf::read_maps(pid_).value_or(std::vector<dwarf::Mapping>{});
  }

 private:
  pid_t pid_;
};

class CoreMemory final : public Memory {
 public:
  explicit CoreMemory(std::shared_ptr<const dwarf::CoreFile> core) : core_(std::move(core)) {}
  bool read(std::uint64_t address, void* out, std::size_t size) const noexcept override {
    return core_->read(address, out, size);
  }
  bool probe(std::uint64_t address, std::size_t size) const override { return core_->readable(address, size); }
  std::vector<dwarf::Mapping> mappings() const override { return core_->mappings(); }

 private:
  std::shared_ptr<const dwarf::CoreFile> core_;
};

// Reads of this process's memory, the hot path of in-process printing, call raw_read directly
// rather than through the virtual function.
inline bool is_self(const Memory& memory) noexcept { return &memory == &self_memory_instance; }

// (initial-exec: see stack_bounds)
[[gnu::tls_model("initial-exec")]] thread_local ReadWindow* innermost_window = nullptr;

}  // namespace

// A loop of volatile byte copies, which the compiler cannot turn into a call to memcpy, in a
// function ASan does not instrument. (Slow: only for ASan's shadow and the maps fallback.)
[[gnu::no_sanitize_address]] void copy_unchecked(void* out, std::uintptr_t address, std::size_t size) noexcept {
  auto* to = static_cast<volatile unsigned char*>(out);
  const auto* from = reinterpret_cast<const volatile unsigned char*>(address);
  for (std::size_t i = 0; i < size; ++i) to[i] = from[i];
}

const Memory& self_memory() noexcept { return self_memory_instance; }

std::mutex& maps_refresh_mutex() noexcept { return refresh_mutex; }
std::mutex& maps_snapshot_mutex() noexcept { return mappings_mutex; }
void renew_pid_after_fork() noexcept { self_pid.store(getpid(), std::memory_order_relaxed); }

std::unique_ptr<Memory> process_memory(pid_t pid) { return std::make_unique<ProcessMemory>(pid); }
std::unique_ptr<Memory> core_memory(std::shared_ptr<const dwarf::CoreFile> core) {
  return std::make_unique<CoreMemory>(std::move(core));
}

namespace {
class NoMemory final : public Memory {
 public:
  bool read(std::uint64_t, void*, std::size_t) const noexcept override { return false; }
  bool probe(std::uint64_t, std::size_t) const override { return false; }
  std::vector<dwarf::Mapping> mappings() const override { return {}; }
};
}  // namespace

std::unique_ptr<Memory> no_memory() { return std::make_unique<NoMemory>(); }

const ReadWindow* ReadWindow::covering(const Memory& memory, std::uintptr_t address, std::size_t size) noexcept {
  for (const ReadWindow* w = innermost_window; w != nullptr; w = w->outer_)
    if (w->memory_ == &memory && address >= w->begin_ && address <= w->end_ && size <= w->end_ - address) return w;
  return nullptr;
}

bool ReadWindow::copy(const Memory& memory, std::uintptr_t address, void* out, std::size_t size) noexcept {
  const ReadWindow* w = covering(memory, address, size);
  if (w == nullptr) return false;
  std::memcpy(out, w->data_ + (address - w->begin_), size);
  return true;
}

bool readable(const Memory& memory, std::uintptr_t address, std::size_t size) {
  if (size == 0) return address >= kLowest;
  if (!plausible(address, size)) return false;
  if (ReadWindow::covering(memory, address, size)) return true;
  return is_self(memory) ? probe_self(address, size) : memory.probe(address, size);
}

bool try_read_memory(const Memory& memory, std::uintptr_t address, void* out, std::size_t size) noexcept {
  if (size == 0) return true;
  if (!plausible(address, size)) return false;
  if (ReadWindow::copy(memory, address, out, size)) return true;
  return is_self(memory) ? raw_read(address, out, size) : memory.read(address, out, size);
}

void read_memory(const Memory& memory, std::uintptr_t address, void* out, std::size_t size) {
  if (!try_read_memory(memory, address, out, size)) throw UnreadableMemory(address);
}

std::size_t c_string_length(const Memory& memory, std::uintptr_t data, std::size_t char_size, std::size_t limit) {
  if (char_size == 0 || char_size > 4) throw UnreadableMemory(data);
  // Read in chunks that end at a page boundary, so that a string ending just before an
  // unreadable page is still found. With memcpy (this process's fallback) a chunk is one
  // character: the scan must not touch bytes past the terminator, which may belong to another
  // object (a sanitizer's redzone); process_vm_readv reads past it harmlessly.
  const bool whole_chunks = !is_self(memory) || method.load(std::memory_order_relaxed) != Method::Maps;
  unsigned char chunk[256];
  std::uintptr_t at = data;
  std::size_t length = 0;
  while (length < limit) {
    const std::size_t to_page_end = kPage - (at & (kPage - 1));
    std::size_t bytes = char_size;
    if (whole_chunks) {
      const std::size_t left = limit - length;
      bytes = std::min({sizeof chunk, to_page_end, left > sizeof chunk ? sizeof chunk : left * char_size});
      bytes = std::max(bytes / char_size * char_size, char_size);  // a character may straddle pages
    }
    if (!try_read_memory(memory, at, chunk, bytes)) throw UnreadableMemory(at);
    for (std::size_t i = 0; i + char_size <= bytes && length < limit; i += char_size, ++length) {
      unsigned char any = 0;
      for (std::size_t k = 0; k < char_size; ++k) any |= chunk[i + k];
      if (any == 0) return length;
    }
    auto next = add_address(at, bytes);
    if (!next) throw UnreadableMemory(at);
    at = *next;
  }
  return limit;
}

ReadWindow::ReadWindow(const Memory& memory, std::uintptr_t address, std::size_t size) {
  if (size == 0) {
    readable_ = address >= kLowest;
    return;
  }
  if (!plausible(address, size)) return;
  if (covering(memory, address, size)) {
    readable_ = true;  // already copied by an enclosing window
    return;
  }
  if (size > kMaxBytes) {
    readable_ = detail::readable(memory, address, size);
    return;
  }
  unsigned char* buffer = inline_;
  if (size > sizeof inline_) {
    heap_.reset(new unsigned char[size]);
    buffer = heap_.get();
  }
  if (!(is_self(memory) ? raw_read(address, buffer, size) : memory.read(address, buffer, size))) return;
  readable_ = true;
  open_ = true;
  memory_ = &memory;
  begin_ = address;
  end_ = address + size;
  data_ = buffer;
  outer_ = innermost_window;
  innermost_window = this;
}

ReadWindow::~ReadWindow() {
  // Windows close in reverse order of opening (they are scoped objects on one thread).
  if (open_) innermost_window = outer_;
}

}  // namespace reflect::detail
