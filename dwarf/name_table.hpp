#pragma once
// The name tables of .debug_names (DWARF 5 §6.1.1), read for what the name index needs: the
// types each table lists, with the namespaces and classes around them, without decoding a
// byte of .debug_info. clang writes one table per unit with -gpubnames; lld --debug-names and
// gdb-add-index write one for a whole program. GCC 12 writes none.
//
// A table places a type through DW_IDX_parent (LLVM 18 and later): a reference to the entry of
// the DIE around it (a namespace, a class, or a function: then the type is not filed), or
// "parent not indexed" (DW_FORM_flag_present). A type at a unit's top level gets the latter,
// but so does a type inside a DIE the table leaves out: an inlined function's abstract
// instance (clang -O2), an unnamed class. Such a type, and the types inside it, are filed at
// the top level marked unconfirmed (ScannedType::unconfirmed): a lookup that meets one reads
// its true scope from the unit's DIE tree before taking it. (Reading every unit's tree up
// front would cost what the table saves.) Base types are always at the top level.
//
// A type listed without DW_IDX_parent cannot be placed at all (LLVM omits it when the parent is
// a class declaration; older producers never write it): its unit is reported, for the caller
// to read with the DIE scanner. So is a unit with variables (name_table.cpp says why).
//
// Raw bytes, no libdw, so tables can be read on several threads. Anything malformed or not
// understood (64-bit DWARF, a version other than 5, foreign type units, an unknown form) makes
// the reader refuse the table: its units are then scanned.

#include "scanner.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace reflect::dwarf::detail {

/// What one name table says about the units it lists.
struct TableTypes {
  std::vector<std::uint64_t> units;  // offsets in .debug_info of the unit headers it lists
  std::size_t compile_units = 0;     // the first units; then type units
  std::vector<std::uint64_t> unplaced;  // of `units`, those holding a type it cannot place or a variable, ascending
  UnitTypes types;  // the named types of the other units, offsets in .debug_info, as the scanner reports them
  std::vector<std::uint32_t> unit_of_type;  // of each of types.types: its index in `units`
  void clear() {
    units.clear();
    compile_units = 0;
    unplaced.clear();
    types.clear();
    unit_of_type.clear();
  }
};

/// The name tables `names` (a .debug_names section) holds, each from its header to its end.
/// Stops at the first header it cannot frame (a truncated section, 64-bit DWARF).
std::vector<std::string_view> name_tables(std::string_view names);

/// Reads one table of name_tables() (its strings in `str`, .debug_str) into `out` (cleared
/// first). false: the table is refused, and `out` must be discarded.
bool read_name_table(std::string_view table, std::string_view str, TableTypes& out);

/// A type DIE a name table lists under a name.
struct TableEntry {
  std::uint64_t unit;  // offset in .debug_info of its unit's header
  std::uint64_t die;   // offset in .debug_info
  std::uint64_t tag;
  // The table links it to namespaces and classes spelled as the scope asked for, the outermost
  // at the top level (or in an unnamed class, or an inlined function: see above).
  bool placed_as_asked;
};

/// Appends to `found` the type DIEs one table of name_tables() lists under `name`, spelled as
/// their DW_AT_name is, through the table's hash table (and, to check where they are placed,
/// the hash table's entries of `scope`'s names, outermost first): no more of the table is read.
/// false: the table has no hash table, or is refused.
bool find_in_name_table(std::string_view table, std::string_view str, std::string_view name,
                        const std::vector<std::string_view>& scope, std::vector<TableEntry>& found);

}  // namespace reflect::dwarf::detail
