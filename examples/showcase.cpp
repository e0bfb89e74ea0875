// A tour of what reflect prints, and of walking a value by name. Run it with: tools/demo
#include <reflect/reflect.hpp>

#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace app {

enum class Status { Pending, Shipped, Delivered };
enum class Permission : unsigned { Read = 1, Write = 2, Refund = 4 };
constexpr Permission operator|(Permission a, Permission b) {
  return static_cast<Permission>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

struct Entity {
  std::uint64_t id;
};

struct Address {
  std::string city;
  char country[3];
};

class Customer : public Entity {
 public:
  Customer(std::uint64_t id, std::string name, Address address, int points)
      : Entity{id}, name_(std::move(name)), address_(std::move(address)), points_(points) {}
  int points() const { return points_; }

 private:
  std::string name_;
  Address address_;
  int points_;
};

struct Line {
  std::string sku;
  int quantity;
  double price;
};

struct Shipping {  // bitfields
  unsigned express : 1;
  unsigned gift_wrap : 1;
  unsigned priority : 3;
};

union Discount {
  int cents;
  float percent;
};

struct Order {
  std::uint64_t id;
  Status status;
  std::unique_ptr<Customer> customer;
  std::vector<Line> lines;
  std::optional<std::string> coupon;
  Shipping shipping;
  Discount discount;
};

int reorder(int sku) { return sku * 2; }

struct Warehouse {
  std::string name;
  std::array<int, 3> bins;
  std::pair<double, double> location;
  std::tuple<std::string, int, bool> last_audit;
  std::shared_ptr<Warehouse> overflow;
  int (*on_low_stock)(int);
};

struct Parcel {  // a linked list
  std::string tracking;
  Parcel* next;
};

}  // namespace app

int main() {
  using namespace app;
  Order order{1001,
              Status::Shipped,
              std::make_unique<Customer>(7, "Ada", Address{"London", "GB"}, 120),
              {{"PEN-01", 3, 1.25}, {"INK-02", 1, 4.5}},
              std::nullopt,
              {1, 0, 5},
              {.cents = 250}};

  fmt::print("== an order ==\n{}\n\n", reflect::reflect(order));
  fmt::print("== the same, with {{:#}} ==\n{:#}\n\n", reflect::reflect(order));

  fmt::print("== enums ==\n");
  fmt::print("{}\n", reflect::reflect(Status::Delivered));
  fmt::print("{}\n", reflect::reflect(Permission::Read | Permission::Refund));
  fmt::print("{}\n\n", reflect::reflect(static_cast<Status>(7)));

  fmt::print("== standard library and function pointers ==\n");
  Warehouse north{"north", {4, 8, 15}, {51.5, -0.12}, {"Grace", 42, true}, nullptr, &reorder};
  Warehouse main{"main", {1, 2, 3}, {48.85, 2.35}, {"Alan", 7, false},
                 std::make_shared<Warehouse>(std::move(north)), nullptr};
  fmt::print("{}\n", reflect::reflect(main));
  fmt::print("{}\n", reflect::reflect(order.customer));
  std::vector<std::string> skus{"PEN-01", "INK-02"};
  fmt::print("{}\n", reflect::reflect(skus));
  fmt::print("{}\n\n", reflect::reflect(std::optional<std::string>("SPRING10")));

  fmt::print("== a lambda's captures ==\n");
  int threshold = 5;
  auto is_low = [threshold, &skus](int stock) { return stock < threshold && !skus.empty(); };
  fmt::print("{}\n\n", reflect::reflect(is_low));

  fmt::print("== following raw pointers ==\n");
  Parcel last{"TRK-3", reinterpret_cast<Parcel*>(std::uintptr_t{0xdeadbeef})};  // garbage
  Parcel first{"TRK-1", &last};
  fmt::print("{}\n", reflect::reflect(first));
  fmt::print("{}\n\n", reflect::formatted(reflect::reflect(first), {.follow_pointers = true}));

  fmt::print("== walking by name ==\n");
  const auto o = reflect::reflect(order).as<reflect::Struct>();
  for (reflect::Field field : o.fields()) fmt::print("  {:<9} {}\n", field.name(), field.type());

  const auto lines = o.field("lines")->value().as<reflect::Array>();
  fmt::print("{} lines; the second is {}\n", lines.size(), lines[1]);
  fmt::print("its quantity: {}\n", lines[1].as<reflect::Struct>().field("quantity")->value().as<int>());

  const auto customer = o.field("customer")->value().as<reflect::Pointer>().deref().as<reflect::Struct>();
  fmt::print("customer base: {}, id {}\n", customer.bases()[0].type(),
             customer.bases()[0].value().as<reflect::Struct>().field("id")->value().as<std::uint64_t>());
  fmt::print("private points_: {}\n", customer.field("points_")->value().as<int>());
  fmt::print("status: {}\n", *o.field("status")->value().as<reflect::Enum>().name());
  fmt::print("priority bits: {}\n",
             o.field("shipping")->value().as<reflect::Struct>().field("priority")->value().as<unsigned>());
}
