// The node-based containers of libstdc++ (lists, red-black trees, hash tables): their printed
// form and JSON (ARCHITECTURE §9, a contract), the walking API, and walks over broken nodes.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/std_nodes.hpp"
#include "json_support.hpp"
#include "fixtures/std_nodes_old_abi.hpp"
#include "reflect/std/layout.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

const std_nodes::Fixtures& F = std_nodes::fixtures();

template <class T> std::string show(const T& object) { return fmt::format("{}", reflect::reflect(object)); }
template <class T> std::string show_multiline(const T& object) { return fmt::format("{:#}", reflect::reflect(object)); }
template <class T> std::string json(const T& object) {
  return reflect_test::canonical_json(reflect::to_json(reflect::reflect(object)));
}

// The unordered containers promise no order: the expected text follows the container's own
// iteration order, each element's text written here.
template <class C, class F> std::string joined(const C& container, F&& text) {
  std::string out;
  for (const auto& element : container) out += (out.empty() ? "" : ", ") + text(element);
  return out;
}

std::string quoted(const std::string& s) { return fmt::format("\"{}\"", s); }

}  // namespace

// ---- lists ----------------------------------------------------------------------------------

TEST_CASE("std nodes: lists print their elements in order") {
  CHECK(show(F.list) == "std::list<int>{10, 20, 30}");
  CHECK(show(F.empty_list) == "std::list<int>{}");
  CHECK(show(F.words) == R"(std::list<std::string>{"alpha", "beta"})");
  CHECK(show(F.forward_list) == "std::forward_list<int>{1, 2, 3}");
  CHECK(show(F.empty_forward_list) == "std::forward_list<int>{}");
}

TEST_CASE("std nodes: a long list prints its first max_elements without walking the rest") {
  std::string expected = "std::list<int>{";
  for (int i = 0; i < 100; ++i) expected += fmt::format("{}, ", i);
  expected += "...}";
  CHECK(show(F.long_list) == expected);
  CHECK(fmt::format("{}", reflect::formatted(reflect::reflect(F.long_list), {.max_elements = 3})) ==
        "std::list<int>{0, 1, 2, ...}");
  const auto a = reflect::reflect(F.long_list).as<reflect::Array>();
  CHECK(a.size() == 200000);  // the recorded size: no walk
  CHECK(a.at(150000).as<int>() == 150000);
}

TEST_CASE("std nodes: lists walk through reflect::Array") {
  const auto a = reflect::reflect(F.list).as<reflect::Array>();
  CHECK(a.size() == 3);
  CHECK_FALSE(a.is_contiguous());
  CHECK(a.element_type().name() == "int");
  CHECK(a.at(1).as<int>() == 20);
  std::vector<int> seen;
  for (reflect::Value v : a) seen.push_back(v.as<int>());
  CHECK(seen == std::vector<int>{10, 20, 30});
  CHECK_THROWS_AS(a.at(3), reflect::Error);

  // forward_list records no size: Array counts it.
  const auto f = reflect::reflect(F.forward_list).as<reflect::Array>();
  CHECK(f.size() == 3);
  CHECK(f.at(2).as<int>() == 3);
  CHECK(reflect::reflect(F.empty_forward_list).as<reflect::Array>().empty());
  CHECK(reflect::reflect(F.words).as<reflect::Array>().at(1).as<reflect::String>().text() == "beta");
}

TEST_CASE("std nodes: the old ABI's list records no size: it is counted") {
  const reflect::Value list = reflect::Value::at(std_nodes::old_abi::list_type(), std_nodes::old_abi::list());
  CHECK(list.type().name() == "std::list<int>");
  CHECK(fmt::format("{}", list) == "std::list<int>{4, 5, 6}");
  const auto a = list.as<reflect::Array>();
  CHECK(a.size() == 3);
  CHECK(a.at(2).as<int>() == 6);
  CHECK(reflect_test::canonical_json(reflect::to_json(list)) == reflect_test::canonical_json("[4, 5, 6]"));
}

