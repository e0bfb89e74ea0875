// The object model: walking fixture values by name, index and view (ARCHITECTURE.md §4, §5).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/zoo.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using reflect::Kind;

const zoo::Fixtures& F = zoo::fixtures();

template <class Record> std::vector<std::string> field_names(const Record& record) {
  std::vector<std::string> names;
  for (reflect::Field field : record.fields()) names.emplace_back(field.name());
  return names;
}

std::vector<std::string> base_names(const reflect::Struct& s) {
  std::vector<std::string> names;
  for (reflect::Base base : s.bases()) names.emplace_back(base.type().name());
  return names;
}

// The int in field `name` of a struct value.
int int_field(const reflect::Value& value, std::string_view name) {
  std::optional<reflect::Field> field = value.as<reflect::Struct>().field(name);
  REQUIRE(field.has_value());
  return field->value().as<int>();
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

TEST_CASE("walk: struct fields by name") {
  const reflect::Value v = reflect::reflect(F.point);
  CHECK(v.address() == &F.point);
  CHECK(v.type() == reflect::type_of<zoo::Point>());

  const auto s = v.as<reflect::Struct>();
  REQUIRE(s.field("x").has_value());
  REQUIRE(s.field("y").has_value());
  CHECK(s.field("x")->value().as<int>() == 1);
  CHECK(s.field("y")->value().as<int>() == 2);
  CHECK(s.field("y")->offset() == 4);
  CHECK(s.field("y")->type().name() == "int");
  CHECK(s.field("y")->access() == reflect::Access::Public);
  CHECK_FALSE(s.field("y")->is_bitfield());
  CHECK(s.field("y")->value().address() == &F.point.y);
  CHECK_FALSE(s.field("z").has_value());

  // nested
  const auto line = reflect::reflect(F.line).as<reflect::Struct>();
  REQUIRE(line.field("b").has_value());
  CHECK(int_field(line.field("b")->value(), "y") == 4);
}

TEST_CASE("walk: fields iterate in declaration order") {
  CHECK(field_names(reflect::reflect(F.point).as<reflect::Struct>()) ==
        std::vector<std::string>{"x", "y"});
  CHECK(field_names(reflect::reflect(F.config).as<reflect::Struct>()) ==
        std::vector<std::string>{"name", "ports", "timeout", "retries", "origin", "limit", "tags",
                                 "verbose"});
  const auto s = reflect::reflect(F.line).as<reflect::Struct>();
  CHECK(s.fields().size() == 2);
  CHECK(s.fields()[1].name() == "b");
  CHECK(reflect::reflect(F.empty).as<reflect::Struct>().fields().empty());
}

TEST_CASE("walk: private and protected members by name") {
  const auto s = reflect::reflect(F.account).as<reflect::Struct>();
  CHECK(field_names(s) == std::vector<std::string>{"id", "balance", "pin"});
  REQUIRE(s.field("balance").has_value());
  REQUIRE(s.field("pin").has_value());
  CHECK(s.field("id")->access() == reflect::Access::Public);
  CHECK(s.field("balance")->access() == reflect::Access::Private);
  CHECK(s.field("pin")->access() == reflect::Access::Protected);
  CHECK(s.field("balance")->value().as<int>() == F.account.get_balance());
  CHECK(s.field("pin")->value().as<int>() == 1234);
}

TEST_CASE("walk: anonymous struct and union members are found in place") {
  const auto s = reflect::reflect(F.tagged).as<reflect::Struct>();
  CHECK(field_names(s) == std::vector<std::string>{"kind", "f", "i", "lo", "hi"});
  REQUIRE(s.field("i").has_value());
  REQUIRE(s.field("f").has_value());
  REQUIRE(s.field("hi").has_value());
  CHECK(s.field("f")->value().as<float>() == 1.5f);
  CHECK(s.field("i")->value().as<int>() == 1069547520);
  CHECK(s.field("i")->offset() == offsetof(zoo::Tagged, i));
  CHECK(s.field("f")->offset() == s.field("i")->offset());
  CHECK(s.field("hi")->value().as<short>() == 4);
  CHECK(s.field("hi")->offset() == offsetof(zoo::Tagged, hi));

  // The type itself lists the anonymous members, unnamed.
  const std::vector<reflect::Member> members = reflect::type_of<zoo::Tagged>().members();
  REQUIRE(members.size() == 3);
  CHECK(members[0].name == "kind");
  CHECK(members[1].name.empty());
  CHECK(members[1].type.strip().kind() == Kind::Union);
  CHECK(members[2].name.empty());
  CHECK(members[2].type.strip().kind() == Kind::Struct);
}

TEST_CASE("walk: named union") {
  const reflect::Value v = reflect::reflect(F.number);
  CHECK(v.type().kind() == Kind::Union);
  const auto u = v.as<reflect::Union>();
  CHECK(field_names(u) == std::vector<std::string>{"i", "f"});
  CHECK(u.field("i")->value().as<int>() == 1065353216);
  CHECK(u.field("f")->value().as<float>() == 1.0f);
  CHECK_FALSE(v.try_as<reflect::Struct>().has_value());
  CHECK_FALSE(reflect::reflect(F.point).try_as<reflect::Union>().has_value());
}

TEST_CASE("walk: bitfields") {
  const auto s = reflect::reflect(F.bits).as<reflect::Struct>();
  CHECK(field_names(s) == std::vector<std::string>{"ready", "mode", "delta", "big", "tail"});
  REQUIRE(s.field("delta").has_value());
  REQUIRE(s.field("big").has_value());
  CHECK(s.field("delta")->is_bitfield());
  CHECK(s.field("delta")->value().is_bitfield());
  CHECK(s.field("delta")->value().bit_size() == 5);
  CHECK(s.field("delta")->value().as<int>() == -3);  // sign-extended
  CHECK(s.field("ready")->value().as<unsigned>() == 1u);
  CHECK(s.field("mode")->value().as<unsigned>() == 5u);
  CHECK(s.field("big")->value().bit_size() == 40);
  CHECK(s.field("big")->value().as<std::uint64_t>() == 0x123456789AULL);
  CHECK(s.field("tail")->value().as<unsigned>() == 100u);
}

TEST_CASE("walk: bases") {
  SUBCASE("single") {
    const auto s = reflect::reflect(F.derived).as<reflect::Struct>();
    CHECK(field_names(s) == std::vector<std::string>{"extra"});
    REQUIRE(s.bases().size() == 1);
    const reflect::Base base = s.bases()[0];
    CHECK(base.type().name() == "zoo::Base");
    CHECK_FALSE(base.is_virtual());
    CHECK(base.access() == reflect::Access::Public);
    CHECK(int_field(base.value(), "id") == 7);
  }
  SUBCASE("multiple") {
    const auto s = reflect::reflect(F.both).as<reflect::Struct>();
    CHECK(base_names(s) == std::vector<std::string>{"zoo::Left", "zoo::Right"});
    const reflect::Value right = s.bases()[1].value();
    CHECK(right.address() == static_cast<const zoo::Right*>(&F.both));
    CHECK(int_field(right, "r") == 2);
    CHECK(int_field(s.bases()[0].value(), "l") == 1);

    const std::vector<reflect::BaseClass> bases = reflect::type_of<zoo::Both>().bases();
    REQUIRE(bases.size() == 2);
    CHECK(bases[1].offset ==
          std::optional<std::size_t>(reinterpret_cast<const char*>(static_cast<const zoo::Right*>(&F.both)) -
                                     reinterpret_cast<const char*>(&F.both)));
  }
  SUBCASE("virtual diamond") {
    const auto bat = reflect::reflect(F.bat).as<reflect::Struct>();
    CHECK(field_names(bat) == std::vector<std::string>{"sonar"});  // no vtable pointer
    CHECK(base_names(bat) == std::vector<std::string>{"zoo::Mammal", "zoo::Winged"});
    CHECK_FALSE(bat.bases()[0].is_virtual());
    CHECK_FALSE(bat.bases()[1].is_virtual());

    const auto mammal = bat.bases()[0].value().as<reflect::Struct>();
    const auto winged = bat.bases()[1].value().as<reflect::Struct>();
    CHECK(mammal.value().address() == static_cast<const zoo::Mammal*>(&F.bat));
    CHECK(winged.value().address() == static_cast<const zoo::Winged*>(&F.bat));
    CHECK(int_field(mammal.value(), "fur") == 20);
    CHECK(int_field(winged.value(), "wings") == 30);

    // The virtual base, reached from either side, is the one Animal of the Bat.
    const zoo::Animal* animal = static_cast<const zoo::Animal*>(&F.bat);
    REQUIRE(mammal.bases().size() == 1);
    REQUIRE(winged.bases().size() == 1);
    CHECK(mammal.bases()[0].is_virtual());
    CHECK(mammal.bases()[0].type().name() == "zoo::Animal");
    CHECK(mammal.bases()[0].value().address() == animal);
    CHECK(winged.bases()[0].value().address() == animal);
    const auto animal_struct = mammal.bases()[0].value().as<reflect::Struct>();
    CHECK(field_names(animal_struct) == std::vector<std::string>{"age"});
    CHECK(int_field(animal_struct.value(), "age") == 10);

    // In the type, a virtual base has no fixed offset; the vtable pointer is an artificial member.
    const std::vector<reflect::BaseClass> bases = reflect::type_of<zoo::Mammal>().bases();
    REQUIRE(bases.size() == 1);
    CHECK(bases[0].is_virtual);
    CHECK_FALSE(bases[0].offset.has_value());
    bool has_artificial = false;
    for (const reflect::Member& m : reflect::type_of<zoo::Animal>().members())
      has_artificial = has_artificial || m.artificial;
    CHECK(has_artificial);
    CHECK(reflect::type_of<zoo::Bat>().is_complete());
    CHECK(reflect::type_of<zoo::Bat>().size() == sizeof(zoo::Bat));
  }
}

TEST_CASE("walk: C arrays") {
  const auto a = reflect::reflect(F.ints).as<reflect::Array>();
  CHECK(a.size() == 3);
  CHECK_FALSE(a.empty());
  CHECK(a.element_type().name() == "int");
  CHECK(a.at(0).as<int>() == 1);
  CHECK(a[2].as<int>() == 3);
  CHECK(a.at(1).address() == &F.ints[1]);
  CHECK_THROWS_AS(a.at(3), reflect::Error);
  std::vector<int> seen;
  for (reflect::Value element : a) seen.push_back(element.as<int>());
  CHECK(seen == std::vector<int>{1, 2, 3});

  const auto bytes = reflect::reflect(F.sbytes).as<reflect::Array>();
  CHECK(bytes.at(0).as<signed char>() == -1);
  CHECK(reflect::reflect(F.ubytes).as<reflect::Array>().at(2).as<unsigned char>() == 255);
}

TEST_CASE("walk: 2-D arrays: each element is an Array") {
  const auto grid = reflect::reflect(F.grid).as<reflect::Array>();
  CHECK(grid.size() == 2);
  CHECK(grid.element_type().name() == "int[3]");
  CHECK(grid.element_type().kind() == Kind::Array);
  const auto row = grid.at(1).as<reflect::Array>();
  CHECK(row.size() == 3);
  CHECK(row.at(0).as<int>() == 4);
  CHECK(row.at(2).as<int>() == 6);
  CHECK(row.at(2).address() == &F.grid[1][2]);
}

TEST_CASE("walk: standard sequences are Arrays of their elements") {
  const auto vec = reflect::reflect(F.vec).as<reflect::Array>();
  CHECK(vec.size() == 3);
  CHECK(vec.element_type().name() == "int");
  CHECK(vec.at(0).address() == F.vec.data());
  std::vector<int> seen;
  for (reflect::Value element : vec) seen.push_back(element.as<int>());
  CHECK(seen == std::vector<int>{1, 2, 3});

  const auto empty = reflect::reflect(F.empty_vec).as<reflect::Array>();
  CHECK(empty.size() == 0);
  CHECK(empty.empty());
  CHECK(empty.begin() == empty.end());

  const auto many = reflect::reflect(F.many).as<reflect::Array>();
  CHECK(many.size() == 150);
  CHECK(many.at(149).as<int>() == 149);

  const auto arr = reflect::reflect(F.arr).as<reflect::Array>();
  CHECK(arr.size() == 3);
  CHECK(arr.at(2).as<int>() == 3);

  const auto points = reflect::reflect(F.points).as<reflect::Array>();
  CHECK(points.element_type().name() == "zoo::Point");
  CHECK(int_field(points.at(1), "y") == 4);

  const auto words = reflect::reflect(F.words).as<reflect::Array>();
  CHECK(words.at(1).as<reflect::String>().text() == "beta");
}

TEST_CASE("walk: pointers") {
  SUBCASE("raw") {
    const auto p = reflect::reflect(F.int_ptr).as<reflect::Pointer>();
    CHECK_FALSE(p.is_null());
    CHECK(p.target_address() == &F.pointee);
    CHECK(p.pointee_type().name() == "const int");
    CHECK(p.deref().address() == &F.pointee);
    CHECK(p.deref().as<int>() == 42);

    const auto null = reflect::reflect(F.null_ptr).as<reflect::Pointer>();
    CHECK(null.is_null());
    CHECK_THROWS_AS(null.deref(), reflect::Error);
  }
  SUBCASE("linked list") {
    const reflect::Value head = reflect::reflect(F.list_head);
    const reflect::Value mid = head.as<reflect::Struct>().field("next")->value().as<reflect::Pointer>().deref();
    CHECK(mid.address() == &F.list_mid);
    CHECK(int_field(mid, "value") == 2);
    const reflect::Value tail = mid.as<reflect::Struct>().field("next")->value().as<reflect::Pointer>().deref();
    CHECK(int_field(tail, "value") == 3);
    CHECK(tail.as<reflect::Struct>().field("next")->value().as<reflect::Pointer>().is_null());
  }
  SUBCASE("unique_ptr") {
    const auto p = reflect::reflect(F.owned).as<reflect::Pointer>();
    CHECK_FALSE(p.is_null());
    CHECK(p.target_address() == F.owned.get());
    CHECK(p.pointee_type().name() == "zoo::Point");
    CHECK(int_field(p.deref(), "x") == 1);
    CHECK(reflect::reflect(F.owned_empty).as<reflect::Pointer>().is_null());
  }
  SUBCASE("shared_ptr") {
    const auto p = reflect::reflect(F.shared).as<reflect::Pointer>();
    CHECK(p.target_address() == F.shared.get());
    CHECK(p.deref().as<int>() == 5);
    CHECK(reflect::reflect(F.shared_empty).as<reflect::Pointer>().is_null());
  }
  SUBCASE("reference member") {
    const auto s = reflect::reflect(F.with_ref).as<reflect::Struct>();
    REQUIRE(s.field("origin").has_value());
    CHECK(s.field("origin")->type().kind() == Kind::LValueReference);
    const auto ref = s.field("origin")->value().as<reflect::Pointer>();
    CHECK(ref.target_address() == &F.point);
    CHECK(int_field(ref.deref(), "y") == 2);
  }
}

TEST_CASE("walk: optional") {
  const auto opt = reflect::reflect(F.opt).as<reflect::Optional>();
  CHECK(opt.has_value());
  CHECK(opt.value().as<int>() == 5);
  const auto empty = reflect::reflect(F.opt_empty).as<reflect::Optional>();
  CHECK_FALSE(empty.has_value());
  CHECK_THROWS_AS(empty.value(), reflect::Error);
}

TEST_CASE("walk: strings") {
  const auto s = reflect::reflect(F.short_string).as<reflect::String>();
  CHECK(s.text() == "hi");
  CHECK(s.size() == 2);
  CHECK(s.char_type().name() == "char");
  CHECK(reflect::reflect(F.heap_string).as<reflect::String>().text() == F.heap_string);
  CHECK(reflect::reflect(F.heap_string).as<reflect::String>().text(3) == "a s");
  CHECK(reflect::reflect(F.escaped).as<reflect::String>().text() == F.escaped);
  CHECK(reflect::reflect(F.view).as<reflect::String>().text() == "view");
  CHECK(reflect::reflect(F.text).as<reflect::String>().text() == "text");
  CHECK(reflect::reflect(F.hi).as<reflect::String>().text() == "hi");      // stops at the NUL
  CHECK(reflect::reflect(F.abcd).as<reflect::String>().text() == "abcd");  // no NUL: all 4
  const auto wide = reflect::reflect(F.wide).as<reflect::String>();
  CHECK(wide.char_type().name() == "wchar_t");
  CHECK(wide.size() == 4);
}

TEST_CASE("walk: pair and tuple") {
  const auto pair = reflect::reflect(F.std_pair).as<reflect::Tuple>();
  REQUIRE(pair.size() == 2);
  CHECK(pair.at(0).as<int>() == 1);
  CHECK(pair[1].as<double>() == 2.5);

  const auto tuple = reflect::reflect(F.std_tuple).as<reflect::Tuple>();
  REQUIRE(tuple.size() == 3);
  CHECK(tuple.at(0).as<int>() == 1);
  CHECK(tuple.at(1).as<reflect::String>().text() == "a");
  CHECK(tuple.at(2).as<double>() == 2.5);
  std::size_t count = 0;
  for (const reflect::Value& element : tuple) {
    (void)element;
    ++count;
  }
  CHECK(count == 3);
}

TEST_CASE("walk: enums") {
  const auto green = reflect::reflect(F.color).as<reflect::Enum>();
  CHECK(green.value() == 1);
  CHECK(green.name() == std::optional<std::string_view>("Green"));

  const auto seven = reflect::reflect(F.color_unnamed).as<reflect::Enum>();
  CHECK(seven.value() == 7);
  CHECK_FALSE(seven.name().has_value());

  const auto perm = reflect::reflect(F.perm).as<reflect::Enum>();
  CHECK(perm.value() == 3);
  CHECK_FALSE(perm.name().has_value());
  const auto flags = perm.flags();
  REQUIRE(flags.has_value());
  CHECK(*flags == std::vector<std::string_view>{"Read", "Write"});
  CHECK(reflect::reflect(F.perm_one).as<reflect::Enum>().name() == std::optional<std::string_view>("Exec"));

  CHECK(reflect::reflect(F.shade).as<reflect::Enum>().name() == std::optional<std::string_view>("Light"));
  CHECK(reflect::reflect(F.level).as<reflect::Enum>().value() == 200);  // uint8_t: no sign extension

  CHECK(reflect::reflect(F.color).as<zoo::Color>() == zoo::Color::Green);
  CHECK(reflect::reflect(F.color_unnamed).as<zoo::Color>() == static_cast<zoo::Color>(7));
  CHECK(reflect::reflect(F.perm).as<zoo::Perm>() == F.perm);
  CHECK(reflect::reflect(F.level).as<zoo::Level>() == zoo::Level::High);
  CHECK(reflect::reflect(F.shade).as<zoo::Shade>() == zoo::Light);
  CHECK(reflect::reflect(F.palette).as<reflect::Struct>().field("color")->value().as<zoo::Color>() ==
        zoo::Color::Blue);
  CHECK_THROWS_AS(reflect::reflect(F.color).as<zoo::Level>(), reflect::Error);
  CHECK_FALSE(reflect::reflect(F.answer).try_as<reflect::Enum>().has_value());
}

TEST_CASE("walk: scalars need an exact type") {
  const reflect::Value answer = reflect::reflect(F.answer);
  CHECK(answer.as<int>() == 42);
  CHECK_THROWS_AS(answer.as<long>(), reflect::Error);
  try {
    (void)answer.as<long>();
    FAIL("as<long>() on an int did not throw");
  } catch (const reflect::Error& e) {
    CHECK(contains(e.what(), "int"));
    CHECK(contains(e.what(), "long"));
  }
  CHECK_FALSE(answer.try_as<long>().has_value());
  CHECK_FALSE(answer.try_as<unsigned>().has_value());
  CHECK(answer.try_as<int>() == std::optional<int>(42));
  CHECK_FALSE(answer.try_as<reflect::Struct>().has_value());
  CHECK_FALSE(answer.try_as<reflect::Array>().has_value());
  CHECK_THROWS_AS(answer.as<reflect::Struct>(), reflect::Error);
  try {
    (void)answer.as<reflect::Struct>();
  } catch (const reflect::Error& e) {
    CHECK(contains(e.what(), "int"));
    CHECK(contains(e.what(), "reflect::Struct"));
  }

  CHECK(reflect::reflect(F.yes).as<bool>() == true);
  CHECK(reflect::reflect(F.letter).as<char>() == 'a');
  CHECK(reflect::reflect(F.c32_emoji).as<char32_t>() == U'\U0001F600');
  CHECK(reflect::reflect(F.wc).as<wchar_t>() == L'a');
  CHECK(reflect::reflect(F.u8).as<unsigned char>() == 7);  // std::uint8_t is unsigned char
  CHECK(reflect::reflect(F.long_min).as<long>() == F.long_min);
  CHECK(reflect::reflect(F.i128).as<reflect::detail::int128>() == F.i128);
  CHECK(reflect::reflect(F.u128).as<reflect::detail::uint128>() == F.u128);
  CHECK(reflect::reflect(F.d_tenth).as<double>() == 0.1);
  CHECK(reflect::reflect(F.f_tenth).as<float>() == 0.1f);
  CHECK(reflect::reflect(F.ld).as<long double>() == 1.5L);
  CHECK_THROWS_AS(reflect::reflect(F.d_tenth).as<float>(), reflect::Error);

  // typedefs and cv-qualifiers do not get in the way
  const auto measure = reflect::reflect(F.measure).as<reflect::Struct>();
  CHECK(measure.field("length")->value().as<double>() == 2.5);
  CHECK(measure.field("length")->value().as<zoo::Meters>() == 2.5);
  CHECK(measure.field("count")->value().as<int>() == 3);
  const auto qualified = reflect::reflect(F.qualified).as<reflect::Struct>();
  CHECK(qualified.field("c")->value().as<int>() == 1);
  CHECK(qualified.field("v")->value().as<int>() == 2);
  CHECK(qualified.field("cv")->value().as<int>() == 3);
}

TEST_CASE("walk: type names, sizes and kinds") {
  const reflect::Type point = reflect::type_of<zoo::Point>();
  CHECK(point.name() == "zoo::Point");
  CHECK(point.size() == 8);
  CHECK(point.kind() == Kind::Struct);
  CHECK(point.is_complete());
  const std::vector<reflect::Member> members = point.members();
  REQUIRE(members.size() == 2);
  CHECK(members[1].name == "y");
  CHECK(members[1].offset == 4);
  CHECK(members[1].type.name() == "int");
  CHECK_FALSE(members[1].artificial);

  CHECK(reflect::type_of<int>().name() == "int");
  CHECK(reflect::type_of<int>().size() == 4);
  CHECK(reflect::type_of<int>().kind() == Kind::Integer);
  CHECK(reflect::type_of<int>().is_signed());
  CHECK(reflect::type_of<unsigned>().name() == "unsigned int");
  CHECK_FALSE(reflect::type_of<unsigned>().is_signed());
  CHECK(reflect::type_of<unsigned long>().name() == "unsigned long");
  CHECK(reflect::type_of<double>().kind() == Kind::Floating);
  CHECK(reflect::type_of<double>().size() == 8);
  CHECK(reflect::type_of<long double>().size() == sizeof(long double));
  CHECK(reflect::type_of<bool>().kind() == Kind::Bool);
  CHECK(reflect::type_of<char>().kind() == Kind::Character);
  CHECK(reflect::type_of<unsigned char>().kind() == Kind::Character);
  CHECK(reflect::type_of<char32_t>().name() == "char32_t");
  CHECK(reflect::type_of<char32_t>().kind() == Kind::Character);

  CHECK(reflect::type_of<zoo::Number>().kind() == Kind::Union);
  CHECK(reflect::type_of<zoo::Number>().size() == 4);
  CHECK(reflect::type_of<zoo::Empty>().size() == 1);
  CHECK(reflect::type_of<zoo::Empty>().members().empty());

  const reflect::Type color = reflect::type_of<zoo::Color>();
  CHECK(color.name() == "zoo::Color");
  CHECK(color.kind() == Kind::Enum);
  CHECK(color.size() == 4);
  CHECK(color.is_signed());
  const std::vector<reflect::Enumerator> enumerators = color.enumerators();
  REQUIRE(enumerators.size() == 3);
  CHECK(enumerators[2].name == "Blue");
  CHECK(enumerators[2].value == 2);
  CHECK(reflect::type_of<zoo::Level>().size() == 1);
  CHECK_FALSE(reflect::type_of<zoo::Level>().is_signed());
  CHECK(reflect::type_of<zoo::Shade>().name() == "zoo::Shade");

  const reflect::Type grid = reflect::type_of<int[2][3]>();
  CHECK(grid.name() == "int[2][3]");
  CHECK(grid.kind() == Kind::Array);
  CHECK(grid.size() == 24);
  CHECK(grid.array_length() == std::optional<std::size_t>(2));
  REQUIRE(grid.target().has_value());
  CHECK(grid.target()->name() == "int[3]");

  const reflect::Type cstr = reflect::type_of<const char*>();
  CHECK(cstr.name() == "const char*");
  CHECK(cstr.kind() == Kind::Pointer);
  CHECK(cstr.size() == 8);
  REQUIRE(cstr.target().has_value());
  CHECK(cstr.target()->kind() == Kind::Const);
  CHECK(cstr.target()->name() == "const char");
  CHECK(cstr.target()->strip().name() == "char");

  CHECK(reflect::type_of<int zoo::Point::*>().kind() == Kind::MemberPointer);
  CHECK(reflect::type_of<int (*)(int)>().kind() == Kind::Pointer);

  CHECK(reflect::type_of<std::string>().name() == "std::string");
  CHECK(reflect::type_of<std::string>().size() == sizeof(std::string));
  CHECK(reflect::type_of<std::vector<int>>().name() == "std::vector<int>");
  CHECK(reflect::type_of<std::map<std::string, int>>().name() == "std::map<std::string, int>");
  CHECK(reflect::type_of<std::array<int, 3>>().name() == "std::array<int, 3>");
  CHECK(reflect::type_of<std::unique_ptr<zoo::Point>>().name() == "std::unique_ptr<zoo::Point>");
  CHECK(reflect::type_of<std::optional<int>>().name() == "std::optional<int>");

  const reflect::Type pair = reflect::type_of<zoo::Pair<int, double>>();
  CHECK(pair.name() == "zoo::Pair<int, double>");
  const std::vector<reflect::TemplateArgument> pair_args = pair.template_arguments();
  REQUIRE(pair_args.size() == 2);
  CHECK(pair_args[0].name == "T");
  REQUIRE(pair_args[0].type.has_value());
  CHECK(pair_args[0].type->name() == "int");
  REQUIRE(pair_args[1].type.has_value());
  CHECK(pair_args[1].type->name() == "double");

  const reflect::Type buf = reflect::type_of<zoo::Buf<4>>();
  CHECK(buf.name() == "zoo::Buf<4>");
  const std::vector<reflect::TemplateArgument> buf_args = buf.template_arguments();
  REQUIRE(buf_args.size() == 1);
  CHECK(buf_args[0].name == "N");
  CHECK(buf_args[0].value == std::optional<std::int64_t>(4));

  // Member types keep their aliases and qualifiers; strip() removes them.
  const auto measure = reflect::reflect(F.measure).as<reflect::Struct>();
  CHECK(measure.field("length")->type().kind() == Kind::Typedef);
  CHECK(measure.field("length")->type().name() == "zoo::Meters");
  CHECK(measure.field("length")->type().strip().name() == "double");
  CHECK(measure.field("count")->type().name() == "zoo::Count");
  CHECK(measure.field("count")->type().strip().name() == "int");
  const auto qualified = reflect::reflect(F.qualified).as<reflect::Struct>();
  CHECK(qualified.field("c")->type().kind() == Kind::Const);
  CHECK(qualified.field("c")->type().name() == "const int");
  CHECK(qualified.field("c")->type().target()->name() == "int");
  CHECK(qualified.field("v")->type().kind() == Kind::Volatile);
  CHECK(qualified.field("v")->type().name() == "volatile int");
  CHECK(qualified.field("cv")->type().name() == "const volatile int");
  CHECK(qualified.field("cv")->type().strip().name() == "int");
}

TEST_CASE("walk: types a test cannot name") {
  const reflect::Value hidden = zoo::anon_value();
  CHECK(hidden.type().name() == "zoo::(anonymous namespace)::Hidden");
  CHECK(int_field(hidden, "secret") == 11);

  const reflect::Value local = zoo::local_value();
  CHECK(local.type().name() == "zoo::local_value()::Local");
  CHECK(local.as<reflect::Struct>().field("b")->value().as<double>() == 2.5);

  const reflect::Value lambda = zoo::lambda_value();
  CHECK(lambda.type().name() == fmt::format("<lambda at zoo.cpp:{}>", zoo::lambda_line()));
  CHECK(lambda.type().strip().kind() == Kind::Struct);
  const auto closure = lambda.as<reflect::Struct>();
  CHECK(field_names(closure) == std::vector<std::string>{"x", "y"});
  CHECK(int_field(lambda, "x") == 1);
  CHECK(closure.field("y")->type().kind() == Kind::LValueReference);
  CHECK(closure.field("y")->value().as<reflect::Pointer>().deref().as<int>() == 2);
}

TEST_CASE("walk: Value::at") {
  const reflect::Value p = reflect::Value::at(reflect::type_of<zoo::Point>(), &F.point);
  CHECK(int_field(p, "y") == 2);

  const zoo::Point local{7, 8};
  const reflect::Value q = reflect::Value::at(reflect::type_of<zoo::Point>(), &local);
  CHECK(q.address() == &local);
  CHECK(int_field(q, "x") == 7);
  CHECK(fmt::format("{}", q) == "zoo::Point{.x = 7, .y = 8}");

  CHECK(reflect::Value::at(reflect::type_of<int>(), &F.ints[1]).as<int>() == 2);

  // A member's type and the object's address make the same value as walking to it.
  const auto line = reflect::reflect(F.line).as<reflect::Struct>();
  const reflect::Field b = *line.field("b");
  const reflect::Value again = reflect::Value::at(b.type(), &F.line.b);
  CHECK(again.address() == b.value().address());
  CHECK(int_field(again, "x") == 3);
}
