// The task dump (tasks.hpp): the coroutines of a target arranged by who awaits whom, printed as
// a tree and as JSON.

#include "coroutine_info.hpp"
#include "text_escape.hpp"
#include "type_node.hpp"

#include <reflect/tasks.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace reflect {

namespace {

std::uintptr_t frame_address(const Coroutine& c) { return reinterpret_cast<std::uintptr_t>(c.address()); }

}  // namespace

namespace detail {

TaskDump build_task_dump(Registry& registry, std::vector<Coroutine> coroutines) {
  using Node = TaskDump::Node;
  TaskDump dump;
  dump.coroutine_count_ = coroutines.size();
  std::unordered_map<std::uintptr_t, std::size_t> index;  // frame -> position in `coroutines`
  for (std::size_t i = 0; i < coroutines.size(); ++i) {
    index.emplace(frame_address(coroutines[i]), i);
    if (coroutines[i].state() == Coroutine::State::Done) ++dump.done_count_;
  }
  // Who awaits each: the first link of its async backtrace, when that is one of the live
  // coroutines (not a frame the scan did not find, such as one elided into its caller's).
  // Links through promises first, for all; then, for those without one, a link through an
  // awaiter in the frame, unless it closes a loop (asio's entry point holds, in an awaiter, the
  // handle of the innermost coroutine of its own chain).
  constexpr std::size_t none = ~std::size_t{0};
  std::vector<std::size_t> awaited_by(coroutines.size(), none);
  auto position = [&](const std::optional<Coroutine>& c) {
    if (!c) return none;
    auto it = index.find(frame_address(*c));
    return it == index.end() ? none : it->second;
  };
  for (std::size_t i = 0; i < coroutines.size(); ++i) {
    const std::unordered_set<std::uintptr_t> seen{frame_address(coroutines[i])};
    try {
      awaited_by[i] = position(awaiting_through_promise(registry, coroutines[i], seen, nullptr));
    } catch (const Error&) {
    }
  }
  auto leads_to = [&](std::size_t from, std::size_t to) {
    for (std::size_t at = from, steps = 0; at != none && steps <= coroutines.size(); at = awaited_by[at], ++steps)
      if (at == to) return true;
    return false;
  };
  for (std::size_t i = 0; i < coroutines.size(); ++i) {
    if (awaited_by[i] != none) continue;
    const std::unordered_set<std::uintptr_t> seen{frame_address(coroutines[i])};
    std::size_t parent = none;
    try {
      parent = position(awaiting_through_awaiters(registry, coroutines[i], seen));
    } catch (const Error&) {
    }
    if (parent != none && !leads_to(parent, i)) awaited_by[i] = parent;
  }
  // A loop of awaiting cannot be: one of its links is wrong. asio's entry point, at the bottom
  // of its stack of frames, keeps a pointer to the top one (its promise's top_of_stack_), which
  // reads as a link from the outermost to the innermost. The link cut is the first whose
  // coroutine the awaiting one's frame does not refer to (a coroutine awaiting another holds
  // the awaited task in its frame); if all are referred to, the first.
  std::vector<int> state(coroutines.size());  // 0: not looked at, 1: on the chain being followed, 2: done
  for (std::size_t start = 0; start < coroutines.size(); ++start) {
    std::vector<std::size_t> chain;
    std::size_t at = start;
    while (at != none && state[at] == 0) {
      state[at] = 1;
      chain.push_back(at);
      at = awaited_by[at];
    }
    if (at != none && state[at] == 1) {  // a loop, from `at` on
      const auto loop_begin = std::find(chain.begin(), chain.end(), at);
      std::size_t cut = *loop_begin;
      for (auto it = loop_begin; it != chain.end(); ++it) {
        bool referred = true;
        try {
          referred = frame_refers_to(coroutines[awaited_by[*it]], frame_address(coroutines[*it]));
        } catch (const Error&) {
        }
        if (!referred) {
          cut = *it;
          break;
        }
      }
      awaited_by[cut] = none;
    }
    for (std::size_t i : chain) state[i] = 2;
  }
  std::vector<std::vector<std::size_t>> children(coroutines.size());
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < coroutines.size(); ++i)
    (awaited_by[i] == none ? roots : children[awaited_by[i]]).push_back(i);

