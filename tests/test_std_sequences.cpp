// The standard library's other sequences and wrappers (tests/fixtures/std_sequences.hpp):
// std::deque, std::vector<bool>, std::bitset, std::span, std::initializer_list, the container
// adaptors, std::weak_ptr, smart pointers to arrays, std::atomic, std::reference_wrapper.
// Exact strings and documents from ARCHITECTURE.md §9, printed, walked and as JSON.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/provider.hpp>
#include <reflect/reflect.hpp>

#include "fixtures/std_sequences.hpp"
#include "json_support.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace {

const stdseq::Fixtures& S = stdseq::fixtures();

std::string show(const reflect::Value& value) { return fmt::format("{}", value); }
template <class T> std::string show(const T& object) { return show(reflect::reflect(object)); }
template <class T> std::string show_multiline(const T& object) { return fmt::format("{:#}", reflect::reflect(object)); }
template <class T> std::string json(const T& object) {
  return reflect_test::canonical_json(reflect::to_json(reflect::reflect(object)));
}
std::string address(const void* p) { return fmt::format("{}", p); }

// `{first, first + 1, ..., first + count - 1` with the printer's separators.
std::string counting(int first, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += fmt::format("{}{}", i ? ", " : "", first + i);
  return out;
}

}  // namespace

// ---- std::deque --------------------------------------------------------------------------------

TEST_CASE("std sequences: deque prints its elements in order") {
  CHECK(show(S.small_deque) == "std::deque<int>{1, 2, 3}");
  CHECK(show(S.empty_deque) == "std::deque<int>{}");
  CHECK(show(S.crates) == "std::deque<stdseq::Crate>{{.id = 1}, {.id = 2}}");
  // 1000 elements over many 128-int blocks, the first 100 shown.
  CHECK(show(S.big_deque) == "std::deque<int>{" + counting(-500, 100) + ", ...}");
  CHECK(show_multiline(S.small_deque) == "std::deque<int>{\n  1,\n  2,\n  3,\n}");
}

TEST_CASE("std sequences: deque walks through Array, directly and in order") {
  const auto big = reflect::reflect(S.big_deque).as<reflect::Array>();
  REQUIRE(big.size() == 1000);
  CHECK_FALSE(big.is_contiguous());
  CHECK(big.element_type().name() == "int");
  bool direct = true;
  for (std::size_t i = 0; i < big.size(); ++i) direct = direct && big.at(i).as<int>() == static_cast<int>(i) - 500;
  CHECK(direct);
  CHECK(big.at(999).address() == &S.big_deque[999]);
  int expected = -500;
  bool ordered = true;
  for (reflect::Value element : big) ordered = ordered && element.as<int>() == expected++;
  CHECK(ordered);
  CHECK(expected == 500);
  CHECK_THROWS_AS(big.at(1000), reflect::Error);

  const auto wide = reflect::reflect(S.wide).as<reflect::Array>();  // 16-byte elements, 32 a block
  REQUIRE(wide.size() == 40);
  CHECK(wide.at(33).as<long double>() == 33.0L);
  CHECK(wide.at(33).address() == &S.wide[33]);
  CHECK(reflect::reflect(S.empty_deque).as<reflect::Array>().empty());
}

TEST_CASE("std sequences: deque as JSON") {
  CHECK(json(S.small_deque) == reflect_test::canonical_json("[1, 2, 3]"));
  CHECK(json(S.crates) == reflect_test::canonical_json(R"([{"id": 1}, {"id": 2}])"));
  CHECK(json(S.empty_deque) == "[]");
}

// ---- std::vector<bool>, std::bitset -----------------------------------------------------------

TEST_CASE("std sequences: vector<bool> prints its bits as bools") {
  CHECK(show(S.bools) == "std::vector<bool>{true, false, true}");
  CHECK(show(S.empty_bools) == "std::vector<bool>{}");
  CHECK(json(S.bools) == reflect_test::canonical_json("[true, false, true]"));
}

