#pragma once
// A module's ELF symbols by address: which function or object a run-time address falls in (a
// pointer's target, a vtable's class without RTTI, a coroutine's resume function).
// libdwfl's dwfl_module_addrinfo answers that by reading the whole symbol table, once per
// lookup; this sorts the module's function and object symbols by address once, on the first
// lookup, and answers each lookup with a binary search.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

struct Dwfl_Module;
struct Elf;

namespace reflect::dwarf {

struct Symbol {
  // As in the symbol table (mangled for C++), where the module keeps it: valid as long as the
  // module.
  std::string_view name;
  std::uint64_t offset = 0;  // of the address from the symbol's start
  bool is_function = false;
};

namespace detail {

/// A module file's own .symtab and the string table its names are in, read in place: both
/// belong to libdwfl's mapping of the file and live as long as the module.
struct SymbolSection {
  Elf* elf = nullptr;
  std::string_view symbols;  // Elf64_Sym entries, the null entry first
  std::string_view names;
  std::uint64_t bias = 0;  // st_value + bias: the run-time address
  std::size_t first_global = 0;  // sh_info: the local symbols come first
  // Clean pages of a private file mapping, which release_pages() may hand back (they read back
  // from the file, so the names stay valid).
  bool releasable = false;
};

/// The module file's .symtab when it has one that can be read in place (64-bit, little-endian,
/// uncompressed, not a relocatable file, whose values are section offsets). nullopt: use
/// libdwfl's dwfl_module_getsym_info, which also finds the .symtab of a separate debug file,
/// .dynsym and .gnu_debugdata.
std::optional<SymbolSection> own_symbol_section(Dwfl_Module* module);

}  // namespace detail

/// The function (STT_FUNC) and object (STT_OBJECT) symbols of one module, by address. Answers
/// as dwfl_module_addrinfo does, within these rules:
/// - A symbol with a size covers [start, start + size); a symbol of size 0 covers only its start
///   (addrinfo also offers the closest size-0 symbol below an address no symbol covers).
/// - Of several symbols covering an address: a global or weak one (or another non-local
///   binding: those after the table's locals), sized, first; then such a symbol of size 0; then
///   a local sized one; then a local one of size 0. Among sized ones: GLOBAL over WEAK over the
///   other bindings, then the closest start, then the smallest size, then the first in the
///   table; among those of size 0, the last in the table (addrinfo's preferences; where it
///   depends on the table's order across different starts, the binding wins here).
/// - Left out: other symbol types (STT_NOTYPE labels, TLS offsets, IFUNC resolvers), symbols in
///   no allocated section or at address 0, and the implausible (a size or name offset above
///   4 GiB, an address above 2^56).
/// Built once, on the first lookup (std::call_once), and published through an atomic pointer:
/// thread-safe.
class SymbolTable {
 public:
  explicit SymbolTable(Dwfl_Module* module) noexcept;
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  /// The symbol covering a run-time address, and the address's offset into it.
  std::optional<Symbol> at(std::uintptr_t address) const;

  struct Entry {
    std::string_view name;
    std::uint64_t address = 0;  // run-time
    std::uint64_t size = 0;
    bool is_function = false;
    bool is_global = false;  // of the table's global part (GLOBAL, WEAK, ... bindings)
  };
  /// Every symbol the table keeps, by address: the tools that look for all coroutine functions or
  /// all vtables of a module.
  void for_each(const std::function<void(const Entry&)>& visit) const;

 private:
  struct Table;
  const Table& table() const;

  Dwfl_Module* module_;
  mutable std::once_flag built_;
  mutable std::unique_ptr<const Table> owned_;
  // What lookups read: libstdc++'s call_once writes thread-locals on every call, which every
  // lookup would pay for (calls to __tls_get_addr, from a shared library).
  mutable std::atomic<const Table*> table_{nullptr};
};

}  // namespace reflect::dwarf
