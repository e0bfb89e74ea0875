#include "type_node.hpp"

#include <reflect/anchor.hpp>  // type_from_anchor, exported (REFLECT_API)

#include "../dwarf/debuginfo.hpp"
#include "../dwarf/process.hpp"
#include "memory.hpp"

#include <fmt/format.h>

namespace reflect::detail {

namespace {

Kind kind_of(const dwarf::TypeRecord& record) {
  using dwarf::Tag;
  switch (record.tag) {
    case Tag::Base:
      switch (record.encoding) {
        case dwarf::BaseEncoding::Bool: return Kind::Bool;
        case dwarf::BaseEncoding::Float: return Kind::Floating;
        case dwarf::BaseEncoding::ComplexFloat: return Kind::Complex;
        case dwarf::BaseEncoding::SignedChar: case dwarf::BaseEncoding::UnsignedChar:
        case dwarf::BaseEncoding::Utf:
          return Kind::Character;
        case dwarf::BaseEncoding::Signed: case dwarf::BaseEncoding::Unsigned: {
          // wchar_t (signed) and char8_t (GCC: unsigned) are characters by name.
          std::string_view name = canonical_base_name(record.name);
          if (name == "wchar_t" || name == "char8_t" || name == "char16_t" || name == "char32_t") return Kind::Character;
          return Kind::Integer;
        }
        default: return Kind::Unknown;
      }
    case Tag::Unspecified: return record.name == "decltype(nullptr)" ? Kind::NullPtr : Kind::Unknown;
    case Tag::Pointer: return Kind::Pointer;
    case Tag::LValueReference: return Kind::LValueReference;
    case Tag::RValueReference: return Kind::RValueReference;
    case Tag::MemberPointer: return Kind::MemberPointer;
    case Tag::Array: return Kind::Array;
    case Tag::Struct: case Tag::Class: return Kind::Struct;
    case Tag::Union: return Kind::Union;
    case Tag::Enum: return Kind::Enum;
    case Tag::Typedef: return Kind::Typedef;
    case Tag::Const: return Kind::Const;
    case Tag::Volatile: return Kind::Volatile;
    case Tag::Function: return Kind::Function;
    case Tag::Unknown: break;
  }
  return Kind::Unknown;
}

Access access_of(dwarf::Access access) {
  switch (access) {
    case dwarf::Access::Private: return Access::Private;
    case dwarf::Access::Protected: return Access::Protected;
    default: return Access::Public;
  }
}

TemplateArgNode template_arg(Registry& registry, const dwarf::TemplateArgRecord& record) {
  TemplateArgNode arg;
  arg.name = record.name;
  if (record.type || !record.value) arg.type = LazyType(registry, record.type);
  arg.value = record.value;
  arg.is_default = record.is_default;
  return arg;
}

// For the no-debug-info error: whether debuginfod servers were asked too.
std::string debuginfod_note() {
  std::string urls = dwarf::debuginfod_urls();
  if (urls.empty())
    return "no debuginfod server was asked: set DEBUGINFOD_URLS or reflect::Options::debuginfod_urls to allow it";
  return "the debuginfod servers in DEBUGINFOD_URLS (" + urls + ") were asked too, by build-id";
}

}  // namespace

const TypeNode& LazyType::get() const {
  if (const TypeNode* node = node_.load(std::memory_order_acquire)) return *node;
  const TypeNode* node = id_ ? &registry_->node_for(id_) : &registry_->void_node();
  node_.store(node, std::memory_order_release);
  return *node;
}

Registry& Registry::self() {
  // never destroyed: values may be printed during exit
  static Registry* registry = (install_fork_handlers(), new Registry([] { return std::make_unique<dwarf::Process>(); }, self_memory()));
  return *registry;
}

namespace {
// The live registries (this process's and each Target's), for the fork handlers to lock; made
// constant-initialised, so that no guard of a static can be left taken by a fork.
constinit std::mutex live_registries_mutex;
constinit Registry* live_registries = nullptr;
}  // namespace

Registry::Registry(std::function<std::unique_ptr<dwarf::Process>()> list_modules, const Memory& memory)
    : list_modules_(std::move(list_modules)), memory_(memory) {
  void_node_.registry = this;
  void_node_.kind = Kind::Void;
  void_node_.dwarf_name = "void";
  std::lock_guard lock(live_registries_mutex);
  next_live_ = live_registries;
  live_registries = this;
}

Registry::~Registry() {
  std::lock_guard lock(live_registries_mutex);
  for (Registry** at = &live_registries; *at != nullptr; at = &(*at)->next_live_)
    if (*at == this) {
      *at = next_live_;
      break;
    }
}

void lock_registries_for_fork() noexcept {
  live_registries_mutex.lock();
  for (Registry* r = live_registries; r != nullptr; r = r->next_live_) r->mutex().lock();
}

void unlock_registries_after_fork(bool in_child) noexcept {
  for (Registry* r = live_registries; r != nullptr; r = r->next_live_) {
    // The threads that were building name indexes outside the lock are not in the child: their
    // builds never finish there, and a lookup in the child that needs one builds it anew.
    if (in_child) {
      for (auto& [module, build] : r->index_builds_) build->done.store(true);
      r->index_builds_.clear();
    }
    r->mutex().unlock();
  }
  live_registries_mutex.unlock();
}

void Registry::build_name_index_unlocked(std::unique_lock<RecursiveMutex>& lock, const dwarf::Module& module) {
  for (auto it = index_builds_.find(&module); it != index_builds_.end(); it = index_builds_.find(&module)) {
    const std::shared_ptr<IndexBuildInProgress> other = it->second;
    lock.unlock();
    other->done.wait(false);
    lock.lock();
  }
  const std::unique_ptr<dwarf::NameIndexBuild> work = module.prepare_name_index();
  if (!work) return;  // built meanwhile
  auto build = std::make_shared<IndexBuildInProgress>();
  index_builds_.emplace(&module, build);
  auto finished = [&] {
    index_builds_.erase(&module);
    build->done.store(true);
    build->done.notify_all();
  };
  lock.unlock();
  try {
    work->run();
  } catch (...) {
    lock.lock();
    finished();
    throw;
  }
  lock.lock();
  try {
    module.publish_name_index(*work);
  } catch (...) {
    finished();
    throw;
  }
  finished();
}

dwarf::Process& Registry::process() {
  if (!process_) process_ = list_modules_();
  return *process_;
}

void Registry::configure(const Options& options) {
  std::lock_guard lock(mutex());
  // Modules already read keep the debug info they were found with, and a Type from the old
  // settings would sit next to ones from the new: refuse rather than half-apply.
  if (process_)
    throw Error(
        "reflect::configure() called after the first reflection: this process's debug info is already "
        "being read with the previous options; call reflect::configure() at the start of main(), before "
        "anything uses reflect (reflect(), type_of(), find_type(), coroutine(), formatting a Value)");
  dwarf::configure(options);
}

const TypeNode& Registry::node_for(const dwarf::DieId& id) {
  std::lock_guard lock(mutex());
  if (auto it = nodes_.find(id); it != nodes_.end()) return *it->second;
  return build(id);
}

const TypeNode& Registry::build(const dwarf::DieId& id) {
  dwarf::TypeRecord record = id.module->read_type(id);
  auto owned = std::make_unique<TypeNode>();
  TypeNode& node = *owned;
  node.registry = this;
  node.kind = kind_of(record);
  node.id = id;
  node.size = record.byte_size.value_or(0);
  node.alignment = record.alignment.value_or(0);
  node.is_declaration = record.is_declaration;
  node.encoding = record.encoding;
  node.dwarf_name = std::move(record.name);
  node.scope = std::move(record.scope);
  node.is_enum_class = record.is_enum_class;
  node.is_closure = record.is_closure;
  node.has_user_destructor = record.has_user_destructor;
  node.decl_file = std::move(record.decl_file);
  node.decl_line = record.decl_line;
  node.variadic = record.variadic;
  if (node.kind == Kind::Struct || node.kind == Kind::Union || node.kind == Kind::Enum)
    node.template_name_cache = render_template_name(node);
  if (record.target || node.kind == Kind::Pointer || node.kind == Kind::Typedef || node.kind == Kind::Const ||
      node.kind == Kind::Volatile || node.kind == Kind::Function || node.kind == Kind::MemberPointer ||
      node.kind == Kind::LValueReference || node.kind == Kind::RValueReference)
    node.target = LazyType(*this, record.target);
  if (record.containing_class) node.containing_class = LazyType(*this, record.containing_class);
  node.is_signed = record.encoding == dwarf::BaseEncoding::Signed || record.encoding == dwarf::BaseEncoding::SignedChar;
  if (node.kind == Kind::Character && canonical_base_name(node.dwarf_name) == "char")
    node.is_signed = record.encoding == dwarf::BaseEncoding::SignedChar;
  for (auto& m : record.members)
    node.members.push_back(MemberNode{std::move(m.name), LazyType(*this, m.type), m.byte_offset, m.bit_offset, m.bit_size,
                                      access_of(m.access), m.artificial});
  for (auto& b : record.bases)
    node.bases.push_back(BaseNode{LazyType(*this, b.type), b.byte_offset, std::move(b.location), b.is_virtual, access_of(b.access)});
  node.enumerators = std::move(record.enumerators);
  node.virtual_functions = std::move(record.virtual_functions);
  for (const auto& arg : record.template_args) {
    if (!arg.is_pack) {
      node.template_args.push_back(template_arg(*this, arg));
      continue;
    }
    for (const auto& element : arg.pack) node.template_args.push_back(template_arg(*this, element));
  }
  for (const auto& p : record.parameters) node.parameters.push_back(LazyType(*this, p));

  storage_.push_back(std::move(owned));
  nodes_.emplace(id, &node);

  if (node.kind == Kind::Enum && node.target) node.is_signed = node.target->get().concrete().is_signed;
  if (node.kind == Kind::Array) {
    // One node per dimension: `int[2][3]` is an array of 2 `int[3]`.
    TypeNode* outer = &node;
    for (std::size_t dim = 0; dim < record.array_counts.size(); ++dim) {
      outer->array_length = record.array_counts[dim];
      if (dim + 1 == record.array_counts.size()) {
        outer->element = &outer->target->get();
        break;
      }
      auto inner = std::make_unique<TypeNode>();
      inner->registry = this;
      inner->kind = Kind::Array;
      inner->id = id;
      inner->target = node.target;
      outer->element = inner.get();
      outer = inner.get();
      storage_.push_back(std::move(inner));
    }
    if (record.array_counts.empty()) node.element = &node.target->get();
    // Sizes bottom-up: the DIE's byte_size is often absent.
    std::vector<TypeNode*> chain;
    for (TypeNode* t = &node; t != nullptr && t->kind == Kind::Array; t = const_cast<TypeNode*>(t->element)) {
      chain.push_back(t);
      if (t->element == nullptr) break;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      TypeNode* t = *it;
      const TypeNode& element = t->element->concrete();
      t->size = t->array_length ? *t->array_length * element.size : 0;
    }
  }
  if (node.kind == Kind::Pointer || node.kind == Kind::LValueReference || node.kind == Kind::RValueReference)
    if (node.size == 0) node.size = sizeof(void*);
  // DW_TAG_ptr_to_member_type carries no byte_size. Itanium C++ ABI: a pointer to data member
  // is one ptrdiff_t (the offset, -1 for null), a pointer to member function two words (the
  // function or 1 + vtable offset, and the this-adjustment).
  if (node.kind == Kind::MemberPointer && node.size == 0)
    node.size = node.target && node.target->get().concrete().kind == Kind::Function ? 2 * sizeof(void*) : sizeof(std::ptrdiff_t);
  return node;
}

const TypeNode& Registry::resolve_declaration(const TypeNode& decl) {
  dwarf::TypeRecord key;
  key.tag = decl.kind == Kind::Union ? dwarf::Tag::Union : decl.kind == Kind::Enum ? dwarf::Tag::Enum : dwarf::Tag::Struct;
  key.name = decl.dwarf_name;
  key.scope = decl.scope;
  // The declaring module first (the usual case); then, if a module without debug info defines
  // the class by its symbols (its vtable, a member function: a library whose debug package is
  // not installed), no other module has more than a declaration of it either: say which it is
  // rather than search every module's debug info. Else every other module of the process, and,
  // if objects were loaded since the module list was read, the new ones.
  if (auto def = decl.id.module->find_definition(key)) return node_for(*def);
  const std::string name = dwarf::Module::index_key(key);
  for (const dwarf::Module* module : process().modules())
    if (!module->has_debug_info() && module->defines_class(name)) {
      incomplete_notes_[&decl] = fmt::format(
          "defined in {}, which has no debug info: install its debug package, or {}", module->path(),
          dwarf::debuginfod_urls().empty() ? "set DEBUGINFOD_URLS to fetch it from debuginfod" : "check DEBUGINFOD_URLS");
      return decl;
    }
  do {
    for (const dwarf::Module* module : process().modules())
      if (module != decl.id.module)
        if (auto def = module->find_definition(key)) return node_for(*def);
  } while (process().refresh());
  return decl;
}

Error no_debug_info(const dwarf::Module& module) {
  const std::optional<std::string> path = dwarf::debuginfo_path();
  const std::string looked =
      path ? fmt::format("looked in the file itself, and by build-id and .gnu_debuglink along the debuginfo path `{}`, "
                         "which REFLECT_DEBUGINFO_PATH or reflect::Options::debuginfo_path set in place of the default "
                         "`:.debug:/usr/lib/debug` (keep `:.debug:/usr/lib/debug` in it to look next to the file and "
                         "under /usr/lib/debug too)",
                         *path)
           : std::string("looked in the file itself, by build-id under /usr/lib/debug/.build-id, and through "
                         ".gnu_debuglink next to it and in its .debug/ folder; REFLECT_DEBUGINFO_PATH or "
                         "reflect::Options::debuginfo_path sets another path");
  return Error(fmt::format("reflect: the module {} has no DWARF debug info ({}; {}); build it with -g, or install its "
                           "debug package",
                           module.path(), looked, debuginfod_note()));
}

std::string Registry::incomplete_note(const TypeNode& decl) {
  std::lock_guard lock(mutex());
  auto it = incomplete_notes_.find(&decl);
  return it != incomplete_notes_.end() ? it->second : std::string();
}

const TypeNode& Registry::anchor_type(const void* anchor_code) {
  std::lock_guard lock(mutex());
  if (auto it = anchors_.find(anchor_code); it != anchors_.end()) return *it->second;
  auto address = reinterpret_cast<std::uintptr_t>(anchor_code);
  const dwarf::Module* module = process().module_at(address);
  if (module == nullptr) throw Error(fmt::format("reflect: no loaded module contains the address {}", anchor_code));
  if (!module->has_debug_info()) throw no_debug_info(*module);
  auto id = module->anchor_type_at(address);
  if (!id)
    throw Error(fmt::format(
        "reflect: the debug info of {} does not describe the function at {}; the translation unit that called "
        "reflect() must be compiled with -g",
        module->path(), anchor_code));
  const TypeNode& node = *id ? node_for(*id) : void_node();
  anchors_.emplace(anchor_code, &node);
  return node;
}

const TypeNode& type_from_anchor(const void* anchor_code) { return Registry::self().anchor_type(anchor_code); }

const TypeNode& TypeNode::concrete_slow() const {
  Registry& registry = *this->registry;
  std::lock_guard lock(registry.mutex());
  if (const TypeNode* c = concrete_cache.load(std::memory_order_relaxed)) return *c;
  const TypeNode* t = this;
  for (int hops = 0; hops < 64 && (t->kind == Kind::Typedef || t->kind == Kind::Const || t->kind == Kind::Volatile) && t->target; ++hops)
    t = &t->target->get();
  if (t->is_declaration && (t->kind == Kind::Struct || t->kind == Kind::Union || t->kind == Kind::Enum)) {
    // A miss at the current module-set generation is a miss again: no second search.
    if (concrete_miss_generation != kNoMiss && concrete_miss_generation == registry.process().current_generation())
      return *t;
    const TypeNode& resolved = registry.resolve_declaration(*t);
    if (resolved.is_declaration) {
      concrete_miss_generation = registry.process().generation();
      return resolved;
    }
    t = &resolved;
  }
  concrete_cache.store(t, std::memory_order_release);
  return *t;
}

const std::string& TypeNode::name_slow() const {
  std::lock_guard lock(registry->mutex());
  if (!name_ready.load(std::memory_order_relaxed)) {
    name_cache = render_name(*this);
    name_ready.store(true, std::memory_order_release);
  }
  return name_cache;
}

namespace {
// GCC names a closure's captures `__x`; users wrote `x`.
std::string_view capture_name(const TypeNode& closure, std::string_view name) {
  if (closure.is_closure && name.size() > 2 && name.starts_with("__")) name.remove_prefix(2);
  return name;
}

void flatten(const TypeNode& owner, std::size_t base_offset, std::vector<FieldNode>& out) {
  for (const MemberNode& m : owner.members) {
    if (m.is_vtable_pointer()) continue;
    const TypeNode& type = m.type.get();
    if (m.name.empty()) {
      const TypeNode& inner = type.concrete();
      if (inner.kind == Kind::Struct || inner.kind == Kind::Union) {
        flatten(inner, base_offset + m.offset, out);
        continue;
      }
    }
    out.push_back(FieldNode{capture_name(owner, m.name), &type, base_offset + m.offset, m.bit_offset, m.bit_size, m.access});
  }
}
}  // namespace

const std::vector<FieldNode>& TypeNode::fields_slow() const {
  std::lock_guard lock(registry->mutex());
  if (!fields_ready.load(std::memory_order_relaxed)) {
    flatten(*this, 0, fields_cache);
    for (std::size_t i = 0; i < fields_cache.size(); ++i) field_index.emplace(fields_cache[i].name, i);
    fields_ready.store(true, std::memory_order_release);
  }
  return fields_cache;
}

const FieldNode* TypeNode::field(std::string_view name) const {
  const auto& all = fields();
  auto it = field_index.find(name);
  return it == field_index.end() ? nullptr : &all[it->second];
}

namespace {

std::size_t saturated_add(std::size_t a, std::size_t b) {
  std::size_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? ~std::size_t{0} : sum;
}

// find_member()'s walk (value.cpp) over the types alone: the field it finds and the base
// offsets on the way. `stable` turns false at a declaration that no loaded module defines.
const FieldNode* walk_member(const TypeNode& type, std::string_view name, bool (*accept)(const TypeNode&),
                             MemberLookup& out, bool& stable) {
  if (type.kind != Kind::Struct && type.kind != Kind::Union) return nullptr;
  if (type.is_declaration) stable = false;
  if (const FieldNode* field = type.field(name)) {
    const TypeNode& field_type = field->type->concrete();
    if (accept && field_type.is_declaration) stable = false;
    if (!accept || accept(field_type)) {
      out.bound = saturated_add(out.bound, field->offset);
      return field;
    }
  }
  for (bool declarations : {false, true}) {
    for (const BaseNode& base : type.bases) {
      if (base.is_virtual || !base.offset || base.type.get().is_declaration != declarations) continue;
      out.bound = saturated_add(out.bound, *base.offset);
      out.base_offsets.push_back(*base.offset);
      if (const FieldNode* found = walk_member(base.type.get().concrete(), name, accept, out, stable)) return found;
      out.base_offsets.pop_back();
    }
  }
  return nullptr;
}

}  // namespace

const MemberLookup* TypeNode::member_lookup_slow(std::string_view name, bool (*accept)(const TypeNode&)) const {
  std::lock_guard lock(registry->mutex());
  std::size_t free_slot = kMemberLookups;
  for (std::size_t i = 0; i < kMemberLookups; ++i) {
    const MemberLookup* m = member_lookups[i].load(std::memory_order_relaxed);
    if (m == nullptr) {
      free_slot = i;
      break;
    }
    if (m->accept == accept && m->name == name) return m;
  }
  if (free_slot == kMemberLookups || is_declaration) return nullptr;
  auto lookup = std::make_unique<MemberLookup>();
  lookup->name = std::string(name);
  lookup->accept = accept;
  bool stable = true;
  lookup->field = walk_member(*this, name, accept, *lookup, stable);
  if (!stable) return nullptr;
  const MemberLookup* published = lookup.get();
  member_lookup_storage.push_back(std::move(lookup));
  member_lookups[free_slot].store(published, std::memory_order_release);
  return published;
}

}  // namespace reflect::detail

