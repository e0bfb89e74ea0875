// Global variables and static data members by name (reflect::find_variable,
// Target::find_variable), and the lists of what a target's debug info describes
// (Target::variables, Target::types), on the target fixture's globals linked into this binary
// (tests/target/globals.hpp), and on that fixture's binary on disk (Target::open_executable).

#include "target/expected.hpp"
#include "target/globals.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

void fill_globals_once() {
  static const bool filled = (app::fill_globals(), true);
  (void)filled;
}

std::string nested(const reflect::Value& value) {
  return reflect_test::without_addresses(fmt::format("{}", reflect::formatted(value, {.show_type = false})));
}

template <class Item, class Name> std::vector<std::string> names(const std::vector<Item>& items, Name name) {
  std::vector<std::string> out;
  for (const Item& item : items) out.push_back(name(item));
  return out;
}

}  // namespace

TEST_CASE("find_variable: globals and static data members print as expected.txt says") {
  fill_globals_once();
  std::size_t checked = 0;
  for (const reflect_test::ExpectedLine& line : reflect_test::expected_globals()) {
    if (!line.is_plain_name) continue;
    INFO(line.expression);
    const auto value = reflect::find_variable(line.expression);
    REQUIRE(value.has_value());
    CHECK(nested(*value) == line.value);
    ++checked;
  }
  CHECK(checked == 9);
}

TEST_CASE("find_variable: the object itself, of its declared type") {
  fill_globals_once();
  const auto counter = reflect::find_variable("app::g_counter");
  REQUIRE(counter.has_value());
  CHECK(counter->address() == &app::g_counter);
  CHECK(counter->type().name() == "int");
  const auto instance = reflect::find_variable("app::Cache::instance");
  REQUIRE(instance.has_value());
  CHECK(instance->address() == &app::Cache::instance);
  CHECK(instance->type().name() == "app::Cache");
  const auto shape = reflect::find_variable("app::g_shape");
  REQUIRE(shape.has_value());
  CHECK(shape->type().name() == "app::Shape*");
  CHECK(shape->as<reflect::Pointer>().deref().type().name() == "app::Circle");
  const auto top = reflect::find_variable("g_top");
  REQUIRE(top.has_value());
  CHECK(top->address() == &g_top);
  const auto table = reflect::find_variable("app::g_table");
  REQUIRE(table.has_value());
  CHECK(table->type().name() == "int[3]");
}

TEST_CASE("find_variable: misses and what cannot be read") {
  CHECK_FALSE(reflect::find_variable("app::no_such_global").has_value());
  CHECK_FALSE(reflect::find_variable("app::Config").has_value());  // a type
  CHECK_FALSE(reflect::find_type("app::g_config").has_value());     // a variable
  CHECK_FALSE(reflect::find_variable("app::Config::name").has_value());  // a data member of each object
  CHECK_THROWS_WITH_AS(reflect::find_variable("app::t_requests"),
                       "reflect: app::t_requests is thread-local, and reflect cannot read thread-local variables yet",
                       reflect::Error);
  // A static constexpr member never odr-used has no object, only a declaration in its class.
  CHECK_FALSE(reflect::find_variable("app::Cache::version").has_value());
}

TEST_CASE("Target::variables and Target::types list what the debug info describes" *
          doctest::test_suite("debug info only")) {
  fill_globals_once();
  const reflect::Target& self = reflect::Target::self();
  const std::vector<reflect::Variable> variables = self.variables("app::g_");
  CHECK(names(variables, [](const reflect::Variable& v) { return v.name; }) ==
        std::vector<std::string>{"app::g_config", "app::g_counter", "app::g_mode", "app::g_shape", "app::g_table",
                                 "app::g_waiting"});
  CHECK(names(variables, [](const reflect::Variable& v) { return std::string(v.type.name()); }) ==
        std::vector<std::string>{"app::Config", "int", "app::Mode", "app::Shape*", "int[3]",
                                 "std::coroutine_handle<void>"});
  REQUIRE(variables[1].value.has_value());
  CHECK(variables[1].value->address() == &app::g_counter);

  // Static data members and thread-locals are listed too (a thread-local has no value); a
  // constant without storage is not a variable.
  const auto members = self.variables("app::Cache::");
  CHECK(names(members, [](const reflect::Variable& v) { return v.name; }) ==
        std::vector<std::string>{"app::Cache::instance"});
  const auto requests = self.variables("t_requests");
  REQUIRE(requests.size() == 1);
  CHECK_FALSE(requests[0].value.has_value());

  const std::vector<reflect::Type> types = self.types("app::C");
  const auto type_names = names(types, [](const reflect::Type& t) { return std::string(t.name()); });
  for (const char* name : {"app::Cache", "app::Circle", "app::Config"}) {
    INFO(name);
    CHECK(std::find(type_names.begin(), type_names.end(), name) != type_names.end());
  }
  CHECK(std::is_sorted(type_names.begin(), type_names.end()));
}

TEST_CASE("Target::open_executable: a binary's variables and types, without running it") {
  const reflect::Target binary = reflect::Target::open_executable(TARGET_FIXTURE);
  CHECK(binary.pid() == 0);
  const auto variables = binary.variables("app::g_");
  CHECK(names(variables, [](const reflect::Variable& v) { return v.name + ": " + std::string(v.type.name()); }) ==
        std::vector<std::string>{"app::g_config: app::Config", "app::g_counter: int", "app::g_mode: app::Mode",
                                 "app::g_shape: app::Shape*", "app::g_table: int[3]",
                                 "app::g_waiting: std::coroutine_handle<void>"});
  const auto counter = binary.find_variable("app::g_counter");
  REQUIRE(counter.has_value());
  // Nothing of a program that does not run can be read.
  CHECK(nested(*counter) == "<unreadable 0x…>");
  const auto config = binary.find_type("app::Config");
  REQUIRE(config.has_value());
  CHECK(config->size() == sizeof(app::Config));

  CHECK_THROWS_WITH_AS(reflect::Target::open_executable("/nonexistent/binary"),
                       doctest::Contains("reflect: cannot read /nonexistent/binary as an ELF executable or shared object"),
                       reflect::Error);
}
