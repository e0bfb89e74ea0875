#pragma once
// The type model: one immutable TypeNode per DWARF type DIE, interned per target (a Registry
// each: this process, another process, a core file). References to other types resolve lazily
// (a pointer's pointee is not read until someone follows it), and a declaration resolves to its
// definition only when its layout is needed.
//
// Threads: every lazy step takes its registry's lock; once resolved, a reference is an atomic
// pointer load.

#include "../dwarf/names.hpp"
#include "../dwarf/records.hpp"
#include "fork.hpp"

#include <reflect/error.hpp>
#include <reflect/options.hpp>
#include <reflect/type.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace reflect {
class Provider;
}

namespace reflect::dwarf {
class Process;
}

namespace reflect::detail {

struct TypeNode;
class Registry;
class Memory;
struct CoroutineInfo;

/// Bumped by every reflect::add_provider() (providers.cpp).
extern std::atomic<std::uint64_t> provider_generation;

/// A reference to another type of the same registry, resolved on first use. A null id means
/// `void`.
class LazyType {
 public:
  LazyType(Registry& registry, dwarf::DieId id) noexcept : registry_(&registry), id_(id) {}
  LazyType(const LazyType& other) noexcept
      : registry_(other.registry_), id_(other.id_), node_(other.node_.load(std::memory_order_acquire)) {}
  LazyType& operator=(const LazyType& other) noexcept {
    registry_ = other.registry_;
    id_ = other.id_;
    node_.store(other.node_.load(std::memory_order_acquire), std::memory_order_release);
    return *this;
  }
  const TypeNode& get() const;
  const dwarf::DieId& id() const noexcept { return id_; }

 private:
  Registry* registry_;
  dwarf::DieId id_;
  mutable std::atomic<const TypeNode*> node_{nullptr};
};

struct MemberNode {
  std::string name;
  LazyType type;
  std::size_t offset = 0;
  std::uint16_t bit_offset = 0;
  std::uint16_t bit_size = 0;
  Access access = Access::Public;
  bool artificial = false;

  /// The one compiler-made member a user never wrote nor wants printed: GCC `_vptr.X`, clang
  /// `_vptr$X`. (Other artificial members, such as clang's coroutine frame members, are data.)
  bool is_vtable_pointer() const { return artificial && name.starts_with("_vptr"); }
};

struct BaseNode {
  LazyType type;
  std::optional<std::size_t> offset;
  dwarf::Expression location;
  bool is_virtual = false;
  Access access = Access::Public;
};

struct TemplateArgNode {
  std::string name;
  std::optional<LazyType> type;
  std::optional<std::int64_t> value;
  bool is_default = false;
};

/// A field as users see it: anonymous members flattened, offsets from the outermost object.
struct FieldNode {
  std::string_view name;
  const TypeNode* type;
  std::size_t offset;
  std::uint16_t bit_offset;
  std::uint16_t bit_size;
  Access access;
};

/// Where find_member() finds a member by name in a class, worked out once per class from its
/// layout alone (see TypeNode::member_lookup).
struct MemberLookup {
  std::string name;
  bool (*accept)(const TypeNode&) = nullptr;
  const FieldNode* field = nullptr;        // nullptr: no such member
  std::vector<std::size_t> base_offsets;  // the non-virtual bases on the way to it, outermost first
  // The sum of every offset find_member's walk adds to the object's address, found or not
  // (saturated): an object below 2^64 minus this is walked without an address overflow, so
  // the cached answer is the walk's answer.
  std::size_t bound = 0;
};

/// What a standard-library provider works out once per class from its layout (member offsets,
/// element types, a node's element offset), kept with the class so that walking a thousand
/// elements pays for the member lookups once. Only for providers that live as long as the
/// process (the standard ones): `owner` tells whose facts they are.
struct ProviderFacts {
  virtual ~ProviderFacts() = default;
  const Provider* owner = nullptr;
  const ProviderFacts* next = nullptr;  // the class's facts published before these
};

/// The ProviderFacts published for a class: a list pushed to with compare-and-swap (no lock),
/// read with one atomic load. It holds more than one owner only after reflect::add_provider()
/// changed the class's provider, or after two threads computed the same facts at once.
class ProviderFactsList {
 public:
  ProviderFactsList() = default;
  ProviderFactsList(const ProviderFactsList&) = delete;
  ProviderFactsList& operator=(const ProviderFactsList&) = delete;
  ~ProviderFactsList() {
    for (const ProviderFacts* facts = head_.load(std::memory_order_acquire); facts != nullptr;) {
      const ProviderFacts* next = facts->next;
      delete facts;
      facts = next;
    }
  }
  const ProviderFacts* find(const Provider* owner) const noexcept {
    for (const ProviderFacts* facts = head_.load(std::memory_order_acquire); facts != nullptr; facts = facts->next)
      if (facts->owner == owner) return facts;
    return nullptr;
  }
  /// Publishes `facts`, which live as long as the class.
  const ProviderFacts& publish(std::unique_ptr<ProviderFacts> facts) const noexcept {
    const ProviderFacts* head = head_.load(std::memory_order_acquire);
    do {
      facts->next = head;
    } while (!head_.compare_exchange_weak(head, facts.get(), std::memory_order_acq_rel, std::memory_order_acquire));
    return *facts.release();
  }

