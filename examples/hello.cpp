// hello reflect: print and walk an object with no macro, registration or formatter.
#include <reflect/reflect.hpp>

#include <fmt/core.h>
#include <string>
#include <vector>

namespace shop {
struct Item {
  std::string name;
  int quantity;
  std::vector<double> prices;
};
}  // namespace shop

int main() {
  shop::Item item{"apple", 3, {0.5, 0.45}};
  fmt::print("{}\n", reflect::reflect(item));
  fmt::print("{:#}\n", reflect::reflect(item));
  auto quantity = reflect::reflect(item).as<reflect::Struct>().field("quantity");
  fmt::print("quantity = {}\n", quantity->value().as<int>());
}
