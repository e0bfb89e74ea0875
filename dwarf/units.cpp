// A module's units: the table of them, which one holds an address or a DIE, and each one's
// DIE tree (parents, functions), read lazily so that a lookup reads one unit, not all.
#include "module.hpp"

#include "module_internals.hpp"
#include "name_table.hpp"
#include "scanner.hpp"

#include <reflect/error.hpp>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <tuple>
#include <utility>

namespace reflect::dwarf {

using namespace detail;

namespace {

// The .dwo a skeleton unit names: DW_AT_dwo_name (DWARF 5) or DW_AT_GNU_dwo_name (GCC's
// DWARF 4 extension), under DW_AT_comp_dir when relative.
std::string dwo_path(Dwarf_Die* skeleton) {
  Dwarf_Attribute attr;
  const char* name = nullptr;
  if (dwarf_attr(skeleton, DW_AT_dwo_name, &attr) != nullptr || dwarf_attr(skeleton, DW_AT_GNU_dwo_name, &attr) != nullptr)
    name = dwarf_formstring(&attr);
  if (name == nullptr) return "<unnamed .dwo>";
  if (name[0] == '/') return name;
  const char* dir = nullptr;
  if (dwarf_attr(skeleton, DW_AT_comp_dir, &attr) != nullptr) dir = dwarf_formstring(&attr);
  return dir ? std::string(dir) + "/" + name : name;
}

}  // namespace

void Module::build_unit_table() const {
  units_ = std::make_unique<UnitIndex>();
  Dwarf* dw = dwarf();
  if (dw == nullptr) return;
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  Dwarf_Half version = 0;
  std::uint8_t unit_type = 0;
  Dwarf_Die cu_die, split_die;
  while (dwarf_get_units(dw, cu, &next, &version, &unit_type, &cu_die, nullptr) == 0) {
    cu = next;
    if (version < 5 && unit_type == DW_UT_type) continue;  // .debug_types: another offset space
    Unit unit;
    unit.die_begin = unit.skeleton_die = dwarf_dieoffset(&cu_die);
    unit.has_code = unit_type == DW_UT_compile || unit_type == DW_UT_partial || unit_type == DW_UT_skeleton;
    if (unit_type == DW_UT_skeleton) {
      // Split DWARF: the skeleton holds the code ranges and the line table, its split unit in
      // a .dwo (libdw opens it, looking next to the module and in DW_AT_comp_dir) the DIEs.
      if (dwarf_cu_info(cu, nullptr, nullptr, nullptr, &split_die, nullptr, nullptr, nullptr) == 0 &&
          split_die.cu != nullptr && dwarf_cu_getdwarf(split_die.cu) != nullptr) {
        unit.file = file_of(dwarf_cu_getdwarf(split_die.cu));
        unit.die_begin = dwarf_dieoffset(&split_die);
      } else {
        unit.missing_dwo = dwo_path(&cu_die);
      }
    }
    units_->units.push_back(std::move(unit));
  }
  auto& units = units_->units;
  std::sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) {
    return std::tie(a.file, a.die_begin) < std::tie(b.file, b.die_begin);
  });
  std::uint64_t section_end = UINT64_MAX;
  for (std::size_t i = units.size(); i-- > 0;) {
    if (i + 1 < units.size() && units[i + 1].file != units[i].file) section_end = UINT64_MAX;
    units[i].end = section_end;
    section_end = units[i].die_begin;  // the next unit's header starts before its DIE; close enough for lookup
  }
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> Module::unit_dies() const {
  if (!units_) build_unit_table();
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  for (const Unit& unit : units_->units) out.emplace_back(unit.file, unit.die_begin);
  return out;
}

void Module::check_dwo(const Unit& unit) const {
  if (unit.missing_dwo.empty()) return;
  // libdw 0.188 reads no DWARF package: a .dwp beside the module is worth a word, not a look.
  std::string dwp = path_ + ".dwp";
  std::string package = access(dwp.c_str(), F_OK) == 0
                            ? " (" + dwp + " is a DWARF package, which this libdw cannot read)"
                            : std::string();
  throw Error("reflect: " + path_ + " was built with split DWARF (-gsplit-dwarf) and its debug info is in " +
              unit.missing_dwo + ", which is missing" + package + "; keep the .dwo files where the build left " +
              "them (or next to the program), or rebuild without -gsplit-dwarf to have the debug info in the binary");
}

