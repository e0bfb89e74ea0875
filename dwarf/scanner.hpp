#pragma once
// A fast reader of what the name index and a unit's parent table need: the named types and
// variables outside functions with the namespaces and classes around them, and every DIE's parent. libdw's
// generic DIE walk decodes every attribute of every DIE through several calls; this reads the
// raw .debug_info bytes with each abbreviation compiled once into a plan that skips what is
// not used (drgn's design). It never calls libdw, so units can be read on several threads.
//
// Anything it does not fully understand (64-bit DWARF, an unknown form, a bad abbreviation
// code, a truncated unit, a type whose name or declaration flag must be looked up through
// DW_AT_specification) makes it give up on that unit: the caller then walks the unit with libdw,
// which stays the reference.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

struct Dwarf;

namespace reflect::dwarf::detail {

/// The raw bytes of the sections a unit's names live in (empty when absent). They belong to
/// the module's Dwarf and live as long as it does.
struct DebugSections {
  std::string_view info;
  std::string_view abbrev;
  std::string_view str;
  std::string_view line_str;
  std::string_view str_offsets;
  std::string_view aranges;
  std::string_view names;  // .debug_names (dwarf/name_table.hpp)
  std::string_view gdb_index;  // .gdb_index (dwarf/gdb_index.hpp)
  // The file is not relocatable, so libdwfl never writes to its sections: where they are
  // clean pages of a private mapping of the file (the caller checks), pages the index has read
  // can be handed back to the page cache (they fault back in from it).
  bool releasable = false;
};

/// What the unit's header says (from libdw's dwarf_next_unit), offsets in .debug_info.
struct UnitHeader {
  std::uint64_t offset = 0;     // of the header
  std::uint64_t die_begin = 0;  // of the unit DIE
  std::uint64_t end = 0;        // of the next unit's header
  std::uint64_t abbrev_offset = 0;
  std::uint16_t version = 0;
  std::uint8_t address_size = 0;
  std::uint8_t offset_size = 0;
};

/// A namespace or named class around indexed types. The name is empty for an anonymous
/// namespace.
struct ScannedScope {
  std::uint32_t parent;  // index into UnitTypes::scopes; no_scope at the unit's top level
  std::string_view name;
};

/// What the name index files: a named-type definition (a class, struct, union or enum that is
/// not a declaration, a base type, a typedef), or the definition of a variable outside
/// functions (a global, a static data member: the DIE that says where it lies). GCC's
/// definition of a global declared before it, and both compilers' of a static data member, have
/// no name of their own: their DW_AT_specification names a declaration earlier in the unit,
/// whose name and scope (the class, for a member) they are filed under. Declarations are not
/// filed: every unit that uses a global declares it, every unit that uses a class declares its
/// static members. `name` may be empty (the index skips those).
struct ScannedType {
  std::uint64_t offset;  // of the DIE in .debug_info
  std::uint32_t scope;   // index into UnitTypes::scopes, or no_scope
  bool is_base;          // a base type: the index spells its name canonically
  std::string_view name;
  // Placed at the top level (or in a class there) by a name table that only says its parent is
  // not in the table: a lookup must confirm it (dwarf/name_table.hpp). Never set by the scanner.
  bool unconfirmed;
};

inline constexpr std::uint32_t no_scope = UINT32_MAX;

/// One unit's findings; reused from unit to unit to keep its capacity.
struct UnitTypes {
  std::vector<ScannedScope> scopes;
  std::vector<ScannedType> types;
  void clear() {
    scopes.clear();
    types.clear();
  }
};

/// Reads the unit's types into `out` (cleared first). false: the unit is malformed or uses
/// something the scanner does not handle; `out` is then incomplete and must be discarded.
bool scan_unit_types(const DebugSections& sections, const UnitHeader& unit, UnitTypes& out);

/// Every DIE of a unit below its unit DIE, in the order of the file: each one's parent
/// (offsets in .debug_info; the unit DIE's for the top level), and which are subprograms.
struct UnitTree {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> parents;  // (DIE, parent), ascending
  std::vector<std::uint64_t> subprograms;
};

/// Reads the unit's tree into `out` (cleared first). false as for scan_unit_types(); then
/// libdw must walk the unit.
bool scan_unit_tree(const DebugSections& sections, const UnitHeader& unit, UnitTree& out);

/// The offset (in .debug_info) of the unit whose .debug_aranges set covers `address`
/// (module-relative, as DWARF addresses are). A linear pass that stops at the first match:
/// libdw's dwarf_getaranges() reads and sorts every range first, a million of them in a big
/// GCC program (a range per function section). nullopt when no set covers the address or the
/// section holds what this does not read (64-bit DWARF, segments, a malformed set). Ranges at
/// address 0 are taken for what the linker discarded.
std::optional<std::uint64_t> arange_unit_at(std::string_view aranges, std::uint64_t address);

// The libdw side, in units.cpp: where the scanner's input comes from.

/// The sections' bytes as libdw holds them (mapped from the file). nullopt when they are not
/// plain little-endian bytes (a compressed section libdw did not inflate in place, a
/// big-endian file) or .debug_info is missing.
std::optional<DebugSections> debug_sections(Dwarf* dw);

/// Every unit header in .debug_info, from dwarf_next_unit.
std::vector<UnitHeader> unit_headers(Dwarf* dw);

}  // namespace reflect::dwarf::detail
