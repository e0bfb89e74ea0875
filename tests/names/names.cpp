#include "names.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {
struct Hidden {
  int secret = 4;
  struct InHidden {
    char c = 'h';
  } in;
};
}  // namespace

namespace names {

int local_types(int n) {
  struct Local {
    int l;
  };
  auto lambda = [n] {
    struct InLambda {
      int m;
    };
    return InLambda{n}.m;
  };
  return Local{n}.l + lambda();
}

struct Holder {
  Point point;
  deep::deeper::Box<int> box;
  deep::deeper::Box<int>::Lid lid;
  deep::deeper::Either either{};
  Point::Alias alias = 5;
  Point::Real real = 6.5;
  Hidden hidden;
  std::map<std::string, std::vector<int>> map{{"a", {1, 2}}};
  std::unique_ptr<Point> owned = std::make_unique<Point>();
  std::optional<Point::Inner> maybe;
  Elsewhere* elsewhere = make_elsewhere();
  Polymorphic::Nested nested;
  UnnamedHolder unnamed{7, {8}};
};

}  // namespace names

extern "C" const void* names_fixture_anchor() {
  static names::Holder holder;
  return &holder;
}

extern "C" int names_fixture_other() { return names::local_types(3) + names_fixture_other_unit() + names_fixture_third_unit(); }
