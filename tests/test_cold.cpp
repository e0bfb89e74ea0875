// Tests that need a process in which reflect has not run yet: what the first print reads, and
// threads racing to load debug info. Each test case runs in a process of its own
// (fresh_process.hpp), so they pass in any order and alone.

#include <doctest/doctest.h>

#include "fixtures/zoo.hpp"
#include "fresh_process.hpp"

#include "dwarf/process.hpp"
#include "reflect/type_node.hpp"

#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <array>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

reflect::dwarf::Module::Stats main_module_stats() {
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  return registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures))->stats();
}

}  // namespace

namespace cold {
int g_probe = 17;
struct Holder {
  static long instance;
};
long Holder::instance = 18;
}  // namespace cold

// A global found by name without the name index: of every unit, only the namespaces on its path
// are read.
TEST_CASE("find_variable reads no whole unit and builds no index") {
  if (!reflect_test::in_fresh_process()) return;
  const auto probe = reflect::find_variable("cold::g_probe");
  REQUIRE(probe.has_value());
  CHECK(probe->address() == &cold::g_probe);
  CHECK(probe->as<int>() == 17);
  const auto instance = reflect::find_variable("cold::Holder::instance");
  REQUIRE(instance.has_value());
  CHECK(instance->as<long>() == 18);
  auto stats = main_module_stats();
  CHECK(stats.units_scanned <= 1);  // the defining unit's tree, where its type's scope is read
  CHECK_FALSE(stats.name_index_built);
}

// What a cold first print reads.
TEST_CASE("the first print reads only the anchor's compilation unit") {
  if (!reflect_test::in_fresh_process()) return;
  const zoo::Config& config = zoo::fixtures().config;
  std::string printed = fmt::format("{}", reflect::reflect(config));
  CHECK(printed.starts_with("zoo::Config{.name = \"server\""));
  auto stats = main_module_stats();
  INFO("units scanned: ", stats.units_scanned, " of ", stats.units);
  CHECK(stats.units >= 2);  // test_cold.cpp and zoo.cpp (and the library when it is static)
  CHECK(stats.units_scanned == 1);
  CHECK_FALSE(stats.name_index_built);
}

TEST_CASE("eight threads print different types while the debug info is still loading") {
  if (!reflect_test::in_fresh_process()) return;
  const zoo::Fixtures& f = zoo::fixtures();
  // Each job and its exact text (the fixtures' values: fixtures/zoo.hpp).
  const std::vector<std::pair<std::function<std::string()>, std::string>> jobs = {
      {[&] { return fmt::format("{}", reflect::reflect(f.line)); }, "zoo::Line{.a = {.x = 1, .y = 2}, .b = {.x = 3, .y = 4}}"},
      {[&] { return fmt::format("{}", reflect::reflect(f.bat)); },
       "zoo::Bat{zoo::Mammal{zoo::Animal{.age = 10}, .fur = 20}, zoo::Winged{.wings = 30}, .sonar = 40}"},
      {[&] { return fmt::format("{}", reflect::reflect(f.bits)); },
       "zoo::Bits{.ready = 1, .mode = 5, .delta = -3, .big = 78187493530, .tail = 100}"},
      {[&] { return fmt::format("{}", reflect::reflect(f.points)); }, "std::vector<zoo::Point>{{.x = 1, .y = 2}, {.x = 3, .y = 4}}"},
      {[&] { return fmt::format("{}", reflect::reflect(f.std_tuple)); }, R"(std::tuple<int, std::string, double>{1, "a", 2.5})"},
      {[&] { return fmt::format("{}", reflect::reflect(f.palette)); },
       "zoo::Palette{.color = zoo::Color::Blue, .shade = zoo::Shade::Dark, .perm = zoo::Perm::Exec, .level = zoo::Level::Low}"},
      {[&] { return fmt::format("{}", reflect::reflect(f.owned)); }, "std::unique_ptr<zoo::Point>{{.x = 1, .y = 2}}"},
      {[&] { return fmt::format("{:#}", reflect::reflect(f.stats)); },
       "zoo::Stats{\n"
       "  .best = {\n"
       "    1,\n"
       "    2.5,\n"
       "  },\n"
       "  .row = {\n"
       "    1,\n"
       "    \"a\",\n"
       "    2.5,\n"
       "  },\n"
       "  .count = 5,\n"
       "  .missing = std::nullopt,\n"
       "  .shared = 6,\n"
       "  .none = nullptr,\n"
       "}"},
  };
  std::array<std::vector<std::string>, 8> results;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < jobs.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) results[t].push_back(jobs[t].first());
    });
  for (auto& thread : threads) thread.join();
  // Every round of every thread, and one more run on this thread, printed the job's text.
  for (std::size_t t = 0; t < jobs.size(); ++t) {
    INFO("job ", t);
    CHECK(jobs[t].first() == jobs[t].second);
    REQUIRE(results[t].size() == 50);
    for (const std::string& r : results[t]) CHECK(r == jobs[t].second);
  }
}
