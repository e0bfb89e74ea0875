#pragma once
// One loaded ELF module (the executable or a shared object) and its DWARF, read lazily.
// Not thread-safe: callers serialise access (reflect/ holds its registry's lock around all of
// dwarf/), except for NameIndexBuild::run().

#include "records.hpp"
#include "symbols.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct Dwfl_Module;
struct Dwarf;

namespace reflect::dwarf::detail {
struct DebugSections;
struct UnitHeader;
struct UnitTree;
struct UnitTypes;
}

namespace reflect::dwarf {

class Module;

/// A name index being built: Module::prepare_name_index() makes one under the caller's lock,
/// run() does the long part (reading all of the debug info, on several threads: up to a second
/// in a large program) with no lock held while other threads use the module, and
/// Module::publish_name_index(), under the lock again, reads with libdw what the scanner could
/// not and makes it the module's index.
class NameIndexBuild {
 public:
  ~NameIndexBuild();
  NameIndexBuild(const NameIndexBuild&) = delete;
  NameIndexBuild& operator=(const NameIndexBuild&) = delete;
  /// Reads only the module's section bytes and what prepare_name_index() copied; needs no
  /// lock. Throws what reading throws (std::bad_alloc, std::length_error).
  void run();

 private:
  friend class Module;
  struct State;
  NameIndexBuild();
  std::unique_ptr<State> state_;
};

/// For tests: called on the building thread as each NameIndexBuild::run() begins.
inline std::atomic<void (*)()> name_index_build_hook{nullptr};

class Module {
 public:
  explicit Module(Dwfl_Module* module);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& path() const noexcept { return path_; }
  /// Whether the module has DWARF (in the file or a separate debug file libdwfl found).
  bool has_debug_info() const;

  /// The type named by the template argument of the function whose entry is `address` (a
  /// run-time address in this module). nullopt if no such function is described; a null DieId
  /// inside means `void`. Reads only the compilation unit that holds the address.
  std::optional<DieId> anchor_type_at(std::uintptr_t address) const;

  TypeRecord read_type(const DieId& id) const;

  /// A definition with the same qualified name and kind as the declaration `decl`, from the
  /// name tables' hash tables (.debug_names) or, failing them, the name index (built on first
  /// use).
  std::optional<DieId> find_definition(const TypeRecord& decl) const;

  /// Whether a lookup by name (find_type(), find_definition(), find_variable(), named()) may
  /// need the name index, and the module has debug info but no index yet.
  bool lacks_name_index() const;
  /// Building the index outside the caller's lock (NameIndexBuild): nullptr when the module
  /// has its index, or no debug info.
  std::unique_ptr<NameIndexBuild> prepare_name_index() const;
  /// Makes `build`'s index the module's, unless another build's came first. Lock held.
  void publish_name_index(NameIndexBuild& build) const;

  /// Whether the module's symbols (its own or exported) define the class `key` (normalize_name()
  /// form, plain identifiers only): its vtable, its type_info or a member function. Finds the
  /// module a class belongs to when no debug info describes it. Reads the symbol table.
  bool defines_class(std::string_view key) const;

  /// Whether the module defines a global function of this (mangled) name: which module's malloc
  /// the program calls. Reads the whole symbol table (aliases included, as symbol_at() has not).
  bool defines_function(std::string_view name) const;

  /// A type definition (a class or enum, else a base type or typedef) whose qualified name, in
  /// normalize_name() form, is `name`. From the name tables' hash tables or the name index, as
  /// find_definition(); with `build_index` false, nullopt rather than building the index where
  /// the finders that do without it missed (lacks_name_index() then says so).
  std::optional<DieId> find_type(std::string_view name, bool build_index = true) const;

  /// The global variable or static data member whose qualified name, in normalize_name()
  /// form, is `name`: its definition where the module has one (the DIE with its location),
  /// else a declaration. From the name index (`build_index`: as find_type()).
  std::optional<VariableRecord> find_variable(std::string_view name, bool build_index = true) const;

  /// Every type definition (class, struct, union, enum) and variable outside functions (global,
  /// static data member) the name index files whose qualified name, in normalize_name() form,
  /// contains `substring`, each once, sorted by name: for tools that list what a program
  /// describes. Reads every unit (builds the name index).
  struct Named {
    std::string name;
    DieId die;
    bool is_variable = false;
  };
  std::vector<Named> named(std::string_view substring) const;