 private:
  mutable std::atomic<const ProviderFacts*> head_{nullptr};
};

struct TypeNode {
  Registry* registry = nullptr;  // the target's, which owns this node
  Kind kind = Kind::Unknown;
  dwarf::DieId id;
  std::size_t size = 0;
  std::size_t alignment = 0;  // what alignas asked for (DW_AT_alignment); 0 when not recorded
  bool is_signed = false;
  bool is_declaration = false;
  dwarf::BaseEncoding encoding = dwarf::BaseEncoding::None;
  std::string dwarf_name;
  std::vector<dwarf::ScopeRecord> scope;
  std::optional<LazyType> target;
  std::optional<LazyType> containing_class;  // member pointers
  // Arrays: the first dimension's length; `element` is the type of one element (for a
  // multi-dimensional array, an array node of the remaining dimensions).
  std::optional<std::size_t> array_length;
  const TypeNode* element = nullptr;
  std::vector<MemberNode> members;
  std::vector<BaseNode> bases;
  std::vector<dwarf::VirtualFunctionRecord> virtual_functions;
  std::vector<dwarf::EnumeratorRecord> enumerators;
  std::vector<TemplateArgNode> template_args;
  std::vector<LazyType> parameters;
  bool variadic = false;
  bool is_enum_class = false;
  bool is_closure = false;
  bool has_user_destructor = false;
  std::string decl_file;
  std::uint32_t decl_line = 0;

  // Once computed, each of these is one atomic load, inline (the printer calls them for every
  // value it prints); the first call takes the slow path under the registry lock.
  /// The user-facing name (computed once).
  const std::string& name() const {
    if (name_ready.load(std::memory_order_acquire)) return name_cache;
    return name_slow();
  }
  /// Typedefs and cv removed, a declaration replaced by its definition where one exists.
  const TypeNode& concrete() const {
    if (const TypeNode* c = concrete_cache.load(std::memory_order_acquire)) return *c;
    return concrete_slow();
  }
  /// Flattened fields and their hashed index (computed once; structs and unions).
  const std::vector<FieldNode>& fields() const {
    if (fields_ready.load(std::memory_order_acquire)) return fields_cache;
    return fields_slow();
  }
  const FieldNode* field(std::string_view name) const;
  /// The provider that presents this concrete class (a standard-library or a user's view),
  /// if any: computed once, and again after reflect::add_provider().
  const Provider* provider() const {
    const std::uint64_t now = provider_generation.load(std::memory_order_acquire);
    if (provider_cache_generation.load(std::memory_order_acquire) == now)
      return provider_cache.load(std::memory_order_acquire);
    return provider_slow(now);
  }
  /// find_member()'s answer for `name` in this concrete struct or union, computed once and
  /// cached; nullptr when it is not cached (a declaration no loaded module defines lies on the
  /// way, so a later dlopen may change the answer; or the cache is full): walk instead.
  const MemberLookup* member_lookup(std::string_view name, bool (*accept)(const TypeNode&)) const {
    for (const auto& slot : member_lookups) {
      const MemberLookup* m = slot.load(std::memory_order_acquire);
      if (m == nullptr) break;
      if (m->accept == accept && m->name == name) return m;
    }
    return member_lookup_slow(name, accept);
  }
  /// Name of the class template this type instantiates (`std::vector`), or the qualified
  /// name of a non-template class; inline namespaces removed. Set when the node is built.
  std::string_view template_name() const { return template_name_cache; }
  std::string template_name_cache;
  /// Whether objects of this class carry a vtable pointer (its own or a base's).
  bool is_polymorphic() const;

