// What gdb's libstdc++ printers show beyond the containers: iterators (as pointers to their
// element), node handles, the <compare> orderings, regex NFA states and __gnu_cxx::slist, printed
// (exact strings), walked and written as JSON.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/std_iterators.hpp"
#include "json_support.hpp"

#include <compare>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace {

const std_iterators::Fixtures& F = std_iterators::fixtures();

std::string show(const reflect::Value& value) { return fmt::format("{}", value); }
std::string show_multiline(const reflect::Value& value) { return fmt::format("{:#}", value); }
std::string json(const reflect::Value& value) { return reflect_test::canonical_json(reflect::to_json(value)); }

reflect::Value pointee(const reflect::Value& iterator) { return iterator.as<reflect::Pointer>().deref(); }

// An object of type T whose bytes are `words`: an iterator over garbage.
template <class T> struct Garbage {
  static_assert(alignof(T) <= alignof(std::uintptr_t));
  std::uintptr_t words[(sizeof(T) + sizeof(std::uintptr_t) - 1) / sizeof(std::uintptr_t)];
  reflect::Value value() const { return reflect::Value::at(reflect::type_of<T>(), words); }
};

}  // namespace

// ---- node iterators ---------------------------------------------------------------------------

TEST_CASE("std iterators: a node iterator prints as a pointer to its element") {
  CHECK(show(reflect::reflect(F.list_it)) == "std::_List_iterator<int>{20}");
  CHECK(show(reflect::reflect(F.list_cit)) == "std::_List_const_iterator<int>{10}");
  CHECK(show(reflect::reflect(F.flist_it)) == "std::_Fwd_list_iterator<int>{2}");
  CHECK(show(reflect::reflect(F.set_it)) == "std::_Rb_tree_const_iterator<int>{2}");
  CHECK(show(reflect::reflect(F.map_it)) ==
        R"(std::_Rb_tree_iterator<std::pair<const std::string, std::string>>{{"two", "dos"}})");
  CHECK(show(reflect::reflect(F.uset_it)) == "std::__detail::_Node_iterator<int, true, false>{4}");
  CHECK(show(reflect::reflect(F.umap_it)) ==
        R"(std::__detail::_Node_iterator<std::pair<const std::string, int>, false, true>{{"k", 1}})");
  CHECK(show(reflect::reflect(F.umap_cit)) ==
        R"(std::__detail::_Node_const_iterator<std::pair<const std::string, int>, false, true>{{"k", 1}})");
  CHECK(show(reflect::reflect(F.slist_it)) == "__gnu_cxx::_Slist_iterator<int, int&, int*>{4}");
  CHECK(show_multiline(reflect::reflect(F.map_it)) ==
        "std::_Rb_tree_iterator<std::pair<const std::string, std::string>>{{\n"
        "    \"two\",\n"
        "    \"dos\",\n"
        "  }}");
  CHECK(reflect::to_string(reflect::reflect(F.list_it), {.show_type = false}) == "20");
}

TEST_CASE("std iterators: end and singular iterators") {
  // A tree's end() is its header, which holds no element.
  CHECK(show(reflect::reflect(F.set_end)) == "<end>");
  CHECK(show(reflect::reflect(F.map_end)) == "<end>");
  CHECK(show(reflect::reflect(F.empty_map_end)) == "<end>");  // the header of an empty tree
  CHECK(show_multiline(reflect::reflect(F.map_end)) == "<end>");
  // A forward_list's and a hash table's end() is a null link.
  CHECK(show(reflect::reflect(F.flist_end)) == "nullptr");
  CHECK(show(reflect::reflect(F.uset_end)) == "nullptr");
  // Default-constructed (singular) iterators point nowhere.
  CHECK(show(reflect::reflect(F.list_singular)) == "nullptr");
  CHECK(show(reflect::reflect(F.map_singular)) == "nullptr");
  CHECK(show(reflect::reflect(F.vec_singular)) == "nullptr");
  CHECK(show(reflect::reflect(F.deque_singular)) == "nullptr");
  CHECK(show(reflect::reflect(F.bit_singular)) == "nullptr");

  for (const reflect::Value& none : {reflect::reflect(F.set_end), reflect::reflect(F.empty_map_end),
                                     reflect::reflect(F.flist_end), reflect::reflect(F.list_singular),
                                     reflect::reflect(F.vec_singular), reflect::reflect(F.deque_singular)}) {
    CAPTURE(none.type().name());
    const auto p = none.as<reflect::Pointer>();
    CHECK(p.is_null());
    CHECK_THROWS_AS(p.deref(), reflect::Error);
  }
  // A root (2 in F.set) is black, and its parent's parent is itself: not the header.
  CHECK(show(reflect::reflect(F.set_it)) == "std::_Rb_tree_const_iterator<int>{2}");
  const std::set<int> one{5};
  CHECK(show(reflect::reflect(one.begin())) == "std::_Rb_tree_const_iterator<int>{5}");
}

