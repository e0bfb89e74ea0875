// footprint() (footprint.hpp): a walk over what a value owns, asking each provider what its
// values own (Provider::ownership) and going into members, elements and held values.

#include "providers.hpp"
#include "text_escape.hpp"
#include "type_node.hpp"
#include "value_access.hpp"

#include <reflect/footprint.hpp>
#include <reflect/provider.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace reflect {

namespace {

std::size_t size_of(const Value& value) { return detail::concrete_of(value).size; }

class Counter {
 public:
  explicit Counter(const FootprintOptions& options) : options_(options) {}

  Footprint count(const Value& root) {
    footprint_.own_bytes = size_of(root);
    footprint_.bytes = footprint_.own_bytes;
    add_part(by_type_, std::string(Type(detail::concrete_of(root)).name()), footprint_.own_bytes, 0);
    add_part(by_path_, "", footprint_.own_bytes, 0);
    pending_.push_back({root, ""});
    while (!pending_.empty()) {  // breadth first: of two owners of one block, the first declared
      Item item = std::move(pending_.front());
      pending_.pop_front();
      try {
        visit(item);
      } catch (const UnreadableMemory&) {
        // What cannot be read owns nothing that can be counted.
      } catch (const Error&) {
        // A value whose provider cannot read it (a layout it does not know) likewise.
      }
    }
    footprint_.by_type = sorted(by_type_);
    footprint_.by_path = sorted(by_path_);
    return std::move(footprint_);
  }

 private:
  struct Item {
    Value value;
    std::string path;
  };

  static void add_part(std::map<std::string, FootprintPart>& parts, const std::string& name, std::size_t bytes,
                       std::size_t blocks) {
    FootprintPart& part = parts[name];
    part.name = name;
    part.bytes += bytes;
    part.blocks += blocks;
  }

  static std::vector<FootprintPart> sorted(std::map<std::string, FootprintPart>& parts) {
    std::vector<FootprintPart> out;
    out.reserve(parts.size());
    for (auto& [name, part] : parts) out.push_back(std::move(part));
    std::sort(out.begin(), out.end(), [](const FootprintPart& a, const FootprintPart& b) {
      return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
    });
    return out;
  }

  // A block owned by `owner` (whose type names it) at `path`; false when it was counted already.
  bool block(std::uint64_t address, std::size_t bytes, const Value& owner, const std::string& path) {
    if (address == 0 || !seen_.insert(address).second) return false;
    footprint_.bytes += bytes;
    footprint_.blocks += 1;
    add_part(by_type_, std::string(Type(detail::concrete_of(owner)).name()), bytes, 1);  // not a typedef's name
    add_part(by_path_, path, bytes, 1);
    return true;
  }

  void later(Value value, std::string path) { pending_.push_back({value, std::move(path)}); }

  void visit(const Item& item) {
    const Value& value = item.value;
    const detail::TypeNode& type = detail::concrete_of(value);
    if (type.kind == Kind::Struct || type.kind == Kind::Union) {
      if (const Provider* provider = detail::find_provider(type)) return provided(*provider, item);
      if (type.kind == Kind::Union || type.is_declaration) return;  // which member is live is not known
      const Struct object = value.as<Struct>();
      for (const Base& base : object.bases()) later(base.value(), item.path);
      for (const Field& field : object.fields())
        if (!field.is_bitfield()) later(field.value(), item.path + "." + std::string(field.name()));
      return;
    }
    if (type.kind == Kind::Array) {
      for (const Value& element : value.as<Array>()) later(element, item.path + "[]");
      return;
    }
    if (type.kind == Kind::Pointer && options_.follow_raw_pointers) {
      const Pointer pointer = value.as<Pointer>();
      if (pointer.is_null() || pointer.points_to_array()) return;
      const Value pointee = pointer.deref();
      if (block(reinterpret_cast<std::uint64_t>(pointee.address()), size_of(pointee), value, item.path + "->"))
        later(pointee, item.path + "->");
    }
  }

