// JSON, the second output of the walk (ARCHITECTURE.md §9, a contract): exact documents, each
// also parsed by a real JSON parser (nlohmann::json, through json_support.hpp).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/poly.hpp"
#include "fixtures/zoo.hpp"
#include "json_support.hpp"

#include <string>

namespace {

const zoo::Fixtures& F = zoo::fixtures();

// The document for `object`, checked to parse.
template <class T> std::string json(const T& object, const reflect::JsonOptions& options = {}) {
  std::string text = reflect::to_json(reflect::reflect(object), options);
  INFO(text);
  CHECK(reflect_test::is_json(text));  // a valid document
  return text;
}

std::string address(const void* p) { return fmt::format("{}", p); }

}  // namespace

TEST_CASE("json: structs are objects, bases merged first") {
  CHECK(json(F.point) == R"({"x":1,"y":2})");
  CHECK(json(F.line) == R"({"a":{"x":1,"y":2},"b":{"x":3,"y":4}})");
  CHECK(json(F.empty) == "{}");
  CHECK(json(F.has_empty) == R"({"e":{},"n":1})");
  CHECK(json(F.derived) == R"({"id":7,"extra":1})");
  CHECK(json(F.both) == R"({"l":1,"r":2,"b":3})");
  // The virtual base once, where the text form prints it.
  CHECK(json(F.bat) == R"({"age":10,"fur":20,"wings":30,"sonar":40})");
  CHECK(json(F.account) == R"({"id":1,"balance":100,"pin":1234})");
}

TEST_CASE("json: a name a class repeats from its base keeps the base's as Base::name") {
  CHECK(json(F.shadowing) == R"({"zoo::Base::id":7,"id":8,"more":9})");
}

TEST_CASE("json: scalars") {
  CHECK(json(F.answer) == "42");
  CHECK(json(F.long_min) == "-9223372036854775808");
  CHECK(json(F.ulong_max) == "18446744073709551615");
  // Exact at every width: numbers a double cannot hold are written digit for digit.
  CHECK(json(F.i128) == "-1267650600228229401496703205376");
  CHECK(json(F.u128) == "340282366920938463463374607431768211455");
  CHECK(json(F.yes) == "true");
  CHECK(json(F.no) == "false");
  CHECK(json(F.letter) == R"("a")");
  CHECK(json(F.newline) == R"("\n")");
  CHECK(json(F.control) == R"("\u0001")");
  CHECK(json(F.c32_emoji) == "\"\xF0\x9F\x98\x80\"");
  CHECK(json(F.schar) == "-5");
  CHECK(json(F.uchar) == "200");
  CHECK(json(F.f_tenth) == "0.1");
  CHECK(json(F.d_big) == "1e+100");
  CHECK(json(F.d_nan) == R"("nan")");
  CHECK(json(F.d_neg_inf) == R"("-inf")");
  CHECK(json(F.d_neg_zero) == "-0");
  CHECK(json(F.ld) == "1.5");
}

TEST_CASE("json: enums are their enumerators' names") {
  CHECK(json(F.color) == R"("Green")");
  CHECK(json(F.color_unnamed) == "7");
  CHECK(json(F.perm) == R"("Read | Write")");
  CHECK(json(F.palette) == R"({"color":"Blue","shade":"Dark","perm":"Exec","level":"Low"})");
}

TEST_CASE("json: arrays, text and bytes") {
  CHECK(json(F.ints) == "[1,2,3]");
  CHECK(json(F.grid) == "[[1,2,3],[4,5,6]]");
  CHECK(json(F.hi) == R"("hi")");
  CHECK(json(F.abcd) == R"("abcd")");
  CHECK(json(F.sbytes) == "[-1,0,1]");
  CHECK(json(F.escaped) == R"("line\n\"q\"\\\u0001")");
  CHECK(json(F.labels) == R"({"label":"text","none":null,"code":"ab","view":"view"})");
  CHECK(json(F.wide) == R"("wide")");
  CHECK(json(F.u16) == R"("utf16")");
}

