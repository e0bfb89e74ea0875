// Global variables and static data members by name: the objects a tool asks for first
// (`reflect print app::g_config`), found in the name index and read where their definitions
// say they lie.

#include "../dwarf/names.hpp"
#include "../dwarf/process.hpp"
#include "type_node.hpp"
#include "value_access.hpp"

#include <reflect/error.hpp>
#include <reflect/reflect.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace reflect {

using namespace detail;

namespace detail {

std::optional<Registry::Variable> Registry::find_variable(std::string_view name) {
  const bool may_unlock = may_build_unlocked();
  std::unique_lock lock(mutex());
  std::optional<dwarf::VariableRecord> declared;  // the best found, should none have an address
  const dwarf::Module* declaring = nullptr;
  do {
    for (const dwarf::Module* module : process().modules()) {
      auto found = module->find_variable(name, !may_unlock);
      // A miss of the walk that does without the index: the module's index, built with the
      // lock let go, decides.
      if (!found && may_unlock && module->lacks_name_index()) {
        build_name_index_unlocked(lock, *module);
        found = module->find_variable(name);
      }
      if (!found) continue;
      if (found->address && found->type)
        return Variable{&node_for(found->type), static_cast<std::uintptr_t>(*found->address)};
      if (!declared) {
        declared = found;
        declaring = module;
      }
    }
  } while (!declared && process().refresh());
  if (!declared) {
    // A stripped executable (whose debug file was not found) has none to look in: say so, not
    // that the variable does not exist.
    if (const dwarf::Module* executable = process().executable(); executable && !executable->has_debug_info())
      throw no_debug_info(*executable);
    return std::nullopt;
  }
  using NoAddress = dwarf::VariableRecord::NoAddress;
  switch (declared->no_address) {
    case NoAddress::ThreadLocal:
      throw Error(fmt::format("reflect: {} is thread-local, and reflect cannot read thread-local variables yet", name));
    case NoAddress::Constant:
      throw Error(fmt::format("reflect: {} is a constant the compiler kept no storage for: its value is in the debug "
                              "info of {} but there is no object to read",
                              name, declaring->path()));
    default:
      throw Error(fmt::format("reflect: {} is declared in the debug info of {}, but no module's debug info says where "
                              "it lies: build the file that defines it with -g",
                              name, declaring->path()));
  }
}

std::vector<Registry::Listed> Registry::list(std::string_view substring) {
  const bool may_unlock = may_build_unlocked();
  std::unique_lock lock(mutex());
  std::vector<Listed> out;
  std::unordered_set<std::string> listed;  // of a name several modules describe, the first module's
  for (const dwarf::Module* module : process().modules()) {
    if (may_unlock && module->lacks_name_index()) build_name_index_unlocked(lock, *module);
    for (const dwarf::Module::Named& named : module->named(substring)) {
      if (listed.contains(named.name)) continue;
      if (!named.is_variable) {
        out.push_back({named.name, &node_for(named.die), false, std::nullopt});
      } else if (const auto variable = module->find_variable(named.name)) {
        // (The definition, with the address, may be filed after a declaration.)
        out.push_back({named.name, variable->type ? &node_for(variable->type) : nullptr, true,
                       variable->address ? std::optional<std::uintptr_t>(*variable->address) : std::nullopt});
      } else {
        continue;
      }
      listed.insert(named.name);
    }
  }
  std::sort(out.begin(), out.end(), [](const Listed& a, const Listed& b) { return a.name < b.name; });
  return out;
}

std::optional<Value> variable_value(Registry& registry, std::string_view name) {
  auto found = registry.find_variable(dwarf::normalize_name(name));
  if (!found) return std::nullopt;
  return Value(Type(*found->type), reinterpret_cast<const void*>(found->address));
}

}  // namespace detail

std::optional<Value> find_variable(std::string_view name) { return detail::variable_value(Registry::self(), name); }

}  // namespace reflect
