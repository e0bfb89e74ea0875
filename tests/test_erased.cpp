// Objects whose real type is erased: polymorphic objects seen through a base (dynamic types),
// std::any, std::function, (void*, std::type_info) pairs, and types looked up by name.
// Exact strings (ARCHITECTURE.md §9).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/plugin.hpp"
#include "fixtures/poly.hpp"
#include "fixtures/zoo.hpp"

#include <any>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

// tests/nodebug.cpp, built with -g0: types no debug info describes.
std::pair<const void*, const std::type_info*> object_without_debug_info();  // a nodebug::Unseen
const poly::Shape& shape_without_debug_info();                               // a nodebug::Ghost{Shape{12}}

namespace {

const poly::Fixtures& P = poly::fixtures();
const zoo::Fixtures& Z = zoo::fixtures();

std::string show(const reflect::Value& value) { return fmt::format("{}", value); }
std::string show_static(const reflect::Value& value) { return fmt::format("{:s}", value); }
std::string show_multiline(const reflect::Value& value) { return fmt::format("{:#}", value); }
std::string follow(const reflect::Value& value) {
  return fmt::format("{}", reflect::formatted(value, {.follow_pointers = true}));
}

// Addresses are not known in advance: build them the way the printer must print them.
std::string address(const void* p) { return fmt::format("{}", p); }

// The fixtures printed at the top level (of their dynamic type).
const std::string CIRCLE = "poly::Circle{poly::Shape{.id = 1}, .radius = 2}";
const std::string SQUARE = "poly::Square{poly::Shape{.id = 3}, .side = 4}";
const std::string MULTI = R"(poly::Multi{poly::Named{.name = "multi"}, poly::Shape{.id = 5}, .weight = 7})";
const std::string GEM = "poly::Gem{poly::Solid{poly::Shape{.id = 6}, .depth = 1}, poly::Colored{.hue = 2}, .carat = 3}";
const std::string RECT =
    "poly::Rect{poly::Quad{poly::Polygon{poly::Shape{.id = 7}, .sides = 4}, .right_angles = true}, .w = 3, .h = 5}";
const std::string SECRET = "poly::(anonymous namespace)::Secret{poly::Shape{.id = 8}, .code = 99}";
const std::string TAGGED_INT = "poly::Tagged<int>{poly::Shape{.id = 10}, .tag = 5}";
const std::string TAGGED_TEXT = R"(poly::Tagged<std::string>{poly::Shape{.id = 11}, .tag = "label"})";
const std::string GADGET = R"(plugin::Gadget{plugin::Device{.serial = 77}, .watts = 9, .model = "X1"})";

const plugin::Device& gadget() {
  static const std::unique_ptr<plugin::Device> instance = plugin::make_gadget();
  return *instance;
}

int int_field(const reflect::Value& value, std::string_view name) {
  auto field = value.as<reflect::Struct>().field(name);
  REQUIRE(field.has_value());
  return field->value().as<int>();
}

std::vector<std::string> base_names(const reflect::Value& value) {
  std::vector<std::string> names;
  for (reflect::Base base : value.as<reflect::Struct>().bases()) names.emplace_back(base.type().name());
  return names;
}

// Prints, or says what was thrown, so that one failing entry does not hide the others.
std::string show_or_error(const void* object, const std::type_info& type) {
  try {
    return show(reflect::reflect(object, type));
  } catch (const std::exception& e) {
    return std::string("threw: ") + e.what();
  }
}

}  // namespace

// ---- dynamic types -------------------------------------------------------------------------

TEST_CASE("erased: a base reference prints as its dynamic type") {
  const poly::Shape& shape = P.shape;
  const poly::Shape& circle = P.circle;
  const poly::Shape& square = P.square;
  CHECK(show(reflect::reflect(shape)) == "poly::Shape{.id = 9}");
  CHECK(show(reflect::reflect(circle)) == CIRCLE);
  CHECK(show(reflect::reflect(square)) == SQUARE);

  // Multiple inheritance: a Shape& into the middle of a Multi, and a Named& at its start.
  const poly::Shape& multi_shape = P.multi;
  const poly::Named& multi_named = P.multi;
  CHECK(show(reflect::reflect(multi_shape)) == MULTI);
  CHECK(show(reflect::reflect(multi_named)) == MULTI);

  // The diamond, through the virtual base and through either side.
  const poly::Shape& gem_shape = P.gem;
  const poly::Solid& gem_solid = P.gem;
  const poly::Colored& gem_colored = P.gem;
  CHECK(show(reflect::reflect(gem_shape)) == GEM);
  CHECK(show(reflect::reflect(gem_solid)) == GEM);
  CHECK(show(reflect::reflect(gem_colored)) == GEM);

  // Four levels deep, through each level.
  const poly::Shape& rect_shape = P.rect;
  const poly::Polygon& rect_polygon = P.rect;
  const poly::Quad& rect_quad = P.rect;
  CHECK(show(reflect::reflect(rect_shape)) == RECT);
  CHECK(show(reflect::reflect(rect_polygon)) == RECT);
  CHECK(show(reflect::reflect(rect_quad)) == RECT);
  CHECK(show(reflect::reflect(P.rect)) == RECT);

  // A class this translation unit cannot name, and class templates.
  CHECK(show(reflect::reflect(poly::secret_shape())) == SECRET);
  const poly::Shape& tagged_int = P.tagged_int;
  const poly::Shape& tagged_text = P.tagged_text;
  CHECK(show(reflect::reflect(tagged_int)) == TAGGED_INT);
  CHECK(show(reflect::reflect(tagged_text)) == TAGGED_TEXT);
}

