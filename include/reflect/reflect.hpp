#pragma once
// reflect: runtime reflection for C++ from the program's own DWARF.
//
//   fmt::print("{}\n", reflect::reflect(obj));               // zoo::Point{.x = 1, .y = 2}
//   reflect::reflect(obj).as<reflect::Struct>().field("x");  // walk by member name

#include <reflect/anchor.hpp>
#include <reflect/coroutine.hpp>
#include <reflect/error.hpp>
#include <reflect/format.hpp>
#include <reflect/json.hpp>
#include <reflect/options.hpp>
#include <reflect/provider.hpp>
#include <reflect/target.hpp>
#include <reflect/type.hpp>
#include <reflect/value.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <typeinfo>

namespace reflect {

/// A Value over `object`, typed by T's own DWARF type. For a polymorphic T the value is the
/// complete object, of its dynamic type: `reflect(base_ref)` on a `Derived` gives a Derived.
template <class T> Value reflect(const T& object) {
  Value value(type_of<T>(), std::addressof(object));
  if constexpr (std::is_polymorphic_v<T>) return value.dynamic();
  return value;
}

/// A Value over `object` typed exactly as T, even when T is polymorphic.
template <class T> Value reflect_static(const T& object) {
  return Value(type_of<T>(), std::addressof(object));
}

/// A Value over an object known only by its address and its `std::type_info` (a `void*`
/// registry, an exception). Throws Error naming the type when no loaded module's debug info
/// describes it.
REFLECT_API Value reflect(const void* object, const std::type_info& type);

/// The type a user names as written in C++: `ns::Foo`, `std::vector<int>`, `std::string`.
/// Searches every loaded module (the first search builds a name index). nullopt if none.
REFLECT_API std::optional<Type> find_type(std::string_view name);

/// The global variable or static data member a user names as written in C++ (`app::g_config`,
/// `app::Cache::instance`, `g_counter`), as the object it is, of its declared type. Searches
/// every loaded module as find_type() does. nullopt if none describes it; throws Error for one
/// it cannot read (a thread-local, a constant the compiler kept no storage for).
REFLECT_API std::optional<Value> find_variable(std::string_view name);

}  // namespace reflect
