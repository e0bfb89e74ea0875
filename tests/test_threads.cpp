// Threads: reflect's lookups that are not anchors (names, std::type_info, vtables, symbols) and
// its checked memory reads, from many threads at once. Built for two cells and run in every
// build, including the ThreadSanitizer one (tools/test), where a data race fails the test.
//
// The first test case runs in a process of its own (fresh_process.hpp): it starts cold, before
// anything has used reflect. Every job has its exact expected text, written out below.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/poly.hpp"
#include "fixtures/zoo.hpp"
#include "fresh_process.hpp"
#include "dwarf/module.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

namespace {

// A job and the exact text it must give, every time, on any thread.
struct Job {
  std::function<std::string()> run;
  std::string expected;
};

// Runs every job on a thread of its own, `rounds` times, all threads starting together; then
// checks that every round of every job, and one more run of it on this thread, gave its
// expected text.
void run_together(const std::vector<Job>& jobs, int rounds) {
  std::vector<std::vector<std::string>> results(jobs.size());
  std::atomic<std::size_t> ready{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < jobs.size(); ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < jobs.size()) std::this_thread::yield();
      for (int round = 0; round < rounds; ++round) {
        try {
          results[t].push_back(jobs[t].run());
        } catch (const std::exception& e) {
          results[t].push_back(std::string("exception: ") + e.what());
        }
      }
    });
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < jobs.size(); ++t) {
    INFO("job ", t);
    CHECK(jobs[t].run() == jobs[t].expected);
    REQUIRE(results[t].size() == static_cast<std::size_t>(rounds));
    for (std::size_t round = 0; round < results[t].size(); ++round) {
      INFO("round ", round);
      CHECK(results[t][round] == jobs[t].expected);
    }
  }
}

std::string address(const void* p) { return fmt::format("{}", p); }