TEST_CASE("erased: {:#} of a dynamic type") {
  const poly::Shape& circle = P.circle;
  CHECK(show_multiline(reflect::reflect(circle)) ==
        "poly::Circle{\n"
        "  poly::Shape{\n"
        "    .id = 1,\n"
        "  },\n"
        "  .radius = 2,\n"
        "}");
  const poly::Shape& multi = P.multi;
  CHECK(show_multiline(reflect::reflect(multi)) ==
        "poly::Multi{\n"
        "  poly::Named{\n"
        "    .name = \"multi\",\n"
        "  },\n"
        "  poly::Shape{\n"
        "    .id = 5,\n"
        "  },\n"
        "  .weight = 7,\n"
        "}");
}

TEST_CASE("erased: the dynamic value is the complete object") {
  const poly::Shape& circle = P.circle;
  CHECK(reflect::reflect(circle).address() == static_cast<const void*>(&P.circle));

  const poly::Shape& multi = P.multi;
  REQUIRE(static_cast<const void*>(&multi) != dynamic_cast<const void*>(&multi));  // really in the middle
  CHECK(reflect::reflect(multi).address() == dynamic_cast<const void*>(&multi));
  CHECK(reflect::reflect(multi).address() == static_cast<const void*>(&P.multi));

  const poly::Shape& gem_shape = P.gem;
  const poly::Colored& gem_colored = P.gem;
  REQUIRE(static_cast<const void*>(&gem_shape) != dynamic_cast<const void*>(&gem_shape));
  REQUIRE(static_cast<const void*>(&gem_colored) != dynamic_cast<const void*>(&gem_colored));
  CHECK(reflect::reflect(gem_shape).address() == dynamic_cast<const void*>(&gem_shape));
  CHECK(reflect::reflect(gem_colored).address() == dynamic_cast<const void*>(&gem_colored));

  const poly::Quad& rect = P.rect;
  CHECK(reflect::reflect(rect).address() == dynamic_cast<const void*>(&rect));

  CHECK(reflect::reflect(poly::secret_shape()).address() == dynamic_cast<const void*>(&poly::secret_shape()));
}

TEST_CASE("erased: type().name() of dynamic values") {
  const poly::Shape& shape = P.shape;
  const poly::Shape& circle = P.circle;
  const poly::Shape& multi = P.multi;
  const poly::Colored& gem = P.gem;
  const poly::Polygon& rect = P.rect;
  const poly::Shape& tagged_text = P.tagged_text;
  CHECK(reflect::reflect(shape).type().name() == "poly::Shape");
  CHECK(reflect::reflect(circle).type().name() == "poly::Circle");
  CHECK(reflect::reflect(multi).type().name() == "poly::Multi");
  CHECK(reflect::reflect(gem).type().name() == "poly::Gem");
  CHECK(reflect::reflect(rect).type().name() == "poly::Rect");
  CHECK(reflect::reflect(poly::secret_shape()).type().name() == "poly::(anonymous namespace)::Secret");
  CHECK(reflect::reflect(tagged_text).type().name() == "poly::Tagged<std::string>");
  CHECK(reflect::reflect(circle).type().size() == sizeof(poly::Circle));
  CHECK(reflect::reflect(gem).type().size() == sizeof(poly::Gem));
}