namespace {

// The C++11 ABI's list header {_M_next, _M_prev, _M_size} and _List_node<int>, laid out by hand
// so that their links can be broken.
struct FakeListNode {
  std::uintptr_t next;
  std::uintptr_t prev;
  int value;
};
struct FakeList {
  std::uintptr_t next;
  std::uintptr_t prev;
  std::size_t size;
};
static_assert(sizeof(FakeList) == sizeof(std::list<int>));

std::uintptr_t at(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

}  // namespace

TEST_CASE("std nodes: a list whose nodes loop or contradict its size prints what memory holds") {
  FakeList header{};
  FakeListNode n[3] = {{0, 0, 1}, {0, 0, 2}, {0, 0, 3}};
  const reflect::Value list = reflect::Value::at(reflect::type_of<std::list<int>>(), &header);

  // A recorded size larger than the nodes: the nodes, and a note.
  header = {at(&n[0]), at(&n[2]), 5};
  n[0].next = at(&n[1]);
  n[1].next = at(&n[2]);
  n[2].next = at(&header);
  CHECK(fmt::format("{}", list) == "std::list<int>{1, 2, 3, <the container records 5 elements; memory holds 3>}");

  // The last node leads back to the second: the walk stops at the cycle (or at max_elements).
  header.size = 1000000;
  n[2].next = at(&n[1]);
  const std::string looped = fmt::format("{}", list);
  CHECK(looped.starts_with("std::list<int>{1, 2, 3, 2, "));
  CHECK(looped.find("<cycle 0x") != std::string::npos);
  CHECK(looped.size() < 400);
  const auto a = list.as<reflect::Array>();
  CHECK_THROWS_AS(a.at(999999), reflect::Error);  // found the loop rather than walking it forever
  std::size_t iterated = 0;
  for (reflect::Value element : a) iterated += element.as<int>() > 0;  // ends at the loop, not after 10^6 steps
  CHECK(iterated >= 4);
  CHECK(iterated <= 8);
  CHECK(reflect_test::canonical_json(reflect::to_json(list)).starts_with("["));
}

// ---- trees ----------------------------------------------------------------------------------

TEST_CASE("std nodes: sets print in order") {
  CHECK(show(F.set) == "std::set<int>{1, 2, 3}");
  CHECK(show(F.empty_set) == "std::set<int>{}");
  CHECK(show(F.multiset) == "std::multiset<int>{1, 1, 2, 2, 3}");
  CHECK(show(F.names) == R"(std::set<std::string>{"alice", "bob", "carol"})");
}

TEST_CASE("std nodes: maps print their entries in key order") {
  CHECK(show(F.map) == R"(std::map<std::string, int>{{"one", 1}, {"three", 3}, {"two", 2}})");
  CHECK(show(F.multimap) == R"(std::multimap<int, std::string>{{1, "a"}, {2, "b"}, {2, "c"}})");
  CHECK(show(F.by_number) == R"(std::map<int, std::string>{{1, "one"}, {2, "two"}, {3, "three"}})");
  CHECK(show(F.by_suit) ==
        "std::map<std_nodes::Suit, int>{{std_nodes::Suit::Clubs, 1}, {std_nodes::Suit::Hearts, 3}, "
        "{std_nodes::Suit::Spades, 4}}");
  CHECK(show(F.descending) == "std::map<int, int, std::greater<int>>{{3, 30}, {2, 20}, {1, 10}}");
}

TEST_CASE("std nodes: a large map prints its first max_elements entries") {
  std::string expected = "std::map<std::string, int>{";
  for (int i = 0; i < 100; ++i) expected += fmt::format("{{\"key{:04}\", {}}}, ", i, i);
  expected += "...}";
  CHECK(show(F.big_map) == expected);
}

TEST_CASE("std nodes: trees walk through reflect::Array and reflect::Map") {
  const auto s = reflect::reflect(F.multiset).as<reflect::Array>();
  CHECK(s.size() == 5);
  std::vector<int> seen;
  for (reflect::Value v : s) seen.push_back(v.as<int>());
  CHECK(seen == std::vector<int>{1, 1, 2, 2, 3});

  const auto m = reflect::reflect(F.map).as<reflect::Map>();
  CHECK(m.size() == 3);
  CHECK(m.key_type().name() == "std::string");
  CHECK(m.mapped_type().name() == "int");
  std::vector<std::string> keys;
  for (reflect::MapEntry e : m) keys.push_back(e.key().as<reflect::String>().text() + "=" + std::to_string(e.value().as<int>()));
  CHECK(keys == std::vector<std::string>{"one=1", "three=3", "two=2"});
}

TEST_CASE("std nodes: Map::find descends a std::less tree and scans other orders") {
  const auto m = reflect::reflect(F.map).as<reflect::Map>();
  REQUIRE(m.find("two"));
  CHECK(m.find("two")->as<int>() == 2);
  CHECK(m.find("one")->as<int>() == 1);
  CHECK(m.find("three")->as<int>() == 3);
  CHECK_FALSE(m.find("four"));
  CHECK_FALSE(m.find(""));
  CHECK_FALSE(m.find("twox"));

  const auto by_number = reflect::reflect(F.by_number).as<reflect::Map>();
  CHECK(by_number.find(3)->as<reflect::String>().text() == "three");
  CHECK(by_number.find(1)->as<reflect::String>().text() == "one");
  CHECK_FALSE(by_number.find(0));
  CHECK_FALSE(by_number.find(4));
  CHECK_FALSE(by_number.find(-1));

  const auto by_suit = reflect::reflect(F.by_suit).as<reflect::Map>();
  CHECK(by_suit.find(std_nodes::Suit::Spades)->as<int>() == 4);
  CHECK(by_suit.find(std_nodes::Suit::Clubs)->as<int>() == 1);
  CHECK_FALSE(by_suit.find(std_nodes::Suit::Diamonds));

  // The first of equal keys, in order.
  CHECK(reflect::reflect(F.multimap).as<reflect::Map>().find(2)->as<reflect::String>().text() == "b");

  // std::greater orders the tree the other way: found by scanning.
  const auto descending = reflect::reflect(F.descending).as<reflect::Map>();
  CHECK(descending.find(1)->as<int>() == 10);
  CHECK(descending.find(3)->as<int>() == 30);
  CHECK_FALSE(descending.find(4));

  const auto transparent = reflect::reflect(F.transparent).as<reflect::Map>();
  CHECK(transparent.find("a")->as<int>() == 1);
  CHECK(transparent.find("b")->as<int>() == 2);
  CHECK_FALSE(transparent.find("c"));

  const auto big = reflect::reflect(F.big_map).as<reflect::Map>();
  CHECK(big.find("key0999")->as<int>() == 999);
  CHECK(big.find("key0500")->as<int>() == 500);
  CHECK_FALSE(big.find("key1000"));
  CHECK_THROWS_AS(static_cast<void>(m.find(1)), reflect::Error);  // text keys take text
}

TEST_CASE("std nodes: Map::find goes down the tree rather than along it") {
  // A copy of the map's header whose node count says 0: a scan finds nothing, a descent from
  // the root (the copy still links to the real nodes) finds the key.
  alignas(std::map<std::string, int>) unsigned char copy[sizeof(std::map<std::string, int>)];
  std::memcpy(copy, static_cast<const void*>(&F.map), sizeof copy);
  constexpr std::size_t kCount = sizeof copy - sizeof(std::size_t);  // _Rb_tree_header::_M_node_count ends the map
  std::size_t count = 0;
  std::memcpy(&count, copy + kCount, sizeof count);
  REQUIRE(count == F.map.size());
  count = 0;
  std::memcpy(copy + kCount, &count, sizeof count);
  const auto m = reflect::Value::at(reflect::type_of<std::map<std::string, int>>(), copy).as<reflect::Map>();
  CHECK(m.size() == 0);
  CHECK(m.find("three")->as<int>() == 3);
  CHECK_FALSE(m.find("four"));

  // The same with std::greater: scanned, so nothing is found.
  alignas(std::map<int, int, std::greater<int>>) unsigned char other[sizeof(std::map<int, int, std::greater<int>>)];
  std::memcpy(other, static_cast<const void*>(&F.descending), sizeof other);
  std::memcpy(other + kCount, &count, sizeof count);
  const auto d = reflect::Value::at(reflect::type_of<std::map<int, int, std::greater<int>>>(), other).as<reflect::Map>();
  CHECK(d.size() == 0);
  CHECK_FALSE(d.find(2));
}

// ---- hash tables ----------------------------------------------------------------------------

TEST_CASE("std nodes: unordered containers print in their own iteration order") {
  const auto number = [](auto v) { return fmt::format("{}", v); };
  CHECK(show(F.unordered_set) == "std::unordered_set<int>{" + joined(F.unordered_set, number) + "}");
  CHECK(show(F.unordered_multiset) == "std::unordered_multiset<int>{" + joined(F.unordered_multiset, number) + "}");
  CHECK(show(F.unordered_map) ==
        "std::unordered_map<std::string, int>{" +
            joined(F.unordered_map, [](const auto& e) { return fmt::format("{{\"{}\", {}}}", e.first, e.second); }) + "}");
  CHECK(show(F.unordered_multimap) ==
        "std::unordered_multimap<int, int>{" +
            joined(F.unordered_multimap, [](const auto& e) { return fmt::format("{{{}, {}}}", e.first, e.second); }) + "}");
  CHECK(show(F.empty_unordered_map) == "std::unordered_map<int, double>{}");
  CHECK(show(F.wide_set) == "std::unordered_set<long double>{" + joined(F.wide_set, [](long double v) {
          return fmt::format("{}", static_cast<double>(v));
        }) + "}");
  CHECK(show(F.cached_hashes) == "std::unordered_set<std::string>{" + joined(F.cached_hashes, quoted) + "}");
}

TEST_CASE("std nodes: unordered containers walk through reflect::Array and reflect::Map") {
  const auto s = reflect::reflect(F.unordered_set).as<reflect::Array>();
  CHECK(s.size() == 4);
  std::vector<int> seen, expected(F.unordered_set.begin(), F.unordered_set.end());
  for (reflect::Value v : s) seen.push_back(v.as<int>());
  CHECK(seen == expected);

  const auto m = reflect::reflect(F.unordered_map).as<reflect::Map>();
  CHECK(m.size() == 3);
  CHECK(m.find("two")->as<int>() == 2);  // scanned
  CHECK_FALSE(m.find("four"));
  std::vector<std::string> keys, expected_keys;
  for (reflect::MapEntry e : m) keys.push_back(e.key().as<reflect::String>().text());
  for (const auto& e : F.unordered_map) expected_keys.push_back(e.first);
  CHECK(keys == expected_keys);
  CHECK(reflect::reflect(F.unordered_multimap).as<reflect::Map>().find(2)->as<int>() == 20);
}

// ---- nested, multiline, JSON ----------------------------------------------------------------

TEST_CASE("std nodes: nested containers print without their type") {
  CHECK(show(F.inventory) ==
        R"(std_nodes::Inventory{.list = {10, 20, 30}, .forward_list = {1, 2, 3}, .set = {1, 2, 3}, )"
        R"(.map = {{"one", 1}, {"three", 3}, {"two", 2}}, .unordered_set = {7}, .unordered_map = {{"solo", 1}}})");
  CHECK(show_multiline(F.set) ==
        "std::set<int>{\n"
        "  1,\n"
        "  2,\n"
        "  3,\n"
        "}");
  CHECK(show_multiline(F.inventory) ==
        "std_nodes::Inventory{\n"
        "  .list = {\n"
        "    10,\n"
        "    20,\n"
        "    30,\n"
        "  },\n"
        "  .forward_list = {\n"
        "    1,\n"
        "    2,\n"
        "    3,\n"
        "  },\n"
        "  .set = {\n"
        "    1,\n"
        "    2,\n"
        "    3,\n"
        "  },\n"
        "  .map = {\n"
        "    {\"one\", 1},\n"
        "    {\"three\", 3},\n"
        "    {\"two\", 2},\n"
        "  },\n"
        "  .unordered_set = {\n"
        "    7,\n"
        "  },\n"
        "  .unordered_map = {\n"
        "    {\"solo\", 1},\n"
        "  },\n"
        "}");
}

TEST_CASE("std nodes: JSON") {
  CHECK(json(F.list) == reflect_test::canonical_json("[10, 20, 30]"));
  CHECK(json(F.forward_list) == reflect_test::canonical_json("[1, 2, 3]"));
  CHECK(json(F.empty_list) == reflect_test::canonical_json("[]"));
  CHECK(json(F.multiset) == reflect_test::canonical_json("[1, 1, 2, 2, 3]"));
  CHECK(json(F.map) == reflect_test::canonical_json(R"({"one": 1, "three": 3, "two": 2})"));
  CHECK(json(F.by_number) == reflect_test::canonical_json(R"([[1, "one"], [2, "two"], [3, "three"]])"));
  CHECK(json(F.by_suit) == reflect_test::canonical_json(R"([["Clubs", 1], ["Hearts", 3], ["Spades", 4]])"));
  CHECK(json(F.multimap) == reflect_test::canonical_json(R"([[1, "a"], [2, "b"], [2, "c"]])"));
  CHECK(json(F.unordered_map) == reflect_test::canonical_json(R"({"one": 1, "two": 2, "three": 3})"));  // an object: order-free
  std::vector<std::string> expected_pairs;  // in the table's own order
  for (const auto& [k, v] : F.unordered_multimap) expected_pairs.push_back(fmt::format("[{},{}]", k, v));
  CHECK(json(F.unordered_multimap) == fmt::format("[{}]", fmt::join(expected_pairs, ",")));
  CHECK(json(F.inventory) == reflect_test::canonical_json(R"({"list": [10, 20, 30], "forward_list": [1, 2, 3], "set": [1, 2, 3],
      "map": {"one": 1, "three": 3, "two": 2}, "unordered_set": [7], "unordered_map": {"solo": 1}})"));
}

// ---- where the element lies in a node ----------------------------------------------------------

namespace {
struct Mixed {
  char c;
  double d;
};
template <class T> std::size_t alignment() { return reflect::detail::alignment_of(reflect::type_of<T>().node()); }
}  // namespace

TEST_CASE("std nodes: an over-aligned element is found where its node puts it") {
  CHECK(fmt::format("{}", reflect::reflect(F.wide_list)) == "std::list<std_nodes::Wide>{{.v = 1}, {.v = 2}}");
  CHECK(fmt::format("{}", reflect::reflect(F.wide_map)) == "std::map<int, std_nodes::Wide>{{1, {.v = 5}}}");
  CHECK(alignment<std_nodes::Wide>() == 32);
}

TEST_CASE("std nodes: the element's alignment, for nodes no debug info describes") {
  // The fallback when no module describes a container's node type: the element after the
  // links, aligned as the ABI aligns it.
  CHECK(alignment<char>() == alignof(char));
  CHECK(alignment<int>() == alignof(int));
  CHECK(alignment<long double>() == alignof(long double));
  CHECK(alignment<Mixed>() == alignof(Mixed));
  CHECK(alignment<std::string>() == alignof(std::string));
  CHECK(alignment<std::pair<const std::string, int>>() == alignof(std::pair<const std::string, int>));
  CHECK(alignment<int[3]>() == alignof(int[3]));
  CHECK(alignment<std_nodes::Suit>() == alignof(std_nodes::Suit));
  CHECK(alignment<std::list<int>>() == alignof(std::list<int>));
}
