// Finding a type definition by name: through the name index, or before it exists through what
// reads a few units instead of all (.debug_names' hash tables, .gdb_index, the symbol table).
#include "module.hpp"

#include "die.hpp"
#include "gdb_index.hpp"
#include "module_internals.hpp"
#include "name_table.hpp"
#include "names.hpp"
#include "pages.hpp"
#include "scanner.hpp"
#include "symbols.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>
#include <cstring>

namespace reflect::dwarf {

using namespace detail;

namespace {

// A key's "::"-separated components ("::" inside brackets does not count).
std::vector<std::string_view> key_components(std::string_view key) {
  std::vector<std::string_view> out;
  std::size_t begin = 0;
  int depth = 0;
  for (std::size_t i = 0; i + 1 < key.size(); ++i) {
    char c = key[i];
    if (c == '<' || c == '(') {
      ++depth;
    } else if ((c == '>' || c == ')') && depth > 0) {
      --depth;
    } else if (c == ':' && key[i + 1] == ':' && depth == 0) {
      out.push_back(key.substr(begin, i - begin));
      begin = i + 2;
      ++i;
    }
  }
  out.push_back(key.substr(std::min(begin, key.size())));
  return out;
}

}  // namespace

// Before the name index is built: a class or enum (of tag `want_tag`, or any with 0) with `key`
// from the hash tables of the module's name tables, looked up under `spelled`, its DW_AT_name,
// and confirmed from its unit's tree. The first print of a clang program needs this (clang
// describes a class with a vtable only where the vtable is emitted, as a declaration
// elsewhere), and so do dynamic types: it costs a hash lookup per table and a unit's tree, not
// the whole index. nullopt: not found that way (the index may still find it).
std::optional<DieId> Module::class_in_tables(std::string_view spelled, std::string_view key, int want_tag) const {
  const detail::DebugSections* sections = scanner_input();
  if (sections == nullptr || units_->name_tables.empty() || spelled.empty()) return std::nullopt;
  // Only candidates the table places in the key's scope, as far as it can tell, are confirmed
  // (each costs its unit's tree): a class name that recurs in many namespaces is listed by
  // every unit. A key spelled otherwise than the DWARF (template arguments, inline namespaces)
  // finds none and goes to the index.
  std::vector<std::string_view> scope = key_components(key);
  scope.pop_back();
  std::vector<detail::TableEntry> listed;
  for (std::string_view table : units_->name_tables) {
    listed.clear();
    if (!detail::find_in_name_table(table, sections->str, spelled, scope, listed)) continue;
    for (const detail::TableEntry& entry : listed) {
      int tag = entry.tag == DW_TAG_class_type ? DW_TAG_structure_type : static_cast<int>(entry.tag);
      auto unit = units_->unit_by_header.find(entry.unit);
      if (!entry.placed_as_asked || !is_type_tag(tag) || (want_tag != 0 && tag != want_tag) ||
          unit == units_->unit_by_header.end())
        continue;
      DieId id{this, entry.die, false, 0};
      Dwarf_Die die;
      if (unit_of(id) != &units_->units[unit->second] || !die_at(id, &die) || flag(&die, DW_AT_declaration) ||
          !confirm_key(packed_offset(id), key))
        continue;
      return id;
    }
  }
  return std::nullopt;
}

// A class or enum (of tag `want_tag`, or any with 0) with `key` among the types of `units`,
// read with the DIE scanner and keyed as the index keys them: the last step of the lookups
// that narrow a key down to a few units before the name index exists.
std::optional<DieId> Module::class_in_units(const std::vector<const Unit*>& units, std::string_view key,
                                            int want_tag) const {
  const detail::DebugSections* sections = scanner_input();
  if (sections == nullptr) return std::nullopt;
  // A type named by a plain identifier is the key's last component whatever its scope: the
  // others need not be normalized (most of a big unit's types).
  const std::string_view last = key_components(key).back();
  auto is_identifier = [](std::string_view name) { return std::all_of(name.begin(), name.end(), is_identifier_char); };
  detail::UnitTypes types;
  for (const Unit* unit : units) {
    const detail::UnitHeader* header = header_of(*unit);
    if (header == nullptr || !detail::scan_unit_types(*sections, *header, types)) continue;
    for (const detail::ScannedType& type : types.types) {
      if (type.name.empty() || type.is_base) continue;  // base types are no classes
      if (type.name != last && is_identifier(type.name)) continue;
      if (normalize_name(spelled_scope(types.scopes, type.scope) + std::string(type.name)) != key) continue;
      DieId id{this, type.offset, false, 0};  // the scanner's offsets are in the module's own file
      Dwarf_Die die;
      if (!die_at(id, &die) || flag(&die, DW_AT_declaration)) continue;
      int tag = dwarf_tag(&die);
      if (tag == DW_TAG_class_type) tag = DW_TAG_structure_type;  // `class` and `struct` name the same kind
      if (!is_type_tag(tag) || (want_tag != 0 && tag != want_tag)) continue;
      return id;
    }
  }
  return std::nullopt;
}

// Where class_in_tables() found nothing: the compile units gdb's index lists under `key` as a
// type. gdb's index (dwarf/gdb_index.hpp) says which units, not which DIEs.
std::optional<DieId> Module::class_in_gdb_index(std::string_view key, int want_tag) const {
  const detail::DebugSections* sections = scanner_input();
  if (sections == nullptr || sections->gdb_index.empty() || key.empty()) return std::nullopt;
  std::vector<std::uint64_t> listed;
  if (!detail::find_in_gdb_index(sections->gdb_index, key, listed)) return std::nullopt;
  std::sort(listed.begin(), listed.end());
  listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
  std::vector<const Unit*> units;
  for (std::uint64_t header_offset : listed)
    if (auto unit = units_->unit_by_header.find(header_offset); unit != units_->unit_by_header.end())
      units.push_back(&units_->units[unit->second]);
  return class_in_units(units, key, want_tag);
}

namespace {

// The start of the mangled names (Itanium C++ ABI) of the member functions of the class `key`
// names, "N3ns15Outer5Inner" for ns::Outer::Inner; nullopt for a key this does not spell
// (templates, operators, anything but identifiers and anonymous namespaces).
std::optional<std::string> mangled_class_prefix(std::string_view key) {
  std::string out = "N";
  for (std::string_view component : key_components(key)) {
    if (component == "(anonymous namespace)") {
      out += "12_GLOBAL__N_1";
      continue;
    }
    if (component.empty() || (component[0] >= '0' && component[0] <= '9')) return std::nullopt;
    if (!std::all_of(component.begin(), component.end(), is_identifier_char)) return std::nullopt;
    out += std::to_string(component.size());
    out += component;
  }
  return out;
}

}  // namespace

bool Module::defines_class(std::string_view key) const {
  std::optional<std::string> nested = mangled_class_prefix(key);
  if (!nested) return false;
  // Its vtable or type_info (the object that "homes" a polymorphic class), or a member function.
  const bool in_namespace = key_components(key).size() > 1;
  const std::string vtable = "_ZTV" + (in_namespace ? *nested + "E" : nested->substr(2));
  const std::string type_info = "_ZTI" + (in_namespace ? *nested + "E" : nested->substr(2));
  const std::string member = "_Z" + *nested, const_member = "_ZNK" + nested->substr(1);
  const int count = dwfl_module_getsymtab(module_);
  for (int i = 1; i < count; ++i) {
    GElf_Sym sym;
    GElf_Addr address = 0;
    const char* name = dwfl_module_getsym_info(module_, i, &sym, &address, nullptr, nullptr, nullptr);
    if (name == nullptr || sym.st_shndx == SHN_UNDEF || name[0] != '_') continue;
    const std::string_view symbol(name);
    if (symbol == vtable || symbol == type_info ||
        (GELF_ST_TYPE(sym.st_info) == STT_FUNC && (symbol.starts_with(member) || symbol.starts_with(const_member))))
      return true;
  }
  return false;
}

bool Module::defines_function(std::string_view wanted) const {
  const int count = dwfl_module_getsymtab(module_);
  const int first_global = dwfl_module_getsymtab_first_global(module_);
  for (int i = std::max(first_global, 1); i < count; ++i) {
    GElf_Sym sym;
    GElf_Addr address = 0;
    const char* name = dwfl_module_getsym_info(module_, i, &sym, &address, nullptr, nullptr, nullptr);
    if (name != nullptr && sym.st_shndx != SHN_UNDEF && GELF_ST_TYPE(sym.st_info) == STT_FUNC && wanted == name)
      return true;
  }
  return false;
}

// Where neither index of the module's own found it: the units that hold the code of the
// class's member functions, found by their mangled names in the ELF symbol table. GCC's and
// clang's default debug info describes a class with a vtable (and clang's, one with a
// user-written constructor) only in the unit that emits it, as a declaration elsewhere; that
// unit holds member functions.
std::optional<DieId> Module::class_by_member_symbols(std::string_view key, int want_tag) const {
  std::optional<std::string> nested = mangled_class_prefix(key);
  if (!nested || scanner_input() == nullptr) return std::nullopt;
  std::string prefix = "_Z" + *nested, const_prefix = "_ZNK" + nested->substr(1);
  constexpr std::size_t max_units = 4;  // member functions of nested classes share the prefix
  std::vector<const Unit*> units;
  auto consider = [&](std::string_view mangled, std::uint64_t address) {
    if (!mangled.starts_with(prefix) && !mangled.starts_with(const_prefix)) return;
    const Unit* unit = unit_containing_pc(address - bias_);
    if (unit != nullptr && std::find(units.begin(), units.end(), unit) == units.end()) units.push_back(unit);
  };
  if (auto section = own_symbol_section(module_)) {
    // Read in place: a big program's holds millions of symbols (168 MB of .symtab and .strtab
    // at the benchmark's full scale), which libdwfl's accessor takes a tenth of a second to
    // hand out one by one, and whose pages are handed back after the pass.
    const std::string_view symbols = section->symbols, names = section->names;
    for (std::size_t at = sizeof(Elf64_Sym); at + sizeof(Elf64_Sym) <= symbols.size() && units.size() < max_units;
         at += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, symbols.data() + at, sizeof sym);
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || sym.st_name >= names.size() ||
          names[sym.st_name] != '_')
        continue;
      consider(names.substr(sym.st_name), sym.st_value + section->bias);  // (only its start is read)
    }
    if (section->releasable)
      for (std::string_view bytes : {symbols, names}) release_pages(bytes);
  } else {  // no .symtab of its own: libdwfl's (the debug file's, .dynsym, .gnu_debugdata)
    int count = dwfl_module_getsymtab(module_);
    for (int i = 1; i < count && units.size() < max_units; ++i) {
      GElf_Sym sym;
      GElf_Addr address = 0;
      const char* name = dwfl_module_getsym_info(module_, i, &sym, &address, nullptr, nullptr, nullptr);
      if (name != nullptr && GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF) consider(name, address);
    }
  }
  return class_in_units(units, key, want_tag);
}

