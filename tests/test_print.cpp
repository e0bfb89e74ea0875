// The printed form of every fixture (ARCHITECTURE.md §9, a contract): exact strings.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/zoo.hpp"

#include <string>

namespace {

const zoo::Fixtures& F = zoo::fixtures();

template <class T> std::string show(const T& object) {
  return fmt::format("{}", reflect::reflect(object));
}

template <class T> std::string show_multiline(const T& object) {
  return fmt::format("{:#}", reflect::reflect(object));
}

// Addresses are not known in advance: build them the way the printer must print them.
std::string address(const void* p) { return fmt::format("{}", p); }

}  // namespace

TEST_CASE("print: plain structs") {
  CHECK(show(F.point) == "zoo::Point{.x = 1, .y = 2}");
  CHECK(show(F.line) == "zoo::Line{.a = {.x = 1, .y = 2}, .b = {.x = 3, .y = 4}}");
  CHECK(show(F.empty) == "zoo::Empty{}");
  CHECK(show(F.has_empty) == "zoo::HasEmpty{.e = {}, .n = 1}");
  CHECK(show(F.widget) == "zoo::Widget{.id = 9}");
}

TEST_CASE("print: private and protected members print like public ones") {
  CHECK(show(F.account) == "zoo::Account{.id = 1, .balance = 100, .pin = 1234}");
}

TEST_CASE("print: bases come first, named") {
  CHECK(show(F.derived) == "zoo::Derived{zoo::Base{.id = 7}, .extra = 1}");
  CHECK(show(F.both) == "zoo::Both{zoo::Left{.l = 1}, zoo::Right{.r = 2}, .b = 3}");
  // The virtual base prints once, at its first place in declaration order (inside Mammal);
  // vtable pointers are not printed.
  CHECK(show(F.bat) ==
        "zoo::Bat{zoo::Mammal{zoo::Animal{.age = 10}, .fur = 20}, zoo::Winged{.wings = 30}, "
        ".sonar = 40}");
}

TEST_CASE("print: bitfields") {
  CHECK(show(F.bits) == "zoo::Bits{.ready = 1, .mode = 5, .delta = -3, .big = 78187493530, .tail = 100}");
}

TEST_CASE("print: anonymous members are flattened, unions print every member") {
  CHECK(show(F.tagged) == "zoo::Tagged{.kind = 1, .f = 1.5, .i = 1069547520, .lo = 3, .hi = 4}");
  CHECK(show(F.number) == "zoo::Number{.i = 1065353216, .f = 1}");
}

TEST_CASE("print: enums") {
  CHECK(show(F.color) == "zoo::Color::Green");
  CHECK(show(F.color_unnamed) == "static_cast<zoo::Color>(7)");
  CHECK(show(F.shade) == "zoo::Shade::Light");
  CHECK(show(F.perm) == "zoo::Perm::Read | zoo::Perm::Write");
  CHECK(show(F.perm_all) == "zoo::Perm::Read | zoo::Perm::Write | zoo::Perm::Exec");
  CHECK(show(F.perm_one) == "zoo::Perm::Exec");
  CHECK(show(F.level) == "zoo::Level::High");
  CHECK(show(F.palette) ==
        "zoo::Palette{.color = zoo::Color::Blue, .shade = zoo::Shade::Dark, .perm = zoo::Perm::Exec, "
        ".level = zoo::Level::Low}");
}

TEST_CASE("print: integers and bool") {
  CHECK(show(F.answer) == "42");
  CHECK(show(F.negative) == "-17");
  CHECK(show(F.small) == "-7");
  CHECK(show(F.long_min) == "-9223372036854775808");
  CHECK(show(F.ulong_max) == "18446744073709551615");
  CHECK(show(F.i128) == "-1267650600228229401496703205376");
  CHECK(show(F.u128) == "340282366920938463463374607431768211455");
  CHECK(show(F.yes) == "true");
  CHECK(show(F.no) == "false");
}

