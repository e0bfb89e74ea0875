#pragma once
// Which provider presents a class: the user's (reflect::add_provider) first, then the
// standard library's, keyed by (library, template name). The answer is cached on the type
// node and recomputed only after add_provider() changed the set.

#include "type_node.hpp"

#include <reflect/provider.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace reflect::detail {

/// The standard library a class comes from, told by its own namespace: libc++ keeps its
/// classes in the inline namespace `std::__1`, libstdc++ in `std` (and `std::__cxx11`). (A
/// module may hold both: the type says more than the module.)
enum class Library : std::uint8_t { None, LibStdCxx, LibCxx };
Library library_of(const TypeNode& type);

/// One standard provider: the template it presents (`std::vector`) and the library whose
/// layout it reads.
struct StandardProvider {
  Library library;
  std::string_view template_name;
  const Provider* provider;
  // Whether it also presents a class that no loaded module defines, only declares (libstdc++'s
  // extern templates: the string streams). Such a provider reads the library's ABI layout and
  // checks the object against it itself; every other provider sees only complete classes.
  bool declarations = false;
};

/// The provider of a concrete class type, or nullptr (cached: see TypeNode::provider). A class
/// that is only declared has one only from a standard provider that takes declarations.
const Provider* find_provider(const TypeNode& type);

// For the fork handlers (fork.cpp): this file's objects that are made on first use (the users'
// and the standard providers) made now, or waited for while another thread makes them; and its
// two locks, each held for a few map operations or stores at most.
void make_providers_for_fork();
std::mutex& user_providers_mutex() noexcept;
std::mutex& provider_publish_mutex() noexcept;

// Each family of standard providers (reflect/std/*.cpp) lists its own; adding a family is
// one file and one line in providers.cpp.
void libstdcxx_strings(std::vector<StandardProvider>& out);
void libstdcxx_sequences(std::vector<StandardProvider>& out);
void libstdcxx_smart_pointers(std::vector<StandardProvider>& out);
void libstdcxx_holders(std::vector<StandardProvider>& out);
void libstdcxx_tuples(std::vector<StandardProvider>& out);
void libstdcxx_erased(std::vector<StandardProvider>& out);
void libstdcxx_deques(std::vector<StandardProvider>& out);
void libstdcxx_bits(std::vector<StandardProvider>& out);
void libstdcxx_views(std::vector<StandardProvider>& out);
void libstdcxx_adaptors(std::vector<StandardProvider>& out);
void libstdcxx_lists(std::vector<StandardProvider>& out);
void libstdcxx_trees(std::vector<StandardProvider>& out);
void libstdcxx_hashtables(std::vector<StandardProvider>& out);
void libstdcxx_variants(std::vector<StandardProvider>& out);
void libstdcxx_numbers(std::vector<StandardProvider>& out);
void libstdcxx_chrono(std::vector<StandardProvider>& out);
void libstdcxx_system(std::vector<StandardProvider>& out);
void libstdcxx_streams(std::vector<StandardProvider>& out);
void libstdcxx_iterators(std::vector<StandardProvider>& out);
void libstdcxx_node_handles(std::vector<StandardProvider>& out);
void libstdcxx_orderings(std::vector<StandardProvider>& out);
void libstdcxx_regex(std::vector<StandardProvider>& out);

}  // namespace reflect::detail
