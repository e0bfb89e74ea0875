// A dump on demand (include/reflect/dump.hpp): a signal makes reflect's own thread append the
// task dump and the census to a file while the program runs on. Also built alone, as
// dump-handler-CELL, for ThreadSanitizer (tools/test): the dump thread, woken by the signal,
// while the program's own thread uses reflect (under TSan each part of a dump is the reason
// the heap cannot be scanned).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/dump.hpp>
#include <reflect/reflect.hpp>
#include <reflect/tasks.hpp>

#include "fixtures/census_zoo.hpp"
#include "fixtures/tasks.hpp"
#include "fresh_process.hpp"
#include "target/programs.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr bool under_tsan = true;
#elif defined(__has_feature)
constexpr bool under_tsan = __has_feature(thread_sanitizer);
#else
constexpr bool under_tsan = false;
#endif

// What the heap scans say under ThreadSanitizer (reflect/heap.cpp), in place of a task dump and
// a census.
const std::string tsan_refusal =
    "reflect: this program runs under ThreadSanitizer, whose shadow memory (terabytes mapped read-write) cannot be "
    "told from its heap: task dumps, coroutines() and the census need a build without -fsanitize=thread";

// How many complete dumps the text holds: each ends with the census's `total` line, or the
// reason there is no census, and an empty line.
std::size_t complete_dumps(const std::string& text) {
  const std::string end = under_tsan ? "(no census: " + tsan_refusal + ")\n\n" : "  total\n\n";
  std::size_t complete = 0;
  for (std::size_t at = 0; (at = text.find(end, at)) != std::string::npos; ++at) ++complete;
  return complete;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream read;
  read << in.rdbuf();
  return read.str();
}

// The file's text once it holds `dumps` dumps; what it holds after 30 s otherwise. Between two
// looks, `work` runs (nothing but sleeping, by default).
template <class Work> std::string wait_for_dumps(const std::string& path, std::size_t dumps, Work work) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::string text = read_file(path);
    if (complete_dumps(text) >= dumps || std::chrono::steady_clock::now() > deadline) return text;
    work();
  }
}

std::string wait_for_dumps(const std::string& path, std::size_t dumps) {
  return wait_for_dumps(path, dumps, [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
}

}  // namespace

TEST_CASE("tasks: a signal writes the task dump and the census, and the program runs on") {
  if (!reflect_test::in_fresh_process()) return;
  reflect_test::TempDir dir;
  const std::string path = dir / "dumps.txt";
  reflect::install_dump_handler(SIGUSR1, path);
  tasks::start();
  census_zoo::make(3);
  // Under ThreadSanitizer, each part of a dump says why it is missing (and the thread, the
  // signal and the file are checked all the same).
  if (under_tsan) CHECK_THROWS_WITH_AS(reflect::task_dump(), tsan_refusal.c_str(), reflect::Error);
  const std::string dump = under_tsan ? "(no task dump: " + tsan_refusal + ")" : fmt::format("{}", reflect::task_dump());

  REQUIRE(raise(SIGUSR1) == 0);
  const std::string first = wait_for_dumps(path, 1);
  INFO(first);
  CHECK(first.starts_with(fmt::format("reflect dump: process {}, signal {}, ", getpid(), SIGUSR1)));
  const std::size_t tasks_at = first.find('\n') + 1;
  CHECK(first.substr(tasks_at, dump.size() + 2) == dump + "\n\n");
  if (!under_tsan) CHECK(first.find("  census_zoo::Dog\n") != std::string::npos);
  CHECK(complete_dumps(first) == 1);
  CHECK(first.ends_with("\n\n"));

  // The program ran on; the next signal, from outside, appends the next dump. While reflect's
  // thread writes it, this one goes on using reflect (what ThreadSanitizer checks here).
  CHECK(tasks::run_all() > 0);
  REQUIRE(kill(getpid(), SIGUSR1) == 0);
  const census_zoo::Kind kind{"printed while a dump is written", 7};
  const std::string both = wait_for_dumps(path, 2, [&] {
    CHECK(fmt::format("{}", reflect::reflect(kind)) ==
          R"(census_zoo::Kind{.name = "printed while a dump is written", .size = 7})");
    CHECK(reflect::find_type("census_zoo::Kind"));
  });
  REQUIRE(both.starts_with(first));
  if (!under_tsan)
    CHECK(both.substr(first.size()).find("\n2 tasks, 2 coroutines, 1 done but not destroyed\n\n") != std::string::npos);
  tasks::stop();
  census_zoo::clear();

  CHECK_THROWS_WITH_AS(reflect::install_dump_handler(SIGKILL),
                       "reflect: install_dump_handler: 9 is not a signal a handler can catch; pick one the program "
                       "does not use, such as SIGUSR1 or SIGUSR2",
                       reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::install_dump_handler(SIGUSR2, dir / "no-such-dir/dumps.txt"),
                       ("reflect: install_dump_handler: cannot open " + dir / "no-such-dir/dumps.txt" +
                        " for appending the dumps: No such file or directory")
                           .c_str(),
                       reflect::Error);
}
