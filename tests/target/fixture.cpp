// A program for reflect to inspect from outside (tests/test_target.cpp): it does not use reflect.
// It sets its globals to values no other fixture has, writes `NAME ADDRESS` for each to stdout,
// then `ready`, and waits until its stdin closes. It lets any process of its user trace it (for
// gcore, tests/test_core.cpp), whatever /proc/sys/kernel/yama/ptrace_scope says.

#include <sys/prctl.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
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

Config g_config;
int g_counter = 0;

}  // namespace app

int main() {
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  app::g_config.name = "a name too long for the small-string buffer";
  app::g_config.limits = {10, 20};
  app::g_config.ports = {80, 443};
  app::g_config.weights = {{"alpha", 1}, {"beta", 2}};
  auto circle = std::make_unique<app::Circle>();
  circle->id = 7;
  circle->radius = 2.5;
  app::g_config.base = circle.get();
  app::g_config.shape = std::move(circle);
  app::g_counter = 42;
  std::printf("g_config %p\ng_counter %p\nready\n", static_cast<void*>(&app::g_config), static_cast<void*>(&app::g_counter));
  std::fflush(stdout);
  while (std::getchar() != EOF) {
  }
  return 0;
}
