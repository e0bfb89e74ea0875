// linked.cpp: built as a shared library that the debuginfo-shared test program links.

#include "linked.hpp"

#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <vector>

namespace debuginfo_linked {

enum class Unit { Celsius, Kelvin };

struct Limits {
  int low;
  int high;
};

struct Sensor {
  std::string name;
  std::vector<double> readings;
  Unit unit;
  Limits limits;
};

namespace {
const Sensor& sensor() {
  static const Sensor* const instance = new Sensor{"thermo", {20.5, 21.0}, Unit::Celsius, {-40, 125}};  // never freed
  return *instance;
}
}  // namespace

reflect::Value sensor_value() { return reflect::reflect(sensor()); }

std::string describe_sensor() { return fmt::format("{}", reflect::reflect(sensor())); }

}  // namespace debuginfo_linked
