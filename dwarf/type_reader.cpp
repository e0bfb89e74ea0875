// Reading DIEs into records: a type DIE into a TypeRecord (with its scope), and the function
// whose code starts at an address (anchors). Only the unit that holds the DIE is read.
#include "module.hpp"

#include "die.hpp"
#include "module_internals.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace reflect::dwarf {

using namespace detail;

namespace {

Access access_of(Dwarf_Die* die, Access fallback) {
  auto value = udata(die, DW_AT_accessibility);
  if (!value) return fallback;
  switch (*value) {
    case DW_ACCESS_private: return Access::Private;
    case DW_ACCESS_protected: return Access::Protected;
    default: return Access::Public;
  }
}

Expression expression_of(Dwarf_Attribute* attr) {
  Expression expr;
  Dwarf_Op* ops = nullptr;
  std::size_t count = 0;
  if (dwarf_getlocation(attr, &ops, &count) == 0)
    for (std::size_t i = 0; i < count; ++i) expr.ops.push_back({ops[i].atom, ops[i].number, ops[i].number2});
  return expr;
}

// A data member's or base's location: a constant, or an expression that is a constant in
// disguise (DW_OP_plus_uconst N), or a real expression (virtual bases).
std::optional<std::uint64_t> constant_location(Dwarf_Die* die, Expression* expr_out) {
  Dwarf_Attribute attr;
  if (dwarf_attr(die, DW_AT_data_member_location, &attr) == nullptr) return 0;  // unions (GCC)
  Dwarf_Word value = 0;
  switch (dwarf_whatform(&attr)) {
    case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
    case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const:
      if (dwarf_formudata(&attr, &value) == 0) return value;
      return std::nullopt;
    default: break;
  }
  Expression expr = expression_of(&attr);
  if (expr.ops.size() == 1 && expr.ops[0].atom == DW_OP_plus_uconst) return expr.ops[0].number;
  if (expr_out) *expr_out = std::move(expr);
  return std::nullopt;
}

// Whether an enum's values are signed: its underlying type's encoding, through typedefs and cv.
bool enum_is_signed(Dwarf_Die* die) {
  Dwarf_Die type;
  if (!ref(die, DW_AT_type, &type)) {
    auto enc = udata(die, DW_AT_encoding);
    return enc && (*enc == DW_ATE_signed || *enc == DW_ATE_signed_char);
  }
  for (int hops = 0; hops < 16; ++hops) {
    int tag = dwarf_tag(&type);
    if (tag == DW_TAG_base_type) {
      auto enc = udata(&type, DW_AT_encoding);
      return enc && (*enc == DW_ATE_signed || *enc == DW_ATE_signed_char);
    }
    Dwarf_Die next;
    if (!ref(&type, DW_AT_type, &next)) return false;
    type = next;
  }
  return false;
}

std::int64_t enumerator_value(Dwarf_Die* die, bool is_signed) {
  Dwarf_Attribute attr;
  if (dwarf_attr(die, DW_AT_const_value, &attr) == nullptr) return 0;
  int form = dwarf_whatform(&attr);
  if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
    Dwarf_Sword value = 0;
    dwarf_formsdata(&attr, &value);
    return value;
  }
  Dwarf_Word value = 0;
  dwarf_formudata(&attr, &value);
  int bits = form == DW_FORM_data1 ? 8 : form == DW_FORM_data2 ? 16 : form == DW_FORM_data4 ? 32 : 64;
  if (is_signed && bits < 64 && (value >> (bits - 1) & 1)) value |= ~Dwarf_Word(0) << bits;
  return static_cast<std::int64_t>(value);
}

// The file a DIE is declared in, without its directory. (libdw 0.188's dwarf_decl_file takes
// file index 0 to mean "none", but in DWARF 5 it is the primary source file.)
std::string decl_file_name(Dwarf_Die* die) {
  auto index = udata(die, DW_AT_decl_file);
  Dwarf_Die cu;
  Dwarf_Half version = 0;
  if (!index || dwarf_diecu(die, &cu, nullptr, nullptr) == nullptr) return "";
  if (dwarf_cu_info(die->cu, &version, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) != 0 ||
      (version < 5 && *index == 0))
    return "";
  Dwarf_Files* files = nullptr;
  std::size_t count = 0;
  if (dwarf_getsrcfiles(&cu, &files, &count) != 0 || *index >= count) return "";
  const char* path = dwarf_filesrc(files, *index, nullptr, nullptr);
  if (!path) return "";
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

}  // namespace