// Before the name index exists: a class or enum with `key` (DW_AT_name `spelled`) through what
// reads a few units instead of all: the module's .debug_names, its .gdb_index, its symbol
// table. nullopt: not found that way (the index may still find it).
std::optional<DieId> Module::class_before_index(std::string_view spelled, std::string_view key, int want_tag) const {
  if (auto found = class_in_tables(spelled, key, want_tag)) return found;
  if (auto found = class_in_gdb_index(key, want_tag)) return found;
  return class_by_member_symbols(key, want_tag);
}

std::optional<DieId> Module::find_definition(const TypeRecord& decl) const {
  if (dwarf() == nullptr || decl.name.empty()) return std::nullopt;
  int want = decl.tag == Tag::Union ? DW_TAG_union_type : decl.tag == Tag::Enum ? DW_TAG_enumeration_type : DW_TAG_structure_type;
  if (!name_index_)
    if (auto found = class_before_index(decl.name, index_key(decl), want)) return found;
  std::optional<DieId> found;
  for_each_filed(index_key(decl), [&](const DieId& id) {
    Dwarf_Die die;
    if (!die_at(id, &die)) return false;
    int tag = dwarf_tag(&die);
    if (tag == DW_TAG_class_type) tag = DW_TAG_structure_type;  // `class` and `struct` name the same kind
    if (tag == want) found = id;
    return found.has_value();
  });
  return found;
}

