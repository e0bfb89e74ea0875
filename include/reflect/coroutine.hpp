#pragma once
// C++20 coroutines seen from a handle alone: the coroutine's function, where it is suspended,
// its promise and its frame, and the chain of coroutines awaiting it (an async backtrace).
//
//   fmt::print("{}\n", reflect::coroutine(handle));       // app::leaf(int) suspended at app.cpp:49 {...}
//   fmt::print("{}\n", reflect::async_backtrace(handle)); // #0 app::leaf(int) ...\n#1 app::middle(int) ...

#include <reflect/format.hpp>
#include <reflect/value.hpp>

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reflect {

class Coroutine;
namespace detail {
struct CoroutineInfo;
struct CoroutineVariable;
class Registry;
Coroutine coroutine_in(Registry& registry, std::uintptr_t frame);
std::optional<Coroutine> live_coroutine_in(Registry& registry, std::uintptr_t frame, std::size_t block_size);
}

struct SourceLocation {
  std::string file;  // as the debug info names it (usually an absolute path)
  std::uint32_t line = 0;
};

/// A coroutine's parameters and locals, as they live in its frame. Compiler-made members (the
/// resume and destroy pointers, the promise, the resume index, awaiters, temporaries) are left
/// out, and GCC's scope suffixes (`count_1_2`) removed: names are as written in the source.
class REFLECT_API CoroutineFrame {
 public:
  struct Variable {
    std::string_view name;
    Value value;
    /// False for a local whose storage holds no value at the suspend point: not constructed
    /// yet (the coroutine has not started, or the local is declared further down than where it
    /// is suspended) or destroyed (at the final suspend point).
    /// A local declared in the suspending statement itself (`int r = co_await f();`) counts
    /// as in scope. Before the final suspend point this needs the suspend point's source line
    /// (see location()); without it, true.
    bool in_scope = true;
  };
  /// In frame order; a name may repeat when the coroutine declares it in two scopes.
  const std::vector<Variable>& variables() const& noexcept { return variables_; }
  /// On a temporary (`for (auto& v : c.frame().variables())`): a copy that outlives it.
  std::vector<Variable> variables() && { return std::move(variables_); }
  /// The first variable with this name; nullopt if the frame has none.
  std::optional<Value> field(std::string_view name) const;
  /// The whole frame as the compiler laid it out, internal members included.
  Value raw() const noexcept { return raw_; }

 private:
  friend class Coroutine;
  explicit CoroutineFrame(Value raw) : raw_(raw) {}
  Value raw_;
  std::vector<Variable> variables_;
};

/// A coroutine frame in memory, read through the debug info of the coroutine's function. The
/// state is read once, when the Coroutine is made; the promise and frame values are live.
class REFLECT_API Coroutine {
 public:
  enum class State {
    NotStarted,  // suspended at its initial suspend point
    Suspended,   // suspended at a co_await or co_yield
    Done,        // at its final suspend point: std::coroutine_handle::done() is true
  };

  const void* address() const noexcept { return address_; }
  /// The coroutine's function as a user writes it: `app::fetch(int)`.
  const std::string& function() const noexcept;
  State state() const noexcept { return state_; }
  /// Which suspend point it is suspended at: 1 for the first co_await or co_yield in the
  /// compiler's numbering (source order), 2 for the next... nullopt when not suspended at one, or
  /// when the compiler described no frame to read the resume index from.
  std::optional<std::size_t> suspend_point() const noexcept { return suspend_point_; }
  /// Where in the source it is suspended, when suspended at a co_await or co_yield: found in
  /// the code that stores the resume index (the resume function's, and for clang the ramp's),
  /// so not where an optimising compiler keeps the resume index in a register (GCC -O2).
  /// nullopt then, and when not started or done.
  std::optional<SourceLocation> location() const;
  /// The promise, of the real promise type. nullopt when the debug info names no promise type.
  std::optional<Value> promise() const;
  /// Whether the debug info describes the frame (clang 17-19 at -O1 and above do not).
  bool has_frame() const noexcept;
  /// The frame's size as the debug info describes it; nullopt when it does not.
  std::optional<std::size_t> frame_size() const noexcept;
  /// Why frame() is unavailable; empty when it is available.
  const std::string& frame_unavailable_reason() const noexcept;
  /// Parameters and locals. Throws Error with frame_unavailable_reason() when not described.
  CoroutineFrame frame() const;

 private:
  friend Coroutine detail::coroutine_in(detail::Registry& registry, std::uintptr_t frame);
  friend std::optional<Coroutine> detail::live_coroutine_in(detail::Registry& registry, std::uintptr_t frame,
                                                            std::size_t block_size);
  REFLECT_HIDDEN Coroutine(const void* address, std::shared_ptr<const detail::CoroutineInfo> info, State state,
                           std::optional<std::uint64_t> index);
  REFLECT_HIDDEN bool in_scope(const detail::CoroutineVariable& variable,
                               const std::optional<SourceLocation>& suspended_at) const;
  const void* address_;
  std::shared_ptr<const detail::CoroutineInfo> info_;
  State state_;
  std::optional<std::uint64_t> index_;  // the raw resume index
  std::optional<std::size_t> suspend_point_;
};

/// The coroutine behind a handle. Throws Error when the handle's frame is not a coroutine
/// frame this process's debug info describes (or UnreadableMemory when it cannot be read).
REFLECT_API Coroutine coroutine_at(const void* frame);
inline Coroutine coroutine(std::coroutine_handle<> handle) { return coroutine_at(handle.address()); }

/// A chain of coroutines: [0] the one asked about, then the coroutine awaiting it, and so on to
/// the outermost. Each next link is the first `std::coroutine_handle` found in the promise
/// (members, bases and nested structs, and behind one raw pointer to a struct), else in an
/// awaiter held in the frame, that leads to a coroutine not yet in the chain and not awaiting
/// this one.
struct AsyncBacktrace {
  std::vector<Coroutine> coroutines;
  /// Why the walk stopped before reaching a coroutine with no awaiting one: "" when it did
  /// reach one; otherwise, e.g., the next handle is not a coroutine this process describes.
  std::string stopped;
};
REFLECT_API AsyncBacktrace async_backtrace_at(const void* frame);
inline AsyncBacktrace async_backtrace(std::coroutine_handle<> handle) { return async_backtrace_at(handle.address()); }

namespace detail {
REFLECT_API void format_coroutine(fmt::memory_buffer& out, const Coroutine& coroutine, const FormatOptions& options,
                      bool with_promise);
REFLECT_API void format_backtrace(fmt::memory_buffer& out, const AsyncBacktrace& backtrace, const FormatOptions& options);
/// The JSON forms: {"function", "state", "suspend_point", "location", "promise", "variables"};
/// a backtrace {"coroutines": [...], "stopped"}.
REFLECT_API void format_coroutine_json(fmt::memory_buffer& out, const Coroutine& coroutine, bool pretty);
REFLECT_API void format_backtrace_json(fmt::memory_buffer& out, const AsyncBacktrace& backtrace, bool pretty);
REFLECT_API std::string_view state_name(Coroutine::State state);

// `{}` on one line, `{:#}` over several; `{:j}` JSON, `{:#j}` indented JSON.
struct AlternateSpec {
  bool alternate = false;
  bool json = false;
  constexpr auto parse(fmt::format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == '#') {
      alternate = true;
      ++it;
    }
    if (it != ctx.end() && *it == 'j') {
      json = true;
      ++it;
    }
    if (it != ctx.end() && *it != '}')
      throw fmt::format_error("reflect: the format spec of a coroutine is '', '#', 'j' or '#j'");
    return it;
  }
};
}  // namespace detail

}  // namespace reflect

