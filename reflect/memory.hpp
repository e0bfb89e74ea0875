#pragma once
// The one reader of target memory. Every read is checked against the process's readable
// mappings first, so a garbage pointer yields "unreadable" instead of SIGSEGV.

#include <cstddef>
#include <cstdint>

namespace reflect::detail {

/// Whether [address, address + size) lies in readable mappings (refreshed once on a miss, so
/// memory mapped since the last look is found).
bool readable(std::uintptr_t address, std::size_t size);

/// Copies `size` bytes from `address`; throws UnreadableMemory when they are not readable.
void read_memory(std::uintptr_t address, void* out, std::size_t size);
inline void read_memory(const void* address, void* out, std::size_t size) {
  read_memory(reinterpret_cast<std::uintptr_t>(address), out, size);
}

template <class T> T read_as(std::uintptr_t address) {
  T value;
  read_memory(address, &value, sizeof value);
  return value;
}

}  // namespace reflect::detail
