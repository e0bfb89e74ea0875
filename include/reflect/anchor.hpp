#pragma once
// Finding T's DWARF type without matching names: anchor<T> is a function whose debug info
// names T as its template argument, so its address leads to T's exact DIE (cv and references
// kept). The per-T tag gives each instantiation a distinct relocation, so identical-code
// folding (--icf=all) cannot merge two anchors into one address.

#include <reflect/type.hpp>

#include <atomic>
#include <type_traits>

namespace reflect {
namespace detail {

template <class T> inline char anchor_tag = 0;

template <class T> [[gnu::noinline, gnu::used]] const void* anchor() noexcept {
  // A complete T makes clang emit its definition rather than a declaration.
  if constexpr (!std::is_function_v<T> && !std::is_void_v<T>) static_assert(sizeof(T) > 0);
  asm volatile("" : : "r"(&anchor_tag<T>));
  return &anchor_tag<T>;
}

// The type named by the anchor function at `anchor_code`. Throws Error when the module that
// holds it has no debug info.
REFLECT_API const TypeNode& type_from_anchor(const void* anchor_code);

template <class T> inline std::atomic<const TypeNode*> anchored_type{nullptr};

}  // namespace detail

/// T's type, from the debug info, with no object needed.
template <class T> Type type_of() {
  const detail::TypeNode* node = detail::anchored_type<T>.load(std::memory_order_acquire);
  if (node == nullptr) {
    node = &detail::type_from_anchor(reinterpret_cast<const void*>(&detail::anchor<T>));
    detail::anchored_type<T>.store(node, std::memory_order_release);
  }
  return Type(*node);
}

}  // namespace reflect
