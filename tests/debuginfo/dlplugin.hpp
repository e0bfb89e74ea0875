#pragma once
// A shared module the debuginfo-shared test program dlopen()s at run time (never links): the
// program finds debuginfo_dl_api() with dlsym. Everything but Gauge's declaration below is
// defined only inside the module, and so is all of its debug info.

#include <reflect/value.hpp>

#include <string>
#include <typeinfo>

namespace debuginfo_dl {

// Polymorphic, with its key function (the destructor) in the module: the program's own DWARF
// has at most a declaration of Gauge; the definition and the dynamic type, Dial, are the
// module's.
struct Gauge {
  Gauge() = default;
  Gauge(const Gauge&) = default;
  Gauge& operator=(const Gauge&) = default;
  virtual ~Gauge();
  int id = 4;
};

struct Api {
  /// debuginfo_dl::Reading{.unit = "kPa", .samples = {1, 2.5}, .mode = debuginfo_dl::Mode::Fast}, made by
  /// reflect() inside the module.
  reflect::Value (*reading_value)();
  /// The same object printed with `{}` inside the module.
  std::string (*describe_reading)();
  /// An object of a type only the module knows (debuginfo_dl::(anonymous namespace)::Secret
  /// would do too, but a named one can also be looked up with find_type):
  /// debuginfo_dl::Calibration{.offset = 0.25, .label = "factory"}
  const void* (*calibration)();
  const std::type_info& (*calibration_type)();
  /// A debuginfo_dl::Dial{debuginfo_dl::Gauge{.id = 4}, .needle = 270}.
  const Gauge& (*gauge)();
};

}  // namespace debuginfo_dl

/// The module's one entry point, found with dlsym().
extern "C" const debuginfo_dl::Api* debuginfo_dl_api();