std::vector<DieId> Module::subprograms_at(std::uint64_t pc) const {
  std::vector<DieId> out;
  const Unit* unit = unit_containing_pc(pc);
  if (unit == nullptr) return out;
  check_dwo(*unit);
  read_entries(*unit);
  auto it = std::lower_bound(unit->entries.begin(), unit->entries.end(), std::make_pair(pc, std::uint64_t{0}));
  for (; it != unit->entries.end() && it->first == pc; ++it) out.push_back(DieId{this, it->second, false, unit->file});
  return out;
}

std::optional<DieId> Module::anchor_type_at(std::uintptr_t address) const {
  if (dwarf() == nullptr) return std::nullopt;
  for (const DieId& id : subprograms_at(address - bias_)) {
    Dwarf_Die fn;
    if (!die_at(id, &fn)) continue;
    for (int hops = 0; hops < 4; ++hops) {
      DieId argument;  // null: void
      bool found = for_each_child(&fn, [&](Dwarf_Die& child) {
        if (dwarf_tag(&child) != DW_TAG_template_type_parameter) return false;
        if (Dwarf_Die type; ref(&child, DW_AT_type, &type)) argument = id_of(this, &type);
        return true;
      });
      if (found) return argument;
      if (!next_origin(&fn)) break;
    }
  }
  return std::nullopt;
}

std::optional<Module::Function> Module::function_at(std::uintptr_t address) const {
  if (dwarf() == nullptr) return std::nullopt;
  for (const DieId& id : subprograms_at(address - bias_)) {
    Dwarf_Die fn;
    if (!die_at(id, &fn)) continue;
    Function function;
    Dwarf_Attribute attr;
    if (dwarf_attr_integrate(&fn, DW_AT_linkage_name, &attr) != nullptr)
      if (const char* linkage = dwarf_formstring(&attr)) function.name = linkage;
    if (function.name.empty()) function.name = name_of(&fn);
    for (int hops = 0; hops < 4; ++hops) {
      const Unit* unit = unit_of(id_of(this, &fn));
      if (unit != nullptr) {
        Dwarf_Die parent;
        std::uint64_t parent_offset = parent_of(*unit, dwarf_dieoffset(&fn));
        if (parent_offset != unit->die_begin && dwarf_offdie(dwarf_of(unit->file), parent_offset, &parent) != nullptr) {
          int tag = dwarf_tag(&parent);
          if (tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type) {
            function.enclosing_class = id_of(this, &parent);
            break;
          }
        }
      }
      if (!next_origin(&fn)) break;
    }
    return function;
  }
  return std::nullopt;
}

std::vector<ScopeRecord> Module::scope_of(const DieId& id) const {
  std::vector<ScopeRecord> scope;
  const Unit* unit = unit_of(id);
  if (unit == nullptr) return scope;
  Dwarf* dw = dwarf_of(unit->file);
  for (std::uint64_t at = parent_of(*unit, id.offset); at != unit->die_begin; at = parent_of(*unit, at)) {
    Dwarf_Die die;
    if (dwarf_offdie(dw, at, &die) == nullptr) break;
    switch (dwarf_tag(&die)) {
      case DW_TAG_namespace: {
        ScopeRecord record{ScopeRecord::Kind::Namespace, name_of(&die)};
        record.is_inline_namespace = flag(&die, DW_AT_export_symbols);
        scope.push_back(std::move(record));
        break;
      }
      case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      case DW_TAG_enumeration_type:
        scope.push_back({ScopeRecord::Kind::Class, name_of(&die)});
        break;
      case DW_TAG_subprogram: {
        // A function's linkage name already holds its full qualification: stop here.
        Dwarf_Attribute attr;
        const char* linkage = nullptr;
        if (dwarf_attr_integrate(&die, DW_AT_linkage_name, &attr) != nullptr) linkage = dwarf_formstring(&attr);
        scope.push_back({ScopeRecord::Kind::Function, linkage ? linkage : name_of(&die)});
        std::reverse(scope.begin(), scope.end());
        if (!linkage) {
          // No linkage name (main, extern "C"): keep the enclosing scopes.
          auto outer = scope_of(DieId{this, at, false, unit->file});
          scope.insert(scope.begin(), outer.begin(), outer.end());
        }
        return scope;
      }
      default: break;  // lexical blocks and the like add nothing to a name
    }
  }
  std::reverse(scope.begin(), scope.end());
  return scope;
}

