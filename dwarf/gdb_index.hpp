#pragma once
// gdb's own index, .gdb_index (gdb manual, "Index Section Format"), read for one lookup: which
// compile units define a type of a given qualified name. gdb-add-index writes it (Fedora and
// RHEL ship it in their debuginfo files), and so do lld --gdb-index and gold --gdb-index: a
// program linked that way, or a distribution's debug file, often has it and no .debug_names.
//
// It gives, per fully qualified name as gdb spells it ("ns::Class::Inner", "(anonymous
// namespace)::Hidden"), the units that hold a symbol of that name and its kind; no DIE
// offsets, no scopes. So it narrows a lookup to a few units, whose types the caller still
// scans, and cannot stand in for the full name index. gdb spells some names otherwise than the
// index's keys (templates): a name it does not find only sends the caller to the full index.
//
// Versions 7 and 8 (the symbol kinds came with 7). Type units (.debug_types) are skipped.
// Raw bytes, no libdw; anything malformed makes the reader refuse the section.

#include <cstdint>
#include <string_view>
#include <vector>

namespace reflect::dwarf::detail {

/// Appends to `unit_offsets` the offsets in .debug_info of the headers of the compile units
/// that `section` (a .gdb_index) lists under `name`, spelled exactly so, as a type. false: the
/// section is refused (a version other than 7 and 8, an offset or count out of bounds), and
/// what was appended must be discarded.
bool find_in_gdb_index(std::string_view section, std::string_view name, std::vector<std::uint64_t>& unit_offsets);

}  // namespace reflect::dwarf::detail
