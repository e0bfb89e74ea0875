// A third unit, which a lookup of a type defined elsewhere has no need to read.
#include "names.hpp"

#include <vector>

namespace names::third {
struct Unrelated {
  std::vector<int> values{1, 2, 3};
};
}  // namespace names::third

int names_fixture_third_unit() { return static_cast<int>(names::third::Unrelated{}.values.size()); }
