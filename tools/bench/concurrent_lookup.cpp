// A figure, not a benchmark with a target: how long a lookup on one thread takes while another
// thread builds the same module's name index (which runs with the target's lock let go).
//
//   concurrent_lookup PROG [DELAY_MS [alone]]
//
// Thread A looks up a name no module has, which builds PROG's name index; DELAY_MS (100) later,
// thread B looks up bench::tu3::model::S4, a class the finders that need no index find (by its
// member functions' symbols). With `alone`, B runs without A: its cost on its own.
#include <reflect/reflect.hpp>
#include <reflect/target.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROG [DELAY_MS [alone]]\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const int delay = argc > 2 ? std::atoi(argv[2]) : 100;
  const bool alone = argc > 3 && std::string_view(argv[3]) == "alone";
  const reflect::Target target = reflect::Target::open_executable(argv[1]);

  Clock::time_point a_start = Clock::now(), a_end = a_start;
  std::thread builder([&] {
    if (alone) return;
    a_start = Clock::now();
    (void)target.find_type("bench::NoSuchType");
    a_end = Clock::now();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  const auto b_start = Clock::now();
  const bool found = target.find_type("bench::tu3::model::S4").has_value();
  const auto b_end = Clock::now();
  builder.join();
  if (alone)
    std::printf("B alone: %.1f ms (%s)\n", ms(b_end - b_start), found ? "found" : "not found");
  else
    std::printf("A's index build: %.0f ms; B began %.0f ms into it and took %.1f ms (%s)\n", ms(a_end - a_start),
                ms(b_start - a_start), ms(b_end - b_start), found ? "found" : "not found");
  return found ? 0 : 1;
}
