// The TR1 and TS forms that gdb's libstdc++ printers know besides the standard ones:
// std::tr1::unordered_{map,set,multimap,multiset}, std::tr1::shared_ptr and weak_ptr, and
// std::experimental::optional, any, basic_string_view and filesystem::path, printed (exact
// strings), walked, written as JSON, and walked over broken memory.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/std_legacy.hpp"
#include "json_support.hpp"
#include "reflect/std/layout.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

const std_legacy::Fixtures& F = std_legacy::fixtures();

template <class T> std::string show(const T& object) { return fmt::format("{}", reflect::reflect(object)); }
template <class T> std::string json(const T& object) {
  return reflect_test::canonical_json(reflect::to_json(reflect::reflect(object)));
}

// A hash table promises no order: the expected text follows the container's own iteration
// order, each element's text written here.
template <class C, class F> std::string joined(const C& container, F&& text) {
  std::string out;
  for (const auto& element : container) out += (out.empty() ? "" : ", ") + text(element);
  return out;
}

std::uintptr_t at(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

}  // namespace

// ---- TR1 hash tables ----------------------------------------------------------------------------

TEST_CASE("std legacy: TR1 hash tables print in their own iteration order") {
  // tr1::hash<int> is the int itself: 11 buckets, one element in each of the first few.
  CHECK(show(F.set) == "std::tr1::unordered_set<int>{1, 2, 3}");
  CHECK(show(F.multiset) == "std::tr1::unordered_multiset<int>{4, 4, 5}");
  // An equal key goes in after the one already there.
  CHECK(show(F.multimap) == "std::tr1::unordered_multimap<int, int>{{1, 10}, {1, 11}, {2, 20}}");
  CHECK(show(F.map) == "std::tr1::unordered_map<std::string, int>{" + joined(F.map, [](const auto& e) {
          return fmt::format("{{\"{}\", {}}}", e.first, e.second);
        }) + "}");
  CHECK(show(F.empty_map) == "std::tr1::unordered_map<int, double>{}");
  // Chains in many buckets, the first 100 printed of 100.
  CHECK(show(F.many) == "std::tr1::unordered_set<int>{" + joined(F.many, [](int v) { return fmt::format("{}", v); }) + "}");
}

TEST_CASE("std legacy: TR1 hash tables walk through reflect::Array and reflect::Map") {
  const auto many = reflect::reflect(F.many).as<reflect::Array>();
  CHECK(many.size() == 100);
  std::vector<int> seen, expected(F.many.begin(), F.many.end());
  for (reflect::Value v : many) seen.push_back(v.as<int>());
  CHECK(seen == expected);
  CHECK(many.at(99).as<int>() == expected.back());

  const auto map = reflect::reflect(F.map).as<reflect::Map>();
  CHECK(map.size() == 3);
  CHECK(map.key_type().name() == "std::string");
  CHECK(map.mapped_type().name() == "int");
  REQUIRE(map.find("two"));
  CHECK(map.find("two")->as<int>() == 2);
  CHECK(map.find("two")->address() == &F.map.find("two")->second);
  CHECK_FALSE(map.find("four"));
  std::vector<std::string> keys, expected_keys;
  for (reflect::MapEntry e : map) keys.push_back(e.key().as<reflect::String>().text());
  for (const auto& e : F.map) expected_keys.push_back(e.first);
  CHECK(keys == expected_keys);
  CHECK(reflect::reflect(F.multimap).as<reflect::Map>().find(2)->as<int>() == 20);
}

TEST_CASE("std legacy: TR1 JSON") {
  CHECK(json(F.set) == reflect_test::canonical_json("[1, 2, 3]"));
  CHECK(json(F.map) == reflect_test::canonical_json(R"({"one": 1, "two": 2, "three": 3})"));  // an object: order-free
  CHECK(json(F.multimap) == reflect_test::canonical_json("[[1, 10], [1, 11], [2, 20]]"));
  CHECK(json(F.empty_map) == "[]");  // int keys: an array of pairs
  CHECK(json(F.shared) == reflect_test::canonical_json(R"({"id": 7})"));
  CHECK(json(F.expired) == "null");
}

