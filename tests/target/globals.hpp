// The globals of the target fixture (fixture.cpp), also linked into the test binaries: the
// same objects print the same from inside (find_variable) and from outside (`reflect print
// --pid`, a core file), and expected.txt holds what both must print.
#pragma once

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

enum class Mode { Idle, Serving, Draining };

struct Cache {
  std::map<std::string, std::vector<int>> entries;
  long hits = 0;
  static Cache instance;  // a static data member
  static constexpr int version = 3;  // never odr-used: a constant with no storage
};

extern Config g_config;
extern int g_counter;
extern Shape* g_shape;  // a Circle
extern Mode g_mode;
extern int g_table[3];
extern thread_local int t_requests;

/// Sets every global to the values expected.txt shows.
void fill_globals();
const char* hidden_name();

}  // namespace app

extern int g_top;  // in the global namespace