  /// The function whose code starts at a run-time address: its name and, for a member
  /// function, the class it belongs to (following abstract origins and specifications to the
  /// declaration inside the class). nullopt when no subprogram starts there.
  struct Function {
    std::string name;      // linkage name when there is one
    DieId enclosing_class;  // null for a free function
  };
  std::optional<Function> function_at(std::uintptr_t address) const;

  /// The coroutine whose resume or destroy function starts at `address`, a run-time address
  /// read from a frame's first or second word. nullopt when no coroutine function starts there.
  /// Reads only the compilation unit that holds the address. (dwarf/coroutine.cpp)
  std::optional<CoroutineRecord> coroutine_at(std::uintptr_t address) const;

  /// The source line of the suspend point a coroutine's resume index `index` stands for: found
  /// in the resume function's code, at the instruction that stores that index (DWARF has no
  /// other link from index to line), and for clang also in the ramp's (the function a call of
  /// the coroutine runs first, which stores the first suspend point it reaches). nullopt where
  /// the code stores it from a register (GCC -O2) or the resume function is unknown.
  std::optional<SourceLine> suspend_line(const CoroutineRecord& coroutine, std::uint64_t index) const;

  /// Whether the compiler left out the coroutine's initial suspend point and numbered the
  /// body's suspend points from 0: clang (14 and 19 seen) at -O1 and above, where the initial
  /// awaiter never suspends (std::suspend_never). Told by the line of the ramp's store of resume
  /// index 0: clang gives the initial suspend point the coroutine's declaration line, and a
  /// co_await its own line. false where that store is not found (a ramp inlined everywhere, a
  /// store from a register) or is on the declaration line (a coroutine whose first co_await is
  /// on that line then reads as not started there), and for GCC. Reads the symbol table.
  bool initial_suspend_dropped(const CoroutineRecord& coroutine) const;

  /// Calls `visit` for every coroutine frame type the module describes (a whole-module scan,
  /// for tools).
  void for_each_coroutine_frame(const std::function<void(const DieId&, const std::string& coroutine)>& visit) const;

  /// The function or object symbol covering a run-time address (dwarf/symbols.hpp says which
  /// one where several do). The first call builds the module's table of symbols by address.
  std::optional<Symbol> symbol_at(std::uintptr_t address) const { return symbols_.at(address); }
  /// Every function and object symbol of the module (as symbol_at() knows them), by address.
  void for_each_symbol(const std::function<void(const SymbolTable::Entry&)>& visit) const { symbols_.for_each(visit); }

  /// Evaluates a location expression whose initial stack holds `object_address`.
  static std::optional<std::uint64_t> evaluate(const Expression& expr, std::uint64_t object_address,
                                               const ReadMemory& read);

  /// The key under which the name index files a type: its qualified name (functions in the
  /// scope demangled) in normalize_name() form, the form type_info names demangle to.
  static std::string index_key(const TypeRecord& record);

  /// How a name index is built. Tables: from the name tables of .debug_names where they place
  /// a unit's types (dwarf/name_table.hpp), else as Scanner; what the module does. Scanner: by
  /// the raw DIE scanner on `threads` threads (units it cannot read go through libdw). Libdw:
  /// by libdw's walk alone.
  enum class IndexMethod { Tables, Scanner, Libdw };

  /// What a name index built by `method` holds, as sorted (key, DIE) pairs (the offset, with a
  /// split unit's DieId::file above bit 40), and how
  /// its units were read; for tests. Builds a fresh index each call, leaving the module's own.
  struct IndexEntries {
    std::vector<std::pair<std::string, std::uint64_t>> entries;
    std::size_t units_by_table = 0;
    std::size_t units_by_scanner = 0;
    std::size_t units_by_libdw = 0;
    std::size_t misfiled = 0;  // entries whose bucket is not their key's: lookups would miss them
  };
  IndexEntries name_index_entries(IndexMethod method, unsigned threads = 2) const;

  /// For tests: how many units the DIE scanner reads into exactly the tree (parents,
  /// subprograms) libdw's walk gives, how many differently, and how many it refuses.
  struct TreeComparison {
    std::size_t same = 0, different = 0, refused = 0;
  };
  TreeComparison compare_unit_trees() const;

  /// What to subtract from a run-time address to get the module's DWARF address (valid once
  /// dwarf() has been called).
  std::uint64_t bias() const noexcept { return bias_; }

  /// The module's libdw handle (loaded on first use); nullptr without debug info. For dwarf/.
  Dwarf* dwarf() const;
  /// The libdw handle of DieId::file `file`: dwarf(), or the split DWARF file (.dwo) it
  /// numbers. For dwarf/.
  Dwarf* dwarf_of(std::uint32_t file) const;
  /// The DieId::file number of a libdw handle a DIE was read from. For dwarf/.
  std::uint32_t file_of(Dwarf* dw) const;

