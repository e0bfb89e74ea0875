#include "scanner.hpp"

#include "bytes.hpp"

#include <dwarf.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

namespace reflect::dwarf::detail {

namespace {

// What an attribute means to the index; every other attribute is only skipped.
enum class Role : std::uint8_t { None, Sibling, Name, Declaration, Specification, StrOffsetsBase };

// An abbreviation compiled once: a run of fixed-size attributes is one Skip; an attribute
// whose size depends on its bytes, or whose value the index reads, is one Form step.
struct Step {
  enum Kind : std::uint8_t { Skip, Form } kind;
  Role role;
  std::uint16_t form;
  std::uint32_t size;  // Skip: bytes; Form: fixed_size() of the form (variable_size if it has none)
};

constexpr std::uint32_t variable_size = UINT32_MAX;

enum class Kind : std::uint8_t {
  Other,      // skipped with its subtree
  Namespace,  // walked into
  Class,      // struct, class, union: indexed unless a declaration, walked into
  Enum,       // indexed unless a declaration
  Base,       // indexed
  Typedef,    // indexed
  Variable,   // indexed: a global (a declaration or a definition), a static data member (DWARF 5)
  Member,     // indexed if a declaration: a static data member (DWARF 4); else skipped
};

struct Abbrev {
  bool defined = false;
  bool has_children = false;
  // libdw looks the name or declaration flag up through DW_AT_specification or
  // DW_AT_abstract_origin when the DIE lacks it; the scanner leaves such units to libdw.
  bool needs_libdw = false;
  bool is_subprogram = false;
  Kind kind = Kind::Other;
  std::uint32_t steps_begin = 0;
  std::uint32_t steps_end = 0;
};

struct AbbrevTable {
  std::vector<Abbrev> by_code;  // dense: compilers number abbreviations 1, 2, 3...
  std::vector<Step> steps;
};

constexpr std::uint64_t max_abbrev_code = 1u << 16;

// Bytes a form takes in a DIE when that does not depend on the bytes; -1 otherwise, -2 for a
// form the scanner does not know.
int fixed_size(unsigned form, const UnitHeader& unit) {
  switch (form) {
    case DW_FORM_flag_present: case DW_FORM_implicit_const: return 0;
    case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1: case DW_FORM_addrx1: return 1;
    case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2: return 2;
    case DW_FORM_strx3: case DW_FORM_addrx3: return 3;
    case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4: case DW_FORM_addrx4: case DW_FORM_ref_sup4: return 4;
    case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8: return 8;
    case DW_FORM_data16: return 16;
    case DW_FORM_addr: return unit.address_size;
    case DW_FORM_ref_addr: return unit.version <= 2 ? unit.address_size : unit.offset_size;
    case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset: case DW_FORM_strp_sup:
    case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
      return unit.offset_size;
    case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
    case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
    case DW_FORM_string: case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
    case DW_FORM_exprloc: case DW_FORM_indirect:
      return -1;
    default: return -2;
  }
}

Kind kind_of(std::uint64_t tag) {
  switch (tag) {
    case DW_TAG_namespace: return Kind::Namespace;
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type: return Kind::Class;
    case DW_TAG_enumeration_type: return Kind::Enum;
    case DW_TAG_base_type: return Kind::Base;
    case DW_TAG_typedef: return Kind::Typedef;
    case DW_TAG_variable: return Kind::Variable;
    case DW_TAG_member: return Kind::Member;
    default: return Kind::Other;
  }
}

bool is_unit_tag(std::uint64_t tag) {
  return tag == DW_TAG_compile_unit || tag == DW_TAG_partial_unit || tag == DW_TAG_type_unit ||
         tag == DW_TAG_skeleton_unit;
}

bool parse_abbrevs(const DebugSections& sections, const UnitHeader& unit, AbbrevTable& table) {
  table.by_code.clear();
  table.steps.clear();
  if (unit.abbrev_offset >= sections.abbrev.size()) return false;
  auto* p = reinterpret_cast<const Byte*>(sections.abbrev.data()) + unit.abbrev_offset;
  auto* end = reinterpret_cast<const Byte*>(sections.abbrev.data()) + sections.abbrev.size();
  for (;;) {
    std::uint64_t code = 0, tag = 0;
    if (!read_uleb(p, end, code)) return false;
    if (code == 0) return true;
    if (code >= max_abbrev_code || !read_uleb(p, end, tag) || p >= end) return false;
    if (code >= table.by_code.size()) table.by_code.resize(code + 1);
    Abbrev& abbrev = table.by_code[code];
    if (abbrev.defined) return false;  // a duplicate code: let libdw decide what it means
    abbrev.defined = true;
    abbrev.kind = kind_of(tag);
    abbrev.is_subprogram = tag == DW_TAG_subprogram;
    abbrev.has_children = *p++ != 0;
    abbrev.steps_begin = static_cast<std::uint32_t>(table.steps.size());
    bool indexed = abbrev.kind != Kind::Other;
    bool has_name = false, has_declaration = false, has_sibling = false, has_origin = false, has_specification = false;
    for (;;) {
      std::uint64_t name = 0, form = 0;
      if (!read_uleb(p, end, name) || !read_uleb(p, end, form) || form > 0xffff) return false;
      if (name == 0 && form == 0) break;
      if (form == DW_FORM_implicit_const && !skip_leb(p, end)) return false;
      Role role = Role::None;
      if (name == DW_AT_sibling && !has_sibling) {
        has_sibling = true;
        role = Role::Sibling;
      } else if (indexed && name == DW_AT_name && !has_name) {
        has_name = true;
        role = Role::Name;
      } else if (name == DW_AT_declaration && !has_declaration) {
        has_declaration = true;
        role = abbrev.kind != Kind::Base && abbrev.kind != Kind::Typedef && abbrev.kind != Kind::Namespace &&
                       abbrev.kind != Kind::Other
                   ? Role::Declaration
                   : Role::None;
      } else if (name == DW_AT_specification || name == DW_AT_abstract_origin) {
        has_origin = true;
        if (name == DW_AT_specification && abbrev.kind == Kind::Variable && !has_specification) {
          has_specification = true;
          role = Role::Specification;
        }
      } else if (name == DW_AT_str_offsets_base && is_unit_tag(tag)) {
        role = Role::StrOffsetsBase;
      }
      int size = fixed_size(static_cast<unsigned>(form), unit);
      if (size == -2) return false;
      if (size >= 0 && role == Role::None) {
        if (!table.steps.empty() && table.steps.size() > abbrev.steps_begin && table.steps.back().kind == Step::Skip)
          table.steps.back().size += static_cast<std::uint32_t>(size);
        else if (size > 0)
          table.steps.push_back({Step::Skip, Role::None, 0, static_cast<std::uint32_t>(size)});
      } else {
        table.steps.push_back({Step::Form, role, static_cast<std::uint16_t>(form),
                               size >= 0 ? static_cast<std::uint32_t>(size) : variable_size});
      }
    }
    bool needs_declaration = abbrev.kind == Kind::Class || abbrev.kind == Kind::Enum;
    // (A variable without a name of its own is filed by the scanner's own rule: see scan_unit_types.)
    bool is_type = indexed && abbrev.kind != Kind::Variable && abbrev.kind != Kind::Member;
    abbrev.needs_libdw = is_type && has_origin && (!has_name || (needs_declaration && !has_declaration));
    abbrev.steps_end = static_cast<std::uint32_t>(table.steps.size());
  }
}

// The attributes of one DIE the index reads.
struct DieFacts {
  bool has_sibling = false;
  bool declaration = false;
  bool has_str_offsets_base = false;
  std::uint64_t specification = 0;  // offset in .debug_info; 0: none the scanner can follow
  std::uint64_t sibling = 0;  // unit-relative
  std::uint64_t str_offsets_base = 0;
  std::string_view name;
};

struct UnitContext {
  const DebugSections& sections;
  const UnitHeader& unit;
  const Byte* unit_end;
  std::uint64_t str_offsets_base;
  bool has_str_offsets_base;
};

bool string_by_index(const UnitContext& ctx, std::uint64_t index, std::string_view& out) {
  if (!ctx.has_str_offsets_base || ctx.str_offsets_base > ctx.sections.str_offsets.size()) return false;
  std::uint64_t size = ctx.unit.offset_size;
  std::uint64_t at = ctx.str_offsets_base + index * size;
  if (index > ctx.sections.str_offsets.size() / size || at + size > ctx.sections.str_offsets.size()) return false;
  return string_at(ctx.sections.str, read_le(reinterpret_cast<const Byte*>(ctx.sections.str_offsets.data()) + at,
                                             static_cast<unsigned>(size)),
                   out);
}

// Reads or skips one attribute whose form needs looking at. false: malformed, or a value
// libdw would read differently from what the scanner can see (the caller gives up the unit).
// `known_size` is the form's fixed_size() as the abbreviation's plan has it.
bool read_form(const Byte*& p, unsigned form, std::uint32_t known_size, Role role, const UnitContext& ctx,
               DieFacts& facts) {
  const Byte* end = ctx.unit_end;
  int size = known_size == variable_size ? -1 : static_cast<int>(known_size);
  if (form == DW_FORM_indirect) {
    std::uint64_t actual = 0;
    if (!read_uleb(p, end, actual) || actual == DW_FORM_indirect || actual == DW_FORM_implicit_const ||
        actual > 0xffff)
      return false;
    form = static_cast<unsigned>(actual);
    size = fixed_size(form, ctx.unit);
    if (size == -2) return false;
  }
  std::uint64_t value = 0;
  if (size >= 0) {
    if (end - p < size) return false;
    if (size <= 8) value = read_le(p, static_cast<unsigned>(size));
    p += size;
  } else {
    switch (form) {
      case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx: case DW_FORM_loclistx:
      case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
        if (!read_uleb(p, end, value)) return false;
        break;
      case DW_FORM_sdata:
        if (!skip_leb(p, end)) return false;
        break;
      case DW_FORM_string: {
        // Names in DIEs are short: a loop beats a call to memchr.
        const Byte* after = p;
        while (after < end && *after != 0) ++after;
        if (after == end) return false;
        if (role == Role::Name)
          facts.name = std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(after - p));
        p = after + 1;
        break;
      }
      case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block: case DW_FORM_exprloc: {
        unsigned width = form == DW_FORM_block1 ? 1 : form == DW_FORM_block2 ? 2 : form == DW_FORM_block4 ? 4 : 0;
        std::uint64_t length = 0;
        if (width == 0) {
          if (!read_uleb(p, end, length)) return false;
        } else {
          if (end - p < width) return false;
          length = read_le(p, width);
          p += width;
        }
        if (length > static_cast<std::uint64_t>(end - p)) return false;
        p += length;
        break;
      }
      default: return false;
    }
  }
  switch (role) {
    case Role::None: return true;
    case Role::Sibling:
      // libdw follows only unit-relative references here (dwarf_siblingof).
      if (form != DW_FORM_ref1 && form != DW_FORM_ref2 && form != DW_FORM_ref4 && form != DW_FORM_ref8 &&
          form != DW_FORM_ref_udata)
        return false;
      facts.has_sibling = true;
      facts.sibling = value;
      return true;
    case Role::StrOffsetsBase:
      if (form != DW_FORM_sec_offset && form != DW_FORM_data4 && form != DW_FORM_data8 && form != DW_FORM_udata)
        return false;
      facts.has_str_offsets_base = true;
      facts.str_offsets_base = value;
      return true;
    case Role::Specification:
      // A reference elsewhere (another unit, a supplementary file) is not followed: such a
      // definition is not filed (nor by libdw's walk, which applies the same rule).
      if (form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 || form == DW_FORM_ref8 ||
          form == DW_FORM_ref_udata)
        facts.specification = ctx.unit.offset + value;
      return true;
    case Role::Declaration:
      // dwarf_formflag: any other form reads as "not a declaration".
      facts.declaration = form == DW_FORM_flag_present || (form == DW_FORM_flag && value != 0);
      return true;
    case Role::Name:
      switch (form) {
        case DW_FORM_string: return true;
        case DW_FORM_strp: return string_at(ctx.sections.str, value, facts.name);
        case DW_FORM_line_strp: return string_at(ctx.sections.line_str, value, facts.name);
        case DW_FORM_strx: case DW_FORM_strx1: case DW_FORM_strx2: case DW_FORM_strx3: case DW_FORM_strx4:
          return string_by_index(ctx, value, facts.name);
        default: return false;  // names in a supplementary file (dwz), split DWARF: libdw's job
      }
  }
  return false;
}

// Reads a DIE's attributes from just after its code; `p` ends after them.
inline bool read_die(const Byte*& p, const Abbrev& abbrev, const AbbrevTable& table, const UnitContext& ctx,
                     DieFacts& facts) {
  facts = DieFacts{};
  for (std::uint32_t i = abbrev.steps_begin; i < abbrev.steps_end; ++i) {
    const Step& step = table.steps[i];
    if (step.kind == Step::Skip) {
      if (static_cast<std::uint64_t>(ctx.unit_end - p) < step.size) return false;
      p += step.size;
    } else if (!read_form(p, step.form, step.size, step.role, ctx, facts)) {
      return false;
    }
  }
  return true;
}

// A unit opened for reading: its abbreviations compiled, its unit DIE read.
struct OpenUnit {
  const Byte* info;
  const Byte* unit_start;
  const Byte* unit_end;
  const Byte* children;  // the unit DIE's first child; nullptr when it has none
  const AbbrevTable& table;
  UnitContext ctx;

