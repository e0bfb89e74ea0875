// Threads: reflect's lookups that are not anchors (names, std::type_info, vtables, symbols) and
// its checked memory reads, from many threads at once. Built for two cells and run in every
// build, including the ThreadSanitizer one (tools/test), where a data race fails the test.
//
// The first test case must run first: it starts cold, before anything has used reflect.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/poly.hpp"
#include "fixtures/zoo.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

namespace {

// Runs every job on a thread of its own, `rounds` times, all threads starting together; then
// checks that every round of every job gave what one more run of it on this thread gives.
void run_together(const std::vector<std::function<std::string()>>& jobs, int rounds) {
  std::vector<std::vector<std::string>> results(jobs.size());
  std::atomic<std::size_t> ready{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < jobs.size(); ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < jobs.size()) std::this_thread::yield();
      for (int round = 0; round < rounds; ++round) {
        try {
          results[t].push_back(jobs[t]());
        } catch (const std::exception& e) {
          results[t].push_back(std::string("exception: ") + e.what());
        }
      }
    });
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < jobs.size(); ++t) {
    const std::string expected = jobs[t]();
    INFO("job ", t, ": ", expected);
    CHECK(expected.find("<error") == std::string::npos);
    CHECK(expected.find("<incomplete") == std::string::npos);
    for (const std::string& r : results[t]) CHECK(r == expected);
  }
}

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

TEST_CASE("threads: names, type_info and vtables looked up at once, while the name index is built") {
  const poly::Fixtures& p = poly::fixtures();
  const zoo::Fixtures& z = zoo::fixtures();
  const std::vector<std::function<std::string()>> jobs = {
      [] { return fmt::format("{} {}", reflect::find_type("zoo::Config")->name(), reflect::find_type("zoo::Config")->size()); },
      [] { return fmt::format("{}", reflect::find_type("std::vector<zoo::Point>")->name()); },
      [&] { return fmt::format("{}", reflect::reflect(static_cast<const void*>(&z.point), typeid(zoo::Point))); },
      [&] { return fmt::format("{}", reflect::reflect(static_cast<const void*>(&z.stats), typeid(zoo::Stats))); },
      [&] { return fmt::format("{}", reflect::reflect(static_cast<const poly::Shape&>(p.gem))); },
      [&] { return fmt::format("{}", reflect::reflect(p.shapes)); },
      [&] { return fmt::format("{}", reflect::reflect(p.boxes)); },
      [&] { return fmt::format("{:#}", reflect::reflect(p.scene)); },
      // A function's and a global's names: the module's symbol table is built on first use.
      [&] { return fmt::format("{} {}", reflect::reflect(z.handlers), reflect::reflect(z.global_ptr)); },
  };
  run_together(jobs, 20);
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
  const std::vector<std::function<std::string()>> jobs = {
      [&] { return follow(low); },
      [&] { return follow(none); },
      [&] { return follow(far); },
      [&] { return fmt::format("{}", reflect::Value::at(reflect::type_of<zoo::Config>(), reinterpret_cast<const void*>(bad))); },
      [&] { return fmt::format("{}", reflect::reflect(z.config)); },
      [&] { return fmt::format("{}", reflect::reflect(z.list_head)); },
  };
  run_together(jobs, 40);
  done.store(true);
  mapper.join();
  CHECK(follow(low) == "zoo::Node{.value = 1, .next = 0x10 -> <unreadable 0x10>}");
  CHECK(follow(none) == fmt::format("zoo::Node{{.value = 2, .next = {0:#x} -> <unreadable {0:#x}>}}", bad + 8));
  CHECK(follow(far) == "zoo::Node{.value = 3, .next = 0x8000000000000040 -> <unreadable 0x8000000000000040>}");
}
