// The name index: every named type of a module filed by a hash of its qualified name, built on
// first need on several threads from the name tables or the DIE scanner, for lookups by name.
#include "module.hpp"

#include "die.hpp"
#include "module_internals.hpp"
#include "name_table.hpp"
#include "names.hpp"
#include "pages.hpp"
#include "scanner.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace reflect::dwarf {

using namespace detail;

namespace {

// The name index files a key under its bucket: the key's "::"-separated components ("::"
// inside brackets does not count), each without its template arguments. "std::vector<int>" and
// "std::vector<S>" share the bucket std, vector; "std::vector<int>::value_type" has std,
// vector, value_type. The index computes it for most names without normalizing them:
// normalize_name() changes template arguments, not the identifiers before them. The bucket's
// hash is built component by component, so the hash of a scope is computed once and extended
// by each name inside it.
constexpr std::uint64_t hash_basis = 0x9e3779b97f4a7c15ull;
std::uint64_t add_component(std::uint64_t hash, std::string_view component) {
  std::uint64_t h = hash ^ (std::hash<std::string_view>()(component) + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2));
  h ^= h >> 33;  // murmur3's finalizer
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}
std::uint32_t fold_hash(std::uint64_t hash) { return static_cast<std::uint32_t>(hash ^ (hash >> 32)); }

// The hash of a key's (normalized) bucket.
std::uint32_t hash_bucket(std::string_view key) {
  std::uint64_t hash = hash_basis;
  std::size_t begin = 0, cut = std::string_view::npos;
  int depth = 0;
  auto add = [&](std::size_t end) {
    if (end > begin) hash = add_component(hash, key.substr(begin, std::min(end, cut) - begin));
  };
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '\'') {  // a character literal (`string_literal<char, '('>`): no bracket in it counts
      for (++i; i < key.size() && key[i] != '\''; ++i)
        if (key[i] == '\\') ++i;
      continue;
    }
    if (c == '<' || c == '(') {
      if (c == '<' && depth == 0 && cut == std::string_view::npos && i > begin) cut = i;
      ++depth;
    } else if (c == '>' || c == ')') {
      depth -= depth > 0 ? 1 : 0;
    } else if (c == ':' && depth == 0 && i + 1 < key.size() && key[i + 1] == ':') {
      add(i);
      begin = i + 2;
      cut = std::string_view::npos;
      ++i;
    }
  }
  add(key.size());
  return fold_hash(hash);
}

// An entry's key: what index_key() makes of its DIE.
std::string key_of(const IndexPart& part, const IndexEntry& entry) {
  return normalize_name(spelled_scope(part.scopes, entry.scope) + entry.name);
}

}  // namespace

