// The standard containers' iterators, as pointers to the element they designate (what gdb's
// libstdc++ printers show): `std::_List_iterator<int>{20}` at the top level, `20` nested. A
// singular (default-constructed) iterator is null. A tree's end() designates the tree's header,
// which holds no element: it is null to the Pointer view and prints `<end>`. vector<bool>'s
// iterators designate one bit, which no pointer can: they hold it instead (Optional), as the
// one-bit bool a std::vector<bool> element is.

#include "layout.hpp"

#include <fmt/format.h>

#include <bit>
#include <climits>

namespace reflect::detail {
namespace {

using State = PointerProvider::Target::State;

PointerProvider::Target null_target(const TypeNode& pointee) { return {Type(pointee), 0, State::Null}; }

// The class's first template argument, as its name spells it: `std::pair<int, char>` in
// `_Rb_tree_iterator<std::pair<int, char> >`; empty if the name has none.
std::string_view first_argument(std::string_view name) {
  const std::size_t open = name.find('<');
  if (open == std::string_view::npos) return {};
  int depth = 0;
  for (std::size_t i = open + 1; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '(' || c == '[') ++depth;
    else if ((c == '>' || c == ')' || c == ']') && depth > 0) --depth;
    else if ((c == ',' || c == '>') && depth == 0) return name.substr(open + 1, i - open - 1);
  }
  return {};
}

// The element type of a node iterator: its first template argument. GCC 12 leaves the template
// parameters out of some instances' debug info (std::_List_iterator<int>: a declaration it
// completed later): the argument is then looked up by the name the class's own name gives it.
const TypeNode& element_type_of(const Value& iterator) {
  const TypeNode& type = concrete_of(iterator);
  if (!type.template_args.empty() && type.template_args[0].type) return type.template_args[0].type->get();
  const std::string_view argument = first_argument(type.dwarf_name);
  const TypeNode* found =
      argument.empty() ? nullptr : registry_of(iterator).find_type(dwarf::normalize_name(argument), address_of(iterator));
  if (found == nullptr) return template_type(type, 0);  // throws: says what is missing
  return *found;
}

// Iterators over nodes (list, forward_list, the trees, the hash tables, slist): a pointer to the
// node in `node_member`, and the element, of the iterator's first template argument, after the
// node's links.
class NodeIterator : public PointerProvider {
 public:
  NodeIterator(std::string_view node_member, std::size_t links) : node_member_(node_member), links_(links) {}
  Target target(const Value& iterator) const override {
    const TypeNode& element = element_type_of(iterator);
    const std::uintptr_t node = node_of(iterator);
    if (node == 0 || is_end(memory_of(iterator), node)) return null_target(element);
    return {Type(element), address_of(node_element(element, node, links_)), State::Object};
  }
  std::optional<Presentation> present(const Value& iterator) const override {
    const std::uintptr_t node = node_of(iterator);
    if (node == 0 || !is_end(memory_of(iterator), node)) return std::nullopt;
    Presentation end;
    end.shape = Presentation::Shape::Bare;
    end.token = "<end>";
    return end;
  }

 protected:
  /// Whether `node` is the container's end, told from the node alone.
  virtual bool is_end(const Memory& memory, std::uintptr_t node) const {
    return static_cast<void>(memory), static_cast<void>(node), false;
  }

 private:
  std::uintptr_t node_of(const Value& iterator) const { return read_pointer(member_if(iterator, node_member_, is_pointer_node)); }

  std::string_view node_member_;
  std::size_t links_;
};

// _Rb_tree_iterator: end() is the header (_Rb_tree_node_base, red), which is the node whose
// parent's parent is itself (the root's parent is the header), or whose parent is null (the
// header of an empty tree). The root is black: it is never taken for the header (stl_tree.cc's
// _Rb_tree_decrement tells them apart the same way).
class TreeIterator final : public NodeIterator {
 public:
  TreeIterator() : NodeIterator("_M_node", kTreeNodeLinks) {}

 protected:
  bool is_end(const Memory& memory, std::uintptr_t node) const override {
    constexpr int kRed = 0;  // _S_red
    if (read_as<int>(memory, node) != kRed) return false;
    const std::uintptr_t parent = read_as<std::uintptr_t>(memory, parent_link(node));
    return parent == 0 || read_as<std::uintptr_t>(memory, parent_link(parent)) == node;
  }