TEST_CASE("erased: walking the dynamic value finds the derived members") {
  const poly::Shape& circle_ref = P.circle;
  const reflect::Value circle = reflect::reflect(circle_ref);
  CHECK(int_field(circle, "radius") == 2);
  CHECK(base_names(circle) == std::vector<std::string>{"poly::Shape"});
  CHECK(int_field(circle.as<reflect::Struct>().bases()[0].value(), "id") == 1);

  const poly::Shape& multi_ref = P.multi;
  const reflect::Value multi = reflect::reflect(multi_ref);
  CHECK(int_field(multi, "weight") == 7);
  CHECK(base_names(multi) == std::vector<std::string>{"poly::Named", "poly::Shape"});
  const reflect::Value multi_shape = multi.as<reflect::Struct>().bases()[1].value();
  CHECK(multi_shape.address() == static_cast<const void*>(&multi_ref));
  CHECK(int_field(multi_shape, "id") == 5);
  CHECK(multi.as<reflect::Struct>().bases()[0].value().as<reflect::Struct>().field("name")->value()
            .as<reflect::String>().text() == "multi");

  const poly::Shape& gem_ref = P.gem;
  const reflect::Value gem = reflect::reflect(gem_ref);
  CHECK(int_field(gem, "carat") == 3);
  CHECK(base_names(gem) == std::vector<std::string>{"poly::Solid", "poly::Colored"});
  const reflect::Value solid = gem.as<reflect::Struct>().bases()[0].value();
  CHECK(int_field(solid, "depth") == 1);
  const reflect::Base virtual_shape = solid.as<reflect::Struct>().bases()[0];
  CHECK(virtual_shape.is_virtual());
  CHECK(virtual_shape.value().address() == static_cast<const void*>(&gem_ref));
  CHECK(int_field(virtual_shape.value(), "id") == 6);

  const poly::Polygon& rect_ref = P.rect;
  const reflect::Value rect = reflect::reflect(rect_ref);
  CHECK(int_field(rect, "w") == 3);
  CHECK(int_field(rect, "h") == 5);
  const reflect::Value quad = rect.as<reflect::Struct>().bases()[0].value();
  CHECK(quad.type().name() == "poly::Quad");
  CHECK(quad.as<reflect::Struct>().field("right_angles")->value().as<bool>());
  const reflect::Value polygon = quad.as<reflect::Struct>().bases()[0].value();
  CHECK(int_field(polygon, "sides") == 4);
  CHECK(int_field(polygon.as<reflect::Struct>().bases()[0].value(), "id") == 7);

  CHECK(int_field(reflect::reflect(poly::secret_shape()), "code") == 99);

  const poly::Shape& tagged_ref = P.tagged_text;
  CHECK(reflect::reflect(tagged_ref).as<reflect::Struct>().field("tag")->value().as<reflect::String>().text() ==
        "label");
}

TEST_CASE("erased: reflect_static and Value::dynamic") {
  const poly::Shape& circle = P.circle;
  const reflect::Value s = reflect::reflect_static(circle);
  CHECK(s.type().name() == "poly::Shape");
  CHECK(s.address() == static_cast<const void*>(&circle));
  CHECK_FALSE(s.as<reflect::Struct>().field("radius").has_value());
  CHECK(int_field(s, "id") == 1);
  CHECK(show_static(s) == "poly::Shape{.id = 1}");

  const reflect::Value d = s.dynamic();
  CHECK(d.type().name() == "poly::Circle");
  CHECK(d.address() == static_cast<const void*>(&P.circle));
  CHECK(show(d) == CIRCLE);
  // Already complete: dynamic() again changes nothing.
  CHECK(d.dynamic().type().name() == "poly::Circle");
  CHECK(d.dynamic().address() == d.address());

  const poly::Shape& multi = P.multi;
  const reflect::Value ms = reflect::reflect_static(multi);
  CHECK(ms.type().name() == "poly::Shape");
  CHECK(ms.address() == static_cast<const void*>(&multi));
  CHECK(ms.dynamic().type().name() == "poly::Multi");
  CHECK(ms.dynamic().address() == static_cast<const void*>(&P.multi));

  const poly::Colored& gem = P.gem;
  CHECK(reflect::reflect_static(gem).dynamic().address() == static_cast<const void*>(&P.gem));

  // Not polymorphic: the value itself.
  const reflect::Value point = reflect::reflect(Z.point);
  CHECK(point.dynamic().type() == point.type());
  CHECK(point.dynamic().address() == point.address());
  const reflect::Value number = reflect::reflect(Z.answer);
  CHECK(number.dynamic().type() == number.type());
}

TEST_CASE("erased: printing a reflect_static value keeps its static type") {
  // reflect_static's value is a Shape: {} prints it as one (the top level is the value given).
  const poly::Shape& circle = P.circle;
  CHECK(show(reflect::reflect_static(circle)) == "poly::Shape{.id = 1}");
  const poly::Shape& multi = P.multi;
  CHECK(show(reflect::reflect_static(multi)) == "poly::Shape{.id = 5}");
}

TEST_CASE("erased: a dynamic type with no debug info falls back to the static type") {
  const poly::Shape& ghost = shape_without_debug_info();
  const reflect::Value value = reflect::reflect(ghost);
  CHECK(value.type().name() == "poly::Shape");
  CHECK(value.address() == static_cast<const void*>(&ghost));
  CHECK(show(value) == "poly::Shape{.id = 12}");
  CHECK(reflect::reflect_static(ghost).dynamic().type().name() == "poly::Shape");
}

// ---- pointers and references to polymorphic objects ----------------------------------------

