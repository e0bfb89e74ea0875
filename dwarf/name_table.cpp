#include "name_table.hpp"

#include "bytes.hpp"

#include <dwarf.h>

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace reflect::dwarf::detail {

namespace {

// DW_IDX_* (DWARF 5, table 6.1): elfutils 0.188's dwarf.h has none.
constexpr std::uint64_t idx_compile_unit = 1, idx_type_unit = 2, idx_die_offset = 3, idx_parent = 4;

constexpr std::uint64_t max_abbrev_code = 1u << 16;
// Deeper nesting than any program has: a longer chain of parents is a cycle.
constexpr std::size_t max_nesting = 4096;

struct Attribute {
  std::uint64_t index;
  std::uint64_t form;
};

struct EntryAbbrev {
  bool defined = false;
  std::uint64_t tag = 0;
  std::uint32_t begin = 0, end = 0;  // into TableReader::attributes_
  // When every form has a fixed size (LLVM's always do): the entry's size after its code, and
  // where each value the reader uses lies (size 0: not there), so that an entry is read without
  // going through its attributes.
  bool fixed = true;
  bool wanted = false;  // a tag read() decodes: is_filed_tag(tag), or a variable
  std::uint32_t size = 0;
  struct Field {
    std::uint32_t offset = 0, size = 0;
  } compile_unit, type_unit, die, parent;
  bool parent_not_indexed = false;  // DW_IDX_parent is DW_FORM_flag_present
};

struct Entry {
  std::uint64_t tag = 0;
  std::uint64_t compile_unit = UINT64_MAX;  // index into the table's CU list
  std::uint64_t type_unit = UINT64_MAX;     // index into its TU lists
  std::uint64_t die = UINT64_MAX;           // offset from the unit's header
  enum class Parent { Missing, NotIndexed, Indexed } parent = Parent::Missing;
  std::uint64_t parent_entry = 0;  // offset in the entry pool
};

// What the name index files (as the scanner does).
bool is_filed_tag(std::uint64_t tag) {
  switch (tag) {
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
    case DW_TAG_enumeration_type: case DW_TAG_base_type: case DW_TAG_typedef:
      return true;
    default: return false;
  }
}

// What the scanner walks into: a type inside anything else is inside a function.
bool is_scope_tag(std::uint64_t tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
         tag == DW_TAG_union_type;
}

class TableReader {
 public:
  TableReader(std::string_view table, std::string_view str, TableTypes& out)
      : begin_(reinterpret_cast<const Byte*>(table.data())), end_(begin_ + table.size()), str_(str), out_(out) {}

  bool read() {
    out_.clear();
    if (!read_header() || !read_abbrevs()) return false;
    read_names();
    std::vector<std::uint32_t>& unit_of_type = out_.unit_of_type;
    std::vector<bool> unplaced(out_.units.size(), false);
    for (const auto& [entry_offset, name_offset] : names_) {
      // A copy the lambda can capture: clang before 16 cannot capture a structured binding.
      const std::uint64_t string_offset = name_offset;
      std::string_view name;  // read for the first type: most names are functions'
      bool well_formed = for_each_entry(entry_offset, true, [&](const Entry& entry, std::uint64_t this_entry) {
        if (!is_filed_tag(entry.tag) && entry.tag != DW_TAG_variable) return true;
        std::uint32_t unit = 0;
        if (!unit_of(entry, unit) || entry.die == UINT64_MAX) return false;
        if (name.data() == nullptr && !string_at(str_, string_offset, name)) return false;
        std::uint32_t scope = no_scope;
        if (entry.parent == Entry::Parent::Missing) {
          scope = unplaced_scope;
        } else if (entry.parent == Entry::Parent::Indexed) {
          if (entry.parent_entry == this_entry || !scope_of(entry.parent_entry, scope)) return false;
        }
        if (scope == excluded_scope) return true;
        if (entry.tag == DW_TAG_variable) {
          // A table places a static data member's definition where the DIE lies (in the
          // namespace), not in its class, where the index files it (scanner.hpp): the scanner
          // reads a unit with variables outside functions.
          unplaced[unit] = true;
          return true;
        }
        if (scope == unplaced_scope) {
          unplaced[unit] = true;
          return true;
        }
        // A base type is always at the top level; a type whose parent the table does not hold,
        // or whose outermost scope is such a class, may be inside a function or an unnamed class.
        bool is_base = entry.tag == DW_TAG_base_type;
        bool unconfirmed = scope == no_scope ? !is_base : !scope_confirmed_[scope];
        out_.types.types.push_back({out_.units[unit] + entry.die, scope, is_base, name, unconfirmed});
        unit_of_type.push_back(unit);
        return true;
      });
      if (!well_formed) return false;
    }
    // Drop what the caller scans instead: a unit's types come whole from one place.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < out_.types.types.size(); ++i) {
      if (unplaced[unit_of_type[i]]) continue;
      unit_of_type[kept] = unit_of_type[i];
      out_.types.types[kept++] = out_.types.types[i];
    }
    out_.types.types.resize(kept);
    unit_of_type.resize(kept);
    for (std::size_t i = 0; i < unplaced.size(); ++i)
      if (unplaced[i]) out_.unplaced.push_back(out_.units[i]);
    std::sort(out_.unplaced.begin(), out_.unplaced.end());
    return true;
  }

  bool find(std::string_view name, const std::vector<std::string_view>& scope, std::vector<TableEntry>& found) {
    out_.clear();
    if (!read_header() || bucket_count_ == 0) return false;
    std::optional<std::uint64_t> first = entries_of(name);
    if (!first) return true;
    if (!read_abbrevs()) return false;
    return for_each_entry(*first, false, [&](const Entry& entry, std::uint64_t) {
      std::uint32_t unit = 0;
      if (!is_filed_tag(entry.tag)) return true;
      if (!unit_of(entry, unit) || entry.die == UINT64_MAX) return false;
      found.push_back({out_.units[unit], out_.units[unit] + entry.die, entry.tag, placed_in(entry, scope)});
      return true;
    });
  }

 private:
  // Where the entries of `name` start in the pool, through the hash table; nullopt if the
  // table does not list the name.
  std::optional<std::uint64_t> entries_of(std::string_view name) const {
    std::uint32_t hash = case_folding_djb_hash(name);
    std::uint64_t bucket = hash % bucket_count_;
    // Names are 1-based here; those of a bucket are consecutive, with their hashes.
    for (std::uint64_t i = read_le(buckets_ + 4 * bucket, 4); i != 0 && i <= name_count_; ++i) {
      std::uint32_t hash_i = static_cast<std::uint32_t>(read_le(hashes_ + 4 * (i - 1), 4));
      if (hash_i % bucket_count_ != bucket) break;
      std::string_view spelled;
      if (hash_i == hash && string_at(str_, read_le(strings_ + 4 * (i - 1), 4), spelled) && spelled == name)
        return read_le(entry_offsets_ + 4 * (i - 1), 4);  // a name is listed once
    }
    return std::nullopt;
  }

  // Whether the entry's parents, as the table links them, are namespaces and classes spelled
  // `scope` (outermost first), the outermost at the top level.
  bool placed_in(const Entry& entry, const std::vector<std::string_view>& scope) const {
    Entry at = entry;
    for (std::size_t i = scope.size(); i-- > 0;) {
      if (at.parent != Entry::Parent::Indexed) return false;
      std::uint64_t parent = at.parent_entry;
      std::optional<std::uint64_t> first = entries_of(scope[i]);
      if (!first) return false;
      // The parent is one of that name's entries.
      bool found = false;
      bool well_formed = for_each_entry(*first, false, [&](const Entry& candidate, std::uint64_t offset) {
        if (offset == parent) {
          at = candidate;
          found = true;
        }
        return true;
      });
      if (!well_formed || !found || !is_scope_tag(at.tag)) return false;
    }
    return at.parent == Entry::Parent::NotIndexed;
  }

  // DWARF 5's hash of a name (§6.1.1.4.5): Bernstein's, over the name folded to lower case.
  // (LLVM folds non-ASCII letters too: such a name may hash differently here and not be found,
  // which only sends the caller to the full index.)
  static std::uint32_t case_folding_djb_hash(std::string_view name) {
    std::uint32_t hash = 5381;
    for (char c : name) {
      auto byte = static_cast<unsigned char>(c);
      if (byte >= 'A' && byte <= 'Z') byte = static_cast<unsigned char>(byte - 'A' + 'a');
      hash = hash * 33 + byte;
    }
    return hash;
  }

  // Scope indexes scope_of() gives besides out_.types.scopes' own and no_scope (the top level).
  static constexpr std::uint32_t excluded_scope = no_scope - 1;  // inside a function
  static constexpr std::uint32_t unplaced_scope = no_scope - 2;  // somewhere the table does not say

  bool read_header() {
    const Byte* p = begin_;
    if (end_ - p < 36) return false;
    std::uint64_t length = read_le(p, 4);
    if (length >= 0xfffffff0u || length + 4 != static_cast<std::uint64_t>(end_ - begin_)) return false;
    if (read_le(p + 4, 2) != 5) return false;
    std::uint64_t compile_units = read_le(p + 8, 4), local_type_units = read_le(p + 12, 4),
                  foreign_type_units = read_le(p + 16, 4), buckets = read_le(p + 20, 4),
                  name_count = read_le(p + 24, 4), abbrevs_size = read_le(p + 28, 4),
                  augmentation_size = read_le(p + 32, 4);
    // Foreign type units live in .dwo files: the units they describe are not this file's.
    if (foreign_type_units != 0) return false;
    std::uint64_t size = static_cast<std::uint64_t>(end_ - begin_);
    std::uint64_t at = 36 + augmentation_size;
    auto take = [&](std::uint64_t count, std::uint64_t width, const Byte*& where) {
      if (at > size || count > (size - at) / width) return false;
      where = begin_ + at;
      at += count * width;
      return true;
    };
    const Byte *cu_list = nullptr, *tu_list = nullptr;
    if (!take(compile_units, 4, cu_list) || !take(local_type_units, 4, tu_list) || !take(buckets, 4, buckets_) ||
        !take(buckets != 0 ? name_count : 0, 4, hashes_) || !take(name_count, 4, strings_) ||
        !take(name_count, 4, entry_offsets_) || !take(abbrevs_size, 1, abbrevs_))
      return false;
    bucket_count_ = buckets;
    name_count_ = name_count;
    abbrevs_end_ = abbrevs_ + abbrevs_size;
    pool_ = begin_ + at;
    out_.compile_units = compile_units;
    for (std::uint64_t i = 0; i < compile_units; ++i) out_.units.push_back(read_le(cu_list + 4 * i, 4));
    for (std::uint64_t i = 0; i < local_type_units; ++i) out_.units.push_back(read_le(tu_list + 4 * i, 4));
    return true;
  }

  // Every name with where its entries start, by entry offset: a parent's name is the name
  // whose entries hold its entry.
  void read_names() {
    names_.reserve(name_count_);
    for (std::uint64_t i = 0; i < name_count_; ++i)
      names_.emplace_back(read_le(entry_offsets_ + 4 * i, 4), read_le(strings_ + 4 * i, 4));
    if (!std::is_sorted(names_.begin(), names_.end())) std::sort(names_.begin(), names_.end());  // LLVM's are
  }

  bool read_abbrevs() {
    const Byte* p = abbrevs_;
    for (;;) {
      std::uint64_t code = 0, tag = 0;
      if (!read_uleb(p, abbrevs_end_, code)) return false;
      if (code == 0) return true;
      if (code >= max_abbrev_code || !read_uleb(p, abbrevs_end_, tag)) return false;
      if (code >= abbrevs_by_code_.size()) abbrevs_by_code_.resize(code + 1);
      EntryAbbrev& abbrev = abbrevs_by_code_[code];
      if (abbrev.defined) return false;
      abbrev.defined = true;
      abbrev.tag = tag;
      abbrev.wanted = is_filed_tag(tag) || tag == DW_TAG_variable;
      abbrev.begin = static_cast<std::uint32_t>(attributes_.size());
      for (;;) {
        Attribute attribute{};
        if (!read_uleb(p, abbrevs_end_, attribute.index) || !read_uleb(p, abbrevs_end_, attribute.form))
          return false;
        if (attribute.index == 0 && attribute.form == 0) break;
        int size = form_size(attribute.form);
        if (size == unknown_form) return false;
        attributes_.push_back(attribute);
        EntryAbbrev::Field* field = attribute.index == idx_compile_unit ? &abbrev.compile_unit
                                    : attribute.index == idx_type_unit  ? &abbrev.type_unit
                                    : attribute.index == idx_die_offset ? &abbrev.die
                                    : attribute.index == idx_parent     ? &abbrev.parent
                                                                        : nullptr;
        if (size == variable_form || (size == 0 && field != nullptr && field != &abbrev.parent) || size > 8) {
          abbrev.fixed = false;
          continue;
        }
        if (field == &abbrev.parent) abbrev.parent_not_indexed = size == 0;
        if (field != nullptr) *field = {abbrev.size, static_cast<std::uint32_t>(size)};
        abbrev.size += static_cast<std::uint32_t>(size);
      }
      abbrev.end = static_cast<std::uint32_t>(attributes_.size());
    }
  }

  static constexpr int variable_form = -1, unknown_form = -2;
  static int form_size(std::uint64_t form) {
    switch (form) {
      case DW_FORM_flag_present: return 0;
      case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: return 1;
      case DW_FORM_data2: case DW_FORM_ref2: return 2;
      case DW_FORM_data4: case DW_FORM_ref4: return 4;
      case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: return 8;
      case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_sdata: return variable_form;
      default: return unknown_form;
    }
  }

  // Calls visit(entry, its offset in the pool) for each entry of the name whose entries start
  // at `at`, as decode() reads them. false: the pool is malformed, or visit said so.
  template <class Visit> bool for_each_entry(std::uint64_t at, bool types_only, Visit visit) const {
    for (;;) {
      if (at >= static_cast<std::uint64_t>(end_ - pool_)) return false;
      Entry entry;
      const Byte* p = pool_ + at;
      bool ended = false;
      if (!decode(p, entry, ended, types_only)) return false;
      if (ended) return true;
      std::uint64_t offset = at;
      at = static_cast<std::uint64_t>(p - pool_);
      if (!visit(entry, offset)) return false;
    }
  }

  // The entry at `p`, leaving `p` after it; `ended`: it is the 0 that ends a name's entries.
  // With `types_only`, an entry of another tag may be left with only its tag read.
  bool decode(const Byte*& p, Entry& entry, bool& ended, bool types_only = false) const {
    std::uint64_t code = 0;
    if (!read_uleb(p, end_, code)) return false;
    if (code == 0) {
      ended = true;
      return true;
    }
    if (code >= abbrevs_by_code_.size() || !abbrevs_by_code_[code].defined) return false;
    const EntryAbbrev& abbrev = abbrevs_by_code_[code];
    entry.tag = abbrev.tag;
    if (abbrev.fixed) {
      if (static_cast<std::uint64_t>(end_ - p) < abbrev.size) return false;
      if (types_only && !abbrev.wanted) {
        p += abbrev.size;
        return true;
      }
      auto value = [&](const EntryAbbrev::Field& field, std::uint64_t& out) {
        if (field.size != 0) out = read_le(p + field.offset, field.size);
      };
      value(abbrev.compile_unit, entry.compile_unit);
      value(abbrev.type_unit, entry.type_unit);
      value(abbrev.die, entry.die);
      if (abbrev.parent.size != 0) {
        entry.parent = Entry::Parent::Indexed;
        value(abbrev.parent, entry.parent_entry);
      } else if (abbrev.parent_not_indexed) {
        entry.parent = Entry::Parent::NotIndexed;
      }
      p += abbrev.size;
      return true;
    }
    for (std::uint32_t i = abbrev.begin; i < abbrev.end; ++i) {
      const Attribute& attribute = attributes_[i];
      std::uint64_t value = 1;  // DW_FORM_flag_present's
      int size = form_size(attribute.form);
      if (size > 0) {
        if (end_ - p < size) return false;
        value = read_le(p, static_cast<unsigned>(size));
        p += size;
      } else if (size == variable_form) {
        if (!read_uleb(p, end_, value)) return false;
      }
      switch (attribute.index) {
        case idx_compile_unit: entry.compile_unit = value; break;
        case idx_type_unit: entry.type_unit = value; break;
        case idx_die_offset: entry.die = value; break;
        case idx_parent:
          if (attribute.form == DW_FORM_flag_present) {
            entry.parent = Entry::Parent::NotIndexed;
          } else {
            entry.parent = Entry::Parent::Indexed;
            entry.parent_entry = value;
          }
          break;
        default: break;  // DW_IDX_type_hash, GNU flags: nothing the index files
      }
    }
    return true;
  }

  // Which of out_.units the entry's DIE is in.
  bool unit_of(const Entry& entry, std::uint32_t& unit) const {
    std::uint64_t index = entry.type_unit != UINT64_MAX ? out_.compile_units + entry.type_unit
                          : entry.compile_unit != UINT64_MAX ? entry.compile_unit
                          : out_.compile_units == 1 ? 0  // a table of one compile unit may leave it implicit
                                                : UINT64_MAX;
    if (index >= out_.units.size()) return false;
    unit = static_cast<std::uint32_t>(index);
    return true;
  }

  // The scope (in out_.types.scopes) the entry at `at` stands for, with the scopes around it,
  // added on first need; or excluded_scope, unplaced_scope. (A loop, not recursion: a corrupt
  // table can nest its parents as deep as it likes.)
  bool scope_of(std::uint64_t at, std::uint32_t& scope) {
    std::vector<ChainLink>& chain = chain_;
    chain.clear();
    std::uint32_t outer = no_scope;
    for (;;) {
      if (auto known = scopes_by_entry_.find(at); known != scopes_by_entry_.end()) {
        outer = known->second;
        break;
      }
      Entry entry;
      bool ended = false;
      if (at >= static_cast<std::uint64_t>(end_ - pool_)) return false;
      const Byte* p = pool_ + at;
      if (!decode(p, entry, ended) || ended || chain.size() >= max_nesting) return false;
      if (!is_scope_tag(entry.tag)) {
        outer = excluded_scope;
        break;
      }
      chain.push_back({at, entry.tag});
      if (entry.parent != Entry::Parent::Indexed) {
        outer = entry.parent == Entry::Parent::Missing ? unplaced_scope : no_scope;
        break;
      }
      at = entry.parent_entry;
    }
    for (std::size_t i = chain.size(); i-- > 0;) {
      if (outer != excluded_scope && outer != unplaced_scope) {
        std::string_view name;
        if (!name_of_entry(chain[i].at, name)) return false;
        // The scanner's spelling of an anonymous namespace is no name.
        if (chain[i].tag == DW_TAG_namespace && name == "(anonymous namespace)") name = {};
        if (out_.types.scopes.size() >= unplaced_scope) return false;
        // Only a namespace is sure to be where "parent not indexed" puts it, at the top level.
        scope_confirmed_.push_back(outer == no_scope ? chain[i].tag == DW_TAG_namespace : scope_confirmed_[outer]);
        out_.types.scopes.push_back({outer, name});
        outer = static_cast<std::uint32_t>(out_.types.scopes.size() - 1);
      }
      scopes_by_entry_.emplace(chain[i].at, outer);
    }
    scope = outer;
    return true;
  }

  bool name_of_entry(std::uint64_t at, std::string_view& name) const {
    auto it = std::upper_bound(names_.begin(), names_.end(), std::make_pair(at, UINT64_MAX));
    if (it == names_.begin()) return false;
    return string_at(str_, std::prev(it)->second, name);
  }

  const Byte* begin_;
  const Byte* end_;
  std::string_view str_;
  TableTypes& out_;
  const Byte* buckets_ = nullptr;
  const Byte* hashes_ = nullptr;
  const Byte* strings_ = nullptr;
  const Byte* entry_offsets_ = nullptr;
  std::uint64_t bucket_count_ = 0;
  std::uint64_t name_count_ = 0;
  const Byte* abbrevs_ = nullptr;
  const Byte* abbrevs_end_ = nullptr;
  const Byte* pool_ = nullptr;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> names_;  // (entry offset, string offset)
  std::vector<EntryAbbrev> abbrevs_by_code_;
  std::vector<Attribute> attributes_;
  std::unordered_map<std::uint64_t, std::uint32_t> scopes_by_entry_;
  std::vector<bool> scope_confirmed_;  // by index in out_.types.scopes
  struct ChainLink {
    std::uint64_t at;
    std::uint64_t tag;
  };
  std::vector<ChainLink> chain_;
};

}  // namespace

std::vector<std::string_view> name_tables(std::string_view names) {
  std::vector<std::string_view> out;
  auto* p = reinterpret_cast<const Byte*>(names.data());
  std::uint64_t at = 0;
  while (names.size() - at >= 4) {
    std::uint64_t length = read_le(p + at, 4);
    if (length >= 0xfffffff0u || length > names.size() - at - 4) break;
    out.push_back(names.substr(at, length + 4));
    at += length + 4;
  }
  return out;
}

bool read_name_table(std::string_view table, std::string_view str, TableTypes& out) {
  return TableReader(table, str, out).read();
}

bool find_in_name_table(std::string_view table, std::string_view str, std::string_view name,
                        const std::vector<std::string_view>& scope, std::vector<TableEntry>& found) {
  TableTypes units;
  return TableReader(table, str, units).find(name, scope, found);
}

}  // namespace reflect::dwarf::detail