 private:
  static std::uintptr_t parent_link(std::uintptr_t node) {
    const auto at = add_address(node, sizeof(std::uintptr_t));  // _M_parent, after _M_color
    if (!at) throw UnreadableMemory(node);
    return *at;
  }
};

// Iterators that hold a plain pointer to the element: __normal_iterator (vector, string,
// array-backed ranges; its first template argument is the pointer type) in _M_current,
// _Deque_iterator in _M_cur.
class ElementIterator final : public PointerProvider {
 public:
  explicit ElementIterator(std::string_view pointer_member) : pointer_member_(pointer_member) {}
  Target target(const Value& iterator) const override {
    const Value pointer = member_if(iterator, pointer_member_, is_pointer_node);
    const TypeNode& element = concrete_of(pointer).target->get();
    const std::uintptr_t address = read_pointer(pointer);
    return {Type(element), address, address == 0 ? State::Null : State::Object};
  }

 private:
  std::string_view pointer_member_;
};

// _Bit_iterator, _Bit_const_iterator (_M_p, a word pointer, and _M_offset, the bit in it) and
// _Bit_reference (_M_p and _M_mask, the bit's mask): the bit, as a one-bit bool Value (what a
// std::vector<bool> element is). Null (a singular iterator) when _M_p is.
class BitIterator final : public OptionalProvider {
 public:
  std::optional<Value> held(const Value& iterator) const override {
    const std::uintptr_t word = read_pointer(member(iterator, "_M_p"));
    if (word == 0) return std::nullopt;
    const auto bit = bit_of(iterator);
    // No valid iterator has any other: garbage, as a vector<bool> with garbage bounds is.
    if (!bit) throw UnreadableMemory(address_of(iterator));
    return value_at(boolean(iterator), word).with_bits(static_cast<std::uint16_t>(*bit), 1);
  }
  std::string_view empty_text() const override { return "nullptr"; }

 private:
  static constexpr std::uint64_t kWordBits = sizeof(unsigned long) * CHAR_BIT;  // _Bit_type

  static std::optional<std::uint64_t> bit_of(const Value& iterator) {
    if (auto offset = try_member(iterator, "_M_offset")) {
      const std::uint64_t bit = read_unsigned(*offset);
      return bit < kWordBits ? std::optional(bit) : std::nullopt;
    }
    const std::uint64_t mask = read_unsigned(member(iterator, "_M_mask"));
    return std::has_single_bit(mask) ? std::optional<std::uint64_t>(std::countr_zero(mask)) : std::nullopt;
  }
  static const TypeNode& boolean(const Value& iterator) {
    const TypeNode* found = registry_of(iterator).find_type("bool", address_of(iterator));
    if (found == nullptr) throw Error("reflect: no debug info describes bool, the bit a vector<bool> iterator designates");
    return *found;
  }
};

// __gnu_debug::_Safe_iterator<Iterator, Sequence, Category> (-D_GLIBCXX_DEBUG): the iterator
// it wraps, a base class, presented as that iterator is. A singular one (the debug mode's word:
// detached from its container, or invalidated since, when the container's version moved on)
// that is not null prints `<invalidated>`: what it designates may be gone.
struct Wrapped {
  Value iterator;
  const Provider* provider;
  bool singular;
};

// Where the wrapped iterator is: the base that reflect presents, past the _Safe_iterator levels
// (the bidirectional and random-access forms derive from the forward one) and
// _Safe_iterator_base.
struct WrappedBase {
  const TypeNode* type = nullptr;
  std::size_t offset = 0;
};
WrappedBase wrapped_base(const TypeNode& safe, std::size_t depth) {
  for (const BaseNode& base : safe.bases) {
    if (base.is_virtual || !base.offset) continue;
    const TypeNode& type = base.type.get().concrete();
    if (type.template_name() != "__gnu_debug::_Safe_iterator") {
      if (type.provider() != nullptr) return {&type, *base.offset};
    } else if (depth < 4) {
      WrappedBase inner = wrapped_base(type, depth + 1);
      if (inner.type != nullptr) return {inner.type, inner.offset + *base.offset};
    }
  }
  return {};
}

// The wrapped iterator's provider; nullptr when there is none.
const Provider* wrapped_provider(const TypeNode& safe) {
  const WrappedBase base = wrapped_base(safe, 0);
  return base.type == nullptr ? nullptr : base.type->provider();
}

Wrapped wrapped(const Value& safe) {
  const TypeNode& type = concrete_of(safe);
  const WrappedBase base = wrapped_base(type, 0);
  if (base.type == nullptr) throw LayoutMismatch(fmt::format("{} has no base that is an iterator reflect presents", type.name()));
  const auto at = add_address(address_of(safe), base.offset);
  if (!at) throw UnreadableMemory(address_of(safe));
  // _Safe_iterator_base: _M_sequence (_Safe_sequence_base*) and the sequence's _M_version when
  // the iterator was last made valid; _M_singular() in debug/safe_base.cc.
  const Value sequence = member_if(safe, "_M_sequence", is_pointer_node);
  const std::uintptr_t owner = read_pointer(sequence);
  bool singular = owner == 0;
  if (!singular)
    singular = read_unsigned(member(safe, "_M_version")) !=
               read_unsigned(member(value_at(concrete_of(sequence).target->get(), owner), "_M_version"));
  return {value_at(*base.type, *at), base.type->provider(), singular};
}

std::optional<Presentation> invalidated() {
  Presentation shown;
  shown.shape = Presentation::Shape::Bare;
  shown.token = "<invalidated>";
  return shown;
}

class SafeIterator final : public PointerProvider {
 public:
  bool matches(Type type) const override {
    const Provider* provider = wrapped_provider(type.node());
    return provider != nullptr && provider->protocol() == Protocol::Pointer;
  }
  Target target(const Value& safe) const override {
    const Wrapped w = wrapped(safe);
    Target target = inner(w).target(w.iterator);
    if (w.singular) target.state = State::Null;
    return target;
  }
  std::optional<Presentation> present(const Value& safe) const override {
    const Wrapped w = wrapped(safe);
    if (w.singular && inner(w).target(w.iterator).state != State::Null) return invalidated();
    return w.provider->present(w.iterator);
  }

