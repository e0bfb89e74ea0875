#pragma once
// Reading DWARF's encodings from raw section bytes, for the readers that bypass libdw (the DIE
// scanner, the .debug_aranges pass, the .debug_names reader). Every read is bounds-checked
// against `end`; the values are little-endian (callers read only little-endian files).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace reflect::dwarf::detail {

using Byte = std::uint8_t;

inline bool read_uleb(const Byte*& p, const Byte* end, std::uint64_t& value) {
  value = 0;
  for (unsigned shift = 0; p < end; shift += 7) {
    Byte b = *p++;
    if (shift < 64) value |= std::uint64_t(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

inline bool skip_leb(const Byte*& p, const Byte* end) {
  while (p < end)
    if ((*p++ & 0x80) == 0) return true;
  return false;
}

/// `size` (at most 8) bytes at `p`, which the caller has checked are there.
inline std::uint64_t read_le(const Byte* p, unsigned size) {
  std::uint64_t value = 0;
  std::memcpy(&value, p, size);
  return value;
}

/// The NUL-terminated string at `offset` of a string section.
inline bool string_at(std::string_view section, std::uint64_t offset, std::string_view& out) {
  if (offset >= section.size()) return false;
  const char* begin = section.data() + offset;
  const void* nul = std::memchr(begin, 0, section.size() - offset);
  if (nul == nullptr) return false;
  out = std::string_view(begin, static_cast<std::size_t>(static_cast<const char*>(nul) - begin));
  return true;
}

}  // namespace reflect::dwarf::detail