  const std::string& name_slow() const;
  const TypeNode& concrete_slow() const;
  const std::vector<FieldNode>& fields_slow() const;
  const Provider* provider_slow(std::uint64_t generation) const;
  const MemberLookup* member_lookup_slow(std::string_view name, bool (*accept)(const TypeNode&)) const;

  // Lazily computed state, guarded by the registry lock and published by the flags.
  mutable std::atomic<bool> name_ready{false};
  mutable std::string name_cache;
  // Set once a definition is found (or none is needed). A declaration that no loaded module
  // defines is not cached here: a module loaded later (dlopen) may define it. Instead
  // `concrete_miss_generation` (registry lock) remembers the module-set generation of the
  // failed lookup, which is repeated only once objects have been loaded or unloaded since.
  mutable std::atomic<const TypeNode*> concrete_cache{nullptr};
  mutable std::uint64_t concrete_miss_generation = kNoMiss;
  static constexpr std::uint64_t kNoMiss = ~std::uint64_t{0};
  mutable std::atomic<bool> fields_ready{false};
  mutable std::vector<FieldNode> fields_cache;
  mutable std::unordered_map<std::string_view, std::size_t> field_index;
  mutable std::atomic<std::uint64_t> provider_cache_generation{0};
  mutable std::atomic<const Provider*> provider_cache{nullptr};
  // Filled in order under the registry lock, each slot published once; never cleared.
  static constexpr std::size_t kMemberLookups = 8;
  mutable std::array<std::atomic<const MemberLookup*>, kMemberLookups> member_lookups{};
  mutable std::vector<std::unique_ptr<MemberLookup>> member_lookup_storage;
  ProviderFactsList provider_facts;
};

/// For the fork handlers (fork.cpp): the lock of the list of live registries, then each
/// registry's lock, and their release.
void lock_registries_for_fork() noexcept;
void unlock_registries_after_fork(bool in_child) noexcept;

/// Owner of a target's type nodes and of its modules' debug info.
class Registry {
 public:
  /// `list_modules` makes the target's module list on first need (after configure()); `memory`
  /// reads the target's memory and outlives the registry.
  Registry(std::function<std::unique_ptr<dwarf::Process>()> list_modules, const Memory& memory);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// This process's (never destroyed: values may be printed during exit).
  static Registry& self();

  /// The registry's lock: every lazy step of its type model and all use of its modules' libdw.
  RecursiveMutex& mutex() noexcept { return mutex_; }
  const Memory& memory() const noexcept { return memory_; }
  dwarf::Process& process();  // lock held
  /// reflect::configure: only before process() first ran. Locks.
  void configure(const Options& options);

  const TypeNode& node_for(const dwarf::DieId& id);  // locks
  const TypeNode& void_node() noexcept { return void_node_; }
  const TypeNode& anchor_type(const void* anchor_code);  // locks

  /// The type with this name (normalize_name() form), from `preferred`'s debug info first,
  /// then from every module's. nullptr if none describes it. Locks.
  const TypeNode* find_type(std::string_view normalized_name, std::uintptr_t preferred_address = 0);
  /// The global variable or static data member with this name (normalize_name() form), as an
  /// object of the target (its type and address); nullopt if no module describes it. Throws
  /// Error for one that has no address to read (thread-local, a constant without storage, not
  /// described). Locks. (variables.cpp)
  struct Variable {
    const TypeNode* type;
    std::uintptr_t address;
  };
  std::optional<Variable> find_variable(std::string_view normalized_name);
  /// Every type definition (class, struct, union, enum) and every global variable and static
  /// data member whose name contains `substring`, from every module, sorted by name; for
  /// tools. Reads all the debug info. Locks. (variables.cpp)
  struct Listed {
    std::string name;
    const TypeNode* type;  // a variable's type; nullptr for one whose type is not described
    bool is_variable;
    std::optional<std::uintptr_t> address;  // a variable's, where the debug info gives it
  };
  std::vector<Listed> list(std::string_view substring);
  /// Why a class declaration has no definition, where reflect knows: "defined in MODULE, which
  /// has no debug info: ..." (resolve_declaration). Empty otherwise. Locks.
  std::string incomplete_note(const TypeNode& decl);
  /// For a member function's entry address: its class. nullptr for anything else. Locks.
  const TypeNode* class_of_function(std::uintptr_t address);
  /// The dynamic type behind a vtable address point, cached. nullptr if it cannot be told (a
  /// miss is cached only until objects are loaded or unloaded).
  const TypeNode* type_of_vtable(std::uintptr_t vptr, std::uintptr_t type_info);

