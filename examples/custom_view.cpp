// custom_view: teach reflect your own container. A provider says how to find the elements;
// after reflect::add_provider(), the container prints as a sequence, walks as a reflect::Array
// and is a JSON array, wherever it appears.
#include <reflect/reflect.hpp>

#include <fmt/core.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>

namespace mylib {
// A vector that keeps its first N elements inside the object (no allocation) and moves them to
// the heap when it grows past N: its members say nothing of which elements are live.
template <class T, std::size_t N> class SmallVector {
 public:
  SmallVector() = default;
  SmallVector(const SmallVector&) = delete;
  SmallVector& operator=(const SmallVector&) = delete;
  ~SmallVector() {
    for (std::uint32_t i = 0; i < size_; ++i) data_[i].~T();
    if (data_ != inline_data()) ::operator delete(data_);
  }
  void push_back(const T& value) {
    if (size_ == capacity_) grow();
    new (data_ + size_) T(value);
    ++size_;
  }

 private:
  T* inline_data() { return reinterpret_cast<T*>(inline_); }
  void grow() {
    T* bigger = static_cast<T*>(::operator new(2 * capacity_ * sizeof(T)));
    for (std::uint32_t i = 0; i < size_; ++i) {
      new (bigger + i) T(data_[i]);
      data_[i].~T();
    }
    if (data_ != inline_data()) ::operator delete(data_);
    data_ = bigger;
    capacity_ *= 2;
  }

  T* data_ = inline_data();
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = N;
  alignas(T) unsigned char inline_[N * sizeof(T)];
};
}  // namespace mylib

// How to read a mylib::SmallVector<T, N>: T from the template arguments, the live elements at
// data_, size_ of them. Only the public reflect API is used.
class SmallVectorView final : public reflect::SequenceProvider {
 public:
  reflect::Type element_type(const reflect::Value& v) const override {
    return *v.type().strip().template_arguments().at(0).type;
  }
  std::optional<std::size_t> size(const reflect::Value& v) const override {
    return member(v, "size_").as<std::uint32_t>();
  }
  std::optional<std::uint64_t> contiguous_data(const reflect::Value& v) const override {
    return reinterpret_cast<std::uintptr_t>(member(v, "data_").as<reflect::Pointer>().target_address());
  }

 private:
  // A member that is not there is a layout this view does not know: say so (the value then
  // prints as its raw members, with this message as a note).
  static reflect::Value member(const reflect::Value& v, std::string_view name) {
    auto field = v.as<reflect::Struct>().field(name);
    if (!field) throw reflect::Error(fmt::format("{} has no member {}", v.type().name(), name));
    return field->value();
  }
};

namespace shop {
struct Order {
  std::string id;
  mylib::SmallVector<int, 2> quantities;  // 3 elements: moved to the heap
  mylib::SmallVector<std::string, 4> notes;
};
}  // namespace shop

int main() {
  reflect::add_provider("mylib::SmallVector", std::make_shared<SmallVectorView>());

  shop::Order order;
  order.id = "A-17";
  for (int q : {3, 1, 4}) order.quantities.push_back(q);
  order.notes.push_back("fragile");

  fmt::print("{}\n", reflect::reflect(order));
  fmt::print("{}\n", reflect::reflect(order.quantities));
  auto quantities = reflect::reflect(order).as<reflect::Struct>().field("quantities")->value().as<reflect::Array>();
  int total = 0;
  for (reflect::Value q : quantities) total += q.as<int>();
  fmt::print("{} quantities, total {}\n", quantities.size(), total);
  fmt::print("{:j}\n", reflect::reflect(order));
}