TEST_CASE("erased: Pointer::deref is dynamic, deref_static is not") {
  const poly::Shape* raw = &P.multi;  // the Shape in the middle
  const auto p = reflect::reflect(raw).as<reflect::Pointer>();
  CHECK(p.target_address() == static_cast<const void*>(raw));
  CHECK(p.pointee_type().name() == "const poly::Shape");  // the static pointee type, cv kept
  CHECK(p.deref().type().name() == "poly::Multi");
  CHECK(p.deref().address() == static_cast<const void*>(&P.multi));
  CHECK(p.deref_static().type().name() == "const poly::Shape");
  CHECK(p.deref_static().type().strip().name() == "poly::Shape");
  CHECK(p.deref_static().address() == static_cast<const void*>(raw));

  const auto owned = reflect::reflect(P.owned_circle).as<reflect::Pointer>();
  CHECK(owned.pointee_type().name() == "poly::Shape");
  CHECK(owned.deref().type().name() == "poly::Circle");
  CHECK(int_field(owned.deref(), "radius") == 2);
  CHECK(owned.deref_static().type().name() == "poly::Shape");

  const auto same = reflect::reflect(P.owned_shape).as<reflect::Pointer>();
  CHECK(same.deref().type().name() == "poly::Shape");

  // The elements of a vector<unique_ptr<Shape>>.
  const auto shapes = reflect::reflect(P.shapes).as<reflect::Array>();
  REQUIRE(shapes.size() == P.shapes.size());
  const std::vector<std::string> names{"poly::Circle", "poly::Square", "poly::Multi",
                                       "poly::Gem", "poly::Rect", "poly::(anonymous namespace)::Secret",
                                       "poly::Tagged<int>"};
  REQUIRE(names.size() == P.shapes.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    CAPTURE(i);
    const auto element = shapes[i].as<reflect::Pointer>();
    CHECK(element.deref().type().name() == names[i]);
    CHECK(element.deref().address() == dynamic_cast<const void*>(P.shapes[i].get()));
    CHECK(element.deref_static().address() == static_cast<const void*>(P.shapes[i].get()));
  }

  // A reference member.
  const auto scene = reflect::reflect(P.scene).as<reflect::Struct>();
  const auto ref = scene.field("ref")->value().as<reflect::Pointer>();
  CHECK(ref.deref().type().name() == "poly::Square");
  CHECK(ref.deref_static().type().strip().name() == "poly::Shape");
  const auto none = scene.field("none")->value().as<reflect::Pointer>();
  CHECK(none.is_null());
  CHECK_THROWS_AS(none.deref(), reflect::Error);
  CHECK_THROWS_AS(none.deref_static(), reflect::Error);
}

TEST_CASE("erased: smart pointers print their pointee's dynamic type, named") {
  CHECK(show(reflect::reflect(P.owned_circle)) == "std::unique_ptr<poly::Shape>{" + CIRCLE + "}");
  CHECK(show(reflect::reflect(P.owned_shape)) == "std::unique_ptr<poly::Shape>{{.id = 9}}");  // same type: unnamed
  CHECK(show_static(reflect::reflect(P.owned_circle)) == "std::unique_ptr<poly::Shape>{{.id = 1}}");
  CHECK(fmt::format("{}", reflect::formatted(reflect::reflect(P.owned_circle), {.dynamic_types = false})) ==
        "std::unique_ptr<poly::Shape>{{.id = 1}}");

  CHECK(show(reflect::reflect(P.shapes)) == "std::vector<std::unique_ptr<poly::Shape>>{" + CIRCLE + ", " + SQUARE +
                                                ", " + MULTI + ", " + GEM + ", " + RECT + ", " + SECRET + ", " +
                                                TAGGED_INT + "}");
  CHECK(show_static(reflect::reflect(P.shapes)) ==
        "std::vector<std::unique_ptr<poly::Shape>>{{.id = 1}, {.id = 3}, {.id = 5}, {.id = 6}, {.id = 7}, {.id = 8}, "
        "{.id = 10}}");
}

