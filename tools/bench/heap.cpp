// The heap benchmark (issue 13): reflect::census() and reflect::coroutines() on a program holding
// 1 GiB of heap in several million objects of 32 polymorphic classes and 100,000 suspended
// coroutines, each timed against a plain pass that only reads the same memory, in one run.
//
//   heap self [options]       builds the heap, then measures in this process: census(),
//                             coroutines(), task_dump(), against a plain pass reading every
//                             anonymous read+write private mapping and [heap] of /proc/self/maps
//                             with process_vm_readv on our own pid, 1 MiB at a time, into a
//                             buffer of its own mmap (the mappings reflect's heap scan reads);
//                             and, for information, the same pass reading [heap] with memcpy,
//                             as reflect reads this process's brk heap.
//   heap hold [options]       builds the heap and calls heapbench_ready() (where tools/bench/heap
//                             has gdb stop it and write a core with gcore), then exits.
//   heap core CORE [options]  measures on a core of `heap hold` (this same binary):
//                             Target::open_core(CORE, this binary), then census() etc. on it,
//                             against a plain pass that preads every writable PT_LOAD segment of
//                             the core with p_filesz > 0, 1 MiB at a time.
//
// Options: --heap-mib M (the objects' heap, default 1024), --coroutines C (a multiple of 5,
// default 100000), --runs N (default 5), --only census|coroutines|tasks|plain|plain-memcpy (runs one
// operation once, then N times more, nothing else: for perf).
//
// The program: Node<N> for N in 0..31, polymorphic (a vtable pointer, then 16 + 16 N bytes of
// payload: sizeof 24 to 520), allocated with new one class after another, round-robin, so that
// neighbours in the heap are of different classes, and kept in a vector of pointers; besides,
// arrays made with new[] (64 small ones per class, and one of 600 elements per class for N >= 16:
// those are chunks mmapped on their own). Coroutines: C/5 chains serve -> handle_request ->
// read_block and C/5 chains poll -> read_block, each read_block suspended on the program's own
// queue (a vector of handles the measuring code never touches), started in between the objects.
// Nothing is freed: every count is known exactly (expected()), and the census and the
// coroutines found must equal it, or the benchmark fails (a wrong count makes a time
// meaningless).
//
// Each measurement: wall time (steady_clock), CPU time of the process (CLOCK_PROCESS_CPUTIME_ID,
// user + system: what other processes take from the machine is not counted) and the peak RSS it
// added (VmHWM, reset through /proc/self/clear_refs before it, minus VmRSS before it). The first
// call of each operation (reflect loading the debug info it needs) is reported apart; then
// `runs` rounds, each running every operation once, in an order rotating from round to round;
// a ratio is the median of the per-round ratios. Prints `key value` lines and a Markdown table.

#include <reflect/census.hpp>
#include <reflect/footprint.hpp>
#include <reflect/reflect.hpp>
#include <reflect/tasks.hpp>

#include <fmt/format.h>

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace heapbench {

// ---- the classes ------------------------------------------------------------------------------

struct Base {
  virtual ~Base() = default;
  virtual std::size_t payload() const = 0;
};

constexpr int kClasses = 32;

template <int N> struct Node final : Base {
  static constexpr std::size_t kPayload = 16 + 16 * N;  // 16 to 512 bytes
  unsigned char data[kPayload];
  Node() { std::memset(data, N + 1, kPayload); }
  std::size_t payload() const override { return kPayload; }
};

template <std::size_t... N> constexpr auto single_makers(std::index_sequence<N...>) {
  return std::array<Base* (*)(), sizeof...(N)>{+[]() -> Base* { return new Node<int(N)>; }...};
}
template <std::size_t... N> constexpr auto array_makers(std::index_sequence<N...>) {
  return std::array<Base* (*)(std::size_t), sizeof...(N)>{
      +[](std::size_t n) -> Base* { return new Node<int(N)>[n]; }...};
}
template <std::size_t... N> constexpr auto sizes(std::index_sequence<N...>) {
  return std::array<std::size_t, sizeof...(N)>{sizeof(Node<int(N)>)...};
}
constexpr auto kMakeOne = single_makers(std::make_index_sequence<kClasses>{});
constexpr auto kMakeArray = array_makers(std::make_index_sequence<kClasses>{});
constexpr auto kSize = sizes(std::make_index_sequence<kClasses>{});

// ---- the coroutines ---------------------------------------------------------------------------

// The program's private queue: the only place the suspended coroutines are kept.
std::vector<std::coroutine_handle<>>& queue() {
  static auto* handles = new std::vector<std::coroutine_handle<>>;
  return *handles;
}

struct Wait {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiting) { queue().push_back(waiting); }
  void await_resume() const noexcept {}
};