std::optional<DieId> Module::find_type(std::string_view name, bool build_index) const {
  if (dwarf() == nullptr) return std::nullopt;
  if (!name_index_) {
    if (auto found = class_before_index(key_components(name).back(), name, 0)) return found;
    if (!build_index) return std::nullopt;
  }
  std::optional<DieId> other;
  std::optional<DieId> found;
  for_each_filed(name, [&](const DieId& id) {
    Dwarf_Die die;
    if (!die_at(id, &die)) return false;
    const int tag = dwarf_tag(&die);
    if (is_type_tag(tag)) found = id;
    else if (!other && (tag == DW_TAG_base_type || tag == DW_TAG_typedef)) other = id;  // not a variable
    return found.has_value();
  });
  return found ? found : other;
}

namespace {

// Where a variable's DW_AT_location puts it (a module-relative address), or why it gives none.
VariableRecord::NoAddress static_location(Dwarf_Attribute* location, std::uint64_t& address) {
  Dwarf_Op* ops = nullptr;
  std::size_t count = 0;
  if (dwarf_getlocation(location, &ops, &count) != 0 || count == 0) return VariableRecord::NoAddress::NotDescribed;
  for (std::size_t i = 0; i < count; ++i)
    if (ops[i].atom == DW_OP_form_tls_address || ops[i].atom == DW_OP_GNU_push_tls_address)
      return VariableRecord::NoAddress::ThreadLocal;
  if (count != 1) return VariableRecord::NoAddress::NotDescribed;  // not a static object's location
  switch (ops[0].atom) {
    case DW_OP_addr:
      address = ops[0].number;
      return VariableRecord::NoAddress::None;
    case DW_OP_addrx: case DW_OP_GNU_addr_index: {
      Dwarf_Attribute entry;
      Dwarf_Addr value = 0;
      if (dwarf_getlocation_attr(location, &ops[0], &entry) != 0 || dwarf_formaddr(&entry, &value) != 0)
        return VariableRecord::NoAddress::NotDescribed;
      address = value;
      return VariableRecord::NoAddress::None;
    }
    default: return VariableRecord::NoAddress::NotDescribed;
  }
}

}  // namespace