  bool abbrev_at(const Byte*& p, const Abbrev*& abbrev) const {
    std::uint64_t code = 0;
    if (!read_uleb(p, unit_end, code) || code == 0 || code >= table.by_code.size()) return false;
    abbrev = &table.by_code[code];
    return abbrev->defined;
  }
};

std::optional<OpenUnit> open_unit(const DebugSections& sections, const UnitHeader& unit) {
  if constexpr (std::endian::native != std::endian::little) return std::nullopt;
  if (unit.offset_size != 4 || unit.version < 2 || unit.version > 5 ||
      (unit.address_size != 4 && unit.address_size != 8))
    return std::nullopt;  // 64-bit DWARF and the like: libdw's job
  if (unit.end > sections.info.size() || unit.die_begin >= unit.end || unit.offset >= unit.die_begin)
    return std::nullopt;

  thread_local AbbrevTable table;
  if (!parse_abbrevs(sections, unit, table)) return std::nullopt;

  auto* info = reinterpret_cast<const Byte*>(sections.info.data());
  OpenUnit open{info, info + unit.offset, info + unit.end, nullptr, table, {sections, unit, info + unit.end, 0, false}};
  // The unit DIE, for DW_AT_str_offsets_base.
  const Byte* p = info + unit.die_begin;
  const Abbrev* abbrev = nullptr;
  DieFacts facts;
  if (!open.abbrev_at(p, abbrev) || !read_die(p, *abbrev, table, open.ctx, facts)) return std::nullopt;
  open.ctx.has_str_offsets_base = facts.has_str_offsets_base;
  open.ctx.str_offsets_base = facts.str_offsets_base;
  if (abbrev->has_children) open.children = p;
  return open;
}

}  // namespace