  auto order = [&](std::vector<std::size_t>& ids) {
    std::sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) {
      if (coroutines[a].function() != coroutines[b].function()) return coroutines[a].function() < coroutines[b].function();
      return frame_address(coroutines[a]) < frame_address(coroutines[b]);
    });
  };
  // Built depth first, without recursion (a chain may be long).
  auto build = [&](std::size_t root) {
    Node top(coroutines[root]);
    struct Pending {
      Node* node;
      std::size_t id;
    };
    std::vector<Pending> stack{{&top, root}};
    while (!stack.empty()) {
      const Pending p = stack.back();
      stack.pop_back();
      std::vector<std::size_t>& below = children[p.id];
      order(below);
      p.node->children_.reserve(below.size());
      for (std::size_t child : below) p.node->children_.push_back(Node(coroutines[child]));
      for (std::size_t k = 0; k < below.size(); ++k) stack.push_back({&p.node->children_[k], below[k]});
    }
    return top;
  };
  order(roots);
  dump.roots_.reserve(roots.size());
  for (std::size_t root : roots) dump.roots_.push_back(build(root));
  return dump;
}

namespace {

std::string summary(const TaskDump& dump) {
  auto plural = [](std::size_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  return fmt::format("{}, {}, {} done but not destroyed", plural(dump.roots().size(), "task", "tasks"),
                     plural(dump.coroutine_count(), "coroutine", "coroutines"), dump.done_count());
}

}  // namespace

void format_task_dump(fmt::memory_buffer& out, const TaskDump& dump, const FormatOptions& options) {
  struct Pending {
    const TaskDump::Node* node;
    std::string prefix;   // for this node's line
    std::string indent;   // for the lines of those below it
  };
  for (const TaskDump::Node& root : dump.roots()) {
    std::vector<Pending> stack{{&root, "╼ ", "  "}};
    while (!stack.empty()) {
      Pending p = std::move(stack.back());
      stack.pop_back();
      out.append(p.prefix);
      fmt::memory_buffer line;
      format_coroutine(line, p.node->coroutine(), options, /*with_promise=*/false);
      for (char ch : std::string_view(line.data(), line.size())) {
        out.push_back(ch);
        if (ch == '\n') out.append(p.indent);  // a multi-line coroutine stays under its marker
      }
      out.push_back('\n');
      const auto& children = p.node->children();
      for (std::size_t k = children.size(); k-- > 0;) {
        const bool last = k + 1 == children.size();
        stack.push_back({&children[k], p.indent + (last ? "└╼ " : "├╼ "), p.indent + (last ? "   " : "│  ")});
      }
    }
  }
  out.append(summary(dump));
}

void format_task_dump_json(fmt::memory_buffer& out, const TaskDump& dump, bool pretty) {
  fmt::memory_buffer compact;
  auto node_json = [&](auto& self, const TaskDump::Node& node) -> void {
    compact.append(std::string_view("{\"coroutine\":"));
    format_coroutine_json(compact, node.coroutine(), false);
    compact.append(std::string_view(",\"children\":["));
    bool first = true;
    for (const TaskDump::Node& child : node.children()) {
      if (!first) compact.push_back(',');
      first = false;
      self(self, child);
    }
    compact.append(std::string_view("]}"));
  };
  compact.append(std::string_view("{\"tasks\":["));
  bool first = true;
  for (const TaskDump::Node& root : dump.roots()) {
    if (!first) compact.push_back(',');
    first = false;
    node_json(node_json, root);
  }
  fmt::format_to(fmt::appender(compact), "],\"coroutines\":{},\"done\":{}}}", dump.coroutine_count(), dump.done_count());
  if (pretty) indent_json(out, std::string_view(compact.data(), compact.size()));
  else out.append(compact);
}

}  // namespace detail

TaskDump task_dump(const Target& target) {
  return detail::build_task_dump(detail::registry_of(target), coroutines(target));
}

}  // namespace reflect
