// The census (issue 13): live heap objects counted by type, with no annotation. Each test case
// runs in a process of its own (fresh_process.hpp), so that the counts are exact.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/census.hpp>
#include <reflect/reflect.hpp>

#include "fixtures/census_expected.hpp"
#include "fixtures/census_zoo.hpp"
#include "fixtures/tasks.hpp"
#include "fresh_process.hpp"
#include "json_support.hpp"

#include <algorithm>
#include <string>
#include <thread>

using reflect_test::expected_zoo_rows;
using reflect_test::zoo_rows;

TEST_CASE("census: objects of every polymorphic class counted by their vtables, before and after freeing half") {
  if (!reflect_test::in_fresh_process()) return;
  CHECK(zoo_rows(reflect::census()) == expected_zoo_rows(0));
  census_zoo::make(100);
  const reflect::Census full = reflect::census();
  CHECK(zoo_rows(full) == expected_zoo_rows(100));
  census_zoo::free_half();
  const reflect::Census half = reflect::census();
  CHECK(zoo_rows(half) == expected_zoo_rows(50));
  census_zoo::clear();
  CHECK(zoo_rows(reflect::census()) == expected_zoo_rows(0));

  // Rows sorted by bytes, the largest first; totals that add up.
  std::size_t count = 0, bytes = 0, previous = SIZE_MAX;
  for (const reflect::CensusRow& row : full) {
    CHECK(row.bytes <= previous);
    previous = row.bytes;
    count += row.count;
    bytes += row.bytes;
  }
  CHECK(full.total_count() == count);
  CHECK(full.total_bytes() == bytes);
}

TEST_CASE("census: objects another thread allocated, in its own arena") {
  if (!reflect_test::in_fresh_process()) return;
  std::thread([] { census_zoo::make(40); }).join();
  CHECK(zoo_rows(reflect::census()) == expected_zoo_rows(40));
  census_zoo::free_half();
  CHECK(zoo_rows(reflect::census()) == expected_zoo_rows(20));
  census_zoo::clear();
}

TEST_CASE("census: each element of a new[] array") {
  if (!reflect_test::in_fresh_process()) return;
  census_zoo::make_array(37);
  census_zoo::make_array(1);
  census_zoo::make(3);
  CHECK(zoo_rows(reflect::census()) == expected_zoo_rows(3, 38));
  census_zoo::clear();
}

TEST_CASE("census: coroutine frames by coroutine") {
  if (!reflect_test::in_fresh_process()) return;
  tasks::start();
  const reflect::Census census = reflect::census();
  for (const auto& [name, count] : std::vector<std::pair<std::string, std::size_t>>{
           {"tasks::serve(int)", 3}, {"tasks::handle_request(int)", 3}, {"tasks::read_block(int)", 6},
           {"tasks::fan_out(int)", 1}, {"tasks::finished(int)", 1}}) {
    CAPTURE(name);
    const auto row = census.find(name);
    REQUIRE(row);
    CHECK(row->count == count);
    CHECK(row->bytes >= count * 16);  // each frame's block: at least its two function pointers
  }
  tasks::run_all();
  tasks::stop();
  CHECK_FALSE(reflect::census().find("tasks::read_block(int)"));
}

TEST_CASE("census: the difference of two, and both printed") {
  if (!reflect_test::in_fresh_process()) return;
  census_zoo::make(10);
  (void)reflect::census();  // reflect's own caches, filled once
  const reflect::Census before = reflect::census();
  census_zoo::make(4);
  census_zoo::make_array(5);
  const reflect::Census after = reflect::census();
  const reflect::CensusDiff diff = reflect::census_diff(before, after);

  // Only the zoo grew, by 4 of each kind and 5 more Dogs; sorted by bytes grown, the most first.
  std::vector<std::pair<std::string, std::size_t>> grown;  // (name, bytes)
  for (const census_zoo::Kind& kind : census_zoo::kinds())
    grown.emplace_back(kind.name, (kind.name == "census_zoo::Dog" ? 9 : 4) * kind.size);
  std::sort(grown.begin(), grown.end(), [](const auto& a, const auto& b) {  // as the diff orders its rows
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::size_t total_count = 0, total_bytes = 0;
  for (const auto& [name, bytes] : grown) {
    const std::size_t count = name == "census_zoo::Dog" ? 9 : 4;
    total_count += count;
    total_bytes += bytes;
  }
  const std::size_t bytes_width = std::max<std::size_t>(5, fmt::format("+{}", total_bytes).size());  // or "bytes"
  std::string expected = fmt::format("{:>5}  {:>{}}  type", "count", "bytes", bytes_width);
  for (const auto& [name, bytes] : grown)
    expected += fmt::format("\n{:>5}  {:>{}}  {}", fmt::format("+{}", name == "census_zoo::Dog" ? 9 : 4),
                            fmt::format("+{}", bytes), bytes_width, name);
  expected += fmt::format("\n{:>5}  {:>{}}  total", fmt::format("+{}", total_count), fmt::format("+{}", total_bytes),
                          bytes_width);
  CHECK(fmt::format("{}", diff) == expected);
  REQUIRE(diff.find("census_zoo::Dog"));
  CHECK(diff.find("census_zoo::Dog")->count == 9);

  // Shrinking shows as negative changes.
  census_zoo::clear();
  const reflect::CensusDiff gone = reflect::census_diff(after, reflect::census());
  REQUIRE(gone.find("census_zoo::Cat"));
  CHECK(gone.find("census_zoo::Cat")->count == -14);

  // The census itself: a header, a line per type with its count and bytes right-aligned, the total.
  const std::string table = fmt::format("{}", after);
  CHECK(table.starts_with("count"));
  const auto dog = after.find("census_zoo::Dog");
  REQUIRE(dog);
  CHECK(table.find(fmt::format("  {}  census_zoo::Dog\n", dog->bytes)) != std::string::npos);
  CHECK(table.ends_with(fmt::format("{}  total", after.total_bytes())));
  const std::string json = fmt::format("{:j}", after);
  CHECK(reflect_test::json_at(json, "/count") == fmt::to_string(after.total_count()));
  CHECK(reflect_test::json_at(json, "/bytes") == fmt::to_string(after.total_bytes()));
  REQUIRE(reflect_test::json_size(json, "/rows") == after.size());
  CHECK(reflect_test::json_string_at(json, "/rows/0/name") == after.begin()->name);
}

TEST_CASE("census: a binary on disk has no objects to count") {
  const reflect::Target file = reflect::Target::open_executable(TARGET_FIXTURE);
  CHECK_THROWS_AS(reflect::census(file), reflect::Error);
}
