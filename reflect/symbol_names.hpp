#pragma once
// What a run-time address is, by the ELF symbol it lies in (the modules' symbol tables,
// dwarf/symbols.hpp): demangled for the printer (`0x401136 <f(int)>`), or as the table spells
// it for comparing with a known symbol (a vtable's). Defined in format.cpp, next to the cache of
// demangled names.

#include "../dwarf/symbols.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace reflect::detail {

class Registry;

/// The symbol an address of `registry`'s target lies in: its demangled name (cached, valid as
/// long as the registry) and the offset into it.
struct SymbolName {
  const std::string* name;
  std::uint64_t offset;
};
std::optional<SymbolName> symbol_name(Registry& registry, std::uintptr_t address);
/// The same as text: `ns::f(int)`, `ns::g+8`; empty if none.
std::string symbol_for(Registry& registry, std::uintptr_t address);
/// The symbol an address lies in as the symbol table spells it (mangled: `_ZTVSt9exception`),
/// and the offset into it; the name lives as long as the registry. Demangles nothing.
std::optional<dwarf::Symbol> mangled_symbol(Registry& registry, std::uintptr_t address);

}  // namespace reflect::detail