TEST_CASE("print: characters") {
  CHECK(show(F.letter) == "'a'");
  CHECK(show(F.newline) == R"('\n')");
  CHECK(show(F.control) == R"('\x01')");
  // signed char and unsigned char (so std::uint8_t) are numbers
  CHECK(show(F.schar) == "-5");
  CHECK(show(F.uchar) == "200");
  CHECK(show(F.u8) == "7");
  CHECK(show(F.c8) == "u8'a'");
  CHECK(show(F.c16) == "u'a'");
  CHECK(show(F.c16_e) == R"(u'\u00e9')");
  CHECK(show(F.c32) == "U'a'");
  CHECK(show(F.c32_e) == R"(U'\u00e9')");
  CHECK(show(F.c32_emoji) == R"(U'\U0001f600')");
  CHECK(show(F.wc) == "L'a'");
  CHECK(show(F.wc_e) == R"(L'\u00e9')");
}

TEST_CASE("print: a pointer to a virtual member function names the function") {
  // Itanium: the pointer holds 1 + the vtable offset; the debug info's
  // DW_AT_vtable_elem_location says which function sits there.
  CHECK(show(F.virtual_method_ptr) == "&zoo::Animal::legs");
  CHECK(show(F.override_ptr) == "&zoo::Bat::legs");
}

TEST_CASE("print: a bool whose byte is neither 0 nor 1 prints its number") {
  const unsigned char corrupted = 2;
  const reflect::Value value = reflect::Value::at(reflect::type_of<bool>(), &corrupted);
  CHECK(fmt::format("{}", value) == "2");
  CHECK(reflect::to_json(value) == "2");
}

TEST_CASE("print: floating point, shortest round trip") {
  CHECK(show(F.f_tenth) == "0.1");  // shortest for float, not for the double 0.1f widens to
  CHECK(show(F.f_half) == "1.5");
  CHECK(show(F.d_tenth) == "0.1");
  CHECK(show(F.d_big) == "1e+100");
  CHECK(show(F.d_one) == "1");
  CHECK(show(F.d_nan) == "nan");
  CHECK(show(F.d_neg_inf) == "-inf");
  CHECK(show(F.d_neg_zero) == "-0");
  CHECK(show(F.ld) == "1.5");
}

TEST_CASE("print: arrays") {
  CHECK(show(F.ints) == "int[3]{1, 2, 3}");
  CHECK(show(F.grid) == "int[2][3]{{1, 2, 3}, {4, 5, 6}}");
  CHECK(show(F.sbytes) == "signed char[3]{-1, 0, 1}");
  CHECK(show(F.ubytes) == "unsigned char[3]{1, 2, 255}");
  CHECK(show(F.blob) == "zoo::Blob{.s = {-1, 0, 1}, .u = {1, 2, 255}, .raw = {16, 32}, .tag = 7}");
}

TEST_CASE("print: strings are literals at every level") {
  CHECK(show(F.hi) == R"("hi")");
  CHECK(show(F.abcd) == R"("abcd")");
  CHECK(show(F.text) == R"("text")");
  CHECK(show(F.null_text) == "nullptr");
  CHECK(show(F.escaped) == R"("line\n\"q\"\\\x01")");
  CHECK(show(F.short_string) == R"("hi")");
  CHECK(show(F.heap_string) == R"("a string too long for the small buffer")");
  CHECK(show(F.empty_string) == R"("")");
  CHECK(show(F.view) == R"("view")");
  CHECK(show(F.wide) == R"(L"wide")");
  CHECK(show(F.u16) == R"(u"utf16")");
  CHECK(show(F.labels) == R"(zoo::Labels{.label = "text", .none = nullptr, .code = "ab", .view = "view"})");
  CHECK(show(F.buf) == R"(zoo::Buf<4>{.data = "abc", .used = 3})");
}