// What a variable's DIE says: its type and address, or why it has none. nullopt when the DIE is
// no variable (a type of that name).
std::optional<VariableRecord> Module::variable_at(const DieId& id) const {
  Dwarf_Die die;
  if (!die_at(id, &die)) return std::nullopt;
  const int tag = dwarf_tag(&die);
  if (tag != DW_TAG_variable && tag != DW_TAG_member) return std::nullopt;
  VariableRecord record;
  if (Dwarf_Die type; ref(&die, DW_AT_type, &type)) record.type = id_of(this, &type);
  Dwarf_Attribute attr;
  std::uint64_t address = 0;
  if (dwarf_attr(&die, DW_AT_location, &attr) != nullptr) {
    record.no_address = static_location(&attr, address);
    if (record.no_address == VariableRecord::NoAddress::None) record.address = address + bias_;
  } else {
    record.no_address = dwarf_attr_integrate(&die, DW_AT_const_value, &attr) != nullptr
                            ? VariableRecord::NoAddress::Constant
                            : VariableRecord::NoAddress::NotDescribed;
  }
  return record;
}

// Before the name index exists: the variable through a walk of every unit that enters only the
// namespaces and classes on its path (a few DIEs a unit, against the whole tree the index
// reads): what `reflect print ns::g` needs first. nullopt when a unit cannot be read that way,
// the name is not plain identifiers, or no unit defines it with an address: the index decides.
std::optional<VariableRecord> Module::variable_before_index(std::string_view name) const {
  const detail::DebugSections* sections = scanner_input();
  if (sections == nullptr) return std::nullopt;
  const std::vector<std::string_view> path = key_components(name);
  for (std::string_view component : path)
    if (component != "(anonymous namespace)" &&
        (component.empty() || !std::all_of(component.begin(), component.end(), is_identifier_char)))
      return std::nullopt;
  detail::UnitTypes found;
  for (const Unit& unit : units_->units) {
    const detail::UnitHeader* header = header_of(unit);
    if (header == nullptr || !detail::scan_unit_types(*sections, *header, found, &path)) return std::nullopt;
    for (const detail::ScannedType& candidate : found.types)
      if (auto record = variable_at(DieId{this, candidate.offset, false, 0}); record && record->address && record->type)
        return record;
  }
  return std::nullopt;
}

std::optional<VariableRecord> Module::find_variable(std::string_view name, bool build_index) const {
  if (dwarf() == nullptr) return std::nullopt;
  if (!name_index_) {
    if (!units_) build_unit_table();
    if (auto found = variable_before_index(name)) return found;
    if (!build_index) return std::nullopt;
  }
  std::optional<VariableRecord> found;
  for_each_filed(name, [&](const DieId& id) {
    auto record = variable_at(id);
    if (!record) return false;  // a type of that name
    // A definition with its address ends the search; else the most telling one so far.
    if (!found || (found->no_address == VariableRecord::NoAddress::NotDescribed && record->type)) found = record;
    return record->address.has_value();
  });
  return found;
}

}  // namespace reflect::dwarf
