#include "names.hpp"

#include <string>

namespace names {

Polymorphic::~Polymorphic() = default;

struct Elsewhere {
  std::string label = "elsewhere";
  Polymorphic::Nested nested;
};

Elsewhere* make_elsewhere() { return new Elsewhere(); }

}  // namespace names

int names_fixture_other_unit() {
  names::Polymorphic polymorphic;
  return polymorphic.nested.n;
}