TEST_CASE("print: pointers and references") {
  CHECK(show(F.null_ptr) == "nullptr");
  CHECK(show(F.int_ptr) == address(&F.pointee));
  CHECK(show(F.global_ptr) == address(&zoo::global_counter) + " <zoo::global_counter>");
  CHECK(show(F.callback) ==
        fmt::format("{} <zoo::handler(int)>", reinterpret_cast<const void*>(&zoo::handler)));
  CHECK(show(F.null_callback) == "nullptr");
  // Raw pointers are not followed.
  CHECK(show(F.list_head) == fmt::format("zoo::Node{{.value = 1, .next = {}}}", address(&F.list_mid)));
  CHECK(show(F.list_tail) == "zoo::Node{.value = 3, .next = nullptr}");
  // A reference member prints the referenced value.
  CHECK(show(F.with_ref) == "zoo::WithRef{.origin = {.x = 1, .y = 2}, .scale = 3}");
}

TEST_CASE("print: member pointers") {
  CHECK(show(F.member_ptr) == "&zoo::Point::y");
  CHECK(show(F.null_member_ptr) == "nullptr");
  CHECK(show(F.method_ptr) == "&zoo::Widget::draw");
  CHECK(show(F.null_method_ptr) == "nullptr");
  CHECK(show(F.handlers) ==
        fmt::format("zoo::Handlers{{.fn = {} <zoo::handler(int)>, .member = &zoo::Point::y, "
                    ".method = &zoo::Widget::draw}}",
                    reinterpret_cast<const void*>(&zoo::handler)));
}

TEST_CASE("print: aliases and qualifiers are transparent") {
  CHECK(show(F.measure) == "zoo::Measure{.length = 2.5, .count = 3}");
  CHECK(show(F.qualified) == "zoo::Qualified{.c = 1, .v = 2, .cv = 3}");
}

TEST_CASE("print: class templates") {
  CHECK(show(F.pair_tpl) == "zoo::Pair<int, double>{.first = 1, .second = 2.5}");
}

TEST_CASE("print: standard library sequences") {
  CHECK(show(F.vec) == "std::vector<int>{1, 2, 3}");
  CHECK(show(F.empty_vec) == "std::vector<int>{}");
  CHECK(show(F.points) == "std::vector<zoo::Point>{{.x = 1, .y = 2}, {.x = 3, .y = 4}}");
  CHECK(show(F.words) == R"(std::vector<std::string>{"alpha", "beta"})");
  CHECK(show(F.arr) == "std::array<int, 3>{1, 2, 3}");

  std::string many = "std::vector<int>{";
  for (int i = 0; i < 100; ++i) many += fmt::format("{}, ", i);
  many += "...}";
  CHECK(show(F.many) == many);
}

TEST_CASE("print: smart pointers, optionals, pairs and tuples") {
  CHECK(show(F.owned) == "std::unique_ptr<zoo::Point>{{.x = 1, .y = 2}}");
  CHECK(show(F.owned_empty) == "nullptr");
  CHECK(show(F.shared) == "std::shared_ptr<int>{5}");
  CHECK(show(F.shared_empty) == "nullptr");
  CHECK(show(F.opt) == "std::optional<int>{5}");
  CHECK(show(F.opt_empty) == "std::nullopt");
  CHECK(show(F.std_pair) == "std::pair<int, double>{1, 2.5}");
  CHECK(show(F.std_tuple) == R"(std::tuple<int, std::string, double>{1, "a", 2.5})");
}

TEST_CASE("print: standard library members nested in a struct") {
  CHECK(show(F.config) ==
        R"(zoo::Config{.name = "server", .ports = {80, 443}, .timeout = 30, .retries = std::nullopt, )"
        R"(.origin = {.x = 10, .y = 20}, .limit = 64, .tags = {"alpha", "beta"}, .verbose = true})");
  CHECK(show(F.stats) ==
        R"(zoo::Stats{.best = {1, 2.5}, .row = {1, "a", 2.5}, .count = 5, .missing = std::nullopt, )"
        R"(.shared = 6, .none = nullptr})");
}

TEST_CASE("print: types a test cannot name") {
  CHECK(fmt::format("{}", zoo::anon_value()) == "zoo::(anonymous namespace)::Hidden{.secret = 11}");
  CHECK(fmt::format("{}", zoo::local_value()) == "zoo::local_value()::Local{.a = 1, .b = 2.5}");
  CHECK(fmt::format("{}", zoo::lambda_value()) ==
        fmt::format("<lambda at zoo.cpp:{}>{{.x = 1, .y = 2}}", zoo::lambda_line()));
}

