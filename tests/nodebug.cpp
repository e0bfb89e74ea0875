// Compiled without -g: reflecting a type that only this translation unit knows must fail with
// a clear reflect::Error, not a crash or a wrong type.
//
// Nothing here may call reflect() on a type that other translation units reflect too: the
// linker could keep this unit's (debug-info-less) copy of that type's anchor.
#include <reflect/reflect.hpp>

#include "fixtures/poly.hpp"

#include <string>
#include <typeinfo>
#include <utility>

namespace {
struct OnlyHere {
  int value = 1;
};
}  // namespace

namespace nodebug {
// Described by no debug info anywhere.
struct Unseen {
  int value = 3;
};

// A dynamic type with no debug info: reflect() must fall back to the static type, poly::Shape.
struct Ghost : poly::Shape {
  Ghost() : Shape(12) {}
  int hidden = 13;
};
}  // namespace nodebug

std::string reflect_without_debug_info() {
  OnlyHere object;
  try {
    reflect::reflect(object);
  } catch (const reflect::Error& e) {
    return e.what();
  }
  return "no error";
}

std::pair<const void*, const std::type_info*> object_without_debug_info() {
  static const nodebug::Unseen* const object = new nodebug::Unseen();  // never destroyed
  return {object, &typeid(nodebug::Unseen)};
}

const poly::Shape& shape_without_debug_info() {
  static const nodebug::Ghost* const ghost = new nodebug::Ghost();  // never destroyed
  return *ghost;
}
