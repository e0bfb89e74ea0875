// Warm benchmarks: what reflect costs once the debug info it needs is loaded.
//
//   format:   a struct of ten mixed members formatted into a fmt::memory_buffer through
//             reflect (`fmt::format_to(out, "{}", reflect::reflect(r))`) against a hand-written
//             fmt::formatter producing the same text.
//   pointers: the same for a struct of four function pointers, four pointers to globals and
//             three integers. reflect names each target from the module's symbol table
//             (`0x… <warm::on_open(int)>`, `0x… <warm::limits+16>`); the hand-written formatter
//             writes the same names as literals, with no lookup.
//   field:    `Struct::field(name)` lookups, cycling over the ten member names.
//
// Built by tools/bench/run with -O2 -g against libreflect and linked with the generated
// program's units, so that the symbol table searched is as big as the program's. Prints one
// `key value` per line: format_reflect_ns, format_manual_ns, format_ratio (the median of the
// per-round reflect/manual ratios), pointers_reflect_ns, pointers_manual_ns, pointers_ratio,
// field_lookup_ns, and `text <what both printed>` and `pointers_text <...>`.
// Usage: warm [repeats [only]]   median over `repeats` timed batches (default 15); `only` runs
// one benchmark (reflect, manual, pointers, pointers-manual or field), for profiling it alone.

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
#include <utility>
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

// Targets for pointers: functions and globals with symbols of their own.
int on_open(int fd) { return fd + 1; }
int on_close(int fd) { return fd - 1; }
double scale(double x) { return x * 2.5; }
void reset() { asm volatile("" ::: "memory"); }
int open_count = 3;
double limits[4] = {0.5, 1.5, 2.5, 3.5};
long totals[3] = {10, 20, 30};
Point home{7, 8};

struct Handlers {
  int id;
  int (*open_fn)(int);
  int (*close_fn)(int);
  double (*scale_fn)(double);
  void (*reset_fn)();
  const int* count_ptr;
  const double* limit_ptr;
  const long* total_ptr;
  const Point* home_ptr;
  int retries;
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

// Knows what each pointer points at, so writes the names reflect looks up.
template <> struct fmt::formatter<warm::Handlers> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class FormatContext> auto format(const warm::Handlers& h, FormatContext& ctx) const {
    auto offset = [](const void* p, const void* base) {
      return reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(base);
    };
    return fmt::format_to(ctx.out(),
                          "warm::Handlers{{.id = {}, .open_fn = {} <warm::on_open(int)>, "
                          ".close_fn = {} <warm::on_close(int)>, .scale_fn = {} <warm::scale(double)>, "
                          ".reset_fn = {} <warm::reset()>, .count_ptr = {} <warm::open_count>, "
                          ".limit_ptr = {} <warm::limits+{}>, .total_ptr = {} <warm::totals+{}>, "
                          ".home_ptr = {} <warm::home>, .retries = {}, .flags = {}}}",
                          h.id, fmt::ptr(h.open_fn), fmt::ptr(h.close_fn), fmt::ptr(h.scale_fn), fmt::ptr(h.reset_fn),
                          fmt::ptr(h.count_ptr), fmt::ptr(h.limit_ptr), offset(h.limit_ptr, warm::limits),
                          fmt::ptr(h.total_ptr), offset(h.total_ptr, warm::totals), fmt::ptr(h.home_ptr), h.retries,
                          h.flags);
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
  warm::Handlers handlers{11, &warm::on_open, &warm::on_close, &warm::scale, &warm::reset, &warm::open_count,
                          &warm::limits[2], &warm::totals[1], &warm::home, 3, 5u};
  std::string pointers_by_reflect = fmt::format("{}", reflect::reflect(handlers));
  std::string pointers_by_hand = fmt::format("{}", handlers);
  for (auto [a, b] : {std::pair{&by_reflect, &by_hand}, std::pair{&pointers_by_reflect, &pointers_by_hand}}) {
    if (*a != *b) {
      std::fprintf(stderr, "warm: reflect and the hand-written formatter disagree:\n  reflect: %s\n  by hand: %s\n",
                   a->c_str(), b->c_str());
      return 1;
    }
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
  Bench pointers_by_reflect_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      buffer.clear();
      fmt::format_to(std::back_inserter(buffer), "{}", reflect::reflect(handlers));
      keep(buffer.data()[buffer.size() - 1]);
    }
  }};
  Bench pointers_by_hand_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      buffer.clear();
      fmt::format_to(std::back_inserter(buffer), "{}", handlers);
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
  if (wanted("pointers")) benches.push_back(&pointers_by_reflect_bench);
  if (wanted("pointers-manual")) benches.push_back(&pointers_by_hand_bench);
  if (wanted("field")) benches.push_back(&field_bench);
  for (Bench* b : benches) b->calibrate();
  std::vector<double> ratios, pointers_ratios;
  for (int r = 0; r < repeats; ++r) {
    for (Bench* b : benches) b->ns.push_back(b->time_batch());
    if (only.empty()) {
      ratios.push_back(by_reflect_bench.ns.back() / by_hand_bench.ns.back());
      pointers_ratios.push_back(pointers_by_reflect_bench.ns.back() / pointers_by_hand_bench.ns.back());
    }
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
  std::printf("pointers_reflect_ns %.1f\n", median(pointers_by_reflect_bench.ns));
  std::printf("pointers_manual_ns %.1f\n", median(pointers_by_hand_bench.ns));
  std::printf("pointers_ratio %.3f\n", median(pointers_ratios));
  std::printf("text %s\n", by_reflect.c_str());
  std::printf("pointers_text %s\n", pointers_by_reflect.c_str());
}