  /// Demangled symbol names by module and symbol start, for the printer (format.cpp):
  /// demangling one costs more than printing a small struct, and a program prints pointers to
  /// the same few functions and globals again and again. Lock held; never emptied.
  using SymbolKey = std::pair<const dwarf::Module*, std::uintptr_t>;
  struct SymbolKeyHash {
    std::size_t operator()(const SymbolKey& key) const noexcept {
      return std::hash<const void*>()(key.first) ^ std::hash<std::uintptr_t>()(key.second) * 0x9e3779b97f4a7c15ull;
    }
  };
  std::unordered_map<SymbolKey, std::string, SymbolKeyHash>& demangled_symbols() { return demangled_symbols_; }
  /// Coroutines by their resume or destroy function, as hidden_key() (coroutine.cpp); nullptr:
  /// not one. Lock held.
  std::unordered_map<std::uintptr_t, std::shared_ptr<const CoroutineInfo>>& coroutines() { return coroutines_; }
  /// How the caches keyed by a vtable's or a coroutine function's address keep it: inverted. A
  /// scan of this process's heap (census(), coroutines()) reads every block's first words, and
  /// a cache node holding such an address as is reads as an object's or a frame's start.
  static constexpr std::uintptr_t hidden_key(std::uintptr_t address) noexcept { return ~address; }

 private:
  const TypeNode& build(const dwarf::DieId& id);
  /// Builds `module`'s name index with `lock` (this registry's, held once) let go while the
  /// debug info is read, so that other threads go on using the target meanwhile; a thread that
  /// needs an index another thread is building waits for that build. Returns with the lock
  /// held and the index built (unless building it threw).
  void build_name_index_unlocked(std::unique_lock<RecursiveMutex>& lock, const dwarf::Module& module);
  /// Whether a lookup that needs a name index may let go of the lock to build it: the thread
  /// held no lock of this registry's before it (no lazy step of its is halfway done).
  bool may_build_unlocked() const noexcept { return !mutex_.held_by_this_thread(); }
  /// The definition of a declaration, from any module; `decl` itself if none defines it. A miss
  /// re-reads the module list once when objects were loaded since the last look.
  const TypeNode& resolve_declaration(const TypeNode& decl);
  friend struct TypeNode;

  struct VtableEntry {
    const TypeNode* type;     // nullptr: not found
    std::uint64_t generation;  // loaded_objects_generation() when it was looked up
  };

  RecursiveMutex mutex_;
  // The name index builds running outside the lock, by module; lock held. A thread waiting for
  // one waits on its flag (a futex: no lock that a fork() could leave taken in the child).
  struct IndexBuildInProgress {
    std::atomic<bool> done{false};
  };
  std::unordered_map<const dwarf::Module*, std::shared_ptr<IndexBuildInProgress>> index_builds_;
  std::unordered_map<const TypeNode*, std::string> incomplete_notes_;  // incomplete_note()
  std::function<std::unique_ptr<dwarf::Process>()> list_modules_;
  const Memory& memory_;
  Registry* next_live_ = nullptr;  // the list of live registries (type_node.cpp), for fork()
  friend void lock_registries_for_fork() noexcept;
  friend void unlock_registries_after_fork(bool in_child) noexcept;
  std::unique_ptr<dwarf::Process> process_;
  std::unordered_map<dwarf::DieId, const TypeNode*, dwarf::DieIdHash> nodes_;
  std::unordered_map<const void*, const TypeNode*> anchors_;
  std::unordered_map<std::uintptr_t, VtableEntry> vtables_;
  std::unordered_map<SymbolKey, std::string, SymbolKeyHash> demangled_symbols_;
  std::unordered_map<std::uintptr_t, std::shared_ptr<const CoroutineInfo>> coroutines_;
  std::vector<std::unique_ptr<TypeNode>> storage_;
  TypeNode void_node_;
};

/// Renders a type name as a user writes it (type_names.cpp).
std::string render_name(const TypeNode& node);
/// The error for a module without debug info where reflect needs it: where it was looked for,
/// and what to do.
Error no_debug_info(const dwarf::Module& module);

/// The qualified name of a class without its template arguments (type_names.cpp).
std::string render_template_name(const TypeNode& node);
using dwarf::canonical_base_name;
using dwarf::demangle;

}  // namespace reflect::detail
