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
//   map, unordered_map, list: a `std::map<std::string, int>`, a `std::unordered_map<std::string,
//             int>` and a `std::list<int>` of 1,000 entries each, through reflect with
//             `.max_elements = 1000` (all of them), against {fmt}'s own `<fmt/ranges.h>`. The texts
//             differ in syntax (`std::map<...>{{"k", 1}, ...}` against `{"k": 1, ...}`); both are
//             checked to hold all 1,000 entries.
//   json:     the ten-member struct as a JSON document, `reflect::to_json(reflect::reflect(r))`,
//             against an `nlohmann::json` filled member by member by hand and `dump()`ed (checked
//             at start: both parse to the same JSON value).
//
// Built by tools/bench/run with -O2 -g against libreflect and linked with the generated
// program's units, so that the symbol table searched is as big as the program's. Prints one
// `key value` per line: format_reflect_ns, format_manual_ns, format_ratio (the median of the
// per-round reflect/manual ratios), pointers_reflect_ns, pointers_manual_ns, pointers_ratio,
// field_lookup_ns, then for each of map, unordered_map, list and json NAME_reflect_ns,
// NAME_baseline_ns, NAME_ratio, and `text <what both printed>`, `pointers_text <...>` and
// `json_text <...>`.
// Usage: warm [repeats [only]]   median over `repeats` timed batches (default 15); `only` runs
// one benchmark (reflect, manual, pointers, pointers-manual, field, map, map-fmt,
// unordered_map, unordered_map-fmt, list, list-fmt, json or json-nlohmann), for profiling it
// alone (e.g. under callgrind).

#include <reflect/reflect.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iterator>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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

// The CPU time of this thread: time the machine's other processes take from us (2 shared cores)
// is not counted, as wall time would count it. (Their effect on the caches still is.)
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<ThreadCpuClock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
};
using Clock = ThreadCpuClock;

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

