// fork(): a child forked while other threads of its parent are inside reflect (holding its locks,
// building the name index on worker threads), or by a thread that holds reflect's lock itself,
// can use reflect. The fork-* binaries of tests/meson.build (which says why GCC's ASan build skips
// them).
//
// Each test case runs in a process of its own (fresh_process.hpp): in the first, the name index
// is not built yet when the threads start, so the first forks fall while it is being built, the
// longest stretch reflect spends under its lock; the second starts with one thread.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fresh_process.hpp"
#include "reflect/type_node.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fork_test {

// Printed by the parent's threads.
struct Inventory {
  std::map<std::string, int> counts;
  std::string owner;
};

// Printed only in the children: its first print looks its type up, under reflect's lock.
struct ChildProbe {
  int child = 0;
  std::map<int, std::string> notes;
};

}  // namespace fork_test

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kChildDeadline = std::chrono::seconds(10);

// What a child checks; runs in the child, so it reports with write() and an exit status rather
// than doctest (whose state is the parent's).
[[noreturn]] void child_main(int child) {
  const fork_test::ChildProbe probe{child, {{1, "forked"}}};
  const std::string expected = fmt::format("fork_test::ChildProbe{{.child = {}, .notes = {{{{1, \"forked\"}}}}}}", child);
  std::string text, found;
  try {
    text = fmt::format("{}", reflect::reflect(probe));
    // A hit by name: the child builds the name index itself if the parent had not finished it.
    if (auto type = reflect::find_type("fork_test::Inventory")) found = std::string(type->name());
  } catch (const std::exception& e) {
    text = std::string("exception: ") + e.what();
  }
  if (text == expected && found == "fork_test::Inventory") _exit(0);
  const std::string message =
      fmt::format("child {}: printed `{}`, expected `{}`; find_type(\"fork_test::Inventory\") found `{}`\n", child, text,
                  expected, found);
  (void)!write(STDERR_FILENO, message.data(), message.size());
  _exit(1);
}

struct Child {
  pid_t pid;
  Clock::time_point deadline;  // 10 s after its fork
  int status = 0;
  bool done = false;
  bool hung = false;  // still running at its deadline: killed
};

// Forks child `number`, which runs child_main().
Child start_child(int number) {
  const pid_t pid = fork();
  if (pid == 0) child_main(number);
  REQUIRE_MESSAGE(pid > 0, "fork failed");
  return {pid, Clock::now() + kChildDeadline};
}

// Waits for every child (for all of them at once); one that is still running at its deadline
// hung, and is killed. Checks that none hung and that every other one exited with status 0.
void check_children(std::vector<Child>& children) {
  for (std::size_t left = children.size(); left > 0;) {
    for (Child& child : children) {
      if (child.done) continue;
      const pid_t waited = waitpid(child.pid, &child.status, WNOHANG);
      if (waited == 0 && Clock::now() < child.deadline) continue;
      if (waited == 0) {
        kill(child.pid, SIGKILL);
        waitpid(child.pid, &child.status, 0);
        child.hung = true;
      }
      REQUIRE_MESSAGE(waited >= 0, "waitpid failed");
      child.done = true;
      --left;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int hung = 0, failed = 0;
  for (const Child& child : children) {
    if (child.hung) ++hung;
    else if (!WIFEXITED(child.status) || WEXITSTATUS(child.status) != 0) ++failed;
  }
  CHECK_MESSAGE(hung == 0, hung, " of ", children.size(), " children hung (still running after 10 s, killed): a lock ",
                "of reflect's stayed taken in the child");
  CHECK_MESSAGE(failed == 0, failed, " of ", children.size(),
                " children printed the wrong text or crashed (their stderr is above)");
}

}  // namespace

TEST_CASE("fork: children forked while other threads are inside reflect can use it") {
  if (!reflect_test::in_fresh_process()) return;

  const fork_test::Inventory inventory{{{"apple", 3}, {"pear", 1}}, "shop"};
  const std::string expected = R"(fork_test::Inventory{.counts = {{"apple", 3}, {"pear", 1}}, .owner = "shop"})";

  // Three threads print and look up a name no module has (a miss searches every module's name
  // index, which the first one builds) until the last fork.
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::atomic<long> rounds{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      while (!stop.load()) {
        try {
          if (fmt::format("{}", reflect::reflect(inventory)) != expected) wrong.fetch_add(1);
          if (reflect::find_type("fork_test::NoSuchType")) wrong.fetch_add(1);
        } catch (const std::exception&) {
          wrong.fetch_add(1);
        }
        rounds.fetch_add(1);
      }
    });

  // 20 forks, 10 ms apart: the first ones while the name index is being built.
  std::vector<Child> children;
  Clock::duration longest_fork{};
  for (int i = 0; i < 20; ++i) {
    const auto before = Clock::now();
    children.push_back(start_child(i));
    longest_fork = std::max(longest_fork, Clock::now() - before);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop.store(true);
  for (auto& thread : threads) thread.join();

  MESSAGE(children.size(), " forks, the longest took ",
          std::chrono::duration_cast<std::chrono::milliseconds>(longest_fork).count(), " ms; the threads ran ",
          rounds.load(), " rounds");
  check_children(children);
  CHECK(wrong.load() == 0);
}

// fork() by a thread that holds reflect's registry lock itself (no user code runs under it, but a
// signal handler could fork there): first while the process has no other thread, then while
// another thread prints.
TEST_CASE("fork: a thread that holds reflect's lock forks") {
  if (!reflect_test::in_fresh_process()) return;
  std::vector<Child> children;
  {
    std::lock_guard lock(reflect::detail::Registry::self().mutex());
    children.push_back(start_child(0));
  }
  check_children(children);

  const fork_test::Inventory inventory{{{"apple", 3}}, "shop"};
  std::atomic<bool> stop{false};
  std::thread printer([&] {
    while (!stop.load()) (void)fmt::format("{}", reflect::reflect(inventory));
  });
  children.clear();
  for (int i = 1; i <= 3; ++i) {
    std::lock_guard lock(reflect::detail::Registry::self().mutex());
    children.push_back(start_child(i));
  }
  stop.store(true);
  printer.join();
  check_children(children);
}
