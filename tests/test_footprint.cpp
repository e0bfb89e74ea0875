// reflect::footprint (issue 13): what an object owns, checked against sizes computed here, by
// construction, from what the standard library was asked to allocate.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/footprint.hpp>
#include <reflect/reflect.hpp>

#include "json_support.hpp"
#include "target/programs.hpp"

#include <any>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace footprint_test {

struct Shape {
  virtual ~Shape() = default;
  int id = 0;
};
struct Polygon : Shape {
  double corners[12] = {};
};

struct Inventory {
  std::string owner;                  // on the heap: longer than the small-string buffer
  std::string tag = "short";          // in place
  std::vector<int> counts;            // its capacity, not its size
  std::list<int> recent;              // a node per element
  std::unordered_map<int, int> index; // nodes and a bucket array
  std::unique_ptr<Shape> shape;       // the dynamic type's size
  std::shared_ptr<std::string> shared, same;  // one control block, with the string in it
  std::optional<std::string> note;
  std::variant<int, std::string> choice;
  std::function<int()> callback;      // a closure too big for the in-place buffer
  std::any extra;                     // an object too big for std::any's buffer
  const int* borrowed = nullptr;      // not owned
};

struct Big {
  long values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
};

// A node that owns the next one and, through a shared_ptr, may own itself (a cycle).
struct Link {
  std::shared_ptr<Link> next;
  std::vector<char> payload;
};

}  // namespace footprint_test

using namespace footprint_test;

namespace {

template <class T> std::size_t string_block(const std::basic_string<T>& s) { return (s.capacity() + 1) * sizeof(T); }

// What libstdc++ allocates per node (its own node types).
using ListNode = std::_List_node<int>;
using IndexNode = std::__detail::_Hash_node<std::pair<const int, int>, false>;
using TreeNode = std::_Rb_tree_node<std::pair<const std::string, std::vector<int>>>;
using SharedString = std::_Sp_counted_ptr_inplace<std::string, std::allocator<std::string>, __gnu_cxx::_S_atomic>;

}  // namespace

TEST_CASE("footprint: the blocks an object owns, counted as the library asked for them") {
  Inventory inventory;
  inventory.owner = "an owner whose name needs the heap";
  inventory.counts.reserve(100);
  inventory.counts = {1, 2, 3};
  inventory.recent = {7, 8, 9, 10};
  for (int i = 0; i < 50; ++i) inventory.index[i] = i * i;
  inventory.shape = std::make_unique<Polygon>();
  inventory.shared = std::make_shared<std::string>("a shared string, also long enough for the heap");
  inventory.same = inventory.shared;
  inventory.note = std::string("a note that does not fit in place either");
  inventory.choice = std::string("an alternative on the heap, thirty-odd chars");
  const Big big;
  inventory.callback = [big] { return static_cast<int>(big.values[7]); };
  inventory.extra = Big{};
  const int borrowed = 5;
  inventory.borrowed = &borrowed;

  std::size_t expected = sizeof(Inventory);
  expected += string_block(inventory.owner);
  expected += inventory.counts.capacity() * sizeof(int);
  expected += inventory.recent.size() * sizeof(ListNode);
  expected += inventory.index.size() * sizeof(IndexNode) + inventory.index.bucket_count() * sizeof(void*);
  expected += sizeof(Polygon);
  expected += sizeof(SharedString) + string_block(*inventory.shared);
  expected += string_block(*inventory.note);
  expected += string_block(std::get<std::string>(inventory.choice));
  expected += sizeof(big);  // the closure: it captures `big` alone
  expected += sizeof(Big);
  const std::size_t blocks = 1 + 1 + 4 + 50 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;

  const reflect::Footprint f = reflect::footprint(reflect::reflect(inventory));
  CHECK(f.own_bytes == sizeof(Inventory));
  CHECK(f.bytes == expected);
  CHECK(f.blocks == blocks);

  // By member path, the largest first: the hash table (its nodes and buckets) leads.
  REQUIRE(!f.by_path.empty());
  CHECK(f.by_path[0].name == ".index");
  CHECK(f.by_path[0].bytes == inventory.index.size() * sizeof(IndexNode) + inventory.index.bucket_count() * sizeof(void*));
  auto part = [](const std::vector<reflect::FootprintPart>& parts, std::string_view name) {
    for (const auto& p : parts)
      if (p.name == name) return p;
    return reflect::FootprintPart{std::string(name), 0, 0};
  };
  CHECK(part(f.by_path, ".counts").bytes == 100 * sizeof(int));
  CHECK(part(f.by_path, ".shape").bytes == sizeof(Polygon));
  CHECK(part(f.by_path, ".shared").bytes == sizeof(SharedString));
  CHECK(part(f.by_path, ".shared->").bytes == string_block(*inventory.shared));
  CHECK(part(f.by_path, ".same").bytes == 0);  // the same block, counted once
  CHECK(part(f.by_path, ".note?").bytes == string_block(*inventory.note));
  CHECK(part(f.by_path, "").bytes == sizeof(Inventory));
  CHECK(part(f.by_type, "footprint_test::Inventory").bytes == sizeof(Inventory));
  CHECK(part(f.by_type, std::string(reflect::reflect(inventory.counts).type().name())).blocks == 1);

  // Raw pointers only when asked.
  const reflect::Footprint followed = reflect::footprint(reflect::reflect(inventory), {.follow_raw_pointers = true});
  CHECK(followed.bytes == expected + sizeof(int));
  CHECK(part(followed.by_path, ".borrowed->").bytes == sizeof(int));

  // Printed: the total, then the two tables.
  const std::string text = fmt::format("{}", f);
  CHECK(text.starts_with(fmt::format("{} bytes: {} of its own and {} heap blocks\n", expected, sizeof(Inventory), blocks)));
  INFO(text);
  CHECK(text.find(fmt::format("\n{:>5}  {:>6}  .index\n", f.by_path[0].bytes, f.by_path[0].blocks)) != std::string::npos);
  CHECK(text.find(fmt::format("\n{:>5}  {:>6}  (the object)\n", sizeof(Inventory), 0)) != std::string::npos);
  const std::string json = fmt::format("{:j}", f);
  CHECK(reflect_test::json_at(json, "/bytes") == fmt::to_string(expected));
  CHECK(reflect_test::json_at(json, "/own_bytes") == fmt::to_string(sizeof(Inventory)));
  CHECK(reflect_test::json_at(json, "/blocks") == fmt::to_string(blocks));
  CHECK(reflect_test::json_size(json, "/by_path") == f.by_path.size());
  CHECK(reflect_test::json_string_at(json, "/by_path/0/name") == ".index");
  CHECK(reflect_test::canonical_json(fmt::format("{:#j}", f)) == reflect_test::canonical_json(json));
}