// What NameIndex::find() remembers: the entries in the key's bucket that have the key.
std::vector<std::uint64_t> Module::NameIndex::search(std::string_view key) const {
  std::vector<std::uint64_t> out;
  std::uint32_t bucket = hash_bucket(key);
  for (const IndexPart& part : parts) {
    auto it = std::lower_bound(part.entries.begin(), part.entries.end(), bucket,
                               [](const IndexEntry& e, std::uint32_t b) { return e.bucket < b; });
    for (; it != part.entries.end() && it->bucket == bucket; ++it)
      if (key_of(part, *it) == key) out.push_back(it->offset);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Module::index_key(const TypeRecord& record) {
  std::string key;
  for (const ScopeRecord& scope : record.scope) {
    if (scope.kind == ScopeRecord::Kind::Function) {
      key = demangle(scope.name);  // a linkage name holds the full qualification
    } else if (scope.name.empty()) {
      key += "(anonymous namespace)";
    } else {
      key += scope.name;
    }
    key += "::";
  }
  key += record.tag == Tag::Base ? std::string(canonical_base_name(record.name)) : record.name;
  return normalize_name(key);
}

namespace {
bool is_unit_local_reference(unsigned form) {
  return form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 || form == DW_FORM_ref8 ||
         form == DW_FORM_ref_udata;
}
}  // namespace

void Module::build_name_index() const {
  if (auto build = prepare_name_index()) publish_name_index(*build);
}

// One unit's named types outside functions, as scan_unit_types() reports them (offsets as
// packed_offset()s), read with libdw: the reference the scanner is tested against, and its
// fallback. One walk of namespaces and classes, never function bodies.
void Module::walk_unit_types(const Unit& unit, detail::UnitTypes& out) const {
  out.clear();
  struct Level {
    Dwarf_Die die;
    std::uint32_t scope;
  };
  Dwarf_Die root, child;
  if (dwarf_offdie(dwarf_of(unit.file), unit.die_begin, &root) == nullptr || dwarf_child(&root, &child) != 0) return;
  std::vector<Level> stack{{child, no_scope}};
  std::vector<detail::ScannedType> declared_variables;  // ascending, as the walk meets them
  std::vector<std::pair<std::uint64_t, std::uint64_t>> defined_variables;  // (DIE, its declaration)
  bool flag_value = false;
  while (!stack.empty()) {
    Level level = stack.back();
    stack.pop_back();
    Dwarf_Die sibling;
    if (dwarf_siblingof(&level.die, &sibling) == 0) stack.push_back({sibling, level.scope});
    Dwarf_Die* die = &level.die;
    int tag = dwarf_tag(die);
    const char* name = dwarf_diename(die);
    std::string_view spelled = name != nullptr ? name : "";
    bool descend = tag == DW_TAG_namespace;
    if (is_type_tag(tag)) {
      if (!flag(die, DW_AT_declaration))
        out.types.push_back({packed_offset(id_of(this, die)), level.scope, false, spelled, false});
      descend = tag != DW_TAG_enumeration_type && !spelled.empty();  // as the scanner does
    } else if (tag == DW_TAG_base_type || tag == DW_TAG_typedef) {
      out.types.push_back({packed_offset(id_of(this, die)), level.scope, tag == DW_TAG_base_type, spelled, false});
    } else if (tag == DW_TAG_variable || tag == DW_TAG_member) {
      // Variables as the scanner files them (scanner.hpp): definitions, by their own
      // DW_AT_name (not dwarf_diename's, which follows DW_AT_specification) or by the
      // declaration their DW_AT_specification names in the unit (filed after the walk).
      Dwarf_Attribute attr;
      const char* own_name = dwarf_attr(die, DW_AT_name, &attr) != nullptr ? dwarf_formstring(&attr) : nullptr;
      const bool named = own_name != nullptr && *own_name != '\0';
      const bool declaration = dwarf_attr(die, DW_AT_declaration, &attr) != nullptr && dwarf_formflag(&attr, &flag_value) == 0 && flag_value;
      const std::uint64_t offset = packed_offset(id_of(this, die));
      if (declaration) {
        if (named) declared_variables.push_back({offset, level.scope, false, own_name, false});
      } else if (tag == DW_TAG_member) {
        // a data member of each object
      } else if (named) {
        out.types.push_back({offset, level.scope, false, own_name, false});
      } else if (Dwarf_Die declared; dwarf_attr(die, DW_AT_specification, &attr) != nullptr &&
                 is_unit_local_reference(dwarf_whatform(&attr)) && dwarf_formref_die(&attr, &declared) != nullptr) {
        defined_variables.emplace_back(offset, packed_offset(id_of(this, &declared)));
      }
    }
    if (descend && dwarf_haschildren(die) && dwarf_child(die, &child) == 0) {
      out.scopes.push_back({level.scope, spelled});
      stack.push_back({child, static_cast<std::uint32_t>(out.scopes.size() - 1)});
    }
  }
  for (const auto& [offset, specification] : defined_variables)
    if (const detail::ScannedType* declared = declared_variable_at(declared_variables, specification))
      out.types.push_back({offset, declared->scope, false, declared->name, false});
}

namespace {

// The plain identifier a type's name starts with, when the name is only that, or that and one
// template argument list: "S3", "vector<int, std::allocator<int> >" ("vector"). Empty for
// anything else.
std::string_view plain_template_name(std::string_view name) {
  std::size_t i = 0;
  for (; i < name.size(); ++i) {
    char c = name[i];
    if (!is_identifier_char(c)) break;
  }
  if (i == 0) return {};
  if (i == name.size()) return name;
  // A compiler spells a template's name as identifier<arguments>: checking that it closes at
  // the end is enough (and the index's tests check every name of the libraries they load).
  // Counting brackets along names this long (a std::map's spells out its comparator and
  // allocator) was a seventh of the index's time.
  return name[i] == '<' && name.back() == '>' ? name.substr(0, i) : std::string_view();
}

// The templates whose names normalize_name() replaces whole, arguments and all, by their
// aliases: std::basic_string (`std::string`) and the string streams (`std::stringbuf`,
// `std::ostringstream`, ...).
bool renamed_template(std::string_view identifier) {
  return identifier.starts_with("basic_string") || identifier.starts_with("basic_istringstream") ||
         identifier.starts_with("basic_ostringstream");
}

// What one thread files, into one IndexPart.
//
// Most names need no normalize_name() to be filed (hash_bucket()): a scope's or type's name
// that is an identifier, with or without one list of template arguments, is that identifier
// in its bucket, whatever normalize_name() does to the arguments. Except for the names whose
// identifiers normalize_name() changes: an inline namespace it drops (`__cxx11`), the
// templates it renames (renamed_template()); those, and names that are not plain (a base
// type's "unsigned long"), are normalized whole.
class IndexShare {
 public:
  IndexPart part;
  std::vector<std::size_t> refused;  // units for libdw
  std::size_t scanned = 0;
  std::size_t tabled = 0;  // units filed from name tables

  void sort() {
    std::sort(part.entries.begin(), part.entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
      return a.bucket != b.bucket ? a.bucket < b.bucket : a.offset < b.offset;
    });
  }

  // Files a unit's types (offsets already packed_offset()s).
  void add(const detail::UnitTypes& found) {
    unit_ = &found;
    scopes_.assign(found.scopes.size(), ScopeState{});
    for (const detail::ScannedType& type : found.types) {
      if (type.name.empty()) continue;
      std::string_view name = type.is_base ? canonical_base_name(type.name) : type.name;
      std::string_view identifier = plain_template_name(name);
      std::uint32_t bucket = 0;
      if (!identifier.empty() && !renamed_template(identifier) &&
          (type.scope == no_scope || state(type.scope).fast)) {
        std::uint64_t scope_hash = type.scope == no_scope ? hash_basis : state(type.scope).hash;
        bucket = fold_hash(add_component(scope_hash, identifier));
      } else {
        std::string key = spelled_scope(unit_->scopes, type.scope);
        key += name;
        bucket = hash_bucket(normalize_name(key));
      }
      part.entries.push_back({bucket, kept(type.scope), type.offset | (type.unconfirmed ? unconfirmed_mark : 0), name.data()});
    }
  }

 private:
  struct ScopeState {
    bool known = false;  // fast and hash computed
    bool fast = false;   // the bucket of a plain name inside is hash + its identifier
    std::uint64_t hash = 0;  // of the scope's bucket
    std::uint32_t kept = no_scope;  // its index in part.scopes, once a type inside is filed
  };

  // (Loops, not recursion: scopes can nest as deep as a malformed file likes.)
  const ScopeState& state(std::uint32_t scope) {
    chain_.clear();
    for (std::uint32_t at = scope; at != no_scope && !scopes_[at].known; at = unit_->scopes[at].parent)
      chain_.push_back(at);
    for (std::size_t i = chain_.size(); i-- > 0;) {
      const detail::ScannedScope& unit_scope = unit_->scopes[chain_[i]];
      ScopeState& out = scopes_[chain_[i]];
      out.known = true;
      if (unit_scope.parent != no_scope && !scopes_[unit_scope.parent].fast) continue;
      std::uint64_t hash = unit_scope.parent == no_scope ? hash_basis : scopes_[unit_scope.parent].hash;
      std::string_view name = scope_spelling(unit_scope);
      const NamespaceDrop drop = namespace_drop(name);
      if (drop == NamespaceDrop::Always) {  // "__cxx11::" normalizes to nothing
        out.hash = hash;
        out.fast = true;
        continue;
      }
      std::string_view identifier = unit_scope.name.empty() ? name : plain_template_name(name);
      // (normalize_name() drops "__cxx11::" after any identifier: `X__cxx11::` too.)
      if (identifier.empty() || renamed_template(identifier) || drop == NamespaceDrop::InPlaces ||
          identifier.ends_with("__cxx11") || identifier.ends_with("__n4861"))
        continue;
      out.hash = add_component(hash, identifier);
      out.fast = true;
    }
    return scopes_[scope];
  }

  // The scope's index in part.scopes, adding it and the scopes around it on first need: only
  // scopes that hold types are kept.
  std::uint32_t kept(std::uint32_t scope) {
    chain_.clear();
    for (std::uint32_t at = scope; at != no_scope && scopes_[at].kept == no_scope; at = unit_->scopes[at].parent)
      chain_.push_back(at);
    for (std::size_t i = chain_.size(); i-- > 0;) {
      const detail::ScannedScope& unit_scope = unit_->scopes[chain_[i]];
      std::uint32_t parent = unit_scope.parent == no_scope ? no_scope : scopes_[unit_scope.parent].kept;
      if (part.scopes.size() >= no_scope) throw std::length_error("reflect: too many scopes for the name index");
      part.scopes.push_back({unit_scope.name.empty() ? nullptr : unit_scope.name.data(), parent});
      scopes_[chain_[i]].kept = static_cast<std::uint32_t>(part.scopes.size() - 1);
    }
    return scope == no_scope ? no_scope : scopes_[scope].kept;
  }

  const detail::UnitTypes* unit_ = nullptr;
  std::vector<ScopeState> scopes_;  // of the unit being filed
  std::vector<std::uint32_t> chain_;
};

}  // namespace

namespace {

// Calls work(thread, item) for items 0 .. count-1 on up to `threads` threads (this one
// included), each item once; rethrows the first exception a thread caught.
template <class Work> void for_each_item_in_parallel(std::size_t threads, std::size_t count, Work work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> errors(threads);
  auto run = [&](std::size_t thread) {
    try {
      for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) work(thread, i);
    } catch (...) {
      errors[thread] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads && t < count; ++t) {
    try {
      workers.emplace_back(run, t);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running take every item anyway
    }
  }
  run(0);
  for (std::thread& worker : workers) worker.join();
  for (std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
}

}  // namespace

// What a build carries from prepare_name_index() through run() to publish_name_index(): the
// scanner's input, copied or immutable once made (the unit headers, the sections' bytes, the
// name tables' spans), and what the threads filed.
struct NameIndexBuild::State {
  const Module* module = nullptr;
  Module::IndexMethod method = Module::IndexMethod::Tables;
  unsigned threads = 0;
  std::size_t unit_count = 0;
  std::vector<const detail::UnitHeader*> headers;  // by unit; nullptr: libdw's
  std::optional<detail::DebugSections> sections;
  const std::vector<std::string_view>* name_tables = nullptr;
  const std::unordered_map<std::uint64_t, std::size_t>* unit_by_header = nullptr;

  std::unique_ptr<Module::NameIndex> index = std::make_unique<Module::NameIndex>();
  std::vector<IndexShare> shares;
  std::vector<std::size_t> refused;  // units the scanner could not read, for libdw
  bool ran = false;
};

NameIndexBuild::NameIndexBuild() : state_(std::make_unique<State>()) {}
NameIndexBuild::~NameIndexBuild() = default;

std::unique_ptr<NameIndexBuild> Module::prepare_name_index() const {
  if (name_index_ != nullptr) return nullptr;
  return start_name_index(IndexMethod::Tables, 0);
}

std::unique_ptr<NameIndexBuild> Module::start_name_index(IndexMethod method, unsigned threads) const {
  if (dwarf() == nullptr) return nullptr;
  auto build = std::unique_ptr<NameIndexBuild>(new NameIndexBuild());
  NameIndexBuild::State& state = *build->state_;
  if (!units_) build_unit_table();
  const std::vector<Unit>& units = units_->units;
  state.module = this;
  state.method = method;
  state.unit_count = units.size();
  state.name_tables = &units_->name_tables;
  state.unit_by_header = &units_->unit_by_header;

  // The scanner's input (only the module's own units: split units are in .dwo files, other
  // ELF files, left to libdw's walk).
  state.headers.assign(units.size(), nullptr);
  if (method != IndexMethod::Libdw && scanner_input() != nullptr) {
    state.sections = *scanner_input();
    state.sections->releasable =
        state.sections->releasable && in_file_mapping(state.sections->info) && in_file_mapping(state.sections->str);
    for (std::size_t i = 0; i < units.size(); ++i) state.headers[i] = header_of(units[i]);
  }
  if (threads == 0) threads = std::max(2u, std::min(8u, std::thread::hardware_concurrency()));
  state.threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, units.size())));
  return build;
}

