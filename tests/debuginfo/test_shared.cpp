// Debug info that lives in shared objects: a library the program links, and a module it
// dlopen()s after reflect has already read the process's module list.
//
// The module is loaded only after reflect has read the module list (module_api()). The test
// cases of the program's own lookups (type_info, find_type, dynamic types) each run in a process
// of their own (fresh_process.hpp), where nothing has looked into the module before: each must
// find the new module by itself, whatever order the test cases run in.
//
// Bug 4 (fixed): only a lookup by address that missed (Process::module_at) re-read the module
// list, and an anchor in the program itself never misses. reflect(void*, type_info), find_type,
// the name index used to complete declarations, and the vtable lookup of dynamic types walk
// Process::modules(), which did not refresh: a module dlopen'ed after reflect's first use was
// invisible to them, and the misses were cached for good (TypeNode::concrete_cache kept the
// declaration, Registry::vtables_ kept "no type"). Now a miss re-reads the module list when
// objects were loaded since (dl_iterate_phdr's counters), and a miss is cached only with the
// generation it was looked up at.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "dlplugin.hpp"
#include "../fresh_process.hpp"
#include "linked.hpp"
#include "nodebug_lib.hpp"

#include <dlfcn.h>

#include <cstdlib>

#include <string>
#include <vector>

#ifndef DLPLUGIN_PATH
#error "DLPLUGIN_PATH must name the module to dlopen"
#endif

namespace {

struct Local {
  int before = 1;
};

std::vector<std::string> field_names(const reflect::Value& value) {
  std::vector<std::string> names;
  for (reflect::Field field : value.as<reflect::Struct>().fields()) names.emplace_back(field.name());
  return names;
}

const char* const SENSOR =
    R"(debuginfo_linked::Sensor{.name = "thermo", .readings = {20.5, 21}, .unit = debuginfo_linked::Unit::Celsius, .limits = {.low = -40, .high = 125}})";
const char* const READING = R"(debuginfo_dl::Reading{.unit = "kPa", .samples = {1, 2.5}, .mode = debuginfo_dl::Mode::Fast})";
const char* const CALIBRATION = R"(debuginfo_dl::Calibration{.offset = 0.25, .label = "factory"})";
const char* const DIAL = "debuginfo_dl::Dial{debuginfo_dl::Gauge{.id = 4}, .needle = 270}";

// The module, loaded on first use, always after reflect has read the module list (also when a
// test case runs alone).
const debuginfo_dl::Api& module_api() {
  static const debuginfo_dl::Api* const api = [] {
    CHECK(reflect::type_of<Local>().name() == "(anonymous namespace)::Local");
    void* handle = dlopen(DLPLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);  // never closed
    const char* error = handle ? nullptr : dlerror();
    REQUIRE_MESSAGE(handle != nullptr, std::string(error ? error : ""));
    auto entry = reinterpret_cast<const debuginfo_dl::Api* (*)()>(dlsym(handle, "debuginfo_dl_api"));
    const bool found = entry != nullptr;
    error = found ? nullptr : dlerror();
    REQUIRE_MESSAGE(found, std::string(error ? error : ""));
    return entry();
  }();
  return *api;
}

}  // namespace

// A class that only a library without debug info defines (as libprotobuf.so's Message, on
// Debian): the program's debug info declares it, and the print says which module has the
// definition and how to get its debug info, found from that module's symbols.
TEST_CASE("shared: a class defined in a library without debug info names the library") {
  const debuginfo_nodebug::Widget widget;
  CHECK(widget.size() == 7);
  const std::string printed = fmt::format("{}", reflect::reflect(widget));
  const std::string expected = fmt::format(
      "<incomplete debuginfo_nodebug::Widget: defined in {}, which has no debug info: install its debug package, or {}>",
      NODEBUG_LIB_PATH,
      std::getenv("DEBUGINFOD_URLS") == nullptr ? "set DEBUGINFOD_URLS to fetch it from debuginfod" : "check DEBUGINFOD_URLS");
  CHECK(printed == expected);
}

