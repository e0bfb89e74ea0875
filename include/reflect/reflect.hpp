#pragma once
// reflect: runtime reflection for C++ from the program's own DWARF.
//
//   fmt::print("{}\n", reflect::reflect(obj));               // zoo::Point{.x = 1, .y = 2}
//   reflect::reflect(obj).as<reflect::Struct>().field("x");  // walk by member name

#include <reflect/anchor.hpp>
#include <reflect/error.hpp>
#include <reflect/format.hpp>
#include <reflect/type.hpp>
#include <reflect/value.hpp>

#include <memory>

namespace reflect {

/// A Value over `object`, typed by T's own DWARF type.
template <class T> Value reflect(const T& object) {
  return Value(type_of<T>(), std::addressof(object));
}

}  // namespace reflect