// Neither the table reader nor the scanner calls libdw or changes the module, so they run on
// several threads, with no lock held; what the scanner refuses is left to publish_name_index().
void NameIndexBuild::run() {
  State& state = *state_;
  if (state.ran) return;
  state.ran = true;
  if (auto hook = name_index_build_hook.load()) hook();
  const std::size_t unit_count = state.unit_count;
  const unsigned threads = state.threads;
  std::optional<detail::DebugSections>& sections = state.sections;
  const std::vector<const detail::UnitHeader*>& headers = state.headers;
  state.shares.resize(threads);
  std::vector<IndexShare>& shares = state.shares;
  Module::NameIndex& index = *state.index;

  // First the name tables of .debug_names, where the module has them: a unit a table places
  // every type of is not read at all.
  std::vector<detail::TableTypes> tables;
  std::vector<bool> from_table(unit_count, false);
  std::vector<std::size_t> units_placed;  // by each table
  if (state.method == Module::IndexMethod::Tables && sections && !sections->names.empty()) {
    const std::vector<std::string_view>& spans = *state.name_tables;
    tables.resize(spans.size());
    std::vector<char> readable(spans.size(), 0);
    for_each_item_in_parallel(threads, spans.size(), [&](std::size_t, std::size_t i) {
      readable[i] = detail::read_name_table(spans[i], sections->str, tables[i]);
    });
    const auto& unit_by_header = *state.unit_by_header;
    // A table must list units of this file, and a compile unit in one table only: else it is
    // ignored. A type unit is listed by every table of a unit that used it, where ld kept one
    // copy of it: its types are taken from the first table that lists it.
    std::vector<char> listed_before(unit_count, 0);
    units_placed.resize(tables.size());
    for (std::size_t t = 0; t < tables.size(); ++t) {
      detail::TableTypes& table = tables[t];
      std::vector<std::size_t> unit_index(table.units.size());
      std::vector<char> listed_elsewhere(table.units.size(), 0);
      bool valid = readable[t] != 0;
      for (std::size_t k = 0; valid && k < table.units.size(); ++k) {
        auto it = unit_by_header.find(table.units[k]);
        valid = it != unit_by_header.end() && !(listed_before[it->second] && k < table.compile_units);
        if (!valid) break;
        unit_index[k] = it->second;
        listed_elsewhere[k] = listed_before[it->second];
      }
      // Every DIE it gives must lie in the unit it names (a corrupt offset would otherwise
      // reach libdw, or the packed offset's upper bits).
      for (std::size_t j = 0; valid && j < table.types.types.size(); ++j) {
        const detail::UnitHeader* header = headers[unit_index[table.unit_of_type[j]]];
        std::uint64_t offset = table.types.types[j].offset;
        valid = header != nullptr && offset >= header->die_begin && offset < header->end;
      }
      if (!valid) {
        table.clear();
        continue;
      }
      for (std::size_t k = 0; k < table.units.size(); ++k) {
        if (listed_elsewhere[k]) continue;
        listed_before[unit_index[k]] = 1;
        if (!std::binary_search(table.unplaced.begin(), table.unplaced.end(), table.units[k])) {
          from_table[unit_index[k]] = true;
          ++units_placed[t];
        }
      }
      std::size_t kept = 0;
      for (std::size_t j = 0; j < table.types.types.size(); ++j)
        if (!listed_elsewhere[table.unit_of_type[j]]) table.types.types[kept++] = table.types.types[j];
      table.types.types.resize(kept);
    }
  }

  // Then every other unit, through the scanner.
  std::vector<std::size_t> to_scan;
  for (std::size_t i = 0; i < unit_count; ++i)
    if (!from_table[i]) to_scan.push_back(i);
  if (sections)
    for (IndexShare& share : shares) {
      // Entries come one per ~200 bytes of .debug_info; reserving address space for more than
      // that costs no memory and saves regrowing.
      std::size_t share_of_info = sections->info.size() / threads;
      share.part.entries.reserve(std::min<std::size_t>(share_of_info / 64, std::size_t(1) << 26));
    }
  std::vector<detail::UnitTypes> found(threads);
  for_each_item_in_parallel(threads, tables.size() + to_scan.size(), [&](std::size_t thread, std::size_t item) {
    IndexShare& share = shares[thread];
    if (item < tables.size()) {
      share.add(tables[item].types);
      share.tabled += units_placed[item];
      tables[item] = {};
      return;
    }
    std::size_t i = to_scan[item - tables.size()];
    const detail::UnitHeader* header = headers[i];
    if (sections && header && sections->releasable)
      populate_pages(sections->info.substr(header->offset, header->end - header->offset));
    if (sections && header && detail::scan_unit_types(*sections, *header, found[thread])) {
      share.add(found[thread]);
      ++share.scanned;
      if (sections->releasable) release_pages(sections->info.substr(header->offset, header->end - header->offset));
    } else {
      share.refused.push_back(i);
    }
  });
  for (IndexShare& share : shares) {
    index.units_by_scanner += share.scanned;
    index.units_by_table += share.tabled;
    state.refused.insert(state.refused.end(), share.refused.begin(), share.refused.end());
  }
  std::sort(state.refused.begin(), state.refused.end());
  for_each_item_in_parallel(threads, shares.size(), [&](std::size_t, std::size_t i) { shares[i].sort(); });
  if (sections && sections->releasable) release_pages(sections->str);
}