TEST_CASE("erased: nested pointers and references to polymorphic objects") {
  const std::string raw = address(P.scene.raw);
  CHECK(show(reflect::reflect(P.scene)) ==
        fmt::format("poly::Scene{{.main = {}, .ref = {}, .raw = {}, .same = {{.id = 9}}, .none = nullptr}}", CIRCLE,
                    SQUARE, raw));
  CHECK(follow(reflect::reflect(P.scene)) ==
        fmt::format("poly::Scene{{.main = {}, .ref = {}, .raw = {} -> {}, .same = {{.id = 9}}, .none = nullptr}}",
                    CIRCLE, SQUARE, raw, MULTI));
  CHECK(show_static(reflect::reflect(P.scene)) ==
        fmt::format("poly::Scene{{.main = {{.id = 1}}, .ref = {{.id = 3}}, .raw = {}, .same = {{.id = 9}}, "
                    ".none = nullptr}}",
                    raw));
  CHECK(fmt::format("{}", reflect::formatted(reflect::reflect(P.scene),
                                             {.follow_pointers = true, .dynamic_types = false})) ==
        fmt::format("poly::Scene{{.main = {{.id = 1}}, .ref = {{.id = 3}}, .raw = {} -> {{.id = 5}}, "
                    ".same = {{.id = 9}}, .none = nullptr}}",
                    raw));

  // A followed raw pointer at the top level.
  CHECK(follow(reflect::reflect(P.scene.raw)) == raw + " -> " + MULTI);
  CHECK(show(reflect::reflect(P.scene.raw)) == raw);

  CHECK(show_multiline(reflect::reflect(P.scene)) ==
        "poly::Scene{\n"
        "  .main = poly::Circle{\n"
        "    poly::Shape{\n"
        "      .id = 1,\n"
        "    },\n"
        "    .radius = 2,\n"
        "  },\n"
        "  .ref = poly::Square{\n"
        "    poly::Shape{\n"
        "      .id = 3,\n"
        "    },\n"
        "    .side = 4,\n"
        "  },\n"
        "  .raw = " + raw + ",\n"
        "  .same = {\n"
        "    .id = 9,\n"
        "  },\n"
        "  .none = nullptr,\n"
        "}");
  CHECK(fmt::format("{:#s}", reflect::reflect(P.scene)) ==
        "poly::Scene{\n"
        "  .main = {\n"
        "    .id = 1,\n"
        "  },\n"
        "  .ref = {\n"
        "    .id = 3,\n"
        "  },\n"
        "  .raw = " + raw + ",\n"
        "  .same = {\n"
        "    .id = 9,\n"
        "  },\n"
        "  .none = nullptr,\n"
        "}");
}

// ---- a class whose vtable and debug info live in a shared library --------------------------

TEST_CASE("erased: a dynamic type defined in a shared library") {
  const plugin::Device& device = gadget();
  const reflect::Value value = reflect::reflect(device);
  CHECK(value.type().name() == "plugin::Gadget");
  CHECK(value.address() == dynamic_cast<const void*>(&device));
  CHECK(show(value) == GADGET);
  CHECK(int_field(value, "watts") == 9);
  CHECK(value.as<reflect::Struct>().field("model")->value().as<reflect::String>().text() == "X1");
  CHECK(base_names(value) == std::vector<std::string>{"plugin::Device"});
  CHECK(int_field(value.as<reflect::Struct>().bases()[0].value(), "serial") == 77);

  const std::unique_ptr<plugin::Device> owned = plugin::make_gadget();
  CHECK(show(reflect::reflect(owned)) == "std::unique_ptr<plugin::Device>{" + GADGET + "}");
  CHECK(reflect::reflect(owned).as<reflect::Pointer>().deref().type().name() == "plugin::Gadget");
}

TEST_CASE("erased: a base class defined only in a shared library's debug info, printed statically") {
  // plugin::Device's key function is in the plugin: this program's own DWARF has only a
  // declaration of it, and the definition is in the shared library's.
  const plugin::Device& device = gadget();
  CHECK(show(reflect::reflect_static(device)) == "plugin::Device{.serial = 77}");
  const std::unique_ptr<plugin::Device> owned = plugin::make_gadget();
  CHECK(show_static(reflect::reflect(owned)) == "std::unique_ptr<plugin::Device>{{.serial = 77}}");
}

// ---- std::any ------------------------------------------------------------------------------

TEST_CASE("erased: std::any prints what it holds") {
  CHECK(show(reflect::reflect(P.any_int)) == "std::any{42}");
  CHECK(show(reflect::reflect(P.any_point)) == "std::any{zoo::Point{.x = 1, .y = 2}}");
  CHECK(show(reflect::reflect(P.any_text)) == R"(std::any{"hello"})");
  CHECK(show(reflect::reflect(P.any_big)) == "std::any{poly::Big{.values = {1, 2, 3, 4, 5, 6, 7, 8}}}");
  CHECK(show(reflect::reflect(P.any_empty)) == "std::any{}");

  CHECK(show(reflect::reflect(P.boxes)) ==
        R"(poly::Boxes{.point = {.x = 1, .y = 2}, .number = 42, .text = "hello", )"
        R"(.big = {.values = {1, 2, 3, 4, 5, 6, 7, 8}}, .empty = std::any{}})");
  CHECK(show_multiline(reflect::reflect(P.boxes)) ==
        "poly::Boxes{\n"
        "  .point = {\n"
        "    .x = 1,\n"
        "    .y = 2,\n"
        "  },\n"
        "  .number = 42,\n"
        "  .text = \"hello\",\n"
        "  .big = {\n"
        "    .values = {\n"
        "      1,\n"
        "      2,\n"
        "      3,\n"
        "      4,\n"
        "      5,\n"
        "      6,\n"
        "      7,\n"
        "      8,\n"
        "    },\n"
        "  },\n"
        "  .empty = std::any{},\n"
        "}");
}