TEST_CASE("json: text that is not UTF-8 stays a valid document") {
  const char bytes[6] = {'a', '\xff', '\xc3', '\xa9', '\xed', '\0'};  // a, a stray byte, é, a cut sequence
  CHECK(json(bytes) == R"("a\\xffé\\xed")");
}

TEST_CASE("json: pointers are null or the address, unless followed") {
  CHECK(json(F.null_ptr) == "null");
  CHECK(json(F.int_ptr) == fmt::format(R"("{}")", address(F.int_ptr)));
  CHECK(json(F.int_ptr, {.follow_pointers = true}) == "42");
  CHECK(json(F.list_head, {.follow_pointers = true}) == R"({"value":1,"next":{"value":2,"next":{"value":3,"next":null}}})");
  CHECK(json(F.with_ref) == R"({"origin":{"x":1,"y":2},"scale":3})");
  CHECK(json(F.member_ptr) == R"("&zoo::Point::y")");
}

TEST_CASE("json: the standard library") {
  CHECK(json(F.vec) == "[1,2,3]");
  CHECK(json(F.empty_vec) == "[]");
  CHECK(json(F.points) == R"([{"x":1,"y":2},{"x":3,"y":4}])");
  CHECK(json(F.owned) == R"({"x":1,"y":2})");
  CHECK(json(F.owned_empty) == "null");
  CHECK(json(F.opt) == "5");
  CHECK(json(F.opt_empty) == "null");
  CHECK(json(F.std_pair) == "[1,2.5]");
  CHECK(json(F.std_tuple) == R"([1,"a",2.5])");
  CHECK(json(F.config) ==
        R"({"name":"server","ports":[80,443],"timeout":30,"retries":null,"origin":{"x":10,"y":20},"limit":64,)"
        R"("tags":["alpha","beta"],"verbose":true})");
}

TEST_CASE("json: limits and problems are strings in place") {
  const std::string many = json(F.many);
  CHECK(many.starts_with("[0,1,2,"));
  CHECK(many.ends_with(R"(,99,"..."])"));
  CHECK(json(F.vec, {.max_elements = 2}) == R"([1,2,"..."])");
  CHECK(json(F.line, {.max_depth = 1}) == R"({"a":"{...}","b":"{...}"})");
  int* dangling = reinterpret_cast<int*>(0x10);
  CHECK(reflect::to_json(reflect::Value::at(reflect::type_of<int>(), dangling)) == R"("<unreadable 0x10>")");
}

TEST_CASE("json: {:j} and {:#j}") {
  CHECK(fmt::format("{:j}", reflect::reflect(F.point)) == R"({"x":1,"y":2})");
  CHECK(fmt::format("{:#j}", reflect::reflect(F.line)) ==
        "{\n"
        "  \"a\": {\n"
        "    \"x\": 1,\n"
        "    \"y\": 2\n"
        "  },\n"
        "  \"b\": {\n"
        "    \"x\": 3,\n"
        "    \"y\": 4\n"
        "  }\n"
        "}");
  CHECK(fmt::format("{:#j}", reflect::reflect(F.vec)) == "[\n  1,\n  2,\n  3\n]");
  CHECK(fmt::format("{:#j}", reflect::reflect(F.empty_vec)) == "[]");
  CHECK(fmt::format("{:#j}", reflect::reflect(F.config)).find("\n  \"ports\": [\n    80,\n    443\n  ],\n") !=
        std::string::npos);
}

TEST_CASE("json: dynamic types") {
  const poly::Fixtures& P = poly::fixtures();
  // A Shape& to a Circle: the Circle's members, its base's first.
  const poly::Shape& shape = P.circle;
  CHECK(json(shape) == R"({"id":1,"radius":2})");
  CHECK(json(P.owned_circle) == R"({"id":1,"radius":2})");
  CHECK(json(P.any_point) == R"({"x":1,"y":2})");
  CHECK(json(P.any_empty) == "null");
  CHECK(reflect_test::is_json(reflect::to_json(reflect::reflect(P))));
}