std::unique_ptr<Module::NameIndex> Module::finish_name_index(NameIndexBuild& build) const {
  NameIndexBuild::State& state = *build.state_;
  build.run();  // (a build run already returns at once)
  NameIndex& index = *state.index;
  // The units the scanner refused, through libdw, on this thread alone (libdw is not
  // thread-safe), into a part of their own.
  if (!state.refused.empty()) {
    const std::vector<Unit>& units = units_->units;
    IndexShare share;
    detail::UnitTypes found;
    for (std::size_t i : state.refused) {
      walk_unit_types(units[i], found);
      share.add(found);
      ++index.units_by_libdw;
    }
    share.sort();
    state.shares.push_back(std::move(share));
  }
  for (IndexShare& share : state.shares) index.parts.push_back(std::move(share.part));
  state.shares.clear();
  return std::move(state.index);
}

void Module::publish_name_index(NameIndexBuild& build) const {
  if (build.state_->module != this) throw std::logic_error("reflect: a name index published to another module");
  auto index = finish_name_index(build);
  if (name_index_ == nullptr) name_index_ = std::move(index);  // else another build came first: the same index
}

std::unique_ptr<Module::NameIndex> Module::make_name_index(IndexMethod method, unsigned threads) const {
  auto build = start_name_index(method, threads);
  if (!build) return std::make_unique<NameIndex>();
  return finish_name_index(*build);
}