// A page that is mapped but not readable, for as long as the process lives.
const void* unreadable_page() {
  static void* const page = [] {
    void* p = mmap(nullptr, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    // Known bug 5 (tests/test_fuzz.cpp): the page may lie where readable memory was (a thread
    // stack of the test case before) when reflect last read /proc/self/maps, and reflect would
    // still take it for readable. A read at a non-canonical address makes it read the maps again.
    (void)fmt::format("{}", reflect::Value::at(reflect::type_of<int>(), reinterpret_cast<const void*>(0x8000'0000'0000'0000ull)));
    return p;
  }();
  return page;
}

}  // namespace

// The fixtures' values (fixtures/zoo.hpp, fixtures/poly.hpp) as printed; see tests/test_print.cpp
// and tests/test_erased.cpp for each form on its own.
const std::string STATS =
    R"(zoo::Stats{.best = {1, 2.5}, .row = {1, "a", 2.5}, .count = 5, .missing = std::nullopt, .shared = 6, .none = nullptr})";
const std::string CIRCLE = "poly::Circle{poly::Shape{.id = 1}, .radius = 2}";
const std::string GEM = "poly::Gem{poly::Solid{poly::Shape{.id = 6}, .depth = 1}, poly::Colored{.hue = 2}, .carat = 3}";

// std::string, std::vector<int>, two std::optional<int>, std::unique_ptr, std::shared_ptr,
// std::vector<std::string>, bool (padded to 8).
static_assert(sizeof(zoo::Config) == 128);

TEST_CASE("threads: names, type_info and vtables looked up at once, while the name index is built") {
  if (!reflect_test::in_fresh_process()) return;
  const poly::Fixtures& p = poly::fixtures();
  const zoo::Fixtures& z = zoo::fixtures();
  const std::vector<Job> jobs = {
      {[] { return fmt::format("{} {}", reflect::find_type("zoo::Config")->name(), reflect::find_type("zoo::Config")->size()); },
       "zoo::Config 128"},
      {[] { return fmt::format("{}", reflect::find_type("std::vector<zoo::Point>")->name()); }, "std::vector<zoo::Point>"},
      {[&] { return fmt::format("{}", reflect::reflect(static_cast<const void*>(&z.point), typeid(zoo::Point))); },
       "zoo::Point{.x = 1, .y = 2}"},
      {[&] { return fmt::format("{}", reflect::reflect(static_cast<const void*>(&z.stats), typeid(zoo::Stats))); }, STATS},
      {[&] { return fmt::format("{}", reflect::reflect(static_cast<const poly::Shape&>(p.gem))); }, GEM},
      {[&] { return fmt::format("{}", reflect::reflect(p.shapes)); },
       "std::vector<std::unique_ptr<poly::Shape>>{" + CIRCLE +
           ", poly::Square{poly::Shape{.id = 3}, .side = 4}"
           R"(, poly::Multi{poly::Named{.name = "multi"}, poly::Shape{.id = 5}, .weight = 7}, )" +
           GEM +
           ", poly::Rect{poly::Quad{poly::Polygon{poly::Shape{.id = 7}, .sides = 4}, .right_angles = true}, .w = 3, .h = 5}"
           ", poly::(anonymous namespace)::Secret{poly::Shape{.id = 8}, .code = 99}"
           ", poly::Tagged<int>{poly::Shape{.id = 10}, .tag = 5}}"},
      {[&] { return fmt::format("{}", reflect::reflect(p.boxes)); },
       R"(poly::Boxes{.point = {.x = 1, .y = 2}, .number = 42, .text = "hello", )"
       R"(.big = {.values = {1, 2, 3, 4, 5, 6, 7, 8}}, .empty = std::any{}})"},
      {[&] { return fmt::format("{:#}", reflect::reflect(p.scene)); },
       "poly::Scene{\n"
       "  .main = poly::Circle{\n"
       "    poly::Shape{\n"
       "      .id = 1,\n"
       "    },\n"
       "    .radius = 2,\n"
       "  },\n"
       "  .ref = poly::Square{\n"
       "    poly::Shape{\n"
       "      .id = 3,\n"
       "    },\n"
       "    .side = 4,\n"
       "  },\n"
       "  .raw = " + address(p.scene.raw) + ",\n"
       "  .same = {\n"
       "    .id = 9,\n"
       "  },\n"
       "  .none = nullptr,\n"
       "}"},
      // A function's and a global's names: the module's symbol table is built on first use.
      {[&] { return fmt::format("{} {}", reflect::reflect(z.handlers), reflect::reflect(z.global_ptr)); },
       "zoo::Handlers{.fn = " + address(reinterpret_cast<const void*>(&zoo::handler)) +
           " <zoo::handler(int)>, .member = &zoo::Point::y, .method = &zoo::Widget::draw} " +
           address(&zoo::global_counter) + " <zoo::global_counter>"},
  };
  run_together(jobs, 20);
}

namespace lock_free {
struct Later {
  int a;
  double b;
};
std::atomic<int> build_state{0};  // 1: a name index build is running; 2: the main thread printed meanwhile
std::atomic<bool> printed_during_build{false};
}  // namespace lock_free

// A name index is built with the registry's lock let go: another thread's first print of a
// type (which takes that lock to read the type) goes on meanwhile instead of waiting up to a
// second for the build to end.
TEST_CASE("threads: another thread prints while a name index is being built") {
  if (!reflect_test::in_fresh_process()) return;
  using namespace std::chrono_literals;
  // The first build waits in its hook, with no lock of reflect's held, for the print (or 30 s,
  // which it only waits when the build holds the lock that the print needs).
  reflect::dwarf::name_index_build_hook = [] {
    int idle = 0;
    if (!lock_free::build_state.compare_exchange_strong(idle, 1)) return;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (lock_free::build_state.load() != 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    lock_free::printed_during_build = lock_free::build_state.load() == 2;
  };
  std::atomic<bool> found{true};
  // A name no module has: no finder but the index can say so, so every module's index is built.
  std::thread looker([&] { found = reflect::find_type("lock_free::NoSuchType").has_value(); });
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (lock_free::build_state.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  REQUIRE_MESSAGE(lock_free::build_state.load() == 1, "no name index build started");
  const lock_free::Later later{7, 2.5};
  const std::string text = fmt::format("{}", reflect::reflect(later));
  lock_free::build_state = 2;
  looker.join();
  reflect::dwarf::name_index_build_hook = nullptr;
  CHECK(text == "lock_free::Later{.a = 7, .b = 2.5}");
  CHECK(lock_free::printed_during_build.load());
  CHECK_FALSE(found.load());
  CHECK(reflect::find_type("lock_free::Later")->name() == "lock_free::Later");
}

TEST_CASE("threads: garbage pointers printed while another thread maps and unmaps memory") {
  // Every miss in the readable-mappings snapshot re-reads /proc/self/maps and may publish a new
  // snapshot while other threads are reading the old one.
  const auto bad = reinterpret_cast<std::uintptr_t>(unreadable_page());
  static zoo::Node low{1, reinterpret_cast<zoo::Node*>(0x10)};
  static zoo::Node none{2, reinterpret_cast<zoo::Node*>(bad + 8)};
  static zoo::Node far{3, reinterpret_cast<zoo::Node*>(0x8000'0000'0000'0040ull)};
  const zoo::Fixtures& z = zoo::fixtures();
  std::atomic<bool> done{false};
  std::thread mapper([&] {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    while (!done.load()) {
      void* p = mmap(nullptr, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED) {
        static_cast<char*>(p)[0] = 1;
        munmap(p, 3 * page);
      }
      std::this_thread::yield();
    }
  });
  auto follow = [](const zoo::Node& node) {
    return fmt::format("{}", reflect::formatted(reflect::reflect(node), {.follow_pointers = true}));
  };
  const std::string none_next = address(none.next);
  const std::string bad_text = address(reinterpret_cast<const void*>(bad));
  const std::vector<Job> jobs = {
      {[&] { return follow(low); }, "zoo::Node{.value = 1, .next = 0x10 -> <unreadable 0x10>}"},
      {[&] { return follow(none); },
       "zoo::Node{.value = 2, .next = " + none_next + " -> <unreadable " + none_next + ">}"},
      {[&] { return follow(far); },
       "zoo::Node{.value = 3, .next = 0x8000000000000040 -> <unreadable 0x8000000000000040>}"},
      {[&] { return fmt::format("{}", reflect::Value::at(reflect::type_of<zoo::Config>(), reinterpret_cast<const void*>(bad))); },
       "<unreadable " + bad_text + ">"},
      {[&] { return fmt::format("{}", reflect::reflect(z.config)); },
       R"(zoo::Config{.name = "server", .ports = {80, 443}, .timeout = 30, .retries = std::nullopt, )"
       R"(.origin = {.x = 10, .y = 20}, .limit = 64, .tags = {"alpha", "beta"}, .verbose = true})"},
      {[&] { return fmt::format("{}", reflect::reflect(z.list_head)); },
       "zoo::Node{.value = 1, .next = " + address(&z.list_mid) + "}"},
  };
  run_together(jobs, 40);
  done.store(true);
  mapper.join();
}