// ---- contiguous iterators ----------------------------------------------------------------------

TEST_CASE("std iterators: vector, string and deque iterators") {
  CHECK(show(reflect::reflect(F.vec_it)) == "__gnu_cxx::__normal_iterator<int*, std::vector<int>>{6}");
  CHECK(show(reflect::reflect(F.vec_cit)) == "__gnu_cxx::__normal_iterator<const int*, std::vector<int>>{5}");
  CHECK(show(reflect::reflect(F.point_it)) ==
        "__gnu_cxx::__normal_iterator<std_iterators::Point*, std::vector<std_iterators::Point>>{{.x = 3, .y = 4}}");
  CHECK(show_multiline(reflect::reflect(F.point_it)) ==
        "__gnu_cxx::__normal_iterator<std_iterators::Point*, std::vector<std_iterators::Point>>{{\n"
        "    .x = 3,\n"
        "    .y = 4,\n"
        "  }}");
  CHECK(show(reflect::reflect(F.text_it)) == "__gnu_cxx::__normal_iterator<char*, std::string>{'e'}");
  CHECK(show(reflect::reflect(F.text_cit)) == "__gnu_cxx::__normal_iterator<const char*, std::string>{'y'}");
  CHECK(show(reflect::reflect(F.deque_it)) == "std::_Deque_iterator<int, int&, int*>{9}");
  CHECK(show(reflect::reflect(F.deque_cit)) == "std::_Deque_iterator<int, const int&, const int*>{8}");

  // end() points past the last element: the address is right, what lies there is not an element.
  const auto end = reflect::reflect(F.vec.end()).as<reflect::Pointer>();
  CHECK(end.target_address() == F.vec.data() + F.vec.size());
}

// ---- vector<bool> ------------------------------------------------------------------------------

TEST_CASE("std iterators: a vector<bool> iterator holds the bit it designates") {
  CHECK(show(reflect::reflect(F.bit_it)) == "std::_Bit_iterator{true}");
  CHECK(show(reflect::reflect(F.bit_cit)) == "std::_Bit_const_iterator{false}");
  CHECK(show(reflect::reflect(F.bit_ref)) == "std::_Bit_reference{true}");
  CHECK(show_multiline(reflect::reflect(F.bit_cit)) == "std::_Bit_const_iterator{false}");

  const auto bit = reflect::reflect(F.bit_it).as<reflect::Optional>();
  REQUIRE(bit.has_value());
  CHECK(bit.value().type().name() == "bool");
  CHECK(bit.value().as<bool>());
  CHECK_FALSE(reflect::reflect(F.bit_cit).as<reflect::Optional>().value().as<bool>());
  CHECK(reflect::reflect(F.bit_ref).as<reflect::Optional>().value().as<bool>());
  CHECK_FALSE(reflect::reflect(F.bit_singular).as<reflect::Optional>().has_value());

  // Every bit of a word, past the first byte too.
  std::vector<bool> many(70);
  many[63] = many[64] = true;
  CHECK(show(reflect::reflect(many.begin() + 63)) == "std::_Bit_iterator{true}");
  CHECK(show(reflect::reflect(many.begin() + 62)) == "std::_Bit_iterator{false}");
  CHECK(show(reflect::reflect(many.begin() + 64)) == "std::_Bit_iterator{true}");
  CHECK(show(reflect::reflect(many[63])) == "std::_Bit_reference{true}");
}

// ---- walking -----------------------------------------------------------------------------------