Module::IndexEntries Module::name_index_entries(IndexMethod method, unsigned threads) const {
  IndexEntries out;
  if (dwarf() == nullptr) return out;
  auto index = make_name_index(method, threads);
  for (const IndexPart& part : index->parts)
    for (const detail::IndexEntry& entry : part.entries) {
      std::string key = key_of(part, entry);
      if (entry.bucket != hash_bucket(key)) ++out.misfiled;
      // What a lookup would confirm (for_each_filed()).
      if ((entry.offset & unconfirmed_mark) != 0 && !confirm_key(entry.offset, key)) continue;
      out.entries.emplace_back(std::move(key), entry.offset & ~unconfirmed_mark);
    }
  std::sort(out.entries.begin(), out.entries.end());
  out.units_by_table = index->units_by_table;
  out.units_by_scanner = index->units_by_scanner;
  out.units_by_libdw = index->units_by_libdw;
  return out;
}

// Whether an entry a name table placed without knowing its parent (ScannedType::unconfirmed)
// has `key` when its scope is read from the DIE tree: it may be inside a function or an
// unnamed class instead.
bool Module::confirm_key(std::uint64_t packed, std::string_view key) const {
  DieId id = unpacked(this, packed);
  Dwarf_Die die;
  if (!die_at(id, &die)) return false;
  TypeRecord record;
  record.scope = scope_of(id);
  record.name = name_of(&die);
  record.tag = dwarf_tag(&die) == DW_TAG_base_type ? Tag::Base : Tag::Struct;
  return index_key(record) == key;
}

