// dlplugin.cpp: built as a shared module that the debuginfo-shared test program dlopen()s.

#include "dlplugin.hpp"

#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <vector>

namespace debuginfo_dl {

Gauge::~Gauge() = default;

enum class Mode { Slow, Fast };

struct Reading {
  std::string unit;
  std::vector<double> samples;
  Mode mode;
};

struct Calibration {
  double offset;
  std::string label;
};

struct Dial : Gauge {
  int needle = 270;
};

namespace {
// Never freed: the program may hold Values over them after the calls return.
const Reading& reading() {
  static const Reading* const instance = new Reading{"kPa", {1.0, 2.5}, Mode::Fast};
  return *instance;
}
const Calibration& calibration() {
  static const Calibration* const instance = new Calibration{0.25, "factory"};
  return *instance;
}
const Gauge& gauge() {
  static const Dial* const instance = new Dial();
  return *instance;
}

const Api api = {
    [] { return reflect::reflect(reading()); },
    [] { return fmt::format("{}", reflect::reflect(reading())); },
    [] { return static_cast<const void*>(&calibration()); },
    []() -> const std::type_info& { return typeid(Calibration); },
    []() -> const Gauge& { return gauge(); },
};
}  // namespace

}  // namespace debuginfo_dl

extern "C" const debuginfo_dl::Api* debuginfo_dl_api() { return &debuginfo_dl::api; }
