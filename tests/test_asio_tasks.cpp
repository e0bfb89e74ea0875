// reflect::coroutines() and the task dump on asio (issue 13): awaitables co_spawn'ed on an
// io_context, suspended on timers, found with no handle held by the test; the frames asio
// recycles after a coroutine ends (its thread-local cache of frame memory) are not reported.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>
#include <reflect/tasks.hpp>

#include "fixtures/coro_expected.hpp"
#include "fresh_process.hpp"

// asio 1.22 turns its coroutine support on for clang only where __cpp_coroutines is defined,
// which clang's C++20 mode does not (it defines __cpp_impl_coroutine, as GCC does).
#if defined(__clang__) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#define ASIO_HAS_STD_COROUTINE 1
#endif
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <string>

namespace asio_tasks {

long done = 0;  // what the coroutines add up once resumed (they never are: the timers wait an hour)

asio::awaitable<void> sleeper(int id) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
  int naps = id * 2;
  co_await timer.async_wait(asio::use_awaitable);  // suspend: sleeper
  done += naps;
}

asio::awaitable<void> session(int id) {
  int requests = id + 100;
  co_await sleeper(id);  // suspend: session
  done += requests;
}

asio::awaitable<int> quick(int id) { co_return id + 1; }

asio::awaitable<void> caller(int id) {
  int sum = 0;
  for (int i = 0; i < 3; ++i) sum += co_await quick(id + i);  // each quick frame ends, and asio keeps its memory
  done += sum;
}

}  // namespace asio_tasks

namespace {

std::uint32_t line_marked(std::string_view name) {
  std::ifstream in(ASIO_TASKS_SOURCE);  // this file, wherever the binary runs
  std::string text;
  const std::string marker = fmt::format("// suspend: {}", name);
  for (std::uint32_t line = 1; std::getline(in, text); ++line)
    if (text.ends_with(marker)) return line;
  return 0;
}

}  // namespace

TEST_CASE("tasks: asio's co_spawn'ed awaitables suspended on timers; its recycled frames are not") {
  if (!reflect_test::in_fresh_process()) return;
  asio::io_context io;
  for (int id = 1; id <= 3; ++id) asio::co_spawn(io, asio_tasks::session(id), asio::detached);
  for (int id = 1; id <= 4; ++id) asio::co_spawn(io, asio_tasks::caller(id * 10), asio::detached);

  // Looked at from inside the event loop, once the callers have finished: their frames and
  // those of the quick ones they awaited are freed, or kept in asio's cache for the next frame.
  std::vector<reflect::Coroutine> found;
  std::optional<reflect::TaskDump> dump;
  asio::steady_timer look(io, std::chrono::milliseconds(20));
  look.async_wait([&](const asio::error_code&) {
    found = reflect::coroutines();
    dump = reflect::task_dump();
    io.stop();
  });
  io.run();

  std::map<std::string, int> ours;
  for (const reflect::Coroutine& c : found)
    if (c.function().starts_with("asio_tasks::")) ++ours[c.function()];
  CHECK(ours == std::map<std::string, int>{{"asio_tasks::session(int)", 3}, {"asio_tasks::sleeper(int)", 3}});

  // In the dump each session awaits its sleeper (asio links a frame to its caller's promise);
  // asio's own entry point awaits the session. Telling which link of the loop asio's entry
  // point closes is wrong needs the awaiters in the frames, typed (tasks.cpp): GCC describes
  // them with their C++ types; clang describes the temporaries it keeps in a frame by their
  // LLVM types (or not at all at -O2), and the loop may be cut elsewhere. There the forest's
  // shape is not checked, only that every session and sleeper is in it.
  REQUIRE(dump);
  REQUIRE(dump->coroutine_count() == found.size());
#if defined(__clang__)
  return;
#endif
  int sessions = 0;
  auto visit = [&](auto& self, const reflect::TaskDump::Node& node) -> void {
    const reflect::Coroutine& c = node.coroutine();
    if (c.function() == "asio_tasks::session(int)") {
      ++sessions;
      CHECK(c.state() == reflect::Coroutine::State::Suspended);
      REQUIRE(node.children().size() == 1);
      const reflect::Coroutine& sleeper = node.children()[0].coroutine();
      CHECK(sleeper.function() == "asio_tasks::sleeper(int)");
      if (reflect_test::coro_has_lines) {
        REQUIRE(c.location());
        REQUIRE(sleeper.location());
        CHECK(c.location()->line == line_marked("session"));
        CHECK(sleeper.location()->line == line_marked("sleeper"));
      }
      if (reflect_test::coro_has_frames) {
        REQUIRE(c.frame().field("id"));
        REQUIRE(c.frame().field("requests"));
        REQUIRE(sleeper.frame().field("id"));
        REQUIRE(sleeper.frame().field("naps"));
        const int id = c.frame().field("id")->as<int>();
        CHECK(c.frame().field("requests")->as<int>() == id + 100);
        CHECK(sleeper.frame().field("id")->as<int>() == id);
        CHECK(sleeper.frame().field("naps")->as<int>() == id * 2);
      }
    }
    for (const auto& child : node.children()) self(self, child);
  };
  for (const auto& root : dump->roots()) {
    CHECK(root.coroutine().function() != "asio_tasks::session(int)");  // asio's entry point awaits it
    visit(visit, root);
  }
  CHECK(sessions == 3);
}