TEST_CASE("std sequences: vector<bool> walks as one-bit bool values") {
  const auto bits = reflect::reflect(S.many_bools).as<reflect::Array>();
  REQUIRE(bits.size() == 70);
  CHECK(bits.element_type().name() == "bool");
  bool direct = true;
  for (std::size_t i = 0; i < bits.size(); ++i) direct = direct && bits.at(i).as<bool>() == (i % 3 == 0);
  CHECK(direct);
  const reflect::Value b65 = bits.at(65);  // bit 1 of the second word
  CHECK(b65.is_bitfield());
  CHECK(b65.bit_size() == 1);
  CHECK(b65.bit_offset() == 1);
  std::size_t index = 0;
  bool ordered = true;
  for (reflect::Value bit : bits) ordered = ordered && bit.as<bool>() == (index++ % 3 == 0);
  CHECK(ordered);
  CHECK(index == 70);
}

TEST_CASE("std sequences: bitset prints as to_string() does") {
  CHECK(show(S.bits8) == R"(std::bitset<8>{"01010011"})");
  CHECK(show(S.bits64) == R"(std::bitset<64>{"1)" + std::string(62, '0') + R"(1"})");
  CHECK(show(S.bits65) == R"(std::bitset<65>{"1)" + std::string(63, '0') + R"(1"})");
  CHECK(show(S.bits0) == R"(std::bitset<0>{""})");
  CHECK(json(S.bits8) == reflect_test::json_string("01010011"));
  CHECK(json(S.bits0) == reflect_test::json_string(""));
}

TEST_CASE("std sequences: a bitset's digits are held to max_string, as a string's characters") {
  const reflect::Value bits = reflect::reflect(S.bits65);
  CHECK(fmt::format("{}", reflect::formatted(bits, {.max_string = 4})) == R"(std::bitset<65>{"1000"...})");
  CHECK(reflect_test::canonical_json(reflect::to_json(bits, {.max_string = 4})) == reflect_test::json_string("1000..."));
  CHECK(fmt::format("{}", reflect::formatted(bits, {.max_string = 65})) ==
        R"(std::bitset<65>{"1)" + std::string(63, '0') + R"(1"})");
}

TEST_CASE("std sequences: bitset walks as bools, bit i at index i") {
  const auto bits = reflect::reflect(S.bits8).as<reflect::Array>();
  REQUIRE(bits.size() == 8);
  std::string seen;
  for (reflect::Value bit : bits) seen += bit.as<bool>() ? '1' : '0';
  CHECK(seen == "11001010");
  const auto wide = reflect::reflect(S.bits65).as<reflect::Array>();
  REQUIRE(wide.size() == 65);
  CHECK(wide.at(0).as<bool>());
  CHECK_FALSE(wide.at(63).as<bool>());
  CHECK(wide.at(64).as<bool>());
  CHECK(reflect::reflect(S.bits0).as<reflect::Array>().empty());
}

// ---- std::span, std::initializer_list ---------------------------------------------------------

TEST_CASE("std sequences: span and initializer_list") {
  CHECK(show(S.span) == "std::span<int>{10, 20, 30}");
  CHECK(show(S.fixed_span) == "std::span<int, 3>{10, 20, 30}");
  CHECK(show(S.empty_span) == "std::span<int>{}");
  CHECK(show(stdseq::numbers_list()) == "std::initializer_list<int>{4, 5, 6}");
  CHECK(show(stdseq::empty_list()) == "std::initializer_list<int>{}");
  CHECK(json(S.span) == reflect_test::canonical_json("[10, 20, 30]"));
  CHECK(json(stdseq::numbers_list()) == reflect_test::canonical_json("[4, 5, 6]"));

  const auto span = reflect::reflect(S.fixed_span).as<reflect::Array>();
  REQUIRE(span.size() == 3);
  CHECK(span.is_contiguous());
  CHECK(span.at(2).address() == &S.numbers[2]);
  const auto list = reflect::reflect(stdseq::numbers_list()).as<reflect::Array>();
  REQUIRE(list.size() == 3);
  CHECK(list.at(1).as<int>() == 5);
}