// How many times `what` occurs in `text`.
std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The JSON a user would build by hand, member by member, with what reflect writes for each.
nlohmann::json to_nlohmann(const warm::Record& r) {
  nlohmann::json j;
  j["id"] = r.id;
  j["total"] = r.total;
  j["ratio"] = r.ratio;
  j["active"] = r.active;
  j["name"] = r.name;
  j["color"] = r.color == warm::Color::Red ? "Red" : r.color == warm::Color::Green ? "Green" : "Blue";
  j["values"] = r.values;
  j["origin"]["x"] = r.origin.x;
  j["origin"]["y"] = r.origin.y;
  j["limit"] = r.limit ? nlohmann::json(*r.limit) : nlohmann::json(nullptr);
  j["flags"] = r.flags;
  return j;
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

  // Containers of 1,000 entries: reflect prints them all (the default max_elements is 100), {fmt}
  // with <fmt/ranges.h>. The syntaxes differ; both texts must hold every entry.
  constexpr std::size_t kEntries = 1000;
  std::map<std::string, int> map;
  std::unordered_map<std::string, int> unordered_map;
  std::list<int> list;
  for (std::size_t i = 0; i < kEntries; ++i) {
    std::string key = fmt::format("key{}", i);
    map.emplace(key, static_cast<int>(i));
    unordered_map.emplace(key, static_cast<int>(i));
    list.push_back(static_cast<int>(i));
  }
  const reflect::FormatOptions all{.max_elements = kEntries};
  struct Printed {
    const char* name;
    std::string by_reflect, by_fmt;
    std::string_view entry;  // what each entry prints once (a key), or "" to count separators
  };
  Printed printed[] = {
      {"map", fmt::format("{}", reflect::formatted(reflect::reflect(map), all)), fmt::format("{}", map), "\"key"},
      {"unordered_map", fmt::format("{}", reflect::formatted(reflect::reflect(unordered_map), all)),
       fmt::format("{}", unordered_map), "\"key"},
      {"list", fmt::format("{}", reflect::formatted(reflect::reflect(list), all)), fmt::format("{}", list), ""},
  };
  for (const Printed& p : printed) {
    for (std::string_view text : {std::string_view(p.by_reflect), std::string_view(p.by_fmt)}) {
      std::size_t entries = p.entry.empty() ? occurrences(text, ", ") + 1 : occurrences(text, p.entry);
      if (entries != kEntries || text.find("...") != std::string_view::npos) {
        std::fprintf(stderr, "warm: %s: %zu entries printed, not %zu: %.300s\n", p.name, entries, kEntries,
                     std::string(text).c_str());
        return 1;
      }
    }
  }

  // JSON: both documents must be the same JSON value.
  std::string json_by_reflect = reflect::to_json(reflect::reflect(record));
  nlohmann::json json_by_hand = to_nlohmann(record);
  bool same_json = false;
  try {
    same_json = nlohmann::json::parse(json_by_reflect) == json_by_hand;
  } catch (const nlohmann::json::exception&) {
  }
  if (!same_json) {
    std::fprintf(stderr, "warm: reflect's JSON and nlohmann's differ:\n  reflect:  %s\n  nlohmann: %s\n",
                 json_by_reflect.c_str(), json_by_hand.dump().c_str());
    return 1;
  }

  fmt::memory_buffer buffer;
  // A benchmark that prints into `buffer` n times.
  auto printing = [&buffer](auto print) {
    return Bench{[&buffer, print](std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        buffer.clear();
        print(std::back_inserter(buffer));
        keep(buffer.data()[buffer.size() - 1]);
      }
    }};
  };
  Bench map_reflect_bench = printing(
      [&](auto out) { fmt::format_to(out, "{}", reflect::formatted(reflect::reflect(map), all)); });
  Bench map_fmt_bench = printing([&](auto out) { fmt::format_to(out, "{}", map); });
  Bench unordered_map_reflect_bench = printing(
      [&](auto out) { fmt::format_to(out, "{}", reflect::formatted(reflect::reflect(unordered_map), all)); });
  Bench unordered_map_fmt_bench = printing([&](auto out) { fmt::format_to(out, "{}", unordered_map); });
  Bench list_reflect_bench = printing(
      [&](auto out) { fmt::format_to(out, "{}", reflect::formatted(reflect::reflect(list), all)); });
  Bench list_fmt_bench = printing([&](auto out) { fmt::format_to(out, "{}", list); });
  Bench json_reflect_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      std::string text = reflect::to_json(reflect::reflect(record));
      keep(text.data()[text.size() - 1]);
    }
  }};
  Bench json_nlohmann_bench{[&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      std::string text = to_nlohmann(record).dump();
      keep(text.data()[text.size() - 1]);
    }
  }};

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
  // Each new row: reflect against its baseline, one after the other in every round.
  struct Row {
    const char* name;
    Bench* reflect;
    Bench* baseline;
    std::vector<double> ratios;
  };
  Row rows[] = {{"map", &map_reflect_bench, &map_fmt_bench, {}},
                {"unordered_map", &unordered_map_reflect_bench, &unordered_map_fmt_bench, {}},
                {"list", &list_reflect_bench, &list_fmt_bench, {}},
                {"json", &json_reflect_bench, &json_nlohmann_bench, {}}};
  const char* baseline_names[] = {"map-fmt", "unordered_map-fmt", "list-fmt", "json-nlohmann"};
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    if (wanted(rows[i].name)) benches.push_back(rows[i].reflect);
    if (wanted(baseline_names[i])) benches.push_back(rows[i].baseline);
  }
  for (Bench* b : benches) b->calibrate();
  std::vector<double> ratios, pointers_ratios;
  for (int r = 0; r < repeats; ++r) {
    for (Bench* b : benches) b->ns.push_back(b->time_batch());
    if (only.empty()) {
      ratios.push_back(by_reflect_bench.ns.back() / by_hand_bench.ns.back());
      pointers_ratios.push_back(pointers_by_reflect_bench.ns.back() / pointers_by_hand_bench.ns.back());
      for (Row& row : rows) row.ratios.push_back(row.reflect->ns.back() / row.baseline->ns.back());
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
  for (const Row& row : rows) {
    std::printf("%s_reflect_ns %.1f\n", row.name, median(row.reflect->ns));
    std::printf("%s_baseline_ns %.1f\n", row.name, median(row.baseline->ns));
    std::printf("%s_ratio %.3f\n", row.name, median(row.ratios));
  }
  std::printf("text %s\n", by_reflect.c_str());
  std::printf("pointers_text %s\n", pointers_by_reflect.c_str());
  std::printf("json_text %s\n", json_by_reflect.c_str());
  for (const Printed& p : printed)
    std::printf("%s_text %.60s... (%zu chars) / fmt: %.40s... (%zu chars)\n", p.name, p.by_reflect.c_str(),
                p.by_reflect.size(), p.by_fmt.c_str(), p.by_fmt.size());
}