TEST_CASE("shared: a type and its reflect() call that live in a linked library") {
  // reflect has read the module list before anything below.
  CHECK(fmt::format("{}", reflect::reflect(Local{})) == "(anonymous namespace)::Local{.before = 1}");

  const reflect::Value sensor = debuginfo_linked::sensor_value();
  CHECK(sensor.type().name() == "debuginfo_linked::Sensor");
  CHECK(sensor.type().is_complete());
  CHECK(fmt::format("{}", sensor) == SENSOR);
  CHECK(debuginfo_linked::describe_sensor() == SENSOR);
  CHECK(field_names(sensor) == std::vector<std::string>{"name", "readings", "unit", "limits"});
  const auto fields = sensor.as<reflect::Struct>();
  CHECK(fields.field("name")->value().as<reflect::String>().text() == "thermo");
  CHECK(fields.field("readings")->value().as<reflect::Array>().at(1).as<double>() == 21.0);
  CHECK(fields.field("limits")->value().as<reflect::Struct>().field("low")->value().as<int>() == -40);
  CHECK(reflect::find_type("debuginfo_linked::Sensor") == sensor.type());
}

TEST_CASE("shared: an object of a type only a dlopen'ed module defines, by its std::type_info") {
  if (!reflect_test::in_fresh_process()) return;
  const debuginfo_dl::Api& api = module_api();
  const reflect::Value calibration = reflect::reflect(api.calibration(), api.calibration_type());
  CHECK(calibration.type().name() == "debuginfo_dl::Calibration");
  CHECK(calibration.address() == api.calibration());
  CHECK(fmt::format("{}", calibration) == CALIBRATION);
}

TEST_CASE("shared: find_type finds a type only a dlopen'ed module defines") {
  if (!reflect_test::in_fresh_process()) return;
  module_api();
  const auto type = reflect::find_type("debuginfo_dl::Calibration");
  REQUIRE(type.has_value());
  CHECK(type->name() == "debuginfo_dl::Calibration");
  CHECK(type->size() == sizeof(double) + sizeof(std::string));
  CHECK(reflect::find_type("debuginfo_dl::Reading").has_value());
}

TEST_CASE("shared: the dynamic type of an object from a dlopen'ed module") {
  if (!reflect_test::in_fresh_process()) return;
  const debuginfo_dl::Gauge& gauge = module_api().gauge();
  const reflect::Value value = reflect::reflect(gauge);
  CHECK(value.type().name() == "debuginfo_dl::Dial");
  CHECK(fmt::format("{}", value) == DIAL);
  CHECK(fmt::format("{}", reflect::reflect_static(gauge)) == "debuginfo_dl::Gauge{.id = 4}");
}

TEST_CASE("shared: a Value and text made by reflect() inside a dlopen'ed module") {
  const debuginfo_dl::Api& api = module_api();
  const reflect::Value reading = api.reading_value();
  CHECK(reading.type().name() == "debuginfo_dl::Reading");
  CHECK(fmt::format("{}", reading) == READING);
  CHECK(api.describe_reading() == READING);
  CHECK(field_names(reading) == std::vector<std::string>{"unit", "samples", "mode"});
  CHECK(reading.as<reflect::Struct>().field("samples")->value().as<reflect::Array>().size() == 2);
  // The module's own anchor has been used: reflect has seen the module now.
  CHECK(fmt::format("{}", reflect::reflect(api.calibration(), api.calibration_type())) == CALIBRATION);
}

TEST_CASE("shared: a type looked up before its module was seen is found once it has been") {
  if (!reflect_test::in_fresh_process()) return;
  const debuginfo_dl::Api& api = module_api();
  (void)fmt::format("{}", reflect::reflect(api.gauge()));  // was <incomplete debuginfo_dl::Gauge> under bug 4
  CHECK(api.reading_value().type().name() == "debuginfo_dl::Reading");  // the module's own anchor
  CHECK(fmt::format("{}", reflect::reflect(api.gauge())) == DIAL);
}