TEST_CASE("std iterators: walk to their element through reflect::Pointer") {
  CHECK(pointee(reflect::reflect(F.list_it)).as<int>() == 20);
  CHECK(pointee(reflect::reflect(F.list_it)).address() == &*F.list_it);
  CHECK(pointee(reflect::reflect(F.list_cit)).as<int>() == 10);
  CHECK(pointee(reflect::reflect(F.flist_it)).as<int>() == 2);
  CHECK(pointee(reflect::reflect(F.set_it)).address() == &*F.set_it);
  CHECK(pointee(reflect::reflect(F.vec_it)).as<int>() == 6);
  CHECK(pointee(reflect::reflect(F.text_it)).as<char>() == 'e');
  CHECK(pointee(reflect::reflect(F.deque_it)).as<int>() == 9);
  CHECK(pointee(reflect::reflect(F.uset_it)).as<int>() == 4);
  CHECK(pointee(reflect::reflect(F.slist_it)).as<int>() == 4);
  CHECK(pointee(reflect::reflect(F.point_it)).as<reflect::Struct>().field("y")->value().as<int>() == 4);

  const auto entry = reflect::reflect(F.map_it).as<reflect::Pointer>();
  CHECK(entry.pointee_type().name() == "std::pair<const std::string, std::string>");
  CHECK(entry.target_address() == &*F.map_it);
  const auto pair = entry.deref().as<reflect::Tuple>();
  CHECK(pair[0].as<reflect::String>().text() == "two");
  CHECK(pair[1].as<reflect::String>().text() == "dos");

  const auto hashed = pointee(reflect::reflect(F.umap_it)).as<reflect::Tuple>();
  CHECK(hashed[0].as<reflect::String>().text() == "k");
  CHECK(hashed[1].as<int>() == 1);
}

// ---- node handles ------------------------------------------------------------------------------

TEST_CASE("std iterators: a node handle holds its element, like an optional") {
  CHECK(show(reflect::reflect(F.set_node)) == "std::_Node_handle<int, int>{7}");
  CHECK(show(reflect::reflect(F.set_node_empty)) == "std::_Node_handle<int, int>{}");
  CHECK(show(reflect::reflect(F.map_node)) ==
        R"(std::_Node_handle<std::string, std::pair<const std::string, int>>{{"moved", 7}})");
  CHECK(show(reflect::reflect(F.hash_node)) ==
        R"(std::_Node_handle<int, std::pair<const int, std::string>>{{5, "five"}})");
  CHECK(show(reflect::reflect(F.hash_node_empty)) == "std::_Node_handle<std::string, std::string>{}");
  CHECK(show_multiline(reflect::reflect(F.map_node)) ==
        "std::_Node_handle<std::string, std::pair<const std::string, int>>{{\n"
        "    \"moved\",\n"
        "    7,\n"
        "  }}");

  const auto held = reflect::reflect(F.set_node).as<reflect::Optional>();
  REQUIRE(held.has_value());
  CHECK(held.value().as<int>() == 7);
  CHECK_FALSE(reflect::reflect(F.set_node_empty).as<reflect::Optional>().has_value());
  CHECK_FALSE(reflect::reflect(F.hash_node_empty).as<reflect::Optional>().has_value());
  const auto pair = reflect::reflect(F.map_node).as<reflect::Optional>().value().as<reflect::Tuple>();
  CHECK(pair[0].as<reflect::String>().text() == "moved");
  CHECK(pair[1].as<int>() == 7);
  CHECK(reflect::reflect(F.hash_node).as<reflect::Optional>().value().as<reflect::Tuple>()[0].as<int>() == 5);
}

// ---- orderings ---------------------------------------------------------------------------------

TEST_CASE("std iterators: the orderings print as their constants") {
  CHECK(show(reflect::reflect(F.strong_less)) == "std::strong_ordering::less");
  CHECK(show(reflect::reflect(F.strong_equal)) == "std::strong_ordering::equal");
  CHECK(show(reflect::reflect(F.strong_greater)) == "std::strong_ordering::greater");
  CHECK(show(reflect::reflect(F.weak_equivalent)) == "std::weak_ordering::equivalent");
  CHECK(show(reflect::reflect(F.weak_less)) == "std::weak_ordering::less");
  CHECK(show(reflect::reflect(F.partial_unordered)) == "std::partial_ordering::unordered");
  CHECK(show(reflect::reflect(F.partial_greater)) == "std::partial_ordering::greater");
  CHECK(show_multiline(reflect::reflect(F.partial_unordered)) == "std::partial_ordering::unordered");
  const std::strong_ordering equivalent = std::strong_ordering::equivalent;  // the same value as equal
  CHECK(show(reflect::reflect(equivalent)) == "std::strong_ordering::equal");
  const std::partial_ordering computed = 1.0 <=> std::numeric_limits<double>::quiet_NaN();
  CHECK(show(reflect::reflect(computed)) == "std::partial_ordering::unordered");

  // Walked as the value <compare> keeps.
  CHECK(reflect::reflect(F.strong_less).as<reflect::Optional>().value().as<signed char>() == -1);
  CHECK(reflect::reflect(F.partial_unordered).as<reflect::Optional>().value().as<signed char>() == 2);

  // A value none of the constants has (garbage) says so in place.
  Garbage<std::weak_ordering> garbage{{2}};
  CHECK(show(garbage.value()) == "<invalid std::weak_ordering 2>");
}

