// The globals of the target fixture (fixture.cpp), also linked into the test binaries: the
// same objects print the same from inside (find_variable) and from outside (`reflect print
// --pid`, a core file), and expected.txt holds what both must print.
#pragma once

#include <coroutine>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace app {

struct Limits {
  int soft = 0;
  int hard = 0;
};

struct Shape {
  virtual ~Shape() = default;
  int id = 0;
};

struct Circle : Shape {
  double radius = 0;
};

struct Config {
  std::string name;
  Limits limits;
  std::vector<int> ports;
  std::map<std::string, int> weights;
  std::optional<std::string> note;
  std::unique_ptr<Shape> shape;
  const Shape* base = nullptr;  // a Circle, seen through its base
};

enum class Mode { Idle, Serving, Draining };

struct Cache {
  std::map<std::string, std::vector<int>> entries;
  long hits = 0;
  static Cache instance;  // a static data member
  static constexpr int version = 3;  // never odr-used: a constant with no storage
};

// A task type: the awaiting coroutine is the promise's `continuation`.
struct Fetch {
  struct promise_type {
    std::coroutine_handle<> continuation;
    int result = 0;
    Fetch get_return_object() { return Fetch{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(int v) { result = v; }
    void unhandled_exception() { std::terminate(); }
  };
  explicit Fetch(std::coroutine_handle<promise_type> h) : handle(h) {}
  Fetch(Fetch&& other) noexcept : handle(std::exchange(other.handle, {})) {}
  Fetch& operator=(Fetch&&) = delete;
  ~Fetch() {
    if (handle) handle.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle.promise().continuation = awaiting;
    return handle;
  }
  int await_resume() const noexcept { return handle.promise().result; }
  std::coroutine_handle<promise_type> handle;
};

extern Config g_config;
extern int g_counter;
extern Shape* g_shape;  // a Circle
extern Mode g_mode;
extern int g_table[3];
extern thread_local int t_requests;
// The innermost of two coroutines, app::fetch_page(int) awaited by app::serve(int), suspended
// until the program ends.
extern std::coroutine_handle<> g_waiting;

/// Sets every global to the values expected.txt shows.
void fill_globals();
const char* hidden_name();

}  // namespace app

extern int g_top;  // in the global namespace
