#pragma once
// Small libdw helpers shared by dwarf/'s translation units. Internal to dwarf/.

#include "module.hpp"
#include "records.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <optional>
#include <string>
#include <type_traits>

namespace reflect::dwarf::detail {

inline bool flag(Dwarf_Die* die, unsigned attribute) {
  Dwarf_Attribute attr;
  bool value = false;
  return dwarf_attr_integrate(die, attribute, &attr) != nullptr && dwarf_formflag(&attr, &value) == 0 && value;
}

inline std::optional<Dwarf_Word> udata(Dwarf_Die* die, unsigned attribute) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr_integrate(die, attribute, &attr) == nullptr || dwarf_formudata(&attr, &value) != 0)
    return std::nullopt;
  return value;
}

inline std::string name_of(Dwarf_Die* die) {
  const char* name = dwarf_diename(die);
  return name ? name : "";
}

inline bool ref(Dwarf_Die* die, unsigned attribute, Dwarf_Die* out) {
  Dwarf_Attribute attr;
  return dwarf_attr_integrate(die, attribute, &attr) != nullptr && dwarf_formref_die(&attr, out) != nullptr;
}

/// Calls `visit(Dwarf_Die&)` for each child of `die`; a visitor that returns bool stops the
/// walk by returning true (and for_each_child then returns true).
template <class Visit> bool for_each_child(Dwarf_Die* die, Visit&& visit) {
  Dwarf_Die child;
  if (dwarf_child(die, &child) != 0) return false;
  do {
    if constexpr (std::is_void_v<std::invoke_result_t<Visit&, Dwarf_Die&>>) {
      visit(child);
    } else if (visit(child)) {
      return true;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

/// A concrete subprogram's parameters, template parameters and class membership are on the DIE
/// itself or on the declaration it specifies / the abstract instance it comes from (GCC -O2):
/// one hop each.
inline bool next_origin(Dwarf_Die* fn) {
  Dwarf_Attribute attr;
  Dwarf_Die origin;
  if (dwarf_attr(fn, DW_AT_abstract_origin, &attr) == nullptr && dwarf_attr(fn, DW_AT_specification, &attr) == nullptr)
    return false;
  if (dwarf_formref_die(&attr, &origin) == nullptr) return false;
  *fn = origin;
  return true;
}

inline DieId id_of(const Module* module, Dwarf_Die* die) {
  // DWARF 4 type units live in .debug_types, a separate offset space.
  Dwarf_Half version = 0;
  std::uint8_t unit_type = 0;
  Dwarf_Die cu_die;
  bool in_types = false;
  if (dwarf_cu_info(die->cu, &version, &unit_type, &cu_die, nullptr, nullptr, nullptr, nullptr) == 0)
    in_types = version < 5 && unit_type == DW_UT_type;
  return DieId{module, dwarf_dieoffset(die), in_types, module->file_of(dwarf_cu_getdwarf(die->cu))};
}

inline bool die_at(const DieId& id, Dwarf_Die* out) {
  Dwarf* dw = id.module ? id.module->dwarf_of(id.file) : nullptr;
  if (dw == nullptr) return false;
  return (id.in_type_units ? dwarf_offdie_types(dw, id.offset, out) : dwarf_offdie(dw, id.offset, out)) != nullptr;
}

}  // namespace reflect::dwarf::detail