namespace {

// The nodes of a tr1::unordered_set<int>: the element, then _M_next.
struct FakeNode {
  int value;
  FakeNode* next;
};

// A copy of a real tr1::unordered_set<int> whose table members are then pointed at fake nodes.
struct FakeSet {
  alignas(std::tr1::unordered_set<int>) unsigned char bytes[sizeof(std::tr1::unordered_set<int>)];
  reflect::Value value() const { return reflect::Value::at(reflect::type_of<std::tr1::unordered_set<int>>(), bytes); }
  FakeSet() { std::memcpy(bytes, static_cast<const void*>(&fixtures().set), sizeof bytes); }
  void set(const char* member, std::uintptr_t word) {
    const reflect::Value table = reflect::reflect(fixtures().set);
    const std::size_t offset = reflect::detail::member_at(table, member).offset;
    std::memcpy(bytes + offset, &word, sizeof word);
  }
  static const std_legacy::Fixtures& fixtures() { return std_legacy::fixtures(); }
};

}  // namespace

TEST_CASE("std legacy: a TR1 hash table over broken memory prints what memory holds") {
  FakeNode n[3] = {{1, nullptr}, {2, nullptr}, {3, nullptr}};
  FakeNode* buckets[4] = {&n[0], nullptr, &n[2], reinterpret_cast<FakeNode*>(0x1000)};  // [3]: tr1's sentinel
  FakeSet fake;
  fake.set("_M_buckets", at(buckets));
  fake.set("_M_bucket_count", 3);

  // Chains in buckets 0 and 2; the sentinel after them is never read as a chain.
  n[0].next = &n[1];
  fake.set("_M_element_count", 3);
  CHECK(fmt::format("{}", fake.value()) == "std::tr1::unordered_set<int>{1, 2, 3}");

  // A recorded count larger than the nodes: the nodes, and a note.
  fake.set("_M_element_count", 5);
  CHECK(fmt::format("{}", fake.value()) ==
        "std::tr1::unordered_set<int>{1, 2, 3, <the container records 5 elements; memory holds 3>}");

  // A chain that leads back into itself: the walk stops at the cycle.
  fake.set("_M_element_count", 1000000);
  n[1].next = &n[0];
  const std::string looped = fmt::format("{}", fake.value());
  CHECK(looped == fmt::format("std::tr1::unordered_set<int>{{1, 2, <cycle {}>}}", static_cast<const void*>(&n[0])));
  CHECK_THROWS_AS(fake.value().as<reflect::Array>().at(999999), reflect::Error);
  n[1].next = nullptr;

  // A bucket array that is not there: unreadable, in place.
  fake.set("_M_element_count", 3);
  fake.set("_M_buckets", 0x10);
  CHECK(fmt::format("{}", fake.value()) == "std::tr1::unordered_set<int>{<unreadable 0x10>}");

  // A bucket count no table has: the walk does not crawl through it.
  fake.set("_M_buckets", at(buckets));
  fake.set("_M_bucket_count", std::uintptr_t{1} << 60);
  CHECK(fmt::format("{}", fake.value()) ==
        "std::tr1::unordered_set<int>{<error: the table records 1152921504606846976 buckets: its memory is not a hash "
        "table's>}");
}

// ---- TR1 smart pointers ---------------------------------------------------------------------------

TEST_CASE("std legacy: TR1 shared_ptr and weak_ptr show their object, <expired>, or nullptr") {
  CHECK(show(F.shared) == "std::tr1::shared_ptr<std_legacy::Crate>{{.id = 7}}");
  CHECK(show(F.weak) == "std::tr1::weak_ptr<std_legacy::Crate>{{.id = 7}}");
  CHECK(show(F.expired) == "std::tr1::weak_ptr<std_legacy::Crate>{<expired>}");
  CHECK(show(F.weak_empty) == "nullptr");
  CHECK(show(F.shared_empty) == "nullptr");

  const auto live = reflect::reflect(F.weak).as<reflect::Pointer>();
  CHECK_FALSE(live.is_expired());
  CHECK(live.target_address() == F.shared.get());
  CHECK(live.deref().as<reflect::Struct>().field("id")->value().as<int>() == 7);
  CHECK(reflect::reflect(F.expired).as<reflect::Pointer>().is_expired());
  CHECK(reflect::reflect(F.shared_empty).as<reflect::Pointer>().is_null());
}

// ---- Library Fundamentals and Filesystem TS -------------------------------------------------------