// ---- regex -------------------------------------------------------------------------------------

TEST_CASE("std iterators: a regex NFA state shows its opcode and the operands it uses") {
  // "a|b+?": the states the ECMAScript compiler of GCC 12 makes, in order.
  const auto nfa = reflect::reflect(F.regex).as<reflect::Struct>().field("_M_automaton")->value().as<reflect::Pointer>().deref();
  const auto states = nfa.as<reflect::Struct>().bases()[1].value().as<reflect::Array>();
  REQUIRE(states.size() == 10);
  CHECK(show(states[0]) == "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_subexpr_begin, 7, 0}");
  CHECK(show(states[1]) ==
        "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_match, 8, "
        "std::__detail::_CharMatcher<std::regex_traits<char>, false, false>{._M_translator = {}, ._M_ch = 'a'}}");
  CHECK(show(states[2]) == "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_dummy, 8}");
  CHECK(show(states[4]) == "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_repeat, 8, 3, true}");
  CHECK(show(states[7]) == "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_alternative, 3, 1}");
  CHECK(show(states[8]) == "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_subexpr_end, 9, 0}");
  CHECK(show(states[9]) == "std::__detail::_State<char>{std::__detail::_Opcode::_S_opcode_accept, -1}");
  CHECK(show_multiline(states[4]) ==
        "std::__detail::_State<char>{\n"
        "  std::__detail::_Opcode::_S_opcode_repeat,\n"
        "  8,\n"
        "  3,\n"
        "  true,\n"
        "}");

  const auto repeat = states[4].as<reflect::Tuple>();
  REQUIRE(repeat.size() == 4);
  CHECK(repeat[1].as<long>() == 8);
  CHECK(repeat[2].as<long>() == 3);
  CHECK(repeat[3].as<bool>());
  const auto match = states[3].as<reflect::Tuple>();
  REQUIRE(match.size() == 3);
  const auto matcher = match[2].as<reflect::Optional>().value();  // the std::function's target
  CHECK(matcher.as<reflect::Struct>().field("_M_ch")->value().as<char>() == 'b');
  CHECK(json(states[3]) == reflect_test::canonical_json(R"(["_S_opcode_match", 4, {"_M_translator": {}, "_M_ch": "b"}])"));
  CHECK(json(states[4]) == reflect_test::canonical_json(R"(["_S_opcode_repeat", 8, 3, true])"));
}

// ---- slist -------------------------------------------------------------------------------------

TEST_CASE("std iterators: __gnu_cxx::slist is a sequence") {
  CHECK(show(reflect::reflect(F.slist)) == "__gnu_cxx::slist<int>{3, 4}");
  CHECK(show(reflect::reflect(F.slist_text)) == R"(__gnu_cxx::slist<std::string>{"a", "b"})");
  CHECK(show(reflect::reflect(F.slist_empty)) == "__gnu_cxx::slist<int>{}");
  CHECK(show_multiline(reflect::reflect(F.slist)) == "__gnu_cxx::slist<int>{\n  3,\n  4,\n}");
  const auto a = reflect::reflect(F.slist).as<reflect::Array>();
  CHECK(a.size() == 2);  // counted: an slist records no size
  CHECK(a[1].as<int>() == 4);
  CHECK(reflect::reflect(F.slist_text).as<reflect::Array>()[0].as<reflect::String>().text() == "a");
  CHECK(reflect::reflect(F.slist_empty).as<reflect::Array>().size() == 0);
}

// ---- nested, JSON, garbage ---------------------------------------------------------------------

