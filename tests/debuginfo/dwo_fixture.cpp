// Split DWARF (-gsplit-dwarf): this program's debug info is in .dwo files next to its objects
// (this one's and dwo_other.cpp's), the executable holds skeleton units only
// (tests/debuginfo/dwo_check.sh checks both). It prints a struct, polymorphic objects through
// a base (the dynamic type comes from the name index, which must read the split units; Dog is
// only in the other .dwo, where offsets collide with this one's), types by name and a
// coroutine, and checks each against the exact text expected, whichever compiler and
// optimisation built it.
//
// Exit status: 0; 1 with the differences on stdout; 3 with a reflect::Error's message on
// stderr (what dwo_check.sh expects when the .dwo is gone).

#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "dwo_other.hpp"

#include <coroutine>
#include <memory>
#include <string>
#include <vector>

namespace dwo {

struct Point {
  int x;
  int y;
};

struct DwoConfig {
  std::string name;
  std::vector<int> ports;
  Point origin;
  double ratio;
};

struct Shape {
  Shape() = default;
  Shape(const Shape&) = default;
  Shape& operator=(const Shape&) = default;
  virtual ~Shape();
  int id = 1;
};
Shape::~Shape() = default;

struct Circle : Shape {
  int radius = 2;
};

struct Task {
  struct promise_type {
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> handle;
};

[[maybe_unused]] constexpr int suspend_line = __LINE__ + 2;  // used at -O0 only
Task count_to(int n) {
  for (int i = 0; i < n; ++i) co_await std::suspend_always{};
}

}  // namespace dwo

namespace {

int failures = 0;

void expect(const std::string& what, const std::string& got, const std::string& want) {
  if (got == want) {
    fmt::print("ok: {}\n", what);
  } else {
    fmt::print("FAIL: {}\n  got:  {}\n  want: {}\n", what, got, want);
    ++failures;
  }
}

}  // namespace

int main() {
  try {
    const dwo::DwoConfig config{"server", {80, 443}, {1, 2}, 0.5};
    expect("struct", fmt::format("{}", reflect::reflect(config)),
           "dwo::DwoConfig{.name = \"server\", .ports = {80, 443}, .origin = {.x = 1, .y = 2}, .ratio = 0.5}");
    expect("vector", fmt::format("{}", reflect::reflect(config.ports)), "std::vector<int>{80, 443}");

    const std::unique_ptr<dwo::Shape> shape = std::make_unique<dwo::Circle>();
    expect("dynamic type", fmt::format("{}", reflect::reflect(*shape)), "dwo::Circle{dwo::Shape{.id = 1}, .radius = 2}");
    expect("pointer", fmt::format("{}", reflect::reflect(shape)),
           "std::unique_ptr<dwo::Shape>{dwo::Circle{dwo::Shape{.id = 1}, .radius = 2}}");

    // A type only the other unit's .dwo describes, found from its type_info's name.
    const std::unique_ptr<dwo::Animal> dog = dwo::make_dog();
    expect("dynamic type from another .dwo", fmt::format("{}", reflect::reflect(*dog)),
           "dwo::Dog{dwo::Animal{.legs = 4}, .tail = 1}");
    auto dog_type = reflect::find_type("dwo::Dog");
    expect("find_type in another .dwo", dog_type ? fmt::format("{} {}", dog_type->name(), dog_type->size()) : "nothing",
           "dwo::Dog 24");

    auto found = reflect::find_type("dwo::DwoConfig");
    expect("find_type", found ? fmt::format("{} {}", found->name(), found->size()) : "nothing", "dwo::DwoConfig 72");

    dwo::Task task = dwo::count_to(3);
    task.handle.resume();
    reflect::Coroutine coroutine = reflect::coroutine(task.handle);
    expect("coroutine", coroutine.function(), "dwo::count_to(int)");
#ifndef __OPTIMIZE__
    // The frame and the suspend point's line (from the skeleton's line table): at -O0 only,
    // where both compilers describe the frame.
    expect("coroutine frame", fmt::format("{}", coroutine),
           fmt::format("dwo::count_to(int) suspended at dwo_fixture.cpp:{} {{promise = {{}}, n = 3, i = 0}}",
                       dwo::suspend_line));
#endif
    task.handle.destroy();
  } catch (const reflect::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 3;
  }
  return failures == 0 ? 0 : 1;
}
