// Warm benchmarks: what reflect costs once the debug info it needs is loaded.
//
//   format: a struct of ten mixed members formatted into a fmt::memory_buffer through
//           reflect (`fmt::format_to(out, "{}", reflect::reflect(r))`) against a hand-written
//           fmt::formatter producing the same text.
//   field:  `Struct::field(name)` lookups, cycling over the ten member names.
//
// Built by tools/bench/run with -O2 -g against libreflect. Prints one `key value` per line:
//   format_reflect_ns, format_manual_ns, field_lookup_ns, format_ratio (the median of the
//   per-round reflect/manual ratios) and `text <what both printed>`.
// Usage: warm [repeats [only]]   median over `repeats` timed batches (default 15); `only` runs
// one benchmark (reflect, manual or field), for profiling it alone.

#include <reflect/reflect.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warm {

enum class Color { Red, Green, Blue };

struct Point {
  int x;
  int y;
};

struct Record {
  int id;
  long total;
  double ratio;
  bool active;
  std::string name;
  Color color;
  std::vector<int> values;
  Point origin;
  std::optional<int> limit;
  unsigned flags;
};

}  // namespace warm

// The formatter a user would write by hand, printing exactly what reflect prints.
template <> struct fmt::formatter<warm::Record> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class FormatContext> auto format(const warm::Record& r, FormatContext& ctx) const {
    auto out = ctx.out();
    out = fmt::format_to(out, "warm::Record{{.id = {}, .total = {}, .ratio = {}, .active = {}, .name = \"{}\", ",
                         r.id, r.total, r.ratio, r.active, r.name);
    std::string_view color = r.color == warm::Color::Red     ? "warm::Color::Red"
                              : r.color == warm::Color::Green ? "warm::Color::Green"
                                                              : "warm::Color::Blue";
    out = fmt::format_to(out, ".color = {}, .values = {{", color);
    for (std::size_t i = 0; i < r.values.size(); ++i) {
      if (i) out = fmt::format_to(out, ", ");
      out = fmt::format_to(out, "{}", r.values[i]);
    }
    out = fmt::format_to(out, "}}, .origin = {{.x = {}, .y = {}}}, .limit = ", r.origin.x, r.origin.y);
    if (r.limit) out = fmt::format_to(out, "{}", *r.limit);
    else out = fmt::format_to(out, "std::nullopt");
    return fmt::format_to(out, ", .flags = {}}}", r.flags);
  }
};

namespace {

// Keeps the optimizer from discarding a result (the usual empty asm with a memory clobber).
template <class T> inline void keep(const T& value) { asm volatile("" : : "r,m"(value) : "memory"); }

using Clock = std::chrono::steady_clock;

// One benchmark: a body that makes n calls (the loop inside it, so that no indirect call is
// timed), and how many calls make a batch of ~10 ms.
struct Bench {
  std::function<void(std::size_t n)> body;
  std::size_t batch = 1;
  std::vector<double> ns;  // per call, one sample per batch

  void calibrate() {  // (and warm up)
    for (;;) {
      if (time_batch() * static_cast<double>(batch) > 10e6) break;
      batch *= 2;
    }
  }
  double time_batch() {
    auto start = Clock::now();
    body(batch);
    std::chrono::duration<double, std::nano> elapsed = Clock::now() - start;
    return elapsed.count() / static_cast<double>(batch);
  }
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::max(3, std::atoi(argv[1])) : 15;
  std::string_view only = argc > 2 ? argv[2] : "";
  auto wanted = [&](std::string_view name) { return only.empty() || only == name; };
  warm::Record record{42,     -7000000000L, 0.25, true, "warm record", warm::Color::Green, {1, 2, 3, 4},
                      {10, -20}, 5,           0x11u};

  // Both must print the same text, or the comparison means nothing.
  std::string by_reflect = fmt::format("{}", reflect::reflect(record));
  std::string by_hand = fmt::format("{}", record);
  if (by_reflect != by_hand) {
    std::fprintf(stderr, "warm: reflect and the hand-written formatter disagree:\n  reflect: %s\n  by hand: %s\n",
                 by_reflect.c_str(), by_hand.c_str());
    return 1;
  }

  fmt::memory_buffer buffer;
  Bench by_reflect_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      buffer.clear();
      fmt::format_to(std::back_inserter(buffer), "{}", reflect::reflect(record));
      keep(buffer.data()[buffer.size() - 1]);
    }
  }};
  Bench by_hand_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      buffer.clear();
      fmt::format_to(std::back_inserter(buffer), "{}", record);
      keep(buffer.data()[buffer.size() - 1]);
    }
  }};

  const std::string_view names[] = {"id", "total", "ratio", "active", "name",
                                    "color", "values", "origin", "limit", "flags"};
  reflect::Struct view = reflect::reflect(record).as<reflect::Struct>();
  std::size_t next = 0;
  std::uintptr_t sink = 0;
  Bench field_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      std::string_view name = names[next];
      next = next == 9 ? 0 : next + 1;
      keep(name);  // an opaque name each time: no constant-folding of the lookup
      std::optional<reflect::Field> field = view.field(name);
      keep(field);  // the lookup is a call into the library; its result is kept whole
      sink += field.has_value();
    }
  }};

  // Batches of the three alternate, so that a busy spell of the machine hits them alike; the
  // ratio is the median of the per-round ratios.
  std::vector<Bench*> benches;
  if (wanted("reflect")) benches.push_back(&by_reflect_bench);
  if (wanted("manual")) benches.push_back(&by_hand_bench);
  if (wanted("field")) benches.push_back(&field_bench);
  for (Bench* b : benches) b->calibrate();
  std::vector<double> ratios;
  for (int r = 0; r < repeats; ++r) {
    for (Bench* b : benches) b->ns.push_back(b->time_batch());
    if (only.empty()) ratios.push_back(by_reflect_bench.ns.back() / by_hand_bench.ns.back());
  }
  if (wanted("field") && sink == 0) {
    std::fprintf(stderr, "warm: Struct::field found none of the fields\n");
    return 1;
  }
  double reflect_ns = median(by_reflect_bench.ns);
  double manual_ns = median(by_hand_bench.ns);
  double field_ns = median(field_bench.ns);

  std::printf("format_reflect_ns %.1f\n", reflect_ns);
  std::printf("format_manual_ns %.1f\n", manual_ns);
  std::printf("field_lookup_ns %.2f\n", field_ns);
  std::printf("format_ratio %.3f\n", median(ratios));
  std::printf("text %s\n", by_reflect.c_str());
}