TypeRecord Module::read_type(const DieId& id) const {
  TypeRecord record;
  Dwarf_Die die;
  if (!die_at(id, &die)) return record;
  Dwarf_Die target;
  if (ref(&die, DW_AT_type, &target)) record.target = id_of(this, &target);
  record.name = name_of(&die);
  record.byte_size = udata(&die, DW_AT_byte_size);
  record.alignment = udata(&die, DW_AT_alignment);
  record.is_declaration = flag(&die, DW_AT_declaration);
  if (!id.in_type_units) record.scope = scope_of(id);
  int tag = dwarf_tag(&die);
  switch (tag) {
    case DW_TAG_base_type: {
      record.tag = Tag::Base;
      switch (udata(&die, DW_AT_encoding).value_or(0)) {
        case DW_ATE_boolean: record.encoding = BaseEncoding::Bool; break;
        case DW_ATE_signed: record.encoding = BaseEncoding::Signed; break;
        case DW_ATE_unsigned: record.encoding = BaseEncoding::Unsigned; break;
        case DW_ATE_signed_char: record.encoding = BaseEncoding::SignedChar; break;
        case DW_ATE_unsigned_char: record.encoding = BaseEncoding::UnsignedChar; break;
        case DW_ATE_float: record.encoding = BaseEncoding::Float; break;
        case DW_ATE_complex_float: record.encoding = BaseEncoding::ComplexFloat; break;
        case DW_ATE_UTF: record.encoding = BaseEncoding::Utf; break;
        default: break;
      }
      break;
    }
    case DW_TAG_unspecified_type: record.tag = Tag::Unspecified; break;
    case DW_TAG_pointer_type: record.tag = Tag::Pointer; break;
    case DW_TAG_reference_type: record.tag = Tag::LValueReference; break;
    case DW_TAG_rvalue_reference_type: record.tag = Tag::RValueReference; break;
    case DW_TAG_ptr_to_member_type: {
      record.tag = Tag::MemberPointer;
      Dwarf_Die cls;
      if (ref(&die, DW_AT_containing_type, &cls)) record.containing_class = id_of(this, &cls);
      break;
    }
    case DW_TAG_typedef: record.tag = Tag::Typedef; break;
    case DW_TAG_const_type: record.tag = Tag::Const; break;
    case DW_TAG_volatile_type: record.tag = Tag::Volatile; break;
    case DW_TAG_restrict_type: case DW_TAG_atomic_type:
      record.tag = Tag::Typedef;  // no name: transparent
      record.name.clear();
      break;
    case DW_TAG_array_type: {
      record.tag = Tag::Array;
      for_each_child(&die, [&](Dwarf_Die& child) {
        if (dwarf_tag(&child) != DW_TAG_subrange_type) return;
        if (auto count = udata(&child, DW_AT_count)) {
          record.array_counts.push_back(*count);
        } else if (Dwarf_Attribute attr; dwarf_attr(&child, DW_AT_upper_bound, &attr) != nullptr) {
          Dwarf_Sword upper = 0;
          std::uint64_t lower = udata(&child, DW_AT_lower_bound).value_or(0);
          if (dwarf_formsdata(&attr, &upper) == 0 && upper >= static_cast<Dwarf_Sword>(lower) - 1)
            record.array_counts.push_back(static_cast<std::uint64_t>(upper) + 1 - lower);
          else
            record.array_counts.push_back(std::nullopt);
        } else {
          record.array_counts.push_back(std::nullopt);
        }
      });
      break;
    }
    case DW_TAG_subroutine_type: {
      record.tag = Tag::Function;
      for_each_child(&die, [&](Dwarf_Die& child) {
        if (dwarf_tag(&child) == DW_TAG_formal_parameter) {
          Dwarf_Die type;
          record.parameters.push_back(ref(&child, DW_AT_type, &type) ? id_of(this, &type) : DieId{});
        } else if (dwarf_tag(&child) == DW_TAG_unspecified_parameters) {
          record.variadic = true;
        }
      });
      break;
    }
    case DW_TAG_enumeration_type: {
      record.tag = Tag::Enum;
      record.is_enum_class = flag(&die, DW_AT_enum_class);
      bool is_signed = enum_is_signed(&die);
      for_each_child(&die, [&](Dwarf_Die& child) {
        if (dwarf_tag(&child) == DW_TAG_enumerator)
          record.enumerators.push_back({name_of(&child), enumerator_value(&child, is_signed)});
      });
      break;
    }
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type: {
      record.tag = tag == DW_TAG_union_type ? Tag::Union : tag == DW_TAG_class_type ? Tag::Class : Tag::Struct;
      // clang describes a closure as an unnamed class, often with no operator() child; GCC as
      // an unnamed struct whose constructors are named "<lambda>" (checked below).
      record.is_closure = record.name.empty() && tag == DW_TAG_class_type;
      Access default_access = tag == DW_TAG_class_type ? Access::Private : Access::Public;
      record.decl_file = decl_file_name(&die);
      int line = 0;
      if (dwarf_decl_line(&die, &line) == 0) record.decl_line = static_cast<std::uint32_t>(line);
      for_each_child(&die, [&](Dwarf_Die& child) {
        switch (dwarf_tag(&child)) {
          case DW_TAG_member: {
            if (flag(&child, DW_AT_external) || flag(&child, DW_AT_declaration)) break;  // static
            MemberRecord member;
            member.name = name_of(&child);
            Dwarf_Die type;
            if (ref(&child, DW_AT_type, &type)) member.type = id_of(this, &type);
            member.access = access_of(&child, default_access);
            member.artificial = flag(&child, DW_AT_artificial);
            std::uint64_t bits = 0;
            auto bit_size = udata(&child, DW_AT_bit_size);
            if (auto data_bit_offset = udata(&child, DW_AT_data_bit_offset)) {
              bits = *data_bit_offset;
            } else {
              bits = constant_location(&child, nullptr).value_or(0) * 8;
              if (auto msb_offset = udata(&child, DW_AT_bit_offset); msb_offset && bit_size) {
                // DWARF 4: counted from the most significant bit of the storage unit.
                std::uint64_t unit_bytes = udata(&child, DW_AT_byte_size).value_or(0);
                if (unit_bytes == 0) unit_bytes = udata(&type, DW_AT_byte_size).value_or(0);
                bits += unit_bytes * 8 - *msb_offset - *bit_size;
              }
            }
            if (bit_size) {
              member.byte_offset = bits / 8;
              member.bit_offset = static_cast<std::uint16_t>(bits % 8);
              member.bit_size = static_cast<std::uint16_t>(*bit_size);
            } else {
              member.byte_offset = bits / 8;
            }
            record.members.push_back(std::move(member));
            break;
          }
          case DW_TAG_inheritance: {
            BaseRecord base;
            Dwarf_Die type;
            if (ref(&child, DW_AT_type, &type)) base.type = id_of(this, &type);
            base.access = access_of(&child, default_access);
            base.is_virtual = udata(&child, DW_AT_virtuality).value_or(DW_VIRTUALITY_none) != DW_VIRTUALITY_none;
            base.byte_offset = constant_location(&child, &base.location);
            record.bases.push_back(std::move(base));
            break;
          }
          case DW_TAG_template_type_parameter: case DW_TAG_template_value_parameter:
          case DW_TAG_GNU_template_parameter_pack: {
            auto read_arg = [&](Dwarf_Die* param) {
              TemplateArgRecord arg;
              arg.name = name_of(param);
              Dwarf_Die type;
              if (ref(param, DW_AT_type, &type)) arg.type = id_of(this, &type);
              arg.is_default = flag(param, DW_AT_default_value);
              Dwarf_Attribute attr;
              if (dwarf_tag(param) == DW_TAG_template_value_parameter &&
                  dwarf_attr(param, DW_AT_const_value, &attr) != nullptr) {
                Dwarf_Sword value = 0;
                Dwarf_Word uvalue = 0;
                if (dwarf_whatform(&attr) == DW_FORM_sdata && dwarf_formsdata(&attr, &value) == 0)
                  arg.value = value;
                else if (dwarf_formudata(&attr, &uvalue) == 0)
                  arg.value = static_cast<std::int64_t>(uvalue);
              }
              return arg;
            };
            if (dwarf_tag(&child) == DW_TAG_GNU_template_parameter_pack) {
              TemplateArgRecord pack;
              pack.name = name_of(&child);
              pack.is_pack = true;
              for_each_child(&child, [&](Dwarf_Die& element) { pack.pack.push_back(read_arg(&element)); });
              record.template_args.push_back(std::move(pack));
            } else {
              record.template_args.push_back(read_arg(&child));
            }
            break;
          }
          case DW_TAG_subprogram: {
            const char* fn = dwarf_diename(&child);
            if (record.name.empty() && fn && (std::strcmp(fn, "operator()") == 0 || std::strcmp(fn, "<lambda>") == 0))
              record.is_closure = true;
            if (fn && fn[0] == '~' && !flag(&child, DW_AT_artificial)) record.has_user_destructor = true;
            // A virtual function's slot: what a pointer to it holds (Itanium: 1 + slot * 8).
            Dwarf_Attribute slot_attr;
            if (fn && dwarf_attr(&child, DW_AT_vtable_elem_location, &slot_attr) != nullptr) {
              const Expression slot = expression_of(&slot_attr);
              if (slot.ops.size() == 1 && slot.ops[0].atom == DW_OP_constu)
                record.virtual_functions.push_back({fn, slot.ops[0].number});
            }
            break;
          }
          default: break;
        }
      });
      break;
    }
    default: record.tag = Tag::Unknown; break;
  }
  return record;
}

}  // namespace reflect::dwarf
