// Providers: the protocol the standard views and users' views share (include/reflect/provider.hpp).
// The types here are used by no other test, so that registering a provider for them changes
// nothing elsewhere, whatever order the tests run in.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace provided {

// A ring buffer: its live elements are not a contiguous run of its members.
struct Ring {
  int slots[4] = {30, 40, 10, 20};
  unsigned head = 2;
  unsigned count = 4;
};

template <class T> struct Broken {
  T x;
};

template <class K, class V> struct FlatMap {
  K keys[3];
  V values[3];
  int used;
};

struct Holder {
  Ring ring;
  Broken<int> broken{5};
  FlatMap<int, double> flat{{1, 2, 3}, {0.5, 1.5, 2.5}, 2};
};

}  // namespace provided

// A libc++-like class in libc++'s namespace: no libstdc++ view may take it for std::vector.
namespace std::__1 {
template <class T> struct vector {
  T* __begin_ = nullptr;
  T* __end_ = nullptr;
  T* __end_cap_ = nullptr;
};
}  // namespace std::__1

namespace {

// Walks a Ring from its head, wrapping around: begin/next with a Cursor.
class RingView final : public reflect::SequenceProvider {
 public:
  reflect::Type element_type(const reflect::Value&) const override { return reflect::type_of<int>(); }
  std::optional<std::size_t> size(const reflect::Value& ring) const override { return field(ring, "count").as<unsigned>(); }
  std::optional<reflect::Value> next(const reflect::Value& ring, reflect::Cursor& cursor) const override {
    const unsigned count = field(ring, "count").as<unsigned>();
    if (cursor.index >= count || count > 4) return std::nullopt;
    const unsigned slot = (field(ring, "head").as<unsigned>() + cursor.index++) % 4;
    return field(ring, "slots").as<reflect::Array>().at(slot);
  }

 private:
  static reflect::Value field(const reflect::Value& v, std::string_view name) {
    auto f = v.as<reflect::Struct>().field(name);
    if (!f) throw reflect::Error(fmt::format("no member {}", name));
    return f->value();
  }
};

class BrokenView final : public reflect::SequenceProvider {
 public:
  reflect::Type element_type(const reflect::Value&) const override { return reflect::type_of<int>(); }
  std::optional<std::size_t> size(const reflect::Value& v) const override {
    throw reflect::Error(fmt::format("{} has no member size_", v.type().name()));
  }
};

class FlatMapView final : public reflect::MapProvider {
 public:
  reflect::Type key_type(const reflect::Value& v) const override { return *v.type().strip().template_arguments()[0].type; }
  reflect::Type mapped_type(const reflect::Value& v) const override { return *v.type().strip().template_arguments()[1].type; }
  std::optional<std::size_t> size(const reflect::Value& v) const override { return used(v); }
  reflect::Cursor begin(const reflect::Value&) const override { return {}; }
  std::optional<reflect::MapEntry> next(const reflect::Value& v, reflect::Cursor& cursor) const override {
    if (cursor.index >= used(v)) return std::nullopt;
    const auto s = v.as<reflect::Struct>();
    const std::size_t i = cursor.index++;
    return reflect::MapEntry(s.field("keys")->value().as<reflect::Array>().at(i),
                             s.field("values")->value().as<reflect::Array>().at(i));
  }

 private:
  static std::size_t used(const reflect::Value& v) {
    return static_cast<std::size_t>(v.as<reflect::Struct>().field("used")->value().as<int>());
  }
};

}  // namespace

TEST_CASE("providers: a user's sequence with begin/next prints, walks and is JSON") {
  static const provided::Ring ring;
  CHECK(fmt::format("{}", reflect::reflect(ring)) == "provided::Ring{.slots = {30, 40, 10, 20}, .head = 2, .count = 4}");
  reflect::add_provider("provided::Ring", std::make_shared<RingView>());
  // Added after the type was first printed: the next print uses it.
  CHECK(fmt::format("{}", reflect::reflect(ring)) == "provided::Ring{10, 20, 30, 40}");
  CHECK(reflect::to_json(reflect::reflect(ring)) == "[10,20,30,40]");
  const auto elements = reflect::reflect(ring).as<reflect::Array>();
  CHECK(elements.size() == 4);
  CHECK_FALSE(elements.is_contiguous());
  CHECK(elements.at(3).as<int>() == 40);
  std::string walked;
  for (reflect::Value v : elements) walked += fmt::format("{} ", v.as<int>());
  CHECK(walked == "10 20 30 40 ");
  CHECK(fmt::format("{}", reflect::formatted(reflect::reflect(ring), {.max_elements = 2})) == "provided::Ring{10, 20, ...}");
}

TEST_CASE("providers: a provider that does not fit prints the raw members with its message") {
  static const provided::Holder holder;
  reflect::add_provider("provided::Broken", std::make_shared<BrokenView>());
  CHECK(fmt::format("{}", reflect::reflect(holder.broken)) ==
        "provided::Broken<int>{.x = 5} /* reflect: provided::Broken<int> has no member size_ */");
  const std::string json = reflect::to_json(reflect::reflect(holder.broken));
  CHECK(json == R"({"x":5})");
}

TEST_CASE("providers: a user's map prints as entries, walks through Map and finds by key") {
  static const provided::Holder holder;
  reflect::add_provider("provided::FlatMap", std::make_shared<FlatMapView>());
  CHECK(fmt::format("{}", reflect::reflect(holder.flat)) == "provided::FlatMap<int, double>{{1, 0.5}, {2, 1.5}}");
  CHECK(reflect::to_json(reflect::reflect(holder.flat)) == "[[1,0.5],[2,1.5]]");
  const auto map = reflect::reflect(holder.flat).as<reflect::Map>();
  CHECK(map.size() == 2);
  CHECK(map.key_type().name() == "int");
  CHECK(map.find(2)->as<double>() == 1.5);
  CHECK_FALSE(map.find(3).has_value());  // stored, but past `used`
  CHECK_THROWS_AS((void)map.find("two"), reflect::Error);
}

TEST_CASE("providers: a class in libc++'s namespace is not read with libstdc++'s layout") {
  static const std::__1::vector<int> libcxx_like;
  CHECK(fmt::format("{}", reflect::reflect(libcxx_like)) ==
        "std::vector<int>{.__begin_ = nullptr, .__end_ = nullptr, .__end_cap_ = nullptr}");
  CHECK_FALSE(reflect::reflect(libcxx_like).try_as<reflect::Array>().has_value());
}

TEST_CASE("providers: add_provider refuses what it cannot use") {
  CHECK_THROWS_AS(reflect::add_provider("provided::Ring", nullptr), reflect::Error);
  CHECK_THROWS_AS(reflect::add_provider("", std::make_shared<RingView>()), reflect::Error);
}
