#include "providers.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace reflect::detail {

std::atomic<std::uint64_t> provider_generation{1};

namespace {

// Guards UserProviders (a global, so that the fork handlers need no UserProviders to take it).
constinit std::mutex user_providers_lock;

// The users' providers by template name. Replaced ones are kept: a view made before the
// replacement may still point at them.
class UserProviders {
 public:
  void add(std::string_view template_name, std::shared_ptr<const Provider> provider) {
    std::lock_guard lock(user_providers_lock);
    auto& slot = by_name_[std::string(template_name)];
    if (slot) retired_.push_back(std::move(slot));
    slot = std::move(provider);
    provider_generation.fetch_add(1, std::memory_order_acq_rel);
  }
  std::shared_ptr<const Provider> find(std::string_view template_name) const {
    std::lock_guard lock(user_providers_lock);
    if (by_name_.empty()) return nullptr;
    auto it = by_name_.find(std::string(template_name));
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string, std::shared_ptr<const Provider>> by_name_;
  std::vector<std::shared_ptr<const Provider>> retired_;
};

UserProviders& user_providers() {
  static UserProviders* providers = new UserProviders();  // never destroyed: printing may run during exit
  return *providers;
}

const std::vector<StandardProvider>& standard_providers() {
  static const std::vector<StandardProvider> all = [] {
    std::vector<StandardProvider> out;
    libstdcxx_strings(out);
    libstdcxx_sequences(out);
    libstdcxx_smart_pointers(out);
    libstdcxx_holders(out);
    libstdcxx_tuples(out);
    libstdcxx_erased(out);
    libstdcxx_deques(out);
    libstdcxx_bits(out);  // after sequences: its std::vector takes only vector<bool>
    libstdcxx_views(out);
    libstdcxx_adaptors(out);
    libstdcxx_lists(out);
    libstdcxx_trees(out);
    libstdcxx_hashtables(out);
    libstdcxx_variants(out);
    libstdcxx_numbers(out);
    libstdcxx_chrono(out);
    libstdcxx_system(out);
    libstdcxx_streams(out);
    libstdcxx_iterators(out);
    libstdcxx_node_handles(out);
    libstdcxx_orderings(out);
    libstdcxx_regex(out);
    return out;
  }();
  return all;
}

// Orders the publications of provider_slow(): taken alone, for two stores.
constinit std::mutex publish_mutex;

// libstdc++'s debug mode (-D_GLIBCXX_DEBUG) wraps std::__cxx1998::vector in std::__debug::vector:
// both present the template they wrap. libstdc++'s classes outside std (__gnu_cxx::slist,
// __gnu_debug::_Safe_iterator) keep their namespace.
std::string_view standard_template_name(std::string_view name) {
  for (std::string_view wrapper : {"std::__debug::", "std::__cxx1998::"})
    if (name.starts_with(wrapper)) return name.substr(wrapper.size());
  if (name.starts_with("__gnu_cxx::") || name.starts_with("__gnu_debug::")) return name;
  return name.starts_with("std::") ? name.substr(5) : std::string_view();
}

}  // namespace

Library library_of(const TypeNode& type) {
  if (type.scope.empty() || type.scope[0].kind != dwarf::ScopeRecord::Kind::Namespace) return Library::None;
  const std::string& outer = type.scope[0].name;
  if (outer == "std") {
    if (type.scope.size() > 1 && type.scope[1].name == "__1") return Library::LibCxx;
    return Library::LibStdCxx;
  }
  if (outer == "__gnu_cxx" || outer == "__gnu_debug") return Library::LibStdCxx;
  return Library::None;
}

const Provider* find_provider(const TypeNode& type) {
  if (type.kind != Kind::Struct && type.kind != Kind::Union) return nullptr;
  const Type handle(type);
  std::string_view name = type.template_name();
  if (!type.is_declaration)  // a user's provider is promised complete classes
    if (auto user = user_providers().find(name))
      if (user->matches(handle)) return user.get();  // kept alive by the registry of users' providers
  const Library library = library_of(type);
  if (library == Library::None) return nullptr;
  std::string_view unqualified = standard_template_name(name);
  if (unqualified.empty()) return nullptr;
  for (const StandardProvider& standard : standard_providers())
    if (standard.library == library && standard.template_name == unqualified &&
        (standard.declarations || !type.is_declaration) && standard.provider->matches(handle))
      return standard.provider;
  return nullptr;
}

const Provider* TypeNode::provider_slow(std::uint64_t generation) const {
  const Provider* found = find_provider(*this);
  // Computed outside any lock (a provider's matches() may build types); published in
  // generation order, the pointer before its generation, so that a reader who sees the
  // current generation sees its answer.
  std::lock_guard lock(publish_mutex);
  if (provider_cache_generation.load(std::memory_order_relaxed) < generation) {
    provider_cache.store(found, std::memory_order_release);
    provider_cache_generation.store(generation, std::memory_order_release);
  }
  return found;
}

void make_providers_for_fork() {
  (void)user_providers();
  (void)standard_providers();
}
std::mutex& user_providers_mutex() noexcept { return user_providers_lock; }
std::mutex& provider_publish_mutex() noexcept { return publish_mutex; }

}  // namespace reflect::detail

namespace reflect {

void add_provider(std::string_view template_name, std::shared_ptr<const Provider> provider) {
  if (!provider) throw Error("reflect::add_provider: the provider is null");
  if (template_name.empty()) throw Error("reflect::add_provider: the template name is empty (write it as Type::name() does, `ns::SmallVector`)");
  detail::user_providers().add(template_name, std::move(provider));
}

}  // namespace reflect
