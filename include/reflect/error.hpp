#pragma once
// reflect::Error: the one exception type the library throws at its API boundary.

#include <reflect/export.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace reflect {

/// Thrown for misuse (a view that does not fit the value, a missing type) and for debug info
/// that cannot answer. The message names what was looked for and what to do about it.
class REFLECT_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown when a value's memory cannot be read (a dangling or garbage pointer). Formatting
/// never throws it: the printer shows `<unreadable 0x…>` in place instead.
class REFLECT_API UnreadableMemory : public Error {
 public:
  explicit UnreadableMemory(std::uintptr_t address);
  std::uintptr_t address() const noexcept { return address_; }

 private:
  std::uintptr_t address_;
};

}  // namespace reflect