TEST_CASE("footprint: a std::map<std::string, std::vector<int>>, by entry") {
  std::map<std::string, std::vector<int>> table;
  std::size_t expected = sizeof(table);
  for (int i = 0; i < 1000; ++i) {
    auto& values = table[fmt::format("key number {:08} of the table", i)];
    values.resize(static_cast<std::size_t>(i % 7));
  }
  for (const auto& [key, values] : table)
    expected += sizeof(TreeNode) + string_block(key) + values.capacity() * sizeof(int);
  const reflect::Footprint f = reflect::footprint(reflect::reflect(table));
  CHECK(f.bytes == expected);
  auto part = [&](std::string_view name) {
    for (const auto& p : f.by_path)
      if (p.name == name) return p.bytes;
    return std::size_t{0};
  };
  CHECK(part("") == sizeof(table) + 1000 * sizeof(TreeNode));
  CHECK(part("[].key") == 1000 * string_block(table.begin()->first));
}

TEST_CASE("footprint: shared ownership that loops is counted once and ends") {
  auto first = std::make_shared<Link>();
  auto second = std::make_shared<Link>();
  first->next = second;
  second->next = first;  // a cycle
  first->payload.resize(64);
  second->payload.resize(32);
  using LinkBlock = std::_Sp_counted_ptr_inplace<Link, std::allocator<Link>, __gnu_cxx::_S_atomic>;
  const reflect::Footprint f = reflect::footprint(reflect::reflect(first));
  CHECK(f.bytes == sizeof(first) + 2 * sizeof(LinkBlock) + first->payload.capacity() + second->payload.capacity());
  CHECK(f.blocks == 4);
  second->next.reset();
}

// The tool: `reflect print --footprint` adds each value's footprint, read from another process.
TEST_CASE("footprint: reflect print --footprint of another process's global") {
  reflect_test::Running fixture({TARGET_FIXTURE});
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  const auto config = target.find_variable("app::g_config");
  REQUIRE(config);
  const reflect::Footprint f = reflect::footprint(*config);
  CHECK(f.bytes > f.own_bytes);  // its strings, vector and map are on the heap
  const std::string pid = std::to_string(fixture.pid());
  const reflect_test::Output text = reflect_test::run({REFLECT_TOOL, "print", "--pid", pid, "--footprint", "app::g_config"});
  CHECK(text.err == "");
  CHECK(text.exit_code() == 0);
  CHECK(text.out.find(fmt::format("\nfootprint of app::g_config: {}\n", f)) != std::string::npos);
  const reflect_test::Output json =
      reflect_test::run({REFLECT_TOOL, "print", "--pid", pid, "--json", "--footprint", "app::g_config"});
  CHECK(json.exit_code() == 0);
  CHECK(reflect_test::json_at(json.out, "/app::g_config footprint") == reflect_test::canonical_json(fmt::format("{:j}", f)));
}