// Calls visit(DIE) for the entries filed under `key`, confirming each as it comes, until visit
// returns true.
void Module::for_each_filed(std::string_view key, const std::function<bool(const DieId&)>& visit) const {
  if (!name_index_) build_name_index();
  std::vector<std::uint64_t>& filed = name_index_->find(key);
  for (std::size_t i = 0; i < filed.size();) {
    if ((filed[i] & unconfirmed_mark) != 0) {
      if (!confirm_key(filed[i], key)) {
        filed.erase(filed.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      filed[i] &= ~unconfirmed_mark;
    }
    if (visit(unpacked(this, filed[i]))) return;
    ++i;
  }
}

std::vector<Module::Named> Module::named(std::string_view substring) const {
  std::vector<Named> out;
  if (dwarf() == nullptr) return out;
  if (!name_index_) build_name_index();
  std::vector<std::pair<std::string, std::uint64_t>> matching;
  for (const IndexPart& part : name_index_->parts)
    for (const IndexEntry& entry : part.entries) {
      std::string key = key_of(part, entry);
      if (key.find(substring) != std::string::npos) matching.emplace_back(std::move(key), entry.offset);
    }
  std::sort(matching.begin(), matching.end());
  for (auto& [key, packed] : matching) {
    if (!out.empty() && out.back().name == key) continue;  // a type every unit describes
    if ((packed & unconfirmed_mark) != 0 && !confirm_key(packed, key)) continue;
    const DieId id = unpacked(this, packed);
    Dwarf_Die die;
    if (!die_at(id, &die)) continue;
    const int tag = dwarf_tag(&die);
    const bool is_variable = tag == DW_TAG_variable || tag == DW_TAG_member;
    if (!is_variable && !is_type_tag(tag)) continue;  // base types and typedefs: not what a user lists
    if (!is_variable && flag(&die, DW_AT_declaration)) continue;
    out.push_back({std::move(key), id, is_variable});
  }
  return out;
}

}  // namespace reflect::dwarf
