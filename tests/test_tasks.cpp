// Every coroutine and the task dump (issue 13): reflect::coroutines() and reflect::task_dump()
// find the tasks of fixtures/tasks.cpp, which only the fixture's timer queue holds, in this
// process (each test case in a process of its own: the counts are exact), in another process.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <reflect/reflect.hpp>
#include <reflect/tasks.hpp>

#include "fixtures/tasks.hpp"
#include "fixtures/tasks_expected.hpp"
#include "fresh_process.hpp"
#include "json_support.hpp"
#include "target/programs.hpp"

#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

// `{"function": count, ...}`, by function.
std::string count_by_function(const std::vector<reflect::Coroutine>& found) {
  std::map<std::string, int> counts;
  for (const reflect::Coroutine& c : found) ++counts[c.function()];
  return fmt::format("{}", counts);
}

// (Without the frames elided into others: tasks_expected.hpp.)
const std::string started_counts =
    reflect_test::tasks_frames_elided
        ? R"x({"tasks::fan_out(int)": 1, "tasks::finished(int)": 1, "tasks::read_block(int)": 3, "tasks::serve(int)": 3})x"
        : R"x({"tasks::fan_out(int)": 1, "tasks::finished(int)": 1, "tasks::handle_request(int)": 3, )x"
          R"x("tasks::read_block(int)": 6, "tasks::serve(int)": 3})x";
constexpr std::size_t started_coroutines = reflect_test::tasks_frames_elided ? 8 : 14;

// The printed line of one coroutine, as its async backtrace prints it (without `#0 `).
std::string backtrace_line(const reflect::Coroutine& c) {
  std::string text = fmt::format("{}", reflect::async_backtrace_at(c.address()));
  text = text.substr(3, text.find('\n') == std::string::npos ? std::string::npos : text.find('\n') - 3);
  return text;
}

}  // namespace

TEST_CASE("tasks: every suspended coroutine is found, with no handle to start from") {
  if (!reflect_test::in_fresh_process()) return;
  CHECK(reflect::coroutines().empty());
  tasks::start();
  const std::vector<reflect::Coroutine> found = reflect::coroutines();
  CHECK(count_by_function(found) == started_counts);
  for (const reflect::Coroutine& c : found) {
    // Each is the coroutine its own handle leads to.
    const reflect::Coroutine again = reflect::coroutine_at(c.address());
    CHECK(again.function() == c.function());
    CHECK(again.state() == c.state());
  }
  CHECK(std::is_sorted(found.begin(), found.end(),
                       [](const reflect::Coroutine& a, const reflect::Coroutine& b) { return a.address() < b.address(); }));

  // When every task has run to its end, only the two the fixture keeps are left.
  CHECK(tasks::run_all() == (1 + 2 + 3) * 100 + 3 * 1000 + (1 + 2 + 3) + 7000 + 7100);
  CHECK(count_by_function(reflect::coroutines()) == R"x({"tasks::finished(int)": 1, "tasks::read_block(int)": 1})x");
  tasks::stop();
  CHECK(reflect::coroutines().empty());
}

TEST_CASE("tasks: frames destroyed and freed are not reported, whatever malloc kept of them") {
  if (!reflect_test::in_fresh_process()) return;
  // Frames of every size class glibc keeps apart (tcache, fastbins, the unsorted bin), freed
  // in bulk: some keep their first words, in consolidated free chunks.
  tasks::churn(1);
  tasks::churn(50);
  tasks::churn(2000);
  CHECK(count_by_function(reflect::coroutines()) == "{}");
  tasks::start();
  tasks::churn(300);
  CHECK(count_by_function(reflect::coroutines()) == started_counts);
  tasks::run_all();
  tasks::stop();
}

