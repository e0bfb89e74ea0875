#pragma once
// The one reader of target memory. Nothing else in reflect/ dereferences an address taken from
// a Value or read out of target memory: every copy goes through here, and never faults.
//
// How, for this process's own memory (memory.cpp): process_vm_readv on our own pid, which returns EFAULT (or a short count)
// where a plain load would raise SIGSEGV or SIGBUS: memory unmapped at any time, PROT_NONE
// pages, a file mapping past the end of its file, sanitizer shadow ranges. Where the system
// call is not allowed (seccomp, EPERM/ENOSYS), the reader falls back to checking the range
// against a snapshot of /proc/self/maps and copying with memcpy; that check cannot see memory
// unmapped since the snapshot was taken.

#include "../dwarf/maps.hpp"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace reflect::dwarf {
class CoreFile;
}

namespace reflect::detail {

/// `base + offset` as an address, or nullopt when it would pass the top of the address space.
/// All address arithmetic on target addresses goes through this (or an equivalent check):
/// garbage offsets and sizes must not wrap around to a small, readable address.
inline std::optional<std::uintptr_t> add_address(std::uintptr_t base, std::uintmax_t offset) noexcept {
  std::uintptr_t sum = 0;
  if (__builtin_add_overflow(base, offset, &sum)) return std::nullopt;
  return sum;
}

/// A target's memory: this process's own (self_memory(), with the fast paths of memory.cpp),
/// another live process's, a core file's. Implementations never fault and never throw from
/// read().
class Memory {
 public:
  virtual ~Memory() = default;
  /// Copies [address, address + size) into `out`; false when not all of it is readable (`out`
  /// then holds unspecified bytes).
  virtual bool read(std::uint64_t address, void* out, std::size_t size) const noexcept = 0;
  /// Whether all of [address, address + size) can be read now, without copying it (a large
  /// object's range).
  virtual bool probe(std::uint64_t address, std::size_t size) const = 0;
  /// The memory's map, in address order: a live process's /proc/PID/maps, a core's segments.
  /// Empty when there is none (a binary on disk, a process that has exited).
  virtual std::vector<dwarf::Mapping> mappings() const = 0;
};

/// The memory of the process reflect runs in.
const Memory& self_memory() noexcept;
/// The memory of another live process, read with process_vm_readv (which the caller has
/// checked it may use on `pid`). A process that exits reads as unreadable.
std::unique_ptr<Memory> process_memory(pid_t pid);
/// The memory of a program that is not running: nothing is readable.
std::unique_ptr<Memory> no_memory();
/// The memory recorded in a core file (dwarf/core.hpp says which bytes read from where).
std::unique_ptr<Memory> core_memory(std::shared_ptr<const dwarf::CoreFile> core);

/// Copies this process's memory with plain byte loads that AddressSanitizer does not check (its
/// memcpy reports reads of what it poisoned: redzones, freed blocks, its own shadow). For memory
/// known to be mapped: nothing here guards against a fault.
void copy_unchecked(void* out, std::uintptr_t address, std::size_t size) noexcept;

/// Whether [address, address + size) of `memory` can be read now.
bool readable(const Memory& memory, std::uintptr_t address, std::size_t size);

/// Copies `size` bytes from `address`; false when they are not all readable (`out` then holds
/// unspecified bytes).
bool try_read_memory(const Memory& memory, std::uintptr_t address, void* out, std::size_t size) noexcept;

/// Copies `size` bytes from `address`; throws UnreadableMemory when they are not readable.
void read_memory(const Memory& memory, std::uintptr_t address, void* out, std::size_t size);

template <class T> T read_as(const Memory& memory, std::uintptr_t address) {
  T value;
  read_memory(memory, address, &value, sizeof value);
  return value;
}

// For the fork handlers (fork.cpp): the two locks of the /proc/self/maps reader (the refresh
// lock, held while the file is read, then the snapshot lock, held to swap the snapshot), and
// the cached pid, renewed in a child.
std::mutex& maps_refresh_mutex() noexcept;
std::mutex& maps_snapshot_mutex() noexcept;
void renew_pid_after_fork() noexcept;

/// Characters before the first NUL, at most `limit`; throws UnreadableMemory if it runs into
/// unreadable memory before finding one.
std::size_t c_string_length(const Memory& memory, std::uintptr_t data, std::size_t char_size, std::size_t limit);

/// A copy of one object's bytes, taken when the window opens, from which every read inside
/// that range is served while the window is open on this thread. The printer opens one per
/// struct, array and sequence it prints: a system call costs about as much as formatting a
/// whole small struct, so it is paid once per object rather than once per scalar. Reads see
/// the object as it was when the window opened (a consistent snapshot). Windows nest (a range
/// inside an open window copies nothing) and belong to the thread that opened them.
class ReadWindow {
 public:
  /// Copies [address, address + size) of `memory`; a range larger than kMaxBytes is only checked.
  ReadWindow(const Memory& memory, std::uintptr_t address, std::size_t size);
  ~ReadWindow();
  ReadWindow(const ReadWindow&) = delete;
  ReadWindow& operator=(const ReadWindow&) = delete;

  /// Whether the whole range was readable when the window opened.
  bool readable() const noexcept { return readable_; }

  static constexpr std::size_t kMaxBytes = 64 * 1024;

 private:
  friend bool readable(const Memory&, std::uintptr_t, std::size_t);
  friend bool try_read_memory(const Memory&, std::uintptr_t, void*, std::size_t) noexcept;
  /// The innermost open window of this thread onto `memory` that holds the whole range, if any.
  static const ReadWindow* covering(const Memory& memory, std::uintptr_t address, std::size_t size) noexcept;
  /// Copies the range from an open window; false if none holds it.
  static bool copy(const Memory& memory, std::uintptr_t address, void* out, std::size_t size) noexcept;

  const Memory* memory_ = nullptr;
  std::uintptr_t begin_ = 0;
  std::uintptr_t end_ = 0;
  const unsigned char* data_ = nullptr;
  std::unique_ptr<unsigned char[]> heap_;
  ReadWindow* outer_ = nullptr;
  bool readable_ = false;
  bool open_ = false;
  unsigned char inline_[256];
};

}  // namespace reflect::detail
