// A unit linked between the other two, which a lookup of names::Elsewhere has no need to read:
// its own Elsewhere is in another namespace.
#include "names.hpp"

#include <vector>

namespace names::third {
struct Unrelated {
  std::vector<int> values{1, 2, 3};
};
struct Elsewhere {
  int not_this_one = 0;
};
}  // namespace names::third

int names_fixture_third_unit() {
  static names::third::Elsewhere elsewhere;
  return static_cast<int>(names::third::Unrelated{}.values.size()) + elsewhere.not_this_one;
}