std::optional<std::uint64_t> arange_unit_at(std::string_view aranges, std::uint64_t address) {
  if constexpr (std::endian::native != std::endian::little) return std::nullopt;
  auto* begin = reinterpret_cast<const Byte*>(aranges.data());
  const Byte* end = begin + aranges.size();
  for (const Byte* set = begin; end - set >= 4;) {
    std::uint64_t length = read_le(set, 4);
    if (length >= 0xfffffff0) return std::nullopt;  // 64-bit DWARF or reserved
    const Byte* set_end = set + 4 + length;
    // version (2), unit offset (4), address size (1), segment selector size (1)
    if (length < 8 || length > static_cast<std::uint64_t>(end - set - 4)) return std::nullopt;
    std::uint64_t unit = read_le(set + 6, 4);
    unsigned address_size = set[10];
    if (read_le(set + 4, 2) != 2 || set[11] != 0 || (address_size != 4 && address_size != 8)) return std::nullopt;
    // The tuples start at a multiple of twice the address size from the set's start.
    std::size_t tuple = 2 * address_size;
    const Byte* p = set + (12 + tuple - 1) / tuple * tuple;
    for (; set_end - p >= static_cast<std::ptrdiff_t>(tuple); p += tuple) {
      std::uint64_t start = read_le(p, address_size);
      std::uint64_t size = read_le(p + address_size, address_size);
      if (start == 0 && size == 0) break;
      // GNU ld leaves a function it discarded (a duplicate template instance) at address 0.
      if (start != 0 && address >= start && address - start < size) return unit;
    }
    set = set_end;
  }
  return std::nullopt;
}

