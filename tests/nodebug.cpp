// Compiled without -g: reflecting a type that only this translation unit knows must fail with
// a clear reflect::Error, not a crash or a wrong type.
#include <reflect/reflect.hpp>

#include <string>

namespace {
struct OnlyHere {
  int value = 1;
};
}  // namespace

std::string reflect_without_debug_info() {
  OnlyHere object;
  try {
    reflect::reflect(object);
  } catch (const reflect::Error& e) {
    return e.what();
  }
  return "no error";
}