TEST_CASE("erased: std::any walks as an Optional") {
  const auto point = reflect::reflect(P.any_point).as<reflect::Optional>();
  REQUIRE(point.has_value());
  CHECK(point.value().type().name() == "zoo::Point");
  CHECK(point.value().address() == static_cast<const void*>(std::any_cast<zoo::Point>(&P.any_point)));
  CHECK(int_field(point.value(), "y") == 2);

  const auto number = reflect::reflect(P.any_int).as<reflect::Optional>();
  REQUIRE(number.has_value());
  CHECK(number.value().type().name() == "int");
  CHECK(number.value().as<int>() == 42);
  CHECK(number.value().address() == static_cast<const void*>(std::any_cast<int>(&P.any_int)));

  const auto text = reflect::reflect(P.any_text).as<reflect::Optional>();
  REQUIRE(text.has_value());
  CHECK(text.value().type().name() == "std::string");
  CHECK(text.value().as<reflect::String>().text() == "hello");
  CHECK(text.value().address() == static_cast<const void*>(std::any_cast<std::string>(&P.any_text)));

  const auto big = reflect::reflect(P.any_big).as<reflect::Optional>();
  REQUIRE(big.has_value());
  CHECK(big.value().type().name() == "poly::Big");
  CHECK(big.value().address() == static_cast<const void*>(std::any_cast<poly::Big>(&P.any_big)));
  CHECK(big.value().as<reflect::Struct>().field("values")->value().as<reflect::Array>()[7].as<long>() == 8);

  const auto empty = reflect::reflect(P.any_empty).as<reflect::Optional>();
  CHECK_FALSE(empty.has_value());
  CHECK_THROWS_AS(empty.value(), reflect::Error);

  // Nested in a struct.
  const auto boxes = reflect::reflect(P.boxes).as<reflect::Struct>();
  CHECK(boxes.field("point")->value().as<reflect::Optional>().value().type().name() == "zoo::Point");
  CHECK(boxes.field("text")->value().as<reflect::Optional>().value().as<reflect::String>().text() == "hello");
  CHECK_FALSE(boxes.field("empty")->value().as<reflect::Optional>().has_value());
}

// ---- std::function -------------------------------------------------------------------------

TEST_CASE("erased: std::function prints its target") {
  const poly::LambdaSite small = poly::small_lambda_site();
  const poly::LambdaSite text = poly::text_lambda_site();
  const std::string small_closure = fmt::format("<lambda at poly.cpp:{}>{{.k = 3}}", small.line);
  const std::string text_closure = fmt::format(R"(<lambda at poly.cpp:{}>{{.prefix = "item"}})", text.line);
  const std::string handler = fmt::format("{} <zoo::handler(int)>", reinterpret_cast<const void*>(&zoo::handler));

  CHECK(show(reflect::reflect(P.callbacks.small)) == "std::function<int(int)>{" + small_closure + "}");
  CHECK(show(reflect::reflect(P.callbacks.text)) == "std::function<int(int)>{" + text_closure + "}");
  CHECK(show(reflect::reflect(P.callbacks.pointer)) == "std::function<int(int)>{" + handler + "}");
  CHECK(show(reflect::reflect(P.callbacks.empty)) == "nullptr");

  CHECK(show(reflect::reflect(P.callbacks)) == "poly::Callbacks{.small = " + small_closure + ", .text = " +
                                                   text_closure + ", .pointer = " + handler + ", .empty = nullptr}");
  CHECK(show_multiline(reflect::reflect(P.callbacks)) ==
        fmt::format("poly::Callbacks{{\n"
                    "  .small = <lambda at poly.cpp:{}>{{\n"
                    "    .k = 3,\n"
                    "  }},\n"
                    "  .text = <lambda at poly.cpp:{}>{{\n"
                    "    .prefix = \"item\",\n"
                    "  }},\n"
                    "  .pointer = {},\n"
                    "  .empty = nullptr,\n"
                    "}}",
                    small.line, text.line, handler));
}

