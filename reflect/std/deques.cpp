// std::deque: elements in fixed-size blocks reached through a map of block pointers. The
// start and finish iterators ({_M_cur, _M_first, _M_last, _M_node}) bound the elements; element
// i lies in block (offset of start + i) / B of the map, B = libstdc++'s __deque_buf_size.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

constexpr std::size_t kDequeBufBytes = 512;  // _GLIBCXX_DEQUE_BUF_SIZE

struct DequeIterator {
  std::uintptr_t cur = 0;
  std::uintptr_t first = 0;
  std::uintptr_t last = 0;
  std::uintptr_t node = 0;
};

DequeIterator read_iterator(const Value& iterator) {
  return {read_pointer(member(iterator, "_M_cur")), read_pointer(member(iterator, "_M_first")),
          read_pointer(member(iterator, "_M_last")), read_pointer(member(iterator, "_M_node"))};
}

// What the deque's own members say, checked against each other: garbage bounds are reported
// as unreadable rather than walked.
struct DequeLayout {
  const TypeNode* element = nullptr;
  std::size_t element_size = 0;
  std::size_t per_block = 0;
  DequeIterator start;
  std::size_t size = 0;
};

DequeLayout read_layout(const Value& value) {
  DequeLayout d;
  d.element = &template_type(concrete_of(value), 0);
  d.element_size = d.element->concrete().size;
  if (d.element_size == 0) throw Error(fmt::format("reflect: the element type of {} has no size", value.type().name()));
  d.per_block = d.element_size < kDequeBufBytes ? kDequeBufBytes / d.element_size : 1;
  const std::size_t block_bytes = d.per_block * d.element_size;
  d.start = read_iterator(member(value, "_M_impl._M_start"));
  const DequeIterator finish = read_iterator(member(value, "_M_impl._M_finish"));
  const auto broken = [&] { return UnreadableMemory(address_of(value)); };
  for (const DequeIterator* it : {static_cast<const DequeIterator*>(&d.start), &finish})
    if (it->last < it->first || it->last - it->first != block_bytes || it->cur < it->first || it->cur >= it->last ||
        (it->cur - it->first) % d.element_size != 0)
      throw broken();
  if (finish.node < d.start.node || (finish.node - d.start.node) % sizeof(std::uintptr_t) != 0) throw broken();
  const std::size_t blocks = (finish.node - d.start.node) / sizeof(std::uintptr_t);
  const std::size_t before = (d.start.cur - d.start.first) / d.element_size;
  const std::size_t after = (finish.cur - finish.first) / d.element_size;
  std::size_t span = 0;
  if (__builtin_mul_overflow(blocks, d.per_block, &span) || __builtin_add_overflow(span, after, &span) || span < before)
    throw broken();
  d.size = span - before;
  // The map must agree with the iterators about where the first block is.
  if (d.size > 0 && read_as<std::uintptr_t>(memory_of(value), d.start.node) != d.start.first) throw broken();
  return d;
}

// Element `index` (< size): its block through the map, then its place in the block.
Value element_at(const DequeLayout& d, std::size_t index) {
  const std::size_t offset = (d.start.cur - d.start.first) / d.element_size + index;
  const std::optional<std::uintptr_t> slot = add_address(d.start.node, offset / d.per_block * sizeof(std::uintptr_t));
  if (!slot) throw UnreadableMemory(d.start.node);
  const std::uintptr_t block = read_as<std::uintptr_t>(d.element->registry->memory(), *slot);
  const std::optional<std::uintptr_t> at = add_address(block, offset % d.per_block * d.element_size);
  if (block == 0 || !at) throw UnreadableMemory(*slot);
  return value_at(*d.element, *at);
}

class Deque final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override { return read_layout(value).size; }
  std::optional<Value> at(const Value& value, std::size_t index) const override {
    const DequeLayout d = read_layout(value);
    if (index >= d.size) return std::nullopt;
    return element_at(d, index);
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const DequeLayout d = read_layout(value);
    if (cursor.index >= d.size) return std::nullopt;
    Value element = element_at(d, cursor.index++);
    cursor.node = address_of(element);  // a garbage map that repeats a block shows as a cycle
    return element;
  }
  // The map (_M_map_size block pointers) and each block from the first element's to the last's.
  Ownership ownership(const Value& value) const override {
    const DequeLayout d = read_layout(value);
    Ownership owned = owning();
    const std::uintptr_t map = read_pointer(member(value, "_M_impl._M_map"));
    if (map == 0) return owned;
    owned.blocks.push_back({map, read_unsigned(member(value, "_M_impl._M_map_size")) * sizeof(std::uintptr_t)});
    const DequeIterator finish = read_iterator(member(value, "_M_impl._M_finish"));
    for (std::uintptr_t node = d.start.node; node <= finish.node; node += sizeof(std::uintptr_t))
      owned.blocks.push_back({read_as<std::uintptr_t>(memory_of(value), node), d.per_block * d.element_size});
    return owned;
  }
};

}  // namespace

void libstdcxx_deques(std::vector<StandardProvider>& out) {
  static const Deque deque;
  out.push_back({Library::LibStdCxx, "deque", &deque});
}

}  // namespace reflect::detail