  /// How much of the debug info has been read so far: laziness is a promise, and tests check it.
  struct Stats {
    std::size_t units = 0;          // compilation and type units in the module
    std::size_t units_scanned = 0;  // of which DIE trees were walked
    bool name_index_built = false;
    std::size_t units_indexed_by_table = 0;    // from .debug_names, without reading their DIEs
    std::size_t units_indexed_by_scanner = 0;  // by the name index's fast DIE scanner
    std::size_t units_indexed_by_libdw = 0;    // left to libdw's walk (what the scanner refused)
    std::size_t split_units = 0;  // of `units`, read from a split DWARF file (.dwo)
    std::vector<std::string> missing_dwo;  // the .dwo files skeleton units name but libdw did not find
  };
  Stats stats() const;

 private:
  friend class NameIndexBuild;
  struct Unit;
  struct UnitIndex;
  struct NameIndex;
  const Unit* unit_containing_pc(std::uint64_t pc) const;
  const Unit* unit_of(const DieId& id) const;
  std::optional<std::uint64_t> unit_die_containing_pc(std::uint64_t pc) const;
  void check_dwo(const Unit& unit) const;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> unit_dies() const;  // (file, unit DIE) of each unit
  bool is_await_ready(std::uintptr_t address) const;  // an awaiter's await_ready, by its symbol
  // The line of the instruction in [low, high) (run-time addresses) that stores resume index
  // `index` into the frame (dwarf/coroutine.cpp).
  std::optional<SourceLine> index_store_line(const CoroutineRecord& coroutine, std::uint64_t low, std::uint64_t high,
                                             std::uint64_t index) const;
  // The run-time range of a clang coroutine's ramp, from its symbol; {0, 0} if none.
  std::pair<std::uint64_t, std::uint64_t> ramp_of(const CoroutineRecord& coroutine) const;
  void scan_unit(const Unit& unit) const;
  void read_entries(const Unit& unit) const;
  void walk_unit_tree(const Unit& unit, detail::UnitTree& out) const;
  const detail::DebugSections* scanner_input() const;
  const detail::UnitHeader* header_of(const Unit& unit) const;
  void build_unit_table() const;
  void build_name_index() const;
  bool confirm_key(std::uint64_t packed, std::string_view key) const;
  std::optional<DieId> class_in_tables(std::string_view spelled, std::string_view key, int want_tag) const;
  std::optional<DieId> class_in_gdb_index(std::string_view key, int want_tag) const;
  std::optional<DieId> class_by_member_symbols(std::string_view key, int want_tag) const;
  std::optional<DieId> class_in_units(const std::vector<const Unit*>& units, std::string_view key, int want_tag) const;
  std::optional<DieId> class_before_index(std::string_view spelled, std::string_view key, int want_tag) const;
  std::optional<VariableRecord> variable_at(const DieId& id) const;
  std::optional<VariableRecord> variable_before_index(std::string_view name) const;
  void for_each_filed(std::string_view key, const std::function<bool(const DieId&)>& visit) const;
  std::unique_ptr<NameIndexBuild> start_name_index(IndexMethod method, unsigned threads) const;
  std::unique_ptr<NameIndex> finish_name_index(NameIndexBuild& build) const;
  std::unique_ptr<NameIndex> make_name_index(IndexMethod method, unsigned threads) const;
  void walk_unit_types(const Unit& unit, detail::UnitTypes& out) const;
  std::vector<DieId> subprograms_at(std::uint64_t pc) const;
  std::vector<ScopeRecord> scope_of(const DieId& die) const;
  std::uint64_t parent_of(const Unit& unit, std::uint64_t die_offset) const;

  Dwfl_Module* module_;
  std::string path_;
  mutable Dwarf* dwarf_ = nullptr;
  mutable std::uint64_t bias_ = 0;
  mutable bool dwarf_loaded_ = false;
  mutable std::unique_ptr<UnitIndex> units_;
  mutable std::unique_ptr<NameIndex> name_index_;  // set whole, under the caller's lock
  // Split DWARF: the .dwo files' libdw handles, DieId::file - 1 into the first.
  mutable std::vector<Dwarf*> split_files_;
  mutable std::unordered_map<Dwarf*, std::uint32_t> split_file_numbers_;
  SymbolTable symbols_;
};

}  // namespace reflect::dwarf