TEST_CASE("erased: std::function walks as an Optional") {
  const poly::LambdaSite small = poly::small_lambda_site();
  const poly::LambdaSite text = poly::text_lambda_site();
  REQUIRE(small.target != nullptr);
  REQUIRE(text.target != nullptr);

  const auto small_fn = reflect::reflect(P.callbacks.small).as<reflect::Optional>();
  REQUIRE(small_fn.has_value());
  CHECK(small_fn.value().type().name() == fmt::format("<lambda at poly.cpp:{}>", small.line));
  CHECK(small_fn.value().address() == small.target);
  CHECK(int_field(small_fn.value(), "k") == 3);

  // The closure holds a std::string: libstdc++ keeps it on the heap.
  const auto text_fn = reflect::reflect(P.callbacks.text).as<reflect::Optional>();
  REQUIRE(text_fn.has_value());
  CHECK(text_fn.value().type().name() == fmt::format("<lambda at poly.cpp:{}>", text.line));
  CHECK(text_fn.value().address() == text.target);
  CHECK(text_fn.value().as<reflect::Struct>().field("prefix")->value().as<reflect::String>().text() == "item");

  const auto pointer_fn = reflect::reflect(P.callbacks.pointer).as<reflect::Optional>();
  REQUIRE(pointer_fn.has_value());
  CHECK(pointer_fn.value().type().name() == "int (*)(int)");
  CHECK(pointer_fn.value().address() == static_cast<const void*>(P.callbacks.pointer.target<int (*)(int)>()));
  CHECK(pointer_fn.value().as<reflect::Pointer>().target_address() == reinterpret_cast<const void*>(&zoo::handler));

  const auto empty_fn = reflect::reflect(P.callbacks.empty).as<reflect::Optional>();
  CHECK_FALSE(empty_fn.has_value());
  CHECK_THROWS_AS(empty_fn.value(), reflect::Error);
}

// ---- objects known by address and std::type_info -------------------------------------------

TEST_CASE("erased: reflect(const void*, std::type_info) for every registry entry") {
  const std::vector<poly::Entry>& registry = P.registry;
  const std::vector<std::string> names{
      "zoo::Point",
      "poly::Circle",
      "int",
      "std::string",
      "std::vector<int>",
      "zoo::Pair<int, double>",
      "poly::Tagged<std::string>",
      "poly::(anonymous namespace)::Token",
      "plugin::Settings",
  };
  const std::vector<std::string> printed{
      "zoo::Point{.x = 1, .y = 2}",
      CIRCLE,
      "42",
      R"("registry")",
      "std::vector<int>{4, 5, 6}",
      "zoo::Pair<int, double>{.first = 1, .second = 2.5}",
      TAGGED_TEXT,
      "poly::(anonymous namespace)::Token{.value = 5}",
      R"(plugin::Settings{.level = 3, .name = "plugin"})",
  };
  REQUIRE(registry.size() == names.size());
  for (std::size_t i = 0; i < registry.size(); ++i) {
    CAPTURE(i);
    CAPTURE(names[i]);
    CHECK(show_or_error(registry[i].object, *registry[i].type) == printed[i]);
    try {
      const reflect::Value value = reflect::reflect(registry[i].object, *registry[i].type);
      CHECK(value.address() == registry[i].object);
      CHECK(value.type().name() == names[i]);
    } catch (const std::exception& e) {
      FAIL_CHECK("reflect(void*, type_info) threw: " << e.what());
    }
  }
}

TEST_CASE("erased: walking values found through std::type_info") {
  const std::vector<poly::Entry>& registry = P.registry;
  REQUIRE(registry.size() == 9);
  CHECK(int_field(reflect::reflect(registry[0].object, *registry[0].type), "y") == 2);
  CHECK(int_field(reflect::reflect(registry[1].object, *registry[1].type), "radius") == 2);
  CHECK(reflect::reflect(registry[2].object, *registry[2].type).as<int>() == 42);
  CHECK(reflect::reflect(registry[3].object, *registry[3].type).as<reflect::String>().text() == "registry");
  CHECK(reflect::reflect(registry[4].object, *registry[4].type).as<reflect::Array>()[2].as<int>() == 6);
  CHECK(reflect::reflect(registry[5].object, *registry[5].type).as<reflect::Struct>().field("second")->value()
            .as<double>() == 2.5);
  CHECK(int_field(reflect::reflect(registry[7].object, *registry[7].type), "value") == 5);
  CHECK(reflect::reflect(registry[8].object, *registry[8].type).as<reflect::Struct>().field("name")->value()
            .as<reflect::String>().text() == "plugin");
}

TEST_CASE("erased: a std::type_info that no debug info describes") {
  const auto [object, type] = object_without_debug_info();
  CHECK_THROWS_AS(reflect::reflect(object, *type), reflect::Error);
  std::string message;
  try {
    reflect::reflect(object, *type);
  } catch (const reflect::Error& e) {
    message = e.what();
  }
  CAPTURE(message);
  CHECK(message.find("reflect:") == 0);
  CHECK(message.find("nodebug::Unseen") != std::string::npos);  // demangled
}

// ---- types by name -------------------------------------------------------------------------