// ---- adaptors ---------------------------------------------------------------------------------

TEST_CASE("std sequences: adaptors print their container's elements in its order") {
  CHECK(show(S.stack) == "std::stack<int>{1, 2, 3}");
  CHECK(show(S.queue) == "std::queue<int>{4, 5, 6}");
  CHECK(show(S.heap) == "std::priority_queue<int>{5, 4, 3, 1, 1}");  // the vector's heap order
  CHECK(show(S.vector_stack) == "std::stack<int, std::vector<int>>{7, 8}");
  CHECK(show_multiline(S.queue) == "std::queue<int>{\n  4,\n  5,\n  6,\n}");
  CHECK(json(S.stack) == reflect_test::canonical_json("[1, 2, 3]"));
  CHECK(json(S.heap) == reflect_test::canonical_json("[5, 4, 3, 1, 1]"));

  const auto stack = reflect::reflect(S.stack).as<reflect::Array>();
  REQUIRE(stack.size() == 3);
  CHECK_FALSE(stack.is_contiguous());  // over a deque
  CHECK(stack.at(2).as<int>() == 3);
  const auto heap = reflect::reflect(S.heap).as<reflect::Array>();
  REQUIRE(heap.size() == 5);
  CHECK(heap.is_contiguous());  // over a vector
  int sum = 0;
  for (reflect::Value v : heap) sum += v.as<int>();
  CHECK(sum == 14);
}

namespace {

// A user's container: its elements and size, contiguous.
struct TinyView final : reflect::SequenceProvider {
  static reflect::Value items(const reflect::Value& tiny) { return tiny.as<reflect::Struct>().field("items")->value(); }
  reflect::Type element_type(const reflect::Value& tiny) const override {
    return items(tiny).as<reflect::Array>().element_type();
  }
  std::optional<std::size_t> size(const reflect::Value& tiny) const override {
    return std::min<std::size_t>(tiny.as<reflect::Struct>().field("count")->value().as<unsigned long>(), 4);
  }
  std::optional<std::uint64_t> contiguous_data(const reflect::Value& tiny) const override {
    return reinterpret_cast<std::uintptr_t>(items(tiny).address());
  }
};

}  // namespace

TEST_CASE("std sequences: an adaptor over a user's container goes through the user's provider") {
  reflect::add_provider("stdseq::Tiny", std::make_shared<TinyView>());
  CHECK(show(S.tiny_stack) == "std::stack<int, stdseq::Tiny>{9, 8}");
  CHECK(json(S.tiny_stack) == reflect_test::canonical_json("[9, 8]"));
  const auto stack = reflect::reflect(S.tiny_stack).as<reflect::Array>();
  REQUIRE(stack.size() == 2);
  CHECK(stack.at(1).as<int>() == 8);
}

// ---- smart pointers ---------------------------------------------------------------------------

TEST_CASE("std sequences: weak_ptr shows its object, <expired>, or nullptr") {
  CHECK(show(S.watcher) == "std::weak_ptr<stdseq::Crate>{{.id = 7}}");
  CHECK(show(S.expired) == "std::weak_ptr<stdseq::Crate>{<expired>}");
  CHECK(show(S.empty_weak) == "nullptr");
  CHECK(json(S.watcher) == reflect_test::canonical_json(R"({"id": 7})"));
  CHECK(json(S.expired) == "null");
  CHECK(json(S.empty_weak) == "null");

  const auto live = reflect::reflect(S.watcher).as<reflect::Pointer>();
  CHECK_FALSE(live.is_null());
  CHECK_FALSE(live.is_expired());
  CHECK(live.target_address() == S.owner.get());
  CHECK(live.deref().as<reflect::Struct>().field("id")->value().as<int>() == 7);
  const auto gone = reflect::reflect(S.expired).as<reflect::Pointer>();
  CHECK(gone.is_null());
  CHECK(gone.is_expired());
  const auto empty = reflect::reflect(S.empty_weak).as<reflect::Pointer>();
  CHECK(empty.is_null());
  CHECK_FALSE(empty.is_expired());
}

