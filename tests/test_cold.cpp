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
#include <vector>

namespace {

reflect::dwarf::Module::Stats main_module_stats() {
  auto& registry = reflect::detail::Registry::instance();
  std::lock_guard lock(registry.mutex());
  return registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures))->stats();
}

}  // namespace

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
  std::vector<std::function<std::string()>> jobs = {
      [&] { return fmt::format("{}", reflect::reflect(f.line)); },
      [&] { return fmt::format("{}", reflect::reflect(f.bat)); },
      [&] { return fmt::format("{}", reflect::reflect(f.bits)); },
      [&] { return fmt::format("{}", reflect::reflect(f.points)); },
      [&] { return fmt::format("{}", reflect::reflect(f.std_tuple)); },
      [&] { return fmt::format("{}", reflect::reflect(f.palette)); },
      [&] { return fmt::format("{}", reflect::reflect(f.owned)); },
      [&] { return fmt::format("{:#}", reflect::reflect(f.stats)); },
  };
  std::array<std::vector<std::string>, 8> results;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < jobs.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) results[t].push_back(jobs[t]());
    });
  for (auto& thread : threads) thread.join();
  // Every round of every thread printed the same text, and that text is what one thread prints.
  for (std::size_t t = 0; t < jobs.size(); ++t) {
    std::string expected = jobs[t]();
    CHECK(expected.find("<error") == std::string::npos);
    for (const std::string& r : results[t]) CHECK(r == expected);
  }
  CHECK(results[0].front() == "zoo::Line{.a = {.x = 1, .y = 2}, .b = {.x = 3, .y = 4}}");
}