TEST_CASE("erased: find_type") {
  const auto point = reflect::find_type("zoo::Point");
  REQUIRE(point.has_value());
  CHECK(point->name() == "zoo::Point");
  CHECK(point->size() == sizeof(zoo::Point));
  CHECK(show(reflect::Value::at(*point, &Z.point)) == "zoo::Point{.x = 1, .y = 2}");

  // Only declared in this translation unit: the definition is found.
  const auto shape = reflect::find_type("poly::Shape");
  REQUIRE(shape.has_value());
  CHECK(shape->name() == "poly::Shape");
  CHECK(shape->is_complete());
  CHECK(shape->size() == sizeof(poly::Shape));

  const auto circle = reflect::find_type("poly::Circle");
  REQUIRE(circle.has_value());
  CHECK(circle->is_complete());
  CHECK(circle->size() == sizeof(poly::Circle));
  CHECK(show(reflect::Value::at(*circle, &P.circle)) == CIRCLE);

  const auto pair = reflect::find_type("zoo::Pair<int, double>");
  REQUIRE(pair.has_value());
  CHECK(pair->name() == "zoo::Pair<int, double>");
  CHECK(show(reflect::Value::at(*pair, &Z.pair_tpl)) == "zoo::Pair<int, double>{.first = 1, .second = 2.5}");

  const auto tagged = reflect::find_type("poly::Tagged<std::string>");
  REQUIRE(tagged.has_value());
  CHECK(tagged->name() == "poly::Tagged<std::string>");
  CHECK(tagged->size() == sizeof(poly::Tagged<std::string>));
  CHECK(show(reflect::Value::at(*tagged, &P.tagged_text)) == TAGGED_TEXT);

  const auto string = reflect::find_type("std::string");
  REQUIRE(string.has_value());
  CHECK(string->name() == "std::string");
  CHECK(string->size() == sizeof(std::string));
  CHECK(show(reflect::Value::at(*string, &Z.heap_string)) == R"("a string too long for the small buffer")");

  const auto vec = reflect::find_type("std::vector<int>");
  REQUIRE(vec.has_value());
  CHECK(vec->name() == "std::vector<int>");
  CHECK(vec->size() == sizeof(std::vector<int>));
  CHECK(show(reflect::Value::at(*vec, &Z.vec)) == "std::vector<int>{1, 2, 3}");

  const auto shapes = reflect::find_type("std::vector<std::unique_ptr<poly::Shape>>");
  REQUIRE(shapes.has_value());
  CHECK(shapes->name() == "std::vector<std::unique_ptr<poly::Shape>>");
  CHECK(show(reflect::Value::at(*shapes, &P.shapes)) == show(reflect::reflect(P.shapes)));

  const auto hidden = reflect::find_type("zoo::(anonymous namespace)::Hidden");
  REQUIRE(hidden.has_value());
  CHECK(hidden->name() == "zoo::(anonymous namespace)::Hidden");
  CHECK(show(reflect::Value::at(*hidden, zoo::anon_value().address())) ==
        "zoo::(anonymous namespace)::Hidden{.secret = 11}");

  const auto secret = reflect::find_type("poly::(anonymous namespace)::Secret");
  REQUIRE(secret.has_value());
  CHECK(show(reflect::Value::at(*secret, dynamic_cast<const void*>(&poly::secret_shape()))) == SECRET);

  // Defined only in the shared library's debug info.
  const auto gadget_type = reflect::find_type("plugin::Gadget");
  REQUIRE(gadget_type.has_value());
  CHECK(gadget_type->is_complete());
  CHECK(show(reflect::Value::at(*gadget_type, dynamic_cast<const void*>(&gadget()))) == GADGET);
  const auto device = reflect::find_type("plugin::Device");
  REQUIRE(device.has_value());
  CHECK(device->is_complete());
  CHECK(device->size() == sizeof(plugin::Device));
}

TEST_CASE("erased: find_type of names nothing defines") {
  CHECK_FALSE(reflect::find_type("poly::NoSuchType").has_value());
  CHECK_FALSE(reflect::find_type("zoo::Pair<int, char>").has_value());  // never instantiated
  CHECK_FALSE(reflect::find_type("std::vector<poly::NoSuchType>").has_value());
  CHECK_FALSE(reflect::find_type("nodebug::Unseen").has_value());  // no debug info describes it
}

#include "fixtures/nortti.hpp"

TEST_CASE("erased: without RTTI, the vtable's symbol names the dynamic type") {
  std::unique_ptr<nortti::Part> engine = nortti::make_engine();
  CHECK(show(reflect::reflect(engine)) ==
        "std::unique_ptr<nortti::Part>{nortti::(anonymous namespace)::Engine{nortti::Part{.serial = 7}, .power = 1.5}}");
  reflect::Value complete = reflect::reflect(engine).as<reflect::Pointer>().deref();
  CHECK(complete.type().name() == "nortti::(anonymous namespace)::Engine");
  CHECK(complete.as<reflect::Struct>().field("power")->value().as<double>() == 1.5);
}