 private:
  static const PointerProvider& inner(const Wrapped& w) { return static_cast<const PointerProvider&>(*w.provider); }
};

// A debug-mode vector<bool> iterator: a _Safe_iterator around a _Bit_iterator.
class SafeBitIterator final : public OptionalProvider {
 public:
  bool matches(Type type) const override {
    const Provider* provider = wrapped_provider(type.node());
    return provider != nullptr && provider->protocol() == Protocol::Optional;
  }
  std::optional<Value> held(const Value& safe) const override {
    const Wrapped w = wrapped(safe);
    if (w.singular) return std::nullopt;
    return inner(w).held(w.iterator);
  }
  std::optional<Presentation> present(const Value& safe) const override {
    const Wrapped w = wrapped(safe);
    if (w.singular && inner(w).held(w.iterator)) return invalidated();
    return w.provider->present(w.iterator);
  }
  std::string_view empty_text() const override { return "nullptr"; }

 private:
  static const OptionalProvider& inner(const Wrapped& w) { return static_cast<const OptionalProvider&>(*w.provider); }
};

}  // namespace

void libstdcxx_iterators(std::vector<StandardProvider>& out) {
  static const NodeIterator list("_M_node", kListNodeLinks);
  static const NodeIterator forward_list("_M_node", kNextNodeLinks);
  static const NodeIterator hash_node("_M_cur", kNextNodeLinks);
  static const TreeIterator tree;
  static const ElementIterator normal("_M_current");
  static const ElementIterator deque("_M_cur");
  static const BitIterator bit;
  static const SafeIterator safe;
  static const SafeBitIterator safe_bit;
  out.push_back({Library::LibStdCxx, "_List_iterator", &list});
  out.push_back({Library::LibStdCxx, "_List_const_iterator", &list});
  out.push_back({Library::LibStdCxx, "_Fwd_list_iterator", &forward_list});
  out.push_back({Library::LibStdCxx, "_Fwd_list_const_iterator", &forward_list});
  out.push_back({Library::LibStdCxx, "__gnu_cxx::_Slist_iterator", &forward_list});
  out.push_back({Library::LibStdCxx, "__detail::_Node_iterator", &hash_node});
  out.push_back({Library::LibStdCxx, "__detail::_Node_const_iterator", &hash_node});
  out.push_back({Library::LibStdCxx, "_Rb_tree_iterator", &tree});
  out.push_back({Library::LibStdCxx, "_Rb_tree_const_iterator", &tree});
  out.push_back({Library::LibStdCxx, "__gnu_cxx::__normal_iterator", &normal});
  out.push_back({Library::LibStdCxx, "_Deque_iterator", &deque});
  out.push_back({Library::LibStdCxx, "_Bit_iterator", &bit});
  out.push_back({Library::LibStdCxx, "_Bit_const_iterator", &bit});
  out.push_back({Library::LibStdCxx, "_Bit_reference", &bit});
  out.push_back({Library::LibStdCxx, "__gnu_debug::_Safe_iterator", &safe});
  out.push_back({Library::LibStdCxx, "__gnu_debug::_Safe_iterator", &safe_bit});
}

}  // namespace reflect::detail