TEST_CASE("print: {:#} over several lines") {
  CHECK(show_multiline(F.line) ==
        "zoo::Line{\n"
        "  .a = {\n"
        "    .x = 1,\n"
        "    .y = 2,\n"
        "  },\n"
        "  .b = {\n"
        "    .x = 3,\n"
        "    .y = 4,\n"
        "  },\n"
        "}");
  CHECK(show_multiline(F.derived) ==
        "zoo::Derived{\n"
        "  zoo::Base{\n"
        "    .id = 7,\n"
        "  },\n"
        "  .extra = 1,\n"
        "}");
  CHECK(show_multiline(F.bat) ==
        "zoo::Bat{\n"
        "  zoo::Mammal{\n"
        "    zoo::Animal{\n"
        "      .age = 10,\n"
        "    },\n"
        "    .fur = 20,\n"
        "  },\n"
        "  zoo::Winged{\n"
        "    .wings = 30,\n"
        "  },\n"
        "  .sonar = 40,\n"
        "}");
  CHECK(show_multiline(F.tagged) ==
        "zoo::Tagged{\n"
        "  .kind = 1,\n"
        "  .f = 1.5,\n"
        "  .i = 1069547520,\n"
        "  .lo = 3,\n"
        "  .hi = 4,\n"
        "}");
  CHECK(show_multiline(F.vec) ==
        "std::vector<int>{\n"
        "  1,\n"
        "  2,\n"
        "  3,\n"
        "}");
  CHECK(show_multiline(F.points) ==
        "std::vector<zoo::Point>{\n"
        "  {\n"
        "    .x = 1,\n"
        "    .y = 2,\n"
        "  },\n"
        "  {\n"
        "    .x = 3,\n"
        "    .y = 4,\n"
        "  },\n"
        "}");
  CHECK(show_multiline(F.grid) ==
        "int[2][3]{\n"
        "  {\n"
        "    1,\n"
        "    2,\n"
        "    3,\n"
        "  },\n"
        "  {\n"
        "    4,\n"
        "    5,\n"
        "    6,\n"
        "  },\n"
        "}");
  CHECK(show_multiline(F.config) ==
        "zoo::Config{\n"
        "  .name = \"server\",\n"
        "  .ports = {\n"
        "    80,\n"
        "    443,\n"
        "  },\n"
        "  .timeout = 30,\n"
        "  .retries = std::nullopt,\n"
        "  .origin = {\n"
        "    .x = 10,\n"
        "    .y = 20,\n"
        "  },\n"
        "  .limit = 64,\n"
        "  .tags = {\n"
        "    \"alpha\",\n"
        "    \"beta\",\n"
        "  },\n"
        "  .verbose = true,\n"
        "}");
  // Nothing inside: the braces stay on one line.
  CHECK(show_multiline(F.empty) == "zoo::Empty{}");
  CHECK(show_multiline(F.empty_vec) == "std::vector<int>{}");
  // Scalars and strings print as with {}.
  CHECK(show_multiline(F.answer) == "42");
  CHECK(show_multiline(F.short_string) == R"("hi")");
}

TEST_CASE("print: options") {
  const reflect::Value vec = reflect::reflect(F.vec);
  CHECK(fmt::format("{}", reflect::formatted(vec, {.max_elements = 2})) == "std::vector<int>{1, 2, ...}");
  CHECK(fmt::format("{}", reflect::formatted(vec, {.max_elements = 3})) == "std::vector<int>{1, 2, 3}");
  CHECK(fmt::format("{}", reflect::formatted(reflect::reflect(F.point), {.show_type = false})) ==
        "{.x = 1, .y = 2}");
  CHECK(fmt::format("{}", reflect::formatted(reflect::reflect(F.point), {.multiline = true})) ==
        fmt::format("{:#}", reflect::reflect(F.point)));
  CHECK(reflect::to_string(reflect::reflect(F.line)) == fmt::format("{}", reflect::reflect(F.line)));
  CHECK(fmt::format("{}", reflect::type_of<zoo::Point>()) == "zoo::Point");
}