/// `app::leaf(int) suspended at app.cpp:49 {promise = {...}, x = 3, local_leaf = 30}`
template <> struct fmt::formatter<reflect::Coroutine> : reflect::detail::AlternateSpec {
  template <class FormatContext> auto format(const reflect::Coroutine& c, FormatContext& ctx) const {
    fmt::memory_buffer buffer;
    if (json) reflect::detail::format_coroutine_json(buffer, c, alternate);
    else reflect::detail::format_coroutine(buffer, c, {.multiline = alternate}, /*with_promise=*/true);
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};

/// One coroutine a line, innermost first: `#0 app::leaf(int) suspended at app.cpp:49 {x = 3}`.
template <> struct fmt::formatter<reflect::AsyncBacktrace> : reflect::detail::AlternateSpec {
  template <class FormatContext> auto format(const reflect::AsyncBacktrace& b, FormatContext& ctx) const {
    fmt::memory_buffer buffer;
    if (json) reflect::detail::format_backtrace_json(buffer, b, alternate);
    else reflect::detail::format_backtrace(buffer, b, {.multiline = alternate});
    return fmt::format_to(ctx.out(), "{}", std::string_view(buffer.data(), buffer.size()));
  }
};

template <> struct fmt::formatter<reflect::Coroutine::State> : fmt::formatter<std::string_view> {
  template <class FormatContext> auto format(reflect::Coroutine::State s, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(reflect::detail::state_name(s), ctx);
  }
};
