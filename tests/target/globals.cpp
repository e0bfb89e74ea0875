#include "globals.hpp"

namespace app {

Config g_config;
int g_counter = 0;
Shape* g_shape = nullptr;
Mode g_mode = Mode::Idle;
int g_table[3] = {};
thread_local int t_requests = 0;
Cache Cache::instance;

namespace {
// Internal linkage: found as app::(anonymous namespace)::g_hidden.
const char* g_hidden = "hidden";
}  // namespace

void fill_globals() {
  g_config.name = "a name too long for the small-string buffer";
  g_config.limits = {10, 20};
  g_config.ports = {80, 443};
  g_config.weights = {{"alpha", 1}, {"beta", 2}};
  auto circle = std::make_unique<Circle>();
  circle->id = 7;
  circle->radius = 2.5;
  g_config.base = circle.get();
  g_config.shape = std::move(circle);
  g_counter = 42;
  auto* square = new Circle();  // lives as long as the program
  square->id = 9;
  square->radius = 1;
  g_shape = square;
  g_mode = Mode::Serving;
  g_table[0] = 1;
  g_table[1] = 2;
  g_table[2] = 3;
  t_requests = 5;
  Cache::instance.entries = {{"users", {1, 2, 3}}, {"groups", {}}};
  Cache::instance.hits = 12;
  g_hidden = "still hidden";
}

const char* hidden_name() { return g_hidden; }  // (read, so that it is kept)

}  // namespace app

int g_top = 7;