// A lazily started task that resumes the coroutine awaiting it when done.
template <class T> struct Task {
  struct promise_type {
    std::coroutine_handle<> continuation;
    T value{};
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> done) noexcept {
        return done.promise().continuation ? done.promise().continuation : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_value(T v) { value = v; }
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> handle;

  explicit Task(std::coroutine_handle<promise_type> h) : handle(h) {}
  Task(Task&& other) noexcept : handle(std::exchange(other.handle, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (handle) handle.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle.promise().continuation = awaiting;
    return handle;
  }
  T await_resume() const { return handle.promise().value; }
};

// A task nobody awaits: starts at once, frees its frame when it ends.
struct Spawned {
  struct promise_type {
    Spawned get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};

long total = 0;

Task<int> read_block(int id) {
  int bytes = id * 100;
  co_await Wait{};
  co_return bytes;
}

Task<int> handle_request(int id) {
  int request = id + 1000;
  int got = co_await read_block(id);
  co_return got + request;
}

Spawned serve(int id) {
  long served = co_await handle_request(id);
  total += served;
}

Spawned poll(int id) {
  long got = co_await read_block(id);
  total += got;
}

// ---- what the program makes, and the census and coroutines it expects -------------------------

struct Plan {
  std::size_t per_class = 0;           // single objects of each class
  std::size_t small_arrays = 64;       // per class, of 1 + i % 16 elements
  std::size_t big_array = 600;         // elements of one array per class, for N >= 16
  std::size_t chains = 0;              // of each kind: serve (3 coroutines) and poll (2)
  std::size_t coroutines() const { return 5 * chains; }
};

Plan plan(std::size_t heap_mib, std::size_t coroutines) {
  Plan p;
  std::size_t chunk_bytes = 0;  // one object of each class, as glibc's chunks
  for (std::size_t size : kSize) chunk_bytes += (size + 8 + 15) / 16 * 16;
  p.per_class = heap_mib * (std::size_t{1} << 20) / chunk_bytes;
  p.chains = coroutines / 5;
  return p;
}

struct Expected {
  std::vector<std::tuple<std::string, std::size_t, std::size_t>> classes;  // name, count, sizeof
  std::vector<std::pair<std::string, std::size_t>> coroutines;           // function, count
  std::size_t objects = 0, arrays = 0, coroutine_total = 0, roots = 0;
  // In this process only: the class of the lowest vtable address point, of which the census
  // counts one object more than the program made (see check_census); empty for a core.
};

Expected expected(const Plan& p) {
  Expected e;
  for (int n = 0; n < kClasses; ++n) {
    std::size_t count = p.per_class;
    for (std::size_t i = 0; i < p.small_arrays; ++i) count += 1 + i % 16;
    if (n >= 16) count += p.big_array;
    e.classes.emplace_back(fmt::format("heapbench::Node<{}>", n), count, kSize[n]);
    e.objects += count;
    e.arrays += p.small_arrays + (n >= 16 ? 1 : 0);
  }
  e.coroutines = {{"heapbench::serve(int)", p.chains},
                  {"heapbench::poll(int)", p.chains},
                  {"heapbench::handle_request(int)", p.chains},
                  {"heapbench::read_block(int)", 2 * p.chains}};
  e.coroutine_total = p.coroutines();
  e.roots = 2 * p.chains;
  return e;
}

// Kept for the life of the program (the vectors of pointers a program would hold).
std::vector<Base*>* objects = nullptr;
std::vector<Base*>* arrays = nullptr;

void build(const Plan& p) {
  objects = new std::vector<Base*>;
  arrays = new std::vector<Base*>;
  objects->reserve(p.per_class * kClasses);
  arrays->reserve(kClasses * (p.small_arrays + 1));
  queue().reserve(2 * p.chains);
  // Spread the chains and the arrays over the objects' allocation.
  const std::size_t chain_every = p.chains != 0 ? std::max<std::size_t>(1, p.per_class / p.chains) : 0;
  const std::size_t array_every = std::max<std::size_t>(1, p.per_class / p.small_arrays);
  std::size_t chains = 0, small = 0;
  int id = 0;
  for (std::size_t i = 0; i < p.per_class; ++i) {
    for (int n = 0; n < kClasses; ++n) objects->push_back(kMakeOne[n]());
    if (chain_every != 0 && i % chain_every == 0 && chains < p.chains) {
      serve(++id);
      poll(++id);
      ++chains;
    }
    if (i % array_every == 0 && small < p.small_arrays) {
      for (int n = 0; n < kClasses; ++n) arrays->push_back(kMakeArray[n](1 + small % 16));
      ++small;
    }
  }
  for (; chains < p.chains; ++chains) {
    serve(++id);
    poll(++id);
  }
  for (; small < p.small_arrays; ++small)
    for (int n = 0; n < kClasses; ++n) arrays->push_back(kMakeArray[n](1 + small % 16));
  for (int n = 16; n < kClasses; ++n) arrays->push_back(kMakeArray[n](p.big_array));
}

}  // namespace heapbench

// Where gdb stops `heap hold` to write its core.
extern "C" [[gnu::noinline]] void heapbench_ready() { asm volatile("" ::: "memory"); }

namespace {

using namespace heapbench;

[[noreturn]] void fail(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "heap: FAILED: %s\n", message.c_str());
  std::exit(1);
}

// ---- the plain passes -------------------------------------------------------------------------

constexpr std::size_t kPiece = std::size_t{1} << 20;

struct Buffer {
  unsigned char* data;
  Buffer() {
    void* at = mmap(nullptr, kPiece, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) fail("mmap of the plain pass's buffer");
    data = static_cast<unsigned char*>(at);
  }
  ~Buffer() { munmap(data, kPiece); }
  std::uintptr_t begin() const { return reinterpret_cast<std::uintptr_t>(data); }
  std::uintptr_t end() const { return begin() + kPiece; }
};

std::string read_file(const char* path) {
  std::string out;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(fmt::format("cannot open {}", path));
  char chunk[65536];
  for (ssize_t n; (n = read(fd, chunk, sizeof chunk)) > 0;) out.append(chunk, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

// Every read+write private mapping of this process that is anonymous or [heap], but for the
// buffer's, read with process_vm_readv on our own pid. Returns the bytes read.
//
// With `copy_heap` (information, a second baseline): [heap] is read with memcpy instead, as
// reflect reads this process's brk heap (memory.cpp: its fast path for the main heap), and the
// rest with process_vm_readv as before.
std::size_t plain_pass_self(bool copy_heap) {
  Buffer buffer;
  const std::string maps = read_file("/proc/self/maps");
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
  std::pair<std::uintptr_t, std::uintptr_t> heap{0, 0};
  std::size_t at = 0;
  while (at < maps.size()) {
    std::size_t eol = maps.find('\n', at);
    if (eol == std::string::npos) eol = maps.size();
    const std::string line = maps.substr(at, eol - at);
    at = eol + 1;
    unsigned long begin = 0, end = 0;
    char perms[5] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %4s %*s %*s %*s %n", &begin, &end, perms, &path_at) < 3) continue;
    std::string_view path = path_at > 0 ? std::string_view(line).substr(static_cast<std::size_t>(path_at)) : "";
    while (!path.empty() && path.back() == ' ') path.remove_suffix(1);
    if (perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p') continue;
    if (!path.empty() && path != "[heap]") continue;
    if (begin < buffer.end() && end > buffer.begin()) {  // (merged with a neighbour: keep the rest)
      if (begin < buffer.begin()) ranges.emplace_back(begin, buffer.begin());
      if (end > buffer.end()) ranges.emplace_back(buffer.end(), end);
      continue;
    }
    ranges.emplace_back(begin, end);
    if (copy_heap && path == "[heap]") heap = ranges.back();
  }
  const pid_t pid = getpid();
  std::size_t total = 0;
  for (auto [begin, end] : ranges)
    for (std::uintptr_t a = begin; a < end; a += kPiece) {
      const std::size_t size = std::min<std::uintptr_t>(end - a, kPiece);
      if (begin == heap.first && end == heap.second) {
        std::memcpy(buffer.data, reinterpret_cast<const void*>(a), size);
        asm volatile("" ::"r"(buffer.data) : "memory");  // (the copy is not optimised away)
        total += size;
        continue;
      }
      iovec local{buffer.data, size}, remote{reinterpret_cast<void*>(a), size};
      const ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
      if (n > 0) total += static_cast<std::size_t>(n);
    }
  return total;
}

// Every writable PT_LOAD segment of the core with bytes in the file, read with pread.
std::size_t plain_pass_core(const std::string& core) {
  Buffer buffer;
  const int fd = open(core.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(fmt::format("cannot open {}", core));
  Elf64_Ehdr header;
  if (pread(fd, &header, sizeof header, 0) != sizeof header || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_CORE)
    fail(fmt::format("{} is not a 64-bit ELF core", core));
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  const auto bytes = static_cast<ssize_t>(segments.size() * sizeof(Elf64_Phdr));
  if (pread(fd, segments.data(), static_cast<std::size_t>(bytes), static_cast<off_t>(header.e_phoff)) != bytes)
    fail(fmt::format("cannot read the program headers of {}", core));
  std::size_t total = 0;
  for (const Elf64_Phdr& s : segments) {
    if (s.p_type != PT_LOAD || s.p_filesz == 0 || (s.p_flags & PF_W) == 0) continue;
    for (std::uint64_t into = 0; into < s.p_filesz; into += kPiece) {
      const std::size_t size = std::min<std::uint64_t>(s.p_filesz - into, kPiece);
      const ssize_t n = pread(fd, buffer.data, size, static_cast<off_t>(s.p_offset + into));
      if (n > 0) total += static_cast<std::size_t>(n);
    }
  }
  close(fd);
  return total;
}

// ---- measuring --------------------------------------------------------------------------------

long status_kb(const char* key) {
  const std::string status = read_file("/proc/self/status");
  const std::size_t at = status.find(key);
  return at == std::string::npos ? -1 : std::atol(status.c_str() + at + std::strlen(key));
}

void reset_peak_rss() {
  int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    [[maybe_unused]] auto n = write(fd, "5", 1);
    close(fd);
  }
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Sample {
  double wall = 0, cpu = 0;
  long peak_kb = 0;  // added
};

long peak_rss_kb = 0;  // the largest VmHWM a measurement ended with

Sample measure(const std::function<void()>& f) {
  reset_peak_rss();
  const long rss = status_kb("VmRSS:");
  const double cpu = cpu_seconds();
  const auto wall = std::chrono::steady_clock::now();
  f();
  Sample s;
  s.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  s.cpu = cpu_seconds() - cpu;
  const long hwm = status_kb("VmHWM:");
  peak_rss_kb = std::max(peak_rss_kb, hwm);
  s.peak_kb = hwm - rss;
  return s;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ---- the checks -------------------------------------------------------------------------------

// The census's rows of the program's classes and coroutines equal what it made; other rows
// (reflect's own objects, in this process) are listed. Returns (objects, frames) found.
std::pair<std::size_t, std::size_t> check_census(const reflect::Census& census, const Expected& e, bool print) {
  std::string wrong;
  std::size_t objects = 0, frames = 0;
  for (const auto& [name, count, size] : e.classes) {
    const auto row = census.find(name);
    std::size_t found = row ? row->count : 0, bytes = row ? row->bytes : 0;
    objects += found;
    if (found != count || bytes != count * size)
      wrong += fmt::format("\n  {}: {} objects, {} bytes found; {} made, {} bytes", name, found, bytes, count, count * size);
  }
  for (const auto& [function, count] : e.coroutines) {
    const auto row = census.find(function);
    const std::size_t found = row ? row->count : 0;
    frames += found;
    if (found != count) wrong += fmt::format("\n  {}: {} frames found; {} made", function, found, count);
  }
  if (!wrong.empty()) {
    std::string rows;
    for (const reflect::CensusRow& row : census) rows += fmt::format("\n  {} {} {}", row.count, row.bytes, row.name);
    fail(fmt::format("the census does not count what the program made:{}\nits rows:{}", wrong, rows));
  }
  if (print) {
    std::size_t other_count = 0;
    std::string other;
    for (const reflect::CensusRow& row : census) {
      const bool ours = std::any_of(e.classes.begin(), e.classes.end(), [&](const auto& c) { return std::get<0>(c) == row.name; }) ||
                        std::any_of(e.coroutines.begin(), e.coroutines.end(), [&](const auto& c) { return c.first == row.name; });
      if (ours) continue;
      other_count += row.count;
      other += fmt::format("\n  {} {} {}", row.count, row.bytes, row.name);
    }
    fmt::print("census_rows {}\ncensus_other_objects {}{}\n", census.size(), other_count, other);
  }
  return {objects, frames};
}

std::size_t check_coroutines(const std::vector<reflect::Coroutine>& found, const Expected& e) {
  std::map<std::string, std::size_t> by_function;
  std::size_t not_suspended = 0;
  for (const reflect::Coroutine& c : found) {
    ++by_function[c.function()];
    if (c.state() != reflect::Coroutine::State::Suspended) ++not_suspended;
  }
  std::string wrong;
  for (const auto& [function, count] : e.coroutines) {
    const std::size_t n = by_function.count(function) != 0 ? by_function[function] : 0;
    if (n != count) wrong += fmt::format("\n  {}: {} found; {} made", function, n, count);
  }
  if (found.size() != e.coroutine_total) wrong += fmt::format("\n  {} coroutines found; {} made", found.size(), e.coroutine_total);
  if (not_suspended != 0) wrong += fmt::format("\n  {} not suspended at a co_await", not_suspended);
  if (!wrong.empty()) {
    std::string functions;
    for (const auto& [function, n] : by_function) functions += fmt::format("\n  {} {}", n, function);
    fail(fmt::format("coroutines() does not find what the program made:{}\nfound:{}", wrong, functions));
  }
  return found.size();
}

void check_tasks(const reflect::TaskDump& dump, const Expected& e) {
  if (dump.coroutine_count() != e.coroutine_total || dump.roots().size() != e.roots || dump.done_count() != 0)
    fail(fmt::format("task_dump(): {} coroutines in {} tasks, {} done; the program made {} in {} chains, none done",
                     dump.coroutine_count(), dump.roots().size(), dump.done_count(), e.coroutine_total, e.roots));
}

// ---- the modes --------------------------------------------------------------------------------

struct Options {
  std::string mode, core;
  std::size_t heap_mib = 1024, coroutines = 100000, runs = 5;
  std::string only;
};

struct Operation {
  std::string name;
  std::function<void()> run;    // measured
  std::function<void()> check;  // after, not measured: checks and drops the result
};

// The footprint's subject (in the process only): a std::map<std::string, std::vector<int>> of
// 100,000 entries, keys past the small-string buffer, vectors of 0 to 15 ints.
using Table = std::map<std::string, std::vector<int>>;
Table& footprint_table() {
  static Table* table = [] {
    auto* made = new Table;
    for (int i = 0; i < 100'000; ++i) made->emplace(fmt::format("entry {:08} of the table", i), std::vector<int>(i % 16, i));
    return made;
  }();
  return *table;
}

// Its footprint as compiled code works it out, knowing the types: the baseline.
std::size_t table_bytes_by_hand(const Table& table) {
  using Node = std::_Rb_tree_node<Table::value_type>;
  std::size_t bytes = sizeof(Table);
  for (const auto& [key, values] : table) bytes += sizeof(Node) + key.capacity() + 1 + values.capacity() * sizeof(int);
  return bytes;
}

int measure_all(const Options& options, const reflect::Target& target, const Expected& e, const std::string& where,
                const std::function<std::size_t()>& plain, const std::function<std::size_t()>& plain_copy = {}) {
  std::optional<reflect::Census> census;
  std::optional<std::vector<reflect::Coroutine>> found;
  std::optional<reflect::TaskDump> dump;
  std::size_t plain_bytes = 0;
  std::vector<Operation> operations = {
      {"plain", [&] { plain_bytes = plain(); }, [] {}},
      {"census", [&] { census = reflect::census(target); },
       [&] {
         check_census(*census, e, false);
         census.reset();
       }},
      {"coroutines", [&] { found = reflect::coroutines(target); },
       [&] {
         check_coroutines(*found, e);
         found.reset();
       }},
      {"tasks", [&] { dump = reflect::task_dump(target); },
       [&] {
         check_tasks(*dump, e);
         dump.reset();
       }},
  };
  if (plain_copy) operations.push_back({"plain-memcpy", [&] { plain_copy(); }, [] {}});
  std::size_t footprint_bytes = 0, by_hand_bytes = 0;
  if (where == "self") {
    const Table& table = footprint_table();
    operations.push_back({"footprint", [&] { footprint_bytes = reflect::footprint(reflect::reflect(table)).bytes; },
                          [&] {
                            if (footprint_bytes != table_bytes_by_hand(table))
                              fail(fmt::format("footprint() counts {} bytes, the table owns {}", footprint_bytes,
                                               table_bytes_by_hand(table)));
                          }});
    operations.push_back({"footprint-loop", [&] { by_hand_bytes = table_bytes_by_hand(table); }, [] {}});
  }
  if (!options.only.empty()) {
    auto it = std::find_if(operations.begin(), operations.end(), [&](const Operation& o) { return o.name == options.only; });
    if (it == operations.end())
      fail("--only takes plain, plain-memcpy, footprint, footprint-loop (in the process), census, coroutines or tasks");
    it->run();  // the first call, which loads the debug info, is not one of them
    it->check();
    for (std::size_t r = 0; r < options.runs; ++r) {
      const Sample s = measure(it->run);
      it->check();
      fmt::print("only {} run {}: {:.1f} ms wall, {:.1f} ms CPU\n", it->name, r, s.wall * 1e3, s.cpu * 1e3);
    }
    return 0;
  }

  // The first calls: reflect reads the debug info it needs (and the counts are printed).
  fmt::print("{}_plain_bytes {}\n", where, plain());
  for (const char* name : {"census", "coroutines", "tasks"}) {
    Operation& o = *std::find_if(operations.begin(), operations.end(), [&](const Operation& x) { return x.name == name; });
    const Sample s = measure(o.run);
    if (o.name == "census") {
      const auto [objects, frames] = check_census(*census, e, true);
      fmt::print("{}_census_objects {}\n{}_census_frames {}\n", where, objects, where, frames);
    } else if (o.name == "coroutines") {
      fmt::print("{}_coroutines_found {}\n", where, check_coroutines(*found, e));
    } else {
      fmt::print("{}_tasks_found {} {}\n", where, dump->coroutine_count(), dump->roots().size());
    }
    o.check();
    fmt::print("{}_first_{} {:.4f} {:.4f} {}\n", where, o.name, s.wall, s.cpu, s.peak_kb);
  }

  std::map<std::string, std::vector<Sample>> samples;
  for (std::size_t r = 0; r < options.runs; ++r)
    for (std::size_t k = 0; k < operations.size(); ++k) {
      Operation& o = operations[(k + r) % operations.size()];
      const Sample s = measure(o.run);
      o.check();
      samples[o.name].push_back(s);
      fmt::print("{}_sample {} {} {:.4f} {:.4f} {}\n", where, r, o.name, s.wall, s.cpu, s.peak_kb);
    }
  fmt::print("{}_plain_bytes {}\n", where, plain_bytes);
  if (where == "self") fmt::print("self_footprint_bytes {}\n", footprint_bytes);
  for (const char* name : {"census", "coroutines", "tasks", "plain", "plain-memcpy", "footprint", "footprint-loop"}) {
    if (samples.count(name) == 0) continue;
    const auto& v = samples[name];
    std::vector<double> wall, cpu, wall_ratio, cpu_ratio, peak;
    for (std::size_t r = 0; r < v.size(); ++r) {
      wall.push_back(v[r].wall);
      cpu.push_back(v[r].cpu);
      peak.push_back(static_cast<double>(v[r].peak_kb));
      wall_ratio.push_back(v[r].wall / samples["plain"][r].wall);
      cpu_ratio.push_back(v[r].cpu / samples["plain"][r].cpu);
    }
    fmt::print("{}_{} wall {:.4f} cpu {:.4f} ratio_wall {:.2f} ratio_cpu {:.2f} peak_kb {:.0f} wall_min {:.4f} wall_max {:.4f}\n",
               where, name, median(wall), median(cpu), median(wall_ratio), median(cpu_ratio), median(peak),
               *std::min_element(wall.begin(), wall.end()), *std::max_element(wall.begin(), wall.end()));
  }
  return 0;
}

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) fail("usage: heap self|hold|core CORE [--heap-mib M] [--coroutines C] [--runs N] [--only OP]");
  o.mode = argv[1];
  int i = 2;
  if (o.mode == "core") {
    if (argc < 3) fail("heap core CORE ...");
    o.core = argv[i++];
  }
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) fail(fmt::format("{} needs a value", arg));
    const char* value = argv[++i];
    if (arg == "--heap-mib") o.heap_mib = std::strtoul(value, nullptr, 10);
    else if (arg == "--coroutines") o.coroutines = std::strtoul(value, nullptr, 10);
    else if (arg == "--runs") o.runs = std::strtoul(value, nullptr, 10);
    else if (arg == "--only") o.only = value;
    else fail(fmt::format("unknown option {}", arg));
  }
  if (o.coroutines % 5 != 0 || o.heap_mib == 0 || o.runs == 0) fail("--coroutines takes a multiple of 5, --heap-mib and --runs a positive number");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const Plan p = plan(options.heap_mib, options.coroutines);
  Expected e = expected(p);
  fmt::print("made_objects {}\nmade_arrays {}\nmade_coroutines {}\nmade_chains {}\n", e.objects, e.arrays, e.coroutine_total,
             e.roots);
  if (options.mode == "self" || options.mode == "hold") {
    const double cpu = cpu_seconds();
    build(p);
    fmt::print("build_seconds {:.2f}\nrss_after_build_kb {}\n", cpu_seconds() - cpu, status_kb("VmRSS:"));
    std::fflush(stdout);
    if (options.mode == "hold") {
      heapbench_ready();
      return 0;
    }
    const int rc = measure_all(options, reflect::Target::self(), e, "self", [] { return plain_pass_self(false); },
                               [] { return plain_pass_self(true); });
    fmt::print("self_peak_rss_kb {}\n", peak_rss_kb);
    return rc;
  }
  if (options.mode == "core") {
    char path[4096];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) fail("readlink /proc/self/exe");
    path[n] = 0;
    std::optional<reflect::Target> target;
    const Sample open = measure([&] { target.emplace(reflect::Target::open_core(options.core, path)); });
    for (const std::string& problem : target->problems()) fmt::print("core_problem {}\n", problem);
    fmt::print("core_open {:.4f} {:.4f} {}\n", open.wall, open.cpu, open.peak_kb);
    const int rc = measure_all(options, *target, e, "core", [&] { return plain_pass_core(options.core); });
    fmt::print("core_peak_rss_kb {}\n", peak_rss_kb);
    return rc;
  }
  fail(fmt::format("unknown mode {}: self, hold or core", options.mode));
}