  void provided(const Provider& provider, const Item& item) {
    const Value& value = item.value;
    const Ownership owned = provider.ownership(value);
    for (const Ownership::Block& b : owned.blocks) block(b.address, b.bytes, value, item.path);
    if (!owned.owns_contents) return;
    auto node = [&](const Value& element) {
      if (owned.node_bytes) block(reinterpret_cast<std::uint64_t>(element.address()), *owned.node_bytes, value, item.path);
    };
    switch (provider.protocol()) {
      case Protocol::Sequence:
        for (const Value& element : value.as<Array>()) {
          node(element);
          later(element, item.path + "[]");
        }
        return;
      case Protocol::Map:
        for (const MapEntry& entry : value.as<Map>()) {
          node(entry.key());
          later(entry.key(), item.path + "[].key");
          later(entry.value(), item.path + "[].value");
        }
        return;
      case Protocol::Optional:
        if (const Optional held = value.as<Optional>(); held.has_value()) later(held.value(), item.path + "?");
        return;
      case Protocol::Variant:
        if (const Variant variant = value.as<Variant>(); !variant.valueless()) later(variant.value(), item.path + "?");
        return;
      case Protocol::Pointer:
        if (const Pointer pointer = value.as<Pointer>(); !pointer.is_null() && !pointer.points_to_array()) {
          // The object once: a second owner (another shared_ptr) adds nothing.
          const Value pointee = pointer.deref();
          if (reached_.insert(reinterpret_cast<std::uint64_t>(pointee.address())).second) later(pointee, item.path + "->");
        }
        return;
      case Protocol::Tuple: {
        const Tuple tuple = value.as<Tuple>();
        for (std::size_t i = 0; i < tuple.size(); ++i) later(tuple.at(i), fmt::format("{}.{}", item.path, i));
        return;
      }
      case Protocol::String: return;
    }
  }

  const FootprintOptions& options_;
  Footprint footprint_;
  std::map<std::string, FootprintPart> by_type_, by_path_;
  std::unordered_set<std::uint64_t> seen_;     // blocks counted
  std::unordered_set<std::uint64_t> reached_;  // pointees walked into
  std::deque<Item> pending_;
};

}  // namespace

Footprint footprint(const Value& value, const FootprintOptions& options) { return Counter(options).count(value); }

namespace detail {

void format_footprint(fmt::memory_buffer& out, const Footprint& footprint, std::size_t top) {
  auto to = fmt::appender(out);
  fmt::format_to(to, "{} bytes: {} of its own and {} heap block{}", footprint.bytes, footprint.own_bytes,
                 footprint.blocks, footprint.blocks == 1 ? "" : "s");
  auto table = [&](const std::vector<FootprintPart>& parts, std::string_view heading) {
    std::size_t bytes_width = 5, blocks_width = 6;
    for (const FootprintPart& part : parts) {
      bytes_width = std::max(bytes_width, fmt::formatted_size("{}", part.bytes));
      blocks_width = std::max(blocks_width, fmt::formatted_size("{}", part.blocks));
    }
    fmt::format_to(to, "\n{:>{}}  {:>{}}  {}", "bytes", bytes_width, "blocks", blocks_width, heading);
    std::size_t shown = 0;
    for (const FootprintPart& part : parts) {
      if (top != 0 && shown++ == top) {
        fmt::format_to(to, "\n{:>{}}  ({} more)", "", bytes_width + 2 + blocks_width, parts.size() - top);
        break;
      }
      fmt::format_to(to, "\n{:>{}}  {:>{}}  {}", part.bytes, bytes_width, part.blocks, blocks_width,
                     part.name.empty() && heading == "member" ? "(the object)" : part.name);
    }
  };
  table(footprint.by_type, "type");
  table(footprint.by_path, "member");
}

void format_footprint_json(fmt::memory_buffer& out, const Footprint& footprint, bool pretty) {
  if (pretty) {
    fmt::memory_buffer compact;
    format_footprint_json(compact, footprint, false);
    indent_json(out, std::string_view(compact.data(), compact.size()));
    return;
  }
  fmt::format_to(fmt::appender(out), "{{\"bytes\":{},\"own_bytes\":{},\"blocks\":{}", footprint.bytes,
                 footprint.own_bytes, footprint.blocks);
  for (const auto& [key, parts] : {std::pair{"by_type", &footprint.by_type}, std::pair{"by_path", &footprint.by_path}}) {
    fmt::format_to(fmt::appender(out), ",\"{}\":[", key);
    bool first = true;
    for (const FootprintPart& part : *parts) {
      if (!first) out.push_back(',');
      first = false;
      out.append(std::string_view("{\"name\":"));
      append_json_string(out, part.name);
      fmt::format_to(fmt::appender(out), ",\"bytes\":{},\"blocks\":{}}}", part.bytes, part.blocks);
    }
    out.push_back(']');
  }
  out.push_back('}');
}

}  // namespace detail

}  // namespace reflect