TEST_CASE("std iterators: nested in a struct, the members print without their types") {
  CHECK(show(reflect::reflect(F.cursor)) ==
        R"(std_iterators::Cursor{.at = 20, .end = <end>, .none = nullptr, .bit = true, .node = 9, )"
        R"(.entry = {"key", 1}, .order = std::strong_ordering::greater})");
  CHECK(show_multiline(reflect::reflect(F.cursor)) ==
        "std_iterators::Cursor{\n"
        "  .at = 20,\n"
        "  .end = <end>,\n"
        "  .none = nullptr,\n"
        "  .bit = true,\n"
        "  .node = 9,\n"
        "  .entry = {\n"
        "    \"key\",\n"
        "    1,\n"
        "  },\n"
        "  .order = std::strong_ordering::greater,\n"
        "}");
  std_iterators::Cursor empty;
  CHECK(show(reflect::reflect(empty)) ==
        "std_iterators::Cursor{.at = nullptr, .end = nullptr, .none = nullptr, .bit = nullptr, .node = {}, "
        ".entry = {}, .order = std::strong_ordering::greater}");
}

TEST_CASE("std iterators: JSON") {
  CHECK(json(reflect::reflect(F.list_it)) == "20");
  CHECK(json(reflect::reflect(F.map_it)) == reflect_test::canonical_json(R"(["two", "dos"])"));
  CHECK(json(reflect::reflect(F.map_end)) == reflect_test::json_string("<end>"));
  CHECK(json(reflect::reflect(F.list_singular)) == "null");
  CHECK(json(reflect::reflect(F.text_it)) == reflect_test::json_string("e"));
  CHECK(json(reflect::reflect(F.point_it)) == reflect_test::canonical_json(R"({"x": 3, "y": 4})"));
  CHECK(json(reflect::reflect(F.bit_it)) == "true");
  CHECK(json(reflect::reflect(F.bit_cit)) == "false");
  CHECK(json(reflect::reflect(F.bit_singular)) == "null");
  CHECK(json(reflect::reflect(F.set_node)) == "7");
  CHECK(json(reflect::reflect(F.set_node_empty)) == "null");
  CHECK(json(reflect::reflect(F.hash_node)) == reflect_test::canonical_json(R"([5, "five"])"));
  CHECK(json(reflect::reflect(F.strong_less)) == reflect_test::json_string("std::strong_ordering::less"));
  CHECK(json(reflect::reflect(F.partial_unordered)) == reflect_test::json_string("std::partial_ordering::unordered"));
  CHECK(json(reflect::reflect(F.slist_text)) == reflect_test::canonical_json(R"(["a", "b"])"));
  CHECK(json(reflect::reflect(F.cursor)) ==
        reflect_test::canonical_json(R"({"at": 20, "end": "<end>", "none": null, "bit": true, "node": 9,
                                  "entry": ["key", 1], "order": "std::strong_ordering::greater"})"));
  // Every fixture, as one valid document.
  const std::string all = json(reflect::reflect(F));
  CHECK(reflect_test::json_at(all, "/umap_cit") == reflect_test::canonical_json(R"(["k", 1])"));
  CHECK(reflect_test::json_at(all, "/deque_cit") == "8");
  CHECK(reflect_test::json_string_at(all, "/empty_map_end") == "<end>");
}

TEST_CASE("std iterators: garbage prints as unreadable memory, in place") {
  Garbage<std::list<int>::iterator> list{{0x10}};
  CHECK(show(list.value()) == "std::_List_iterator<int>{<unreadable 0x20>}");
  Garbage<std::set<int>::iterator> tree{{0x10}};
  CHECK(show(tree.value()) == "<unreadable 0x10>");
  Garbage<std::vector<int>::iterator> vec{{0x10}};
  CHECK(show(vec.value()) == "__gnu_cxx::__normal_iterator<int*, std::vector<int>>{<unreadable 0x10>}");
  Garbage<std::vector<bool>::iterator> bits{{0x10, 64}};  // no bit 64 in a word
  CHECK(show(bits.value()).starts_with("<unreadable 0x"));
  Garbage<std::vector<bool>::reference> mask{{0x10, 3}};  // a mask of two bits
  CHECK(show(mask.value()).starts_with("<unreadable 0x"));
  Garbage<std::set<int>::node_type> handle{{0x10}};
  CHECK(show(handle.value()) == "std::_Node_handle<int, int>{<unreadable 0x30>}");
  CHECK(json(handle.value()) == reflect_test::json_string("<unreadable 0x30>"));
}
