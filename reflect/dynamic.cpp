// Types found at run time rather than through an anchor: the dynamic type of a polymorphic
// object (through its vtable), a type named by a std::type_info or by a user's string.

#include "../dwarf/process.hpp"
#include "memory.hpp"
#include "type_node.hpp"
#include "value_access.hpp"

#include <reflect/reflect.hpp>

#include <fmt/format.h>

namespace reflect {

using namespace detail;

namespace detail {

bool TypeNode::is_polymorphic() const {
  if (kind != Kind::Struct) return false;
  for (const MemberNode& m : members)
    if (m.is_vtable_pointer()) return true;
  for (const BaseNode& base : bases)
    if (base.type.get().concrete().is_polymorphic()) return true;
  return false;
}

const TypeNode* Registry::find_type(std::string_view name, std::uintptr_t preferred_address) {
  const bool may_unlock = may_build_unlocked();
  std::unique_lock lock(mutex());
  const dwarf::Module* preferred = preferred_address ? process().module_at(preferred_address) : nullptr;
  // The modules known so far; on a miss, once more if objects were loaded since (dlopen).
  do {
    std::vector<const dwarf::Module*> modules = process().modules();
    if (preferred) {
      std::erase(modules, preferred);
      modules.insert(modules.begin(), preferred);
    }
    for (const dwarf::Module* module : modules) {
      if (auto id = module->find_type(name, !may_unlock)) return &node_for(*id);
      // A miss of the finders that do without the index: the module's index, built with the
      // lock let go, decides.
      if (may_unlock && module->lacks_name_index()) {
        build_name_index_unlocked(lock, *module);
        if (auto id = module->find_type(name)) return &node_for(*id);
      }
    }
  } while (process().refresh());
  return nullptr;
}

const TypeNode* Registry::class_of_function(std::uintptr_t address) {
  std::lock_guard lock(mutex());
  const dwarf::Module* module = process().module_at(address);
  if (module == nullptr) return nullptr;
  auto function = module->function_at(address);
  if (!function || !function->enclosing_class) return nullptr;
  return &node_for(function->enclosing_class);
}

const TypeNode* Registry::type_of_vtable(std::uintptr_t vptr, std::uintptr_t type_info) {
  {
    std::lock_guard lock(mutex());
    if (auto it = vtables_.find(hidden_key(vptr)); it != vtables_.end())
      if (it->second.type != nullptr || it->second.generation == process().current_generation())
        return it->second.type;
  }
  // The most-derived type_info's mangled name survives stripping; without RTTI, the vtable's
  // own symbol (`_ZTV...`, in .symtab) names the class.
  std::string name;
  std::uintptr_t type_info_words[2] = {};  // vtable, name
  if (type_info != 0 && try_read_memory(memory_, type_info, type_info_words, sizeof type_info_words)) {
    const std::uintptr_t mangled = type_info_words[1];
    if (mangled != 0) {
      std::size_t length = c_string_length(memory_, mangled, 1, 4096);
      std::string text(length, '\0');
      read_memory(memory_, mangled, text.data(), length);
      if (!text.empty() && text[0] == '*') text.erase(0, 1);  // GCC marks local-linkage names
      name = dwarf::demangle(text);
    }
  }
  if (name.empty()) {
    std::lock_guard lock(mutex());
    if (const dwarf::Module* module = process().module_at(vptr))
      if (auto symbol = module->symbol_at(vptr); symbol && symbol->name.starts_with("_ZTV")) {
        name = dwarf::demangle(std::string(symbol->name));
        if (name.starts_with("vtable for ")) name.erase(0, 11);
      }
  }
  const TypeNode* type = name.empty() ? nullptr : find_type(dwarf::normalize_name(name), vptr);
  if (type != nullptr && (type->concrete().kind != Kind::Struct)) type = nullptr;
  std::lock_guard lock(mutex());
  // A miss is kept with the generation it was looked up at: a later dlopen may define the type.
  vtables_.insert_or_assign(hidden_key(vptr), VtableEntry{type, process().generation()});
  return type;
}

Value dynamic_value(const Value& value) {
  const TypeNode& type = concrete_of(value);
  if (type.kind != Kind::Struct || type.is_declaration || !type.is_polymorphic()) return value;
  // Itanium C++ ABI: a dynamic class has a vtable pointer at offset 0; the vtable holds
  // offset-to-top at [-2] and the most-derived type_info at [-1].
  std::uintptr_t address = address_of(value);
  Registry& registry = registry_of(value);
  const Memory& memory = registry.memory();
  std::uintptr_t vptr = 0;
  if (!try_read_memory(memory, address, &vptr, sizeof vptr)) return value;
  std::uintptr_t header[2] = {};  // offset-to-top, type_info
  if (vptr < sizeof header || !try_read_memory(memory, vptr - sizeof header, header, sizeof header)) return value;
  const auto offset_to_top = static_cast<std::ptrdiff_t>(header[0]);
  const TypeNode* dynamic = registry.type_of_vtable(vptr, header[1]);
  if (dynamic == nullptr) return value;
  // offset_to_top is <= 0 (a base lies inside its complete object); a garbage one must not wrap.
  const std::uintptr_t back = std::uintptr_t{0} - static_cast<std::uintptr_t>(offset_to_top);  // -offset_to_top
  if (offset_to_top > 0 || back > address) return value;
  const std::uintptr_t complete = address - back;
  if (!readable(memory, complete, dynamic->concrete().size)) return value;
  return Value(Type(*dynamic), reinterpret_cast<const void*>(complete));
}

}  // namespace detail

Value Value::dynamic() const { return detail::dynamic_value(*this); }

std::optional<Type> find_type(std::string_view name) {
  const TypeNode* type = Registry::self().find_type(dwarf::normalize_name(name));
  if (type == nullptr) return std::nullopt;
  return Type(*type);
}

Value reflect(const void* object, const std::type_info& type) {
  std::string mangled = type.name();
  if (!mangled.empty() && mangled[0] == '*') mangled.erase(0, 1);
  std::string name = dwarf::demangle(mangled);
  const TypeNode* node = Registry::self().find_type(dwarf::normalize_name(name));
  if (node == nullptr)
    throw Error(fmt::format(
        "reflect: no loaded module's debug info describes the type {} (type_info name '{}'); build the code "
        "that defines it with -g (and -fstandalone-debug / -femit-class-debug-always), or install its debug package",
        name, mangled));
  return Value(Type(*node), object);
}

}  // namespace reflect
