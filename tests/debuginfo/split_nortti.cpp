#include "split_nortti.hpp"

namespace split {
Part::~Part() = default;

struct Engine : Part {
  double power = 1.5;
};

const Part& part() {
  static const Engine* const engine = new Engine();
  return *engine;
}
}  // namespace split
