#pragma once
// Every coroutine alive in a program, found in its heap with no handle to start from, and the
// forest of tasks they form: which coroutine awaits which.
//
//   for (const reflect::Coroutine& c : reflect::coroutines()) fmt::print("{}\n", c);
//   fmt::print("{}\n", reflect::task_dump());               // ╼ app::serve() suspended at app.cpp:40 {...}
//   fmt::print("{}\n", reflect::task_dump(reflect::Target::attach(pid)));

#include <reflect/coroutine.hpp>
#include <reflect/export.hpp>
#include <reflect/target.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace reflect {

class TaskDump;
namespace detail {
TaskDump build_task_dump(Registry& registry, std::vector<Coroutine> coroutines);
}

/// Every coroutine frame alive in the target, in address order. A frame is recognised by its
/// first two words, the resume and the destroy function of one coroutine the target's modules
/// define (the resume word is null at the final suspend point), in a block the allocator has
/// handed out and not taken back, and then checked: its resume index is one its coroutine can
/// have, its promise can be read, it fits in its block. With glibc's malloc the blocks are its
/// chunks in use; under AddressSanitizer, the blocks its shadow memory marks live; with another
/// allocator every aligned word of the writable memory is a candidate (README: "How frames and
/// objects are found" gives the rules and their limits).
/// Frames freed, or kept by a caching allocator after the coroutine was destroyed (asio's),
/// are not reported. Throws reflect::Error when the target has no memory (a binary on disk, a
/// process that has exited).
REFLECT_API std::vector<Coroutine> coroutines(const Target& target = Target::self());

/// The forest of tasks: a root is a coroutine that no other live coroutine awaits, and below
/// each coroutine are the ones it awaits (the links async_backtrace() follows, inverted: one
/// awaiting several, through a when_all, has several children).
class REFLECT_API TaskDump {
 public:
  class Node {
   public:
    const Coroutine& coroutine() const noexcept { return coroutine_; }
    /// The coroutines this one awaits, by function name then address.
    const std::vector<Node>& children() const noexcept { return children_; }

   private:
    friend TaskDump detail::build_task_dump(detail::Registry& registry, std::vector<Coroutine> coroutines);
    explicit Node(Coroutine coroutine) : coroutine_(std::move(coroutine)) {}
    Coroutine coroutine_;
    std::vector<Node> children_;
  };

  /// The tasks, by function name then address.
  const std::vector<Node>& roots() const noexcept { return roots_; }
  /// Every coroutine found: the roots and all below them.
  std::size_t coroutine_count() const noexcept { return coroutine_count_; }
  /// Coroutines at their final suspend point that nothing destroyed: a leak unless something
  /// still will (a task's owner that reads its result first).
  std::size_t done_count() const noexcept { return done_count_; }

 private:
  friend TaskDump detail::build_task_dump(detail::Registry& registry, std::vector<Coroutine> coroutines);
  std::vector<Node> roots_;
  std::size_t coroutine_count_ = 0;
  std::size_t done_count_ = 0;
};

/// Every task of the target: coroutines(target), arranged by who awaits whom.
REFLECT_API TaskDump task_dump(const Target& target = Target::self());

namespace detail {
REFLECT_API void format_task_dump(fmt::memory_buffer& out, const TaskDump& dump, const FormatOptions& options);
/// {"tasks": [{"coroutine": {...as a Coroutine's JSON}, "children": [...]}, ...],
///  "coroutines": N, "done": N}
REFLECT_API void format_task_dump_json(fmt::memory_buffer& out, const TaskDump& dump, bool pretty);
}  // namespace detail

}  // namespace reflect

/// One coroutine a line, as async_backtrace() prints them, each root marked `╼` and each
/// coroutine it awaits under it (`├╼`, `└╼`); then a summary line. `{:j}` JSON.
template <> struct fmt::formatter<reflect::TaskDump> : reflect::detail::AlternateSpec {
  template <class FormatContext> auto format(const reflect::TaskDump& dump, FormatContext& ctx) const {
    fmt::memory_buffer buffer;
    if (json) reflect::detail::format_task_dump_json(buffer, dump, alternate);
    else reflect::detail::format_task_dump(buffer, dump, {.multiline = alternate});
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};