TEST_CASE("std sequences: smart pointers to arrays show the address only") {
  CHECK(show(S.int_block) == fmt::format("std::unique_ptr<int[]>{{{}}}", address(S.int_block.get())));
  CHECK(show(S.shared_block) == fmt::format("std::shared_ptr<int[]>{{{}}}", address(S.shared_block.get())));
  CHECK(show(S.null_block) == "nullptr");
  CHECK(json(S.int_block) == reflect_test::json_string(address(S.int_block.get())));
  CHECK(json(S.null_block) == "null");

  const auto block = reflect::reflect(S.int_block).as<reflect::Pointer>();
  CHECK(block.points_to_array());
  CHECK_FALSE(block.is_null());
  CHECK(block.target_address() == S.int_block.get());
  CHECK(block.pointee_type().name() == "int");
  CHECK(block.deref_static().as<int>() == 1);  // the first element, when asked for
  CHECK(reflect::reflect(S.shared_block).as<reflect::Pointer>().points_to_array());
  CHECK_FALSE(reflect::reflect(S.owner).as<reflect::Pointer>().points_to_array());
  CHECK(reflect::reflect(S.null_block).as<reflect::Pointer>().is_null());
}

// ---- std::atomic, std::reference_wrapper ------------------------------------------------------

TEST_CASE("std sequences: atomic shows its value") {
  CHECK(show(S.counter) == "std::atomic<int>{123}");
  CHECK(show(S.flag) == "std::atomic<bool>{true}");
  CHECK(show(S.crate_ptr) == "std::atomic<stdseq::Crate*>{nullptr}");
  CHECK(show(S.pair2) == "std::atomic<stdseq::Pair2>{{.a = 3, .b = 4}}");
  CHECK(show(S.big_counter) == "std::atomic<long>{-9}");
  CHECK(json(S.counter) == "123");
  CHECK(json(S.flag) == "true");
  CHECK(json(S.pair2) == reflect_test::canonical_json(R"({"a": 3, "b": 4})"));

  const auto counter = reflect::reflect(S.counter).as<reflect::Optional>();
  REQUIRE(counter.has_value());
  CHECK(counter.value().as<int>() == 123);
  CHECK(reflect::reflect(S.flag).as<reflect::Optional>().value().as<bool>());
  const auto pointer = reflect::reflect(S.crate_ptr).as<reflect::Optional>();
  REQUIRE(pointer.has_value());
  CHECK(pointer.value().as<reflect::Pointer>().is_null());
}

TEST_CASE("std sequences: reference_wrapper shows what it refers to") {
  CHECK(show(S.ref) == "std::reference_wrapper<int>{5}");
  CHECK(show(S.crate_ref) == "std::reference_wrapper<stdseq::Crate>{{.id = 7}}");
  CHECK(json(S.ref) == "5");
  const auto ref = reflect::reflect(S.ref).as<reflect::Pointer>();
  CHECK(ref.target_address() == &S.five);
  CHECK(ref.deref().as<int>() == 5);
}

// ---- nested -----------------------------------------------------------------------------------

TEST_CASE("std sequences: nested in a struct, without their type names") {
  const std::string expected = fmt::format(
      R"(stdseq::Holder{{.deque = {{1, 2}}, .bits = {{false, true}}, .flags = {{"00000101"}}, .view = {{10, 20}}, )"
      R"(.stack = {{4}}, .watcher = {{.id = 7}}, .gone = <expired>, .block = {}, .counter = 9, .ref = 5}})",
      address(S.holder.block.get()));
  CHECK(show(S.holder) == expected);
  const std::string document = reflect_test::canonical_json(fmt::format(
      R"({{"deque": [1, 2], "bits": [false, true], "flags": "00000101", "view": [10, 20], "stack": [4],
          "watcher": {{"id": 7}}, "gone": null, "block": "{}", "counter": 9, "ref": 5}})",
      address(S.holder.block.get())));
  CHECK(json(S.holder) == document);
}
