// Erased types: objects known only through a base class, a std::any, a std::function or a
// void* with its std::type_info print and walk as what they really are.
#include <reflect/reflect.hpp>

#include <fmt/core.h>

#include <any>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

namespace gallery {

struct Shape {
  explicit Shape(int id_) : id(id_) {}
  virtual ~Shape() = default;
  virtual double area() const { return 0; }
  int id;
};

struct Circle : Shape {
  Circle(int id_, double radius_) : Shape(id_), radius(radius_) {}
  double area() const override { return 3.14159 * radius * radius; }
  double radius;
};

struct Label {
  virtual ~Label() = default;
  std::string text;
};

struct Badge : Label, Shape {  // a Shape* to a Badge points into its middle
  Badge(std::string text_, int id_) : Shape(id_) { text = std::move(text_); }
  int level = 3;
};

struct Point {
  int x, y;
};

struct Box {  // too big for std::any's internal buffer: kept on the heap
  double w, h, d;
};

struct Entry {  // a plugin-style registry: an address and what it points to
  const void* object;
  const std::type_info* type;
};

}  // namespace gallery

int main() {
  using namespace gallery;

  std::vector<std::unique_ptr<Shape>> shapes;
  shapes.push_back(std::make_unique<Shape>(1));
  shapes.push_back(std::make_unique<Circle>(2, 1.5));
  shapes.push_back(std::make_unique<Badge>("gold", 3));
  fmt::print("{}\n", reflect::reflect(shapes));
  fmt::print("{:s}\n", reflect::reflect(shapes));  // static types
  for (const auto& shape : shapes) {
    reflect::Value value = reflect::reflect(*shape);  // the complete object, of its dynamic type
    auto offset = static_cast<const char*>(static_cast<const void*>(shape.get())) -
                  static_cast<const char*>(value.address());
    fmt::print("{} (the Shape at +{}): {}\n", value.type(), offset, value);
  }

  std::vector<std::any> anys{42, std::string("text"), Point{1, 2}, Box{1, 2, 3}, std::any{}};
  for (const std::any& a : anys) fmt::print("{}\n", reflect::reflect(a));

  Point origin{0, 0};
  std::string name = "registry";
  Circle circle{4, 2.0};
  const std::vector<Entry> registry{
      {&origin, &typeid(Point)}, {&name, &typeid(std::string)}, {&circle, &typeid(Circle)}};
  for (const Entry& entry : registry) {
    reflect::Value value = reflect::reflect(entry.object, *entry.type);
    fmt::print("{}: {}\n", value.type(), value);
  }

  int scale = 10;
  std::function<int(int)> scaled = [scale](int n) { return n * scale; };
  fmt::print("{}\n", reflect::reflect(scaled));
  auto target = reflect::reflect(scaled).as<reflect::Optional>().value();
  fmt::print("scale = {}\n", target.as<reflect::Struct>().field("scale")->value().as<int>());

  if (auto type = reflect::find_type("gallery::Badge")) fmt::print("{} is {} bytes\n", *type, type->size());
}
