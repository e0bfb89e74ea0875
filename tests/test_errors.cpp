// Bad input gets a clear error or prints the problem in place, and never crashes: garbage
// memory, cycles, types with no definition, code built without debug info.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/zoo.hpp"

#include <cstring>
#include <string>
#include <vector>

std::string reflect_without_debug_info();  // tests/nodebug.cpp, built with -g0

namespace zoo {
struct Opaque;  // declared, defined nowhere
struct HoldsOpaque {
  Opaque* opaque;
  int n;
};
}  // namespace zoo

namespace {

std::string follow(const reflect::Value& value) {
  return fmt::format("{}", reflect::formatted(value, {.follow_pointers = true}));
}

const void* garbage = reinterpret_cast<const void*>(0x10);

}  // namespace

TEST_CASE("errors: a garbage pointer prints as unreadable when followed") {
  zoo::Node node{1, reinterpret_cast<zoo::Node*>(0x10)};
  CHECK(follow(reflect::reflect(node)) == "zoo::Node{.value = 1, .next = 0x10 -> <unreadable 0x10>}");
  // Not followed by default: only the address.
  CHECK(fmt::format("{}", reflect::reflect(node)) == "zoo::Node{.value = 1, .next = 0x10}");
}

TEST_CASE("errors: a value at an unreadable address prints as unreadable; reading it throws") {
  reflect::Value config = reflect::Value::at(reflect::type_of<zoo::Config>(), garbage);
  CHECK(fmt::format("{}", config) == "<unreadable 0x10>");
  CHECK(fmt::format("{}", reflect::Value::at(reflect::type_of<int[3]>(), garbage)) == "<unreadable 0x10>");
  reflect::Value answer = reflect::Value::at(reflect::type_of<int>(), garbage);
  CHECK_THROWS_AS(answer.as<int>(), reflect::UnreadableMemory);
  try {
    answer.as<int>();
  } catch (const reflect::UnreadableMemory& e) {
    CHECK(e.address() == 0x10);
    CHECK(std::string(e.what()).find("0x10") != std::string::npos);
  }
}

TEST_CASE("errors: standard-library objects holding garbage print as unreadable") {
  // A std::string whose data pointer is garbage.
  alignas(std::string) unsigned char text[sizeof(std::string)] = {};
  std::uintptr_t bad = 0x10, length = 5;
  std::memcpy(text, &bad, sizeof bad);
  std::memcpy(text + 8, &length, sizeof length);
  CHECK(fmt::format("{}", reflect::Value::at(reflect::type_of<std::string>(), text)) == "<unreadable 0x10>");

  // A std::vector whose end lies before its start.
  alignas(std::vector<int>) unsigned char vec[sizeof(std::vector<int>)] = {};
  std::uintptr_t start = 0x2000, finish = 0x1000;
  std::memcpy(vec, &start, sizeof start);
  std::memcpy(vec + 8, &finish, sizeof finish);
  CHECK(fmt::format("{}", reflect::Value::at(reflect::type_of<std::vector<int>>(), vec)) ==
        fmt::format("<unreadable {}>", static_cast<const void*>(vec)));
  CHECK_THROWS_AS(reflect::Value::at(reflect::type_of<std::vector<int>>(), vec).as<reflect::Array>(),
                  reflect::UnreadableMemory);
}

TEST_CASE("errors: a cycle through pointers prints as <cycle>") {
  zoo::Node a{1, nullptr};
  zoo::Node b{2, &a};
  a.next = &b;
  CHECK(follow(reflect::reflect(a)) ==
        fmt::format("zoo::Node{{.value = 1, .next = {} -> {{.value = 2, .next = {} -> <cycle {}>}}}}",
                    static_cast<const void*>(&b), static_cast<const void*>(&a), static_cast<const void*>(&a)));
}

TEST_CASE("errors: a type with no definition anywhere prints as <incomplete>") {
  long storage = 0;
  zoo::HoldsOpaque holder{reinterpret_cast<zoo::Opaque*>(&storage), 3};
  reflect::Value value = reflect::reflect(holder);
  CHECK(follow(value) == fmt::format("zoo::HoldsOpaque{{.opaque = {} -> <incomplete zoo::Opaque>, .n = 3}}",
                                     static_cast<const void*>(&storage)));
  auto opaque = value.as<reflect::Struct>().field("opaque")->value().as<reflect::Pointer>().deref();
  CHECK_FALSE(opaque.type().is_complete());
  CHECK(opaque.type().name() == "zoo::Opaque");
}

TEST_CASE("errors: code built without -g gets an error that says what to do") {
  std::string message = reflect_without_debug_info();
  CHECK(message.find("-g") != std::string::npos);
  CHECK(message.find("reflect:") == 0);
}

TEST_CASE("errors: reflect::configure after the first reflection throws, saying when to call it") {
  const zoo::HoldsOpaque value{nullptr, 1};
  CHECK(fmt::format("{}", reflect::reflect(value.n)) == "1");  // the debug info is being read now
  reflect::Options options;
  options.debuginfod_urls = "";
  try {
    reflect::configure(options);
    FAIL("configure() after the first reflection did not throw");
  } catch (const reflect::Error& e) {
    std::string message = e.what();
    CHECK(message.find("reflect::configure() called after the first reflection") != std::string::npos);
    CHECK(message.find("at the start of main()") != std::string::npos);
  }
  CHECK(fmt::format("{}", reflect::reflect(value.n)) == "1");  // still works, with the old options
}