const Module::Unit* Module::unit_containing_pc(std::uint64_t pc) const {
  if (!units_) build_unit_table();
  auto& units = units_->units;
  // A unit's own ranges, read on first need: a GCC unit lists a range per function section,
  // and the name index, which also needs the table, needs no code addresses.
  auto covers = [&](Unit& unit) {
    if (!unit.pc_ranges_read) {
      unit.pc_ranges_read = true;
      Dwarf_Die cu_die;
      if (!unit.has_code || dwarf_offdie(dwarf(), unit.skeleton_die, &cu_die) == nullptr) return false;
      Dwarf_Addr base = 0, start = 0, end = 0;
      ptrdiff_t offset = 0;
      while ((offset = dwarf_ranges(&cu_die, offset, &base, &start, &end)) > 0)
        if (end > start) unit.pc_ranges.emplace_back(start, end);
    }
    for (auto [low, high] : unit.pc_ranges)
      if (pc >= low && pc < high) return true;
    return false;
  };
  // .debug_aranges where the compiler wrote it (GCC does) names the unit in one pass over its
  // bytes; the unit's own ranges confirm it.
  if (const detail::DebugSections* sections = scanner_input(); sections != nullptr && !sections->aranges.empty())
    if (auto header_offset = detail::arange_unit_at(sections->aranges, pc)) {
      const auto& headers = units_->headers;  // sorted by die_begin, so by offset too
      auto header = std::lower_bound(headers.begin(), headers.end(), *header_offset,
                                     [](const detail::UnitHeader& h, std::uint64_t at) { return h.offset < at; });
      if (header != headers.end() && header->offset == *header_offset)
        for (Unit& unit : units)
          if (unit.skeleton_die == header->die_begin && covers(unit)) return &unit;
    }
  // Else every unit in turn (clang writes no .debug_aranges unless asked).
  for (Unit& unit : units)
    if (covers(unit)) return &unit;
  return nullptr;
}

std::optional<std::uint64_t> Module::unit_die_containing_pc(std::uint64_t pc) const {
  const Unit* unit = unit_containing_pc(pc);
  if (unit == nullptr) return std::nullopt;
  return unit->skeleton_die;
}

const Module::Unit* Module::unit_of(const DieId& id) const {
  if (!units_) build_unit_table();
  auto& units = units_->units;
  auto it = std::upper_bound(units.begin(), units.end(), std::make_pair(id.file, id.offset),
                             [](const std::pair<std::uint32_t, std::uint64_t>& at, const Unit& u) {
                               return at < std::make_pair(u.file, u.die_begin);
                             });
  if (it == units.begin() || std::prev(it)->file != id.file) return nullptr;
  return &*std::prev(it);
}

const detail::DebugSections* Module::scanner_input() const {
  if (!units_) build_unit_table();
  if (!units_->scanner_input_read) {
    units_->scanner_input_read = true;
    if (dwarf() != nullptr) units_->sections = detail::debug_sections(dwarf());
    if (units_->sections) {
      units_->headers = detail::unit_headers(dwarf());
      std::sort(units_->headers.begin(), units_->headers.end(),
                [](const detail::UnitHeader& a, const detail::UnitHeader& b) { return a.die_begin < b.die_begin; });
      for (std::size_t i = 0; i < units_->units.size(); ++i)
        if (const detail::UnitHeader* header = header_of(units_->units[i]))
          units_->unit_by_header.emplace(header->offset, i);
      units_->name_tables = detail::name_tables(units_->sections->names);
    }
  }
  return units_->sections ? &*units_->sections : nullptr;
}

const detail::UnitHeader* Module::header_of(const Unit& unit) const {
  if (unit.file != 0 || scanner_input() == nullptr) return nullptr;  // split units: .dwo files
  const auto& headers = units_->headers;
  auto it = std::lower_bound(headers.begin(), headers.end(), unit.die_begin,
                             [](const detail::UnitHeader& h, std::uint64_t at) { return h.die_begin < at; });
  return it != headers.end() && it->die_begin == unit.die_begin ? &*it : nullptr;
}

// A unit's tree with libdw: the reference scan_unit_tree() is tested against, and its fallback.
void Module::walk_unit_tree(const Unit& unit, detail::UnitTree& out) const {
  out.parents.clear();
  out.subprograms.clear();
  Dwarf_Die root;
  if (dwarf_offdie(dwarf_of(unit.file), unit.die_begin, &root) == nullptr) return;
  struct Frame {
    Dwarf_Die die;
    std::uint64_t offset;
  };
  std::vector<Frame> stack;
  Dwarf_Die child;
  if (dwarf_child(&root, &child) != 0) return;
  stack.push_back({child, unit.die_begin});
  while (!stack.empty()) {
    Frame& top = stack.back();
    Dwarf_Die die = top.die;
    std::uint64_t parent = top.offset;
    std::uint64_t offset = dwarf_dieoffset(&die);
    out.parents.emplace_back(offset, parent);
    if (dwarf_tag(&die) == DW_TAG_subprogram) out.subprograms.push_back(offset);
    Dwarf_Die sibling;
    bool has_sibling = dwarf_siblingof(&die, &sibling) == 0;
    if (has_sibling) top.die = sibling; else stack.pop_back();
    if (dwarf_haschildren(&die) && dwarf_child(&die, &child) == 0) stack.push_back({child, offset});
  }
  std::sort(out.parents.begin(), out.parents.end());
  std::sort(out.subprograms.begin(), out.subprograms.end());
}

// One pass over a unit's DIE tree: each DIE's parent (for qualified names) and its functions
// (for anchors). By the DIE scanner where it can; libdw otherwise.
void Module::scan_unit(const Unit& unit) const {
  if (unit.scanned) return;
  unit.scanned = true;
  detail::UnitTree tree;
  const detail::UnitHeader* header = header_of(unit);
  if (header == nullptr || !detail::scan_unit_tree(*scanner_input(), *header, tree)) walk_unit_tree(unit, tree);
  unit.parents = std::move(tree.parents);
  unit.subprograms = std::move(tree.subprograms);
}