namespace reflect {

using detail::TypeNode;

void configure(const Options& options) { detail::Registry::self().configure(options); }

std::string_view to_string(Kind kind) noexcept {
  switch (kind) {
    case Kind::Void: return "void";
    case Kind::Bool: return "bool";
    case Kind::Integer: return "integer";
    case Kind::Character: return "character";
    case Kind::Floating: return "floating";
    case Kind::Complex: return "complex";
    case Kind::Enum: return "enum";
    case Kind::Struct: return "struct";
    case Kind::Union: return "union";
    case Kind::Array: return "array";
    case Kind::Pointer: return "pointer";
    case Kind::LValueReference: return "lvalue reference";
    case Kind::RValueReference: return "rvalue reference";
    case Kind::MemberPointer: return "member pointer";
    case Kind::Function: return "function";
    case Kind::Typedef: return "typedef";
    case Kind::Const: return "const";
    case Kind::Volatile: return "volatile";
    case Kind::NullPtr: return "nullptr_t";
    case Kind::Unknown: break;
  }
  return "unknown";
}

UnreadableMemory::UnreadableMemory(std::uintptr_t address)
    : Error(fmt::format("reflect: memory at {:#x} is not readable (a dangling or garbage pointer?)", address)),
      address_(address) {}

std::string_view Type::name() const { return node_->name(); }
std::size_t Type::size() const {
  // A declaration answers with its definition's size (0 when there is none).
  return node_->is_declaration ? node_->concrete().size : node_->size;
}
Kind Type::kind() const noexcept { return node_->kind; }
bool Type::is_signed() const noexcept { return node_->is_signed; }
bool Type::is_complete() const {
  const TypeNode& c = node_->concrete();
  return !c.is_declaration;
}

std::optional<Type> Type::target() const {
  if (node_->kind == Kind::Array && node_->element) return Type(*node_->element);
  if (!node_->target) return std::nullopt;
  return Type(node_->target->get());
}

Type Type::strip() const { return Type(node_->concrete()); }

std::optional<std::size_t> Type::array_length() const { return node_->array_length; }

std::vector<Member> Type::members() const {
  const TypeNode& c = node_->concrete();
  std::vector<Member> out;
  for (const auto& m : c.members)
    out.push_back(Member{m.name, Type(m.type.get()), m.offset, m.bit_offset, m.bit_size, m.access, m.artificial});
  return out;
}

std::vector<BaseClass> Type::bases() const {
  const TypeNode& c = node_->concrete();
  std::vector<BaseClass> out;
  for (const auto& b : c.bases) out.push_back(BaseClass{Type(b.type.get()), b.offset, b.is_virtual, b.access});
  return out;
}

std::vector<Enumerator> Type::enumerators() const {
  const TypeNode& c = node_->concrete();
  std::vector<Enumerator> out;
  for (const auto& e : c.enumerators) out.push_back(Enumerator{e.name, e.value});
  return out;
}

std::vector<TemplateArgument> Type::template_arguments() const {
  const TypeNode& c = node_->concrete();
  std::vector<TemplateArgument> out;
  for (const auto& a : c.template_args) {
    std::optional<Type> type;
    if (a.type) type = Type(a.type->get());
    out.push_back(TemplateArgument{a.name, type, a.value, a.is_default});
  }
  return out;
}

}  // namespace reflect