bool scan_unit_tree(const DebugSections& sections, const UnitHeader& unit, UnitTree& out) {
  out.parents.clear();
  out.subprograms.clear();
  auto open = open_unit(sections, unit);
  if (!open) return false;
  if (open->children == nullptr) return true;
  std::vector<std::uint64_t> parents{unit.die_begin};
  DieFacts facts;
  const Abbrev* abbrev = nullptr;
  for (const Byte* p = open->children;;) {
    if (p >= open->unit_end) return false;
    if (*p == 0) {  // the end of the current parent's children
      ++p;
      parents.pop_back();
      if (parents.empty()) return true;
      continue;
    }
    auto offset = static_cast<std::uint64_t>(p - open->info);
    if (!open->abbrev_at(p, abbrev) || !read_die(p, *abbrev, open->table, open->ctx, facts)) return false;
    out.parents.emplace_back(offset, parents.back());
    if (abbrev->is_subprogram) out.subprograms.push_back(offset);
    if (abbrev->has_children) parents.push_back(offset);
  }
}

bool scan_unit_types(const DebugSections& sections, const UnitHeader& unit, UnitTypes& out) {
  out.clear();
  auto open = open_unit(sections, unit);
  if (!open) return false;
  if (open->children == nullptr) return true;
  const AbbrevTable& table = open->table;
  const UnitContext& ctx = open->ctx;
  const Byte* info = open->info;
  const Byte* unit_start = open->unit_start;
  const Byte* unit_end = open->unit_end;
  const std::uint64_t unit_size = unit.end - unit.offset;
  auto abbrev_at = [&](const Byte*& p, const Abbrev*& abbrev) { return open->abbrev_at(p, abbrev); };
  const Byte* p = open->children;
  const Abbrev* abbrev = nullptr;
  DieFacts facts;

  // Where a sibling reference leads; libdw's dwarf_siblingof accepts only forward ones
  // inside the unit.
  auto sibling_of = [&](const Byte* die, const DieFacts& f, const Byte*& next) {
    auto die_offset = static_cast<std::uint64_t>(die - unit_start);
    if (f.sibling <= die_offset || f.sibling >= unit_size) return false;
    next = unit_start + f.sibling;
    return true;
  };

  // Past the children of a DIE whose attributes end at `p`, the way dwarf_siblingof steps:
  // through each child's sibling reference when it has one, else through its children.
  auto skip_children = [&](const Byte*& at) {
    for (std::size_t depth = 1; depth > 0;) {
      if (at >= unit_end) return false;
      if (*at == 0) {
        ++at;
        --depth;
        continue;
      }
      const Byte* die = at;
      const Abbrev* child = nullptr;
      DieFacts child_facts;
      if (!abbrev_at(at, child) || !read_die(at, *child, table, ctx, child_facts)) return false;
      if (child_facts.has_sibling) {
        if (!sibling_of(die, child_facts, at)) return false;
      } else if (child->has_children) {
        ++depth;
      }
    }
    return true;
  };

  // The variable declarations met so far, ascending: a definition comes after the declaration
  // it names.
  thread_local std::vector<ScannedType> declared_variables;
  declared_variables.clear();
  auto variable_declared_at = [&](std::uint64_t offset) -> const ScannedType* {
    auto it = std::lower_bound(declared_variables.begin(), declared_variables.end(), offset,
                               [](const ScannedType& declared, std::uint64_t at) { return declared.offset < at; });
    return it != declared_variables.end() && it->offset == offset ? &*it : nullptr;
  };

  // The walk of namespaces and classes: what Module::walk_unit_types does with libdw.
  struct Level {
    std::uint32_t scope;
    const Byte* next;  // the walked DIE's sibling by reference; nullptr: after its children
  };
  std::vector<Level> levels;
  std::uint32_t scope = no_scope;
  for (;;) {
    if (p >= unit_end) return false;
    if (*p == 0) {  // the end of the current level's DIEs
      ++p;
      if (levels.empty()) return true;
      scope = levels.back().scope;
      if (levels.back().next != nullptr) p = levels.back().next;
      levels.pop_back();
      continue;
    }
    const Byte* die = p;
    if (!abbrev_at(p, abbrev) || !read_die(p, *abbrev, table, ctx, facts)) return false;
    const Byte* next = nullptr;
    if (facts.has_sibling && !sibling_of(die, facts, next)) return false;
    bool descend = false;
    switch (abbrev->kind) {
      case Kind::Other: break;
      case Kind::Namespace: descend = true; break;
      case Kind::Class: case Kind::Enum:
        if (abbrev->needs_libdw) return false;
        if (!facts.declaration)
          out.types.push_back({static_cast<std::uint64_t>(die - info), scope, false, facts.name, false});
        // A type inside an unnamed class has no name to look it up by (and a name table
        // cannot place it: dwarf/name_table.hpp).
        descend = abbrev->kind == Kind::Class && !facts.name.empty();
        break;
      case Kind::Base: case Kind::Typedef:
        if (abbrev->needs_libdw) return false;
        out.types.push_back({static_cast<std::uint64_t>(die - info), scope, abbrev->kind == Kind::Base, facts.name, false});
        break;
      case Kind::Member:
        // A static data member's declaration (DWARF 4), not filed; a data member of each object.
        if (facts.declaration && !facts.name.empty())
          declared_variables.push_back({static_cast<std::uint64_t>(die - info), scope, false, facts.name, false});
        break;
      case Kind::Variable: {
        auto offset = static_cast<std::uint64_t>(die - info);
        if (facts.declaration) {
          if (!facts.name.empty()) declared_variables.push_back({offset, scope, false, facts.name, false});
        } else if (!facts.name.empty()) {
          out.types.push_back({offset, scope, false, facts.name, false});
        } else if (const ScannedType* declaration = variable_declared_at(facts.specification)) {
          out.types.push_back({offset, declaration->scope, false, declaration->name, false});
        }
        break;
      }
    }
    if (descend && abbrev->needs_libdw) return false;
    if (descend && abbrev->has_children) {
      levels.push_back({scope, next});
      out.scopes.push_back({scope, facts.name});
      scope = static_cast<std::uint32_t>(out.scopes.size() - 1);
      continue;
    }
    if (next != nullptr) {
      p = next;
    } else if (abbrev->has_children && !skip_children(p)) {
      return false;
    }
  }
}

}  // namespace reflect::dwarf::detail
