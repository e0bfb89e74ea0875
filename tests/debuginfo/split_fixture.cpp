// The program that tests/debuginfo/split_debug.sh strips and splits: it prints and walks a
// few objects, then the script checks that every way of finding its separate debug file gives
// the same output as the unstripped program, and that no debug file gives a clear error.
//
// Addresses change from run to run: the output shows every `0x...` as `0x?`. The symbol
// names next to them (`<split::handler(int)>`) stay: with `strip`, they come from the
// .symtab of the debug file.
//
// Exit status: 0, or 3 with the reflect::Error's message on stderr.
//
// FIXTURE_DEBUGINFOD_URLS and FIXTURE_DEBUGINFO_PATH, when set, are passed to
// reflect::configure as Options::debuginfod_urls and ::debuginfo_path (debuginfod.sh).

#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "split_nortti.hpp"

#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace split {

enum class Color { Red, Green };

struct Point {
  int x;
  int y;
};

struct Config {
  std::string name;
  std::vector<int> ports;
  std::optional<int> timeout;
  std::unique_ptr<Point> origin;
  Color color;
  int (*callback)(int);
  const int* counter;
};

struct Shape {
  Shape() = default;
  Shape(const Shape&) = default;
  Shape& operator=(const Shape&) = default;
  virtual ~Shape();
  int id = 1;
};
Shape::~Shape() = default;

struct Circle : Shape {
  int radius = 2;
};

int counter = 5;
int handler(int n) { return n + counter; }

}  // namespace split

namespace {

// Every `0x` followed by hex digits becomes `0x?`.
std::string without_addresses(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "0x") == 0 && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += "0x?";
      i += 2;
      while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i;
    } else {
      out += text[i++];
    }
  }
  return out;
}

void show(const std::string& text) { fmt::print("{}\n", without_addresses(text)); }

}  // namespace

int main() {
  try {
    reflect::Options options;
    if (const char* urls = std::getenv("FIXTURE_DEBUGINFOD_URLS")) options.debuginfod_urls = urls;
    if (const char* path = std::getenv("FIXTURE_DEBUGINFO_PATH")) options.debuginfo_path = path;
    reflect::configure(options);

    const split::Config config{"server", {80, 443}, 30, std::make_unique<split::Point>(split::Point{1, 2}),
                               split::Color::Green, &split::handler, &split::counter};
    show(fmt::format("{}", reflect::reflect(config)));
    show(fmt::format("{:#}", reflect::reflect(config)));
    show(fmt::format("{}", reflect::formatted(reflect::reflect(config), {.follow_pointers = true})));
    for (reflect::Field field : reflect::reflect(config).as<reflect::Struct>().fields())
      show(fmt::format("{} : {} at +{}", field.name(), field.type(), field.offset()));

    // The dynamic type: through the type_info (with RTTI), through the vtable's symbol (without).
    const std::unique_ptr<split::Shape> shape = std::make_unique<split::Circle>();
    show(fmt::format("{}", reflect::reflect(*shape)));
    show(fmt::format("{}", reflect::reflect(shape)));
    show(fmt::format("{}", reflect::reflect(split::part())));

    // A lambda's closure, types by name, and a value from its type_info.
    const auto closure = [k = 3, &config](int n) { return n * k + static_cast<int>(config.ports.size()); };
    show(fmt::format("{}", reflect::reflect(closure)));
    show(fmt::format("{} {}", reflect::find_type("split::Circle")->name(), reflect::find_type("split::Circle")->size()));
    const split::Point point{3, 4};
    show(fmt::format("{}", reflect::reflect(static_cast<const void*>(&point), typeid(split::Point))));
  } catch (const reflect::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 3;
  }
  return 0;
}