TEST_CASE("tasks: the task dump is the forest of who awaits whom") {
  if (!reflect_test::in_fresh_process()) return;
  tasks::start();
  const reflect::TaskDump dump = reflect::task_dump();
  CHECK(reflect_test::describe_tasks(dump) == reflect_test::expected_tasks());
  CHECK(dump.roots().size() == 6);
  CHECK(dump.coroutine_count() == started_coroutines);
  CHECK(dump.done_count() == 1);

  // Printed: each root after `╼`, each coroutine it awaits under it, one line each as its
  // async backtrace prints it; then the summary.
  std::string expected;
  auto print = [&](auto& self, const reflect::TaskDump::Node& node, const std::string& prefix,
                   const std::string& indent) -> void {
    expected += prefix + backtrace_line(node.coroutine()) + "\n";
    for (std::size_t k = 0; k < node.children().size(); ++k) {
      const bool last = k + 1 == node.children().size();
      self(self, node.children()[k], indent + (last ? "└╼ " : "├╼ "), indent + (last ? "   " : "│  "));
    }
  };
  for (const auto& root : dump.roots()) print(print, root, "╼ ", "  ");
  expected += fmt::format("6 tasks, {} coroutines, 1 done but not destroyed", started_coroutines);
  CHECK(fmt::format("{}", dump) == expected);
  // The roots and children in order: by function name, then address.
  std::vector<std::string> roots;
  for (const auto& root : dump.roots()) roots.push_back(root.coroutine().function());
  CHECK(roots == std::vector<std::string>{"tasks::fan_out(int)", "tasks::finished(int)", "tasks::read_block(int)",
                                          "tasks::serve(int)", "tasks::serve(int)", "tasks::serve(int)"});

  // JSON: the same forest.
  using reflect_test::json_string_at;
  const std::string json = fmt::format("{:j}", dump);
  CHECK(reflect_test::json_at(json, "/coroutines") == fmt::to_string(started_coroutines));
  CHECK(reflect_test::json_at(json, "/done") == "1");
  REQUIRE(reflect_test::json_size(json, "/tasks") == 6u);
  CHECK(json_string_at(json, "/tasks/0/coroutine/function") == "tasks::fan_out(int)");
  CHECK(reflect_test::json_size(json, "/tasks/0/children") == 2u);
  CHECK(json_string_at(json, "/tasks/0/children/0/coroutine/function") == "tasks::read_block(int)");
  if (reflect_test::tasks_frames_elided)
    CHECK(reflect_test::json_at(json, "/tasks/5/children") == "[]");
  else
    CHECK(json_string_at(json, "/tasks/5/children/0/children/0/coroutine/function") == "tasks::read_block(int)");
  CHECK(reflect_test::canonical_json(fmt::format("{:#j}", dump)) == reflect_test::canonical_json(json));

  tasks::run_all();
  tasks::stop();
  CHECK(fmt::format("{}", reflect::task_dump()) == "0 tasks, 0 coroutines, 0 done but not destroyed");
}

TEST_CASE("tasks: frames allocated on another thread, in another arena") {
  if (!reflect_test::in_fresh_process()) return;
  std::thread([] { tasks::start(); }).join();
  CHECK(reflect_test::describe_tasks(reflect::task_dump()) == reflect_test::expected_tasks());
  tasks::run_all();
  tasks::stop();
}

TEST_CASE("tasks: the task dump of another process") {
  reflect_test::Running fixture({TARGET_FIXTURE});
  // Before: the chain app::serve -> app::fetch_page the fixture always has (globals.cpp).
  const reflect::Target before = reflect::Target::attach(fixture.pid());
  const std::string fixture_counts = reflect_test::tasks_frames_elided
                                         ? R"x({"app::serve(int)": 1})x"
                                         : R"x({"app::fetch_page(int)": 1, "app::serve(int)": 1})x";
  const std::size_t fixture_coroutines = reflect_test::tasks_frames_elided ? 1 : 2;
  CHECK(count_by_function(reflect::coroutines(before)) == fixture_counts);
  REQUIRE(fixture.ask("tasks") == "started");
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  const reflect::TaskDump dump = reflect::task_dump(target);
  CHECK(reflect_test::describe_tasks(dump) == reflect_test::expected_tasks());
  CHECK(fmt::format("{}", dump).ends_with(fmt::format("\n7 tasks, {} coroutines, 1 done but not destroyed",
                                                      started_coroutines + fixture_coroutines)));
}

TEST_CASE("tasks: a binary on disk has no coroutines to find") {
  const reflect::Target file = reflect::Target::open_executable(TARGET_FIXTURE);
  CHECK_THROWS_WITH_AS(reflect::coroutines(file),
                       "reflect: this target has no memory to find coroutines in (a binary on disk, or a process that "
                       "has exited): attach to the running process or open a core file of it",
                       reflect::Error);
}

// The tool, as a user runs it on a service: the same forest, as text and as JSON.
TEST_CASE("tasks: reflect tasks --pid") {
  reflect_test::Running fixture({TARGET_FIXTURE});
  REQUIRE(fixture.ask("tasks") == "started");
  const std::string pid = std::to_string(fixture.pid());
  const reflect::Target target = reflect::Target::attach(fixture.pid());  // outlives what it found
  const reflect::TaskDump dump = reflect::task_dump(target);
  const reflect_test::Output text = reflect_test::run({REFLECT_TOOL, "tasks", "--pid", pid});
  CHECK(text.err == "");
  CHECK(text.exit_code() == 0);
  CHECK(text.out == fmt::format("{}\n", dump));
  const reflect_test::Output json = reflect_test::run({REFLECT_TOOL, "tasks", "--pid", pid, "--json"});
  CHECK(json.exit_code() == 0);
  CHECK(reflect_test::canonical_json(json.out) == reflect_test::canonical_json(fmt::format("{:j}", dump)));
  const reflect_test::Output wrong = reflect_test::run({REFLECT_TOOL, "tasks", TARGET_FIXTURE});
  CHECK(wrong.exit_code() == 2);
  CHECK(wrong.err.starts_with("reflect tasks: unknown argument"));
}

