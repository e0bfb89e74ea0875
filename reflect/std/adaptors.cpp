// std::stack, std::queue, std::priority_queue: the elements of their underlying container
// (the protected member `c`), in its order, through whatever presents that container (a
// deque, a vector, a list, or a user's container with a provider of its own).

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

class Adaptor final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override {
    const Value c = underlying(value);
    return of(value, c).element_type(c);
  }
  std::optional<std::size_t> size(const Value& value) const override {
    const Value c = underlying(value);
    return of(value, c).size(c);
  }
  std::optional<std::uint64_t> contiguous_data(const Value& value) const override {
    const Value c = underlying(value);
    return of(value, c).contiguous_data(c);
  }
  std::optional<Value> at(const Value& value, std::size_t index) const override {
    const Value c = underlying(value);
    return of(value, c).at(c, index);
  }
  Cursor begin(const Value& value) const override {
    const Value c = underlying(value);
    return of(value, c).begin(c);
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const Value c = underlying(value);
    return of(value, c).next(c, cursor);
  }

 private:
  static Value underlying(const Value& value) { return member(value, "c"); }
  static const SequenceProvider& of(const Value& value, const Value& c) {
    const auto* provider = static_cast<const SequenceProvider*>(provider_with(c, Protocol::Sequence));
    if (provider == nullptr)
      throw LayoutMismatch(fmt::format("the container {} under {} is not presented as a sequence", c.type().name(),
                                       value.type().name()));
    return *provider;
  }
};

}  // namespace

void libstdcxx_adaptors(std::vector<StandardProvider>& out) {
  static const Adaptor adaptor;
  for (std::string_view name : {"stack", "queue", "priority_queue"}) out.push_back({Library::LibStdCxx, name, &adaptor});
}

}  // namespace reflect::detail
