#pragma once
// What a Module keeps of its units and its name index, and the helpers on them, in one place
// for the several files that implement Module. Internal to dwarf/: reflect/ sees module.hpp.

#include "module.hpp"
#include "scanner.hpp"

#include <dwarf.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reflect::dwarf {

// A compilation (or type) unit: where its DIEs lie, which code it covers, and, once scanned,
// each DIE's parent and its functions (and, once read, their entry points).
struct Module::Unit {
  std::uint32_t file = 0;       // DieId::file of its DIEs: 0, or the .dwo of a split unit
  std::uint64_t die_begin = 0;  // offset of the unit DIE (a split unit's, in its .dwo)
  std::uint64_t end = 0;        // offset of the next unit's header in the same file
  std::uint64_t skeleton_die = 0;  // the unit DIE in the module's own file (where the line table is)
  bool has_code = false;  // a compile, partial or skeleton unit
  std::string missing_dwo;  // a skeleton whose .dwo libdw did not find: the path it names
  bool pc_ranges_read = false;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pc_ranges;  // [low, high), module-relative; once read
  mutable bool scanned = false;
  mutable std::vector<std::pair<std::uint64_t, std::uint64_t>> parents;  // (die, parent), sorted
  mutable std::vector<std::uint64_t> subprograms;  // their DIEs, once scanned
  mutable bool entries_read = false;
  mutable std::vector<std::pair<std::uint64_t, std::uint64_t>> entries;  // (entry pc, subprogram), once read
};

struct Module::UnitIndex {
  std::vector<Unit> units;  // sorted by die_begin
  // For the DIE scanner, read on its first use: the module file's sections, and its units'
  // headers by die_begin (none when the sections are not plain bytes the scanner can read).
  bool scanner_input_read = false;
  std::optional<detail::DebugSections> sections;
  std::vector<detail::UnitHeader> headers;
  std::unordered_map<std::uint64_t, std::size_t> unit_by_header;  // header offset -> index in units
  std::vector<std::string_view> name_tables;  // of .debug_names
};

namespace detail {

// One type definition in the name index. It keeps no key: most keys would need
// normalize_name(), which is most of what building an index costs. It keeps where the key comes
// from (its scope and name, as the DWARF spells them) and the hash of its bucket (hash_bucket()),
// which the index computes for most names without normalizing them. A lookup normalizes only
// the names in the bucket it asks for.
struct IndexEntry {
  std::uint32_t bucket;  // hash_bucket() of its key
  std::uint32_t scope;   // into its part's scopes, or no_scope
  std::uint64_t offset;  // packed_offset() of the DIE
  const char* name;      // NUL-terminated, in the debug sections (a base type's: canonical_base_name())
};

// A namespace or class that holds indexed types.
struct IndexScope {
  const char* name;  // NUL-terminated; nullptr: an anonymous namespace
  std::uint32_t parent;  // into the part's scopes, or no_scope
};

// What one thread filed, sorted by (bucket, DIE).
struct IndexPart {
  std::vector<IndexScope> scopes;
  std::vector<IndexEntry> entries;
};

inline bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A scope's name as its key spells it: an unnamed one is an anonymous namespace.
inline std::string_view scope_spelling(const IndexScope& scope) {
  return scope.name != nullptr ? std::string_view(scope.name) : "(anonymous namespace)";
}
inline std::string_view scope_spelling(const detail::ScannedScope& scope) {
  return scope.name.empty() ? std::string_view("(anonymous namespace)") : scope.name;
}

// "ns::Class::" as the DWARF spells scope `scope` of `scopes` (a part's or a scanned unit's).
// (A bounded loop: a malformed file's parents can loop.)
template <class Scope> std::string spelled_scope(const std::vector<Scope>& scopes, std::uint32_t scope) {
  std::vector<std::uint32_t> chain;
  for (std::uint32_t at = scope; at != no_scope && chain.size() <= scopes.size(); at = scopes[at].parent)
    chain.push_back(at);
  std::string out;
  for (std::size_t i = chain.size(); i-- > 0;) {
    out += scope_spelling(scopes[chain[i]]);
    out += "::";
  }
  return out;
}

// The name index keeps a DIE as one number: its DieId::file above bit 40 (a .debug_info of a
// terabyte is not to be had), its offset below, and on top the mark of an entry a lookup must
// confirm (ScannedType::unconfirmed). Entries stay 24 bytes for the common case.
inline constexpr unsigned file_shift = 40;
inline constexpr std::uint64_t unconfirmed_mark = std::uint64_t(1) << 63;

inline std::uint64_t packed_offset(const DieId& id) {
  if (id.offset >> file_shift != 0 || id.file >= (1u << (63 - file_shift)))
    throw std::length_error("reflect: debug info too large for the name index");
  return id.offset | std::uint64_t(id.file) << file_shift;
}

inline DieId unpacked(const Module* module, std::uint64_t packed) {
  return DieId{module, packed & ((std::uint64_t(1) << file_shift) - 1), false,
               static_cast<std::uint32_t>((packed & ~unconfirmed_mark) >> file_shift)};
}

inline bool is_type_tag(int tag) {
  switch (tag) {
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
    case DW_TAG_enumeration_type:
      return true;
    default: return false;
  }
}

}  // namespace detail

struct Module::NameIndex {
  std::vector<detail::IndexPart> parts;
  std::size_t units_by_table = 0;
  std::size_t units_by_scanner = 0;
  std::size_t units_by_libdw = 0;

  // The packed_offset()s filed under `key` (normalized), ascending: those to confirm last.
  // Remembered (with what Module::for_each_filed() confirms): a bucket can hold thousands of
  // names (every std::vector of the program), each normalized to be compared, and every unit
  // declares the same few types that printing resolves.
  std::vector<std::uint64_t>& find(std::string_view key) const {
    auto [it, added] = found_.try_emplace(std::string(key));
    if (added) it->second = search(key);
    return it->second;
  }

 private:
  mutable std::unordered_map<std::string, std::vector<std::uint64_t>> found_;

  std::vector<std::uint64_t> search(std::string_view key) const;  // (name_index.cpp)
};

}  // namespace reflect::dwarf