TEST_CASE("std legacy: experimental::optional, any, string_view and filesystem::path") {
  CHECK(show(F.optional) == "std::experimental::optional<int>{5}");
  CHECK(show(F.optional_text) == R"(std::experimental::optional<std::string>{"text"})");
  CHECK(show(F.optional_empty) == "std::experimental::nullopt");
  CHECK(show(F.any_int) == "std::experimental::any{42}");
  CHECK(show(F.any_text) == R"(std::experimental::any{"held"})");
  CHECK(show(F.any_empty) == "std::experimental::any{}");
  CHECK(show(F.view) == R"("view")");
  CHECK(show(F.wide_view) == R"(L"wide")");
  CHECK(reflect::reflect(F.view).type().name() == "std::experimental::string_view");
  CHECK(reflect::reflect(F.wide_view).type().name() == "std::experimental::wstring_view");
  CHECK(show(F.path) == R"(std::experimental::filesystem::path{"/usr/lib/debug"})");
  CHECK(show(F.path_empty) == R"(std::experimental::filesystem::path{""})");

  const auto optional = reflect::reflect(F.optional_text).as<reflect::Optional>();
  REQUIRE(optional.has_value());
  CHECK(optional.value().address() == &*F.optional_text);
  CHECK_FALSE(reflect::reflect(F.optional_empty).as<reflect::Optional>().has_value());
  const auto any = reflect::reflect(F.any_text).as<reflect::Optional>();
  REQUIRE(any.has_value());
  CHECK(any.value().address() == std::experimental::any_cast<std::string>(&F.any_text));
  CHECK(reflect::reflect(F.view).as<reflect::String>().text() == "view");
  CHECK(reflect::reflect(F.path).as<reflect::String>().text() == "/usr/lib/debug");
  CHECK(reflect::find_type("std::experimental::string_view"));
}

TEST_CASE("std legacy: names drop the TSes' inline namespaces, and find_type takes them so") {
  CHECK(reflect::reflect(F.optional).type().name() == "std::experimental::optional<int>");
  CHECK(reflect::reflect(F.path).type().name() == "std::experimental::filesystem::path");
  const std::pair<const char*, const char*> lookups[] = {
      {"std::experimental::optional<int>", "std::experimental::optional<int>"},
      {"std::experimental::fundamentals_v1::optional<int>", "std::experimental::optional<int>"},
      {"std::experimental::any", "std::experimental::any"},
      {"std::experimental::string_view", "std::experimental::string_view"},
      {"std::experimental::filesystem::path", "std::experimental::filesystem::path"},
      {"std::experimental::filesystem::v1::path", "std::experimental::filesystem::path"},
  };
  for (const auto& [asked, named] : lookups) {
    CAPTURE(asked);
    const auto found = reflect::find_type(asked);
    REQUIRE(found);
    CHECK(found->name() == named);
  }
  // A user's namespaces of the same names are theirs: kept.
  const std_legacy::Namespaced& user = std_legacy::namespaced();
  CHECK(show(user) == "std_legacy::Namespaced{.versioned = {.v = 1}, .kept = {.k = 2}}");
  CHECK(reflect::reflect(user.versioned).type().name() == "std_legacy::v1::Versioned");
  CHECK(reflect::reflect(user.kept).type().name() == "std_legacy::fundamentals_v1::Kept");
  CHECK(reflect::find_type("std_legacy::v1::Versioned"));
  CHECK(reflect::find_type("std_legacy::fundamentals_v1::Kept"));
  CHECK_FALSE(reflect::find_type("std_legacy::Kept"));
}

TEST_CASE("std legacy: nested, and as JSON") {
  CHECK(show(F.legacy) ==
        R"(std_legacy::Legacy{.table = {{3, 30}}, .crate = {.id = 1}, .maybe = 8, .anything = 2.5, )"
        R"(.name = "nested", .where = "a/b"})");
  CHECK(json(F.legacy) ==
        reflect_test::canonical_json(R"({"table": [[3, 30]], "crate": {"id": 1}, "maybe": 8, "anything": 2.5, "name": "nested", "where": "a/b"})"));
  CHECK(json(F.optional_empty) == "null");
  CHECK(json(F.any_empty) == "null");
  CHECK(json(F.path) == reflect_test::json_string("/usr/lib/debug"));
}