// The entry addresses of a unit's functions: read on first need (anchors), not with the tree,
// which a type's scope needs too; a unit can hold thousands of functions.
void Module::read_entries(const Unit& unit) const {
  if (unit.entries_read) return;
  unit.entries_read = true;
  scan_unit(unit);
  Dwarf* dw = dwarf_of(unit.file);
  for (std::uint64_t offset : unit.subprograms) {
    Dwarf_Die die;
    if (dwarf_offdie(dw, offset, &die) == nullptr) continue;
    Dwarf_Addr entry = 0;
    if (dwarf_entrypc(&die, &entry) == 0 || dwarf_lowpc(&die, &entry) == 0) {
      unit.entries.emplace_back(entry, offset);
    } else {
      // A function split into hot and cold parts (GCC -O2) has DW_AT_ranges and no low_pc:
      // its entry is the start of one of its ranges.
      Dwarf_Addr base = 0, start = 0, end = 0;
      for (ptrdiff_t at = 0; (at = dwarf_ranges(&die, at, &base, &start, &end)) > 0;)
        unit.entries.emplace_back(start, offset);
    }
  }
  std::sort(unit.entries.begin(), unit.entries.end());
}

Module::TreeComparison Module::compare_unit_trees() const {
  TreeComparison out;
  if (dwarf() == nullptr) return out;
  if (!units_) build_unit_table();
  detail::UnitTree scanned, walked;
  for (const Unit& unit : units_->units) {
    const detail::UnitHeader* header = header_of(unit);
    if (header == nullptr || !detail::scan_unit_tree(*scanner_input(), *header, scanned)) {
      ++out.refused;
      continue;
    }
    walk_unit_tree(unit, walked);
    bool same = scanned.parents == walked.parents && scanned.subprograms == walked.subprograms;
    ++(same ? out.same : out.different);
  }
  return out;
}

std::uint64_t Module::parent_of(const Unit& unit, std::uint64_t die_offset) const {
  scan_unit(unit);
  auto it = std::lower_bound(unit.parents.begin(), unit.parents.end(), std::make_pair(die_offset, std::uint64_t{0}));
  if (it == unit.parents.end() || it->first != die_offset) return unit.die_begin;
  return it->second;
}

std::optional<detail::DebugSections> detail::debug_sections(Dwarf* dw) {
  Elf* elf = dwarf_getelf(dw);
  std::size_t names = 0;
  GElf_Ehdr ehdr;
  if (elf == nullptr || gelf_getehdr(elf, &ehdr) == nullptr || ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
      elf_getshdrstrndx(elf, &names) != 0)
    return std::nullopt;
  detail::DebugSections sections;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* name = elf_strptr(elf, names, shdr.sh_name);
    if (name == nullptr) continue;
    std::string_view section_name = name;
    std::string_view* out = section_name == ".debug_info"          ? &sections.info
                            : section_name == ".debug_abbrev"      ? &sections.abbrev
                            : section_name == ".debug_str"         ? &sections.str
                            : section_name == ".debug_line_str"    ? &sections.line_str
                            : section_name == ".debug_str_offsets" ? &sections.str_offsets
                            : section_name == ".debug_aranges"     ? &sections.aranges
                            : section_name == ".debug_names"       ? &sections.names
                            : section_name == ".gdb_index"         ? &sections.gdb_index
                                                                   : nullptr;
    if (section_name.starts_with(".zdebug")) return std::nullopt;
    if (out == nullptr) continue;
    if ((shdr.sh_flags & SHF_COMPRESSED) != 0 || shdr.sh_type == SHT_NOBITS) return std::nullopt;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) return std::nullopt;
    *out = std::string_view(static_cast<const char*>(data->d_buf), data->d_size);
  }
  if (sections.info.empty() || sections.abbrev.empty()) return std::nullopt;
  // libdwfl maps the file privately and, but for relocatable files, never writes to it. (Whether
  // the bytes are in such a mapping is for the caller to check: in_file_mapping() reads
  // /proc/self/maps.)
  sections.releasable = ehdr.e_type != ET_REL;
  return sections;
}

std::vector<detail::UnitHeader> detail::unit_headers(Dwarf* dw) {
  std::vector<UnitHeader> headers;
  Dwarf_Off offset = 0, next = 0;
  std::size_t header_size = 0;
  Dwarf_Half version = 0;
  Dwarf_Off abbrev_offset = 0;
  std::uint8_t address_size = 0, offset_size = 0;
  while (dwarf_next_unit(dw, offset, &next, &header_size, &version, &abbrev_offset, &address_size, &offset_size,
                         nullptr, nullptr) == 0) {
    headers.push_back({offset, offset + header_size, next, abbrev_offset, version, address_size, offset_size});
    offset = next;
  }
  return headers;
}

}  // namespace reflect::dwarf
