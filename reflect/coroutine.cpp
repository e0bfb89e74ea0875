// Coroutine frames (ARCHITECTURE §6): from a frame address to the coroutine's function, state,
// promise and locals, and from one coroutine to the one awaiting it.

#include "coroutine_info.hpp"

#include "../dwarf/process.hpp"
#include "memory.hpp"
#include "text_escape.hpp"
#include "type_node.hpp"
#include "value_access.hpp"
#include "walk.hpp"

#include <reflect/coroutine.hpp>
#include <reflect/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace reflect {

using namespace detail;

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// GCC names a frame's copy of a local `<name>_<scope>_<n>`; parameters keep their names.
std::string_view without_scope_suffix(std::string_view name) {
  std::size_t last = name.rfind('_');
  if (last == std::string_view::npos || last == 0 || !all_digits(name.substr(last + 1))) return name;
  std::size_t before = name.rfind('_', last - 1);
  if (before == std::string_view::npos || before == 0 || !all_digits(name.substr(before + 1, last - before - 1)))
    return name;
  return name.substr(0, before);
}

bool has_counter_suffix(std::string_view name, std::string_view prefix) {
  return name.starts_with(prefix) && all_digits(name.substr(prefix.size()));
}

// The source name of a frame member, or nullopt for what the compiler made: GCC's `_Coro_*`
// bookkeeping and awaiters (`Is` initial, `Fs` final, `Aw<n>` co_await, `Yd<n>` co_yield);
// clang's `__*` bookkeeping and the temporaries it names after their types
// (`PointerType_0`, `struct_app__Task_1`, `class_std____cxx11__basic_string_0`, `__int_32_2`).
std::optional<std::string_view> source_name(std::string_view member, dwarf::CoroutineRecord::Compiler compiler) {
  if (member.empty()) return std::nullopt;
  if (compiler == dwarf::CoroutineRecord::Compiler::Gcc) {
    if (member.starts_with("_Coro_") || member.starts_with("D.")) return std::nullopt;  // D.<n>: temporaries
    std::string_view name = without_scope_suffix(member);
    if (name == "Is" || name == "Fs" || has_counter_suffix(name, "Aw") || has_counter_suffix(name, "Yd"))
      return std::nullopt;
    return name;
  }
  if (member.starts_with("__")) return std::nullopt;
  std::size_t last = member.rfind('_');
  if (last != std::string_view::npos && all_digits(member.substr(last + 1))) {
    std::string_view stem = member.substr(0, last);
    if (stem == "PointerType" || stem == "UnknownType" || stem.starts_with("struct_") || stem.starts_with("class_") ||
        stem.starts_with("union_") || stem.starts_with("enum_"))
      return std::nullopt;
  }
  return member;
}

const std::string no_frame_reason =
    "the compiler described no coroutine frame (clang 17-19 at -O1 and above do not: LLVM issue 121092); "
    "build this code with -O0, or with GCC, to see parameters and locals";

std::shared_ptr<const CoroutineInfo> make_info(Registry& registry, const dwarf::Module& module,
                                               const dwarf::CoroutineRecord& record) {
  auto info = std::make_shared<CoroutineInfo>();
  info->record = record;
  info->registry = &registry;
  info->module = &module;
  info->function = dwarf::normalize_name(demangle(record.linkage_name));
  if (record.promise_type) info->promise = &registry.node_for(record.promise_type).concrete();
  if (!record.frame_type) {
    info->frame_unavailable = no_frame_reason;
    return info;
  }
  info->frame = &registry.node_for(record.frame_type).concrete();
  const auto& fields = info->frame->fields();
  const bool gcc = record.compiler == dwarf::CoroutineRecord::Compiler::Gcc;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto name = source_name(fields[i].name, record.compiler);
    if (!name) continue;
    CoroutineVariable variable{std::string(*name), i, std::nullopt, std::nullopt};
    if (gcc) variable.is_parameter = *name == fields[i].name;  // GCC suffixes locals, not parameter copies
    bool declared_here = false;
    for (const auto& declared : record.variables)
      if (declared.offset == fields[i].offset) {
        declared_here = true;
        variable.declared_at = declared.line;
        if (!gcc) variable.is_parameter = declared.is_parameter;
      }
    // clang -O0 also keeps in the frame, under their own names, the parameters and locals of
    // functions it inlined into the coroutine (`fmt`, `args` of an inlined fmt::format): a member
    // that no variable of the coroutine itself declares is not one of its variables.
    if (!gcc && !record.variables.empty() && !declared_here) continue;
    // clang 14 at -O2 gives no variable a frame offset (their locations are expressions over
    // registers), and names a member after a parameter of a function it inlined into the
    // coroutine (`v` of promise_type::return_value, `name` of an inlined ramp whose frame it
    // elided into this one): there a member is a variable of the coroutine's when the
    // coroutine declares its name.
    if (!gcc && record.variables.empty()) {
      auto same_name = [&](const dwarf::CoroutineRecord::Declared& declared) { return declared.name == *name; };
      auto declared = std::find_if(record.declared.begin(), record.declared.end(), same_name);
      if (declared == record.declared.end()) continue;
      variable.declared_at = declared->line;
      variable.is_parameter = declared->is_parameter;
    }
    info->variables.push_back(std::move(variable));
  }
  return info;
}

std::uintptr_t word_at(const Registry& registry, std::uintptr_t address) {
  return read_as<std::uintptr_t>(registry.memory(), address);
}

}  // namespace

Coroutine::Coroutine(const void* address, std::shared_ptr<const CoroutineInfo> info, State state,
                     std::optional<std::uint64_t> index)
    : address_(address), info_(std::move(info)), state_(state), index_(index) {
  if (state_ == State::Suspended && index_) suspend_point_ = detail::suspend_point_of(*info_, *index_);
}

const std::string& Coroutine::function() const noexcept { return info_->function; }
bool Coroutine::has_frame() const noexcept { return info_->frame != nullptr; }
std::optional<std::size_t> Coroutine::frame_size() const noexcept {
  if (info_->frame == nullptr) return std::nullopt;
  return info_->frame->size;
}
const std::string& Coroutine::frame_unavailable_reason() const noexcept { return info_->frame_unavailable; }

std::optional<SourceLocation> Coroutine::location() const {
  if (state_ != State::Suspended || !index_) return std::nullopt;
  std::lock_guard lock(info_->registry->mutex());
  auto [it, inserted] = info_->lines.try_emplace(*index_);
  if (inserted)
    if (auto line = info_->module->suspend_line(info_->record, *index_)) it->second = SourceLocation{line->file, line->line};
  return it->second;
}

std::optional<Value> Coroutine::promise() const {
  if (info_->promise == nullptr) return std::nullopt;
  return Value(Type(*info_->promise), static_cast<const char*>(address_) + info_->record.promise_offset);
}

CoroutineFrame Coroutine::frame() const {
  if (info_->frame == nullptr)
    throw Error(fmt::format("reflect: no frame for the coroutine {}: {}", info_->function, info_->frame_unavailable));
  CoroutineFrame frame(Value(Type(*info_->frame), address_));
  const auto& fields = info_->frame->fields();
  const std::optional<SourceLocation> suspended_at = location();
  frame.variables_.reserve(info_->variables.size());
  for (const CoroutineVariable& variable : info_->variables)
    frame.variables_.push_back(
        {variable.name, field_value(frame.raw_, fields[variable.field]), in_scope(variable, suspended_at)});
  return frame;
}

// Whether a frame variable holds a value at the point the coroutine is suspended at. Before the
// body runs only the parameter copies do; at the final suspend point the body's locals are
// destroyed and the parameter copies live on. In between, a local declared below the suspend
// point's line is not constructed yet. (The frame's layout does not tell: GCC places all of a
// block's locals before the awaiters of its statements.)
bool Coroutine::in_scope(const detail::CoroutineVariable& variable, const std::optional<SourceLocation>& suspended_at) const {
  if (state_ != State::Suspended) return variable.is_parameter.value_or(true);  // before or after the body
  if (variable.is_parameter.value_or(false)) return true;
  return !(suspended_at && variable.declared_at && *variable.declared_at > suspended_at->line);
}

std::optional<Value> CoroutineFrame::field(std::string_view name) const {
  for (const Variable& variable : variables_)
    if (variable.name == name) return variable.value;
  return std::nullopt;
}

namespace detail {

Coroutine coroutine_in(Registry& registry, std::uintptr_t address) {
  if (address == 0) throw Error("reflect: a null coroutine handle has no frame to read");
  if (!readable(registry.memory(), address, 2 * sizeof(void*))) throw UnreadableMemory(address);
  // A frame starts with its resume function (null at the final suspend point) and its
  // destroy function; either leads to the coroutine's debug info.
  const std::uintptr_t resume = word_at(registry, address);
  const std::uintptr_t function = resume != 0 ? resume : word_at(registry, address + sizeof(void*));

  std::shared_ptr<const CoroutineInfo> info;
  {
    std::lock_guard lock(registry.mutex());
    auto& known = registry.coroutines();
    if (auto it = known.find(Registry::hidden_key(function)); it != known.end()) {
      info = it->second;
    } else {
      const dwarf::Module* module = function ? registry.process().module_at(function) : nullptr;
      if (module == nullptr)
        throw Error(fmt::format("reflect: {:#x} is not a coroutine frame: its first words ({:#x}, {:#x}) point into "
                                "no loaded module, where a frame holds its resume and destroy functions",
                                address, resume, word_at(registry, address + sizeof(void*))));
      if (!module->has_debug_info())
        throw Error(fmt::format("reflect: the coroutine at {:#x} belongs to {}, which has no debug info; build it "
                                "with -g or install its debug package",
                                address, module->path()));
      auto record = module->coroutine_at(function);
      if (record) info = make_info(registry, *module, *record);
      known.emplace(Registry::hidden_key(function), info);
    }
  }
  if (info == nullptr)
    throw Error(fmt::format("reflect: {:#x} is not a coroutine frame: the function {:#x} its first words point to is "
                            "not a coroutine's resume or destroy function in the debug info",
                            address, function));

  const auto* frame = reinterpret_cast<const void*>(address);
  if (resume == 0) return Coroutine(frame, info, Coroutine::State::Done, std::nullopt);
  std::optional<std::uint64_t> index;
  if (info->record.index_size != 0) {
    std::uint64_t raw = 0;
    read_memory(registry.memory(), address + info->record.index_offset, &raw,
                std::min<std::size_t>(info->record.index_size, sizeof raw));
    index = raw;  // little-endian: the low bytes are the index
  }
  auto state = index && suspend_point_of(*info, *index) == 0 ? Coroutine::State::NotStarted
                                                              : Coroutine::State::Suspended;
  return Coroutine(frame, info, state, index);
}

std::uint64_t suspend_point_of(const CoroutineInfo& info, std::uint64_t index) {
  const std::uint64_t point = info.record.suspend_point(index);
  if (info.record.compiler != dwarf::CoroutineRecord::Compiler::Clang) return point;
  std::lock_guard lock(info.registry->mutex());
  if (!info.initial_suspend_dropped) info.initial_suspend_dropped = info.module->initial_suspend_dropped(info.record);
  return *info.initial_suspend_dropped ? point + 1 : point;
}

// The checks that tell a live frame from a copy of one left in freed or recycled memory, where
// its first two words (a resume and a destroy function of one coroutine) already matched.
std::optional<Coroutine> live_coroutine_in(Registry& registry, std::uintptr_t frame, std::size_t block_size) {
  std::optional<Coroutine> c;
  try {
    c = coroutine_in(registry, frame);
  } catch (const Error&) {
    return std::nullopt;
  }
  const CoroutineInfo& info = *c->info_;
  // The frame fits in its block (GCC's frame type is what the ramp allocates; clang's may be
  // smaller than the allocation, never larger).
  if (info.frame != nullptr && info.frame->size > block_size) return std::nullopt;
  std::optional<std::uint64_t> raw_index = c->index_;
  if (!raw_index && info.record.index_size != 0) {  // done: coroutine_in left it out
    std::uint64_t raw = 0;
    if (!try_read_memory(registry.memory(), frame + info.record.index_offset, &raw,
                         std::min<std::size_t>(info.record.index_size, sizeof raw)))
      return std::nullopt;
    raw_index = raw;
  }
  if (raw_index) {
    const std::uint64_t index = *raw_index;
    // GCC numbers suspend points 2, 4, 6...; destroying a frame sets the low bit first. clang
    // numbers them 0, 1, 2... A coroutine with thousands of suspend points is not one.
    constexpr std::uint64_t most_suspend_points = 4096;
    if (info.record.compiler == dwarf::CoroutineRecord::Compiler::Gcc) {
      if (index < 2 || index % 2 != 0 || index / 2 > most_suspend_points) return std::nullopt;
    } else if (index > most_suspend_points) {
      return std::nullopt;
    }
  }
  if (info.promise != nullptr && !readable(registry.memory(), frame + info.record.promise_offset, info.promise->size))
    return std::nullopt;
  return c;
}

}  // namespace detail

Coroutine coroutine_at(const void* frame) {
  return detail::coroutine_in(Registry::self(), reinterpret_cast<std::uintptr_t>(frame));
}

namespace {

// Frame addresses held by std::coroutine_handle objects inside a value, in the order the walk
// meets them: members, bases and nested structs in declaration order, what optionals and
// smart pointers hold, and behind at most `pointer_hops` raw pointers (a promise that points
// at the awaiter holding its continuation). A container's elements are not a chain: none.
struct HandleCollector : QuietSink {
  std::vector<std::uintptr_t> frames;
  void coroutine_handle(std::uintptr_t frame, std::string_view) { frames.push_back(frame); }
};

void collect_handles(const Value& value, std::size_t pointer_hops, std::vector<std::uintptr_t>& out) {
  WalkLimits limits;
  limits.follow_pointers = pointer_hops > 0;
  limits.max_pointer_hops = pointer_hops;
  limits.dynamic_types = false;
  limits.max_elements = 0;
  limits.max_depth = 7;
  HandleCollector collector;
  Walk<HandleCollector> walk(collector, limits, address_of(value));
  walk.value(value, 0, false);
  out.insert(out.end(), collector.frames.begin(), collector.frames.end());
}

std::vector<std::uintptr_t> handles_in_promise(const Coroutine& c) {
  std::vector<std::uintptr_t> out;
  if (auto promise = c.promise()) collect_handles(*promise, /*pointer_hops=*/1, out);
  return out;
}

// Handles in the frame's awaiters: what the compiler keeps there is not a source variable.
std::vector<std::uintptr_t> handles_in_awaiters(const Coroutine& c, std::size_t pointer_hops = 0) {
  std::vector<std::uintptr_t> out;
  if (!c.has_frame()) return out;
  Value raw = c.frame().raw();
  const TypeNode& frame = concrete_of(raw);
  for (const FieldNode& field : frame.fields()) {
    if (field.name.find("promise") != std::string_view::npos || field.name.find("self_handle") != std::string_view::npos)
      continue;
    collect_handles(field_value(raw, field), pointer_hops, out);
  }
  return out;
}

// std::noop_coroutine(): what a task without an awaiting coroutine may resume at its end. Its
// frame points at libstdc++'s coroutine_handle<noop_coroutine_promise>::__dummy_resume_destroy.
bool is_noop_coroutine(Registry& registry, std::uintptr_t frame) {
  if (!readable(registry.memory(), frame, sizeof(void*))) return false;
  const std::uintptr_t function = word_at(registry, frame);
  std::lock_guard lock(registry.mutex());
  const dwarf::Module* module = registry.process().module_at(function, /*refresh=*/false);
  if (module == nullptr) return false;
  auto symbol = module->symbol_at(function);
  return symbol && symbol->offset == 0 && symbol->name.find("noop_coroutine_promise") != std::string_view::npos;
}

std::optional<Coroutine> try_coroutine_at(Registry& registry, std::uintptr_t frame, std::string* problem) {
  try {
    return coroutine_in(registry, frame);
  } catch (const UnreadableMemory& e) {
    if (problem) *problem = fmt::format("the frame at {:#x} is unreadable", frame);
  } catch (const Error& e) {
    if (problem) *problem = e.what();
  }
  return std::nullopt;
}

}  // namespace

namespace detail {

std::optional<Coroutine> awaiting_through_promise(Registry& registry, const Coroutine& current,
                                                  const std::unordered_set<std::uintptr_t>& seen, std::string* problem) {
  const auto self = reinterpret_cast<std::uintptr_t>(current.address());
  for (std::uintptr_t handle : handles_in_promise(current)) {
    if (handle == self || is_noop_coroutine(registry, handle)) continue;
    if (seen.contains(handle)) {
      if (problem) *problem = fmt::format("the chain loops: {:#x} is already in it", handle);
      continue;
    }
    if (auto next = try_coroutine_at(registry, handle, problem)) return next;
  }
  return std::nullopt;
}

std::optional<Coroutine> awaiting_through_awaiters(Registry& registry, const Coroutine& current,
                                                   const std::unordered_set<std::uintptr_t>& seen) {
  const auto self = reinterpret_cast<std::uintptr_t>(current.address());
  for (std::uintptr_t handle : handles_in_awaiters(current)) {
    if (handle == self || seen.contains(handle)) continue;
    std::optional<Coroutine> candidate = try_coroutine_at(registry, handle, nullptr);
    if (!candidate) continue;
    auto back = handles_in_promise(*candidate);
    if (std::find(back.begin(), back.end(), self) != back.end()) continue;  // one this coroutine awaits
    return candidate;
  }
  return std::nullopt;
}

bool frame_refers_to(const Coroutine& holder, std::uintptr_t frame) {
  // Behind one pointer: asio's awaitable<T> holds a pointer to the awaited frame's promise.
  const std::vector<std::uintptr_t> handles = handles_in_awaiters(holder, /*pointer_hops=*/1);
  return std::find(handles.begin(), handles.end(), frame) != handles.end();
}

std::optional<Coroutine> awaiting_coroutine(Registry& registry, const Coroutine& current,
                                            const std::unordered_set<std::uintptr_t>& seen, std::string* problem) {
  // The promise first: that is where task types keep the awaiting coroutine.
  if (auto next = awaiting_through_promise(registry, current, seen, problem)) return next;
  return awaiting_through_awaiters(registry, current, seen);
}

AsyncBacktrace async_backtrace_in(Registry& registry, std::uintptr_t frame) {
  AsyncBacktrace backtrace;
  backtrace.coroutines.push_back(coroutine_in(registry, frame));
  std::unordered_set<std::uintptr_t> seen{frame};
  constexpr std::size_t max_chain = 1000;
  while (backtrace.coroutines.size() < max_chain) {
    std::string problem;
    std::optional<Coroutine> next = awaiting_coroutine(registry, backtrace.coroutines.back(), seen, &problem);
    if (!next) {
      backtrace.stopped = std::move(problem);
      break;
    }
    seen.insert(reinterpret_cast<std::uintptr_t>(next->address()));
    backtrace.coroutines.push_back(std::move(*next));
  }
  if (backtrace.coroutines.size() == max_chain) backtrace.stopped = fmt::format("stopped after {} coroutines", max_chain);
  return backtrace;
}

}  // namespace detail

AsyncBacktrace async_backtrace_at(const void* frame) {
  return detail::async_backtrace_in(Registry::self(), reinterpret_cast<std::uintptr_t>(frame));
}

namespace detail {

std::string coroutine_function_at(Registry& registry, std::uintptr_t frame) {
  std::optional<Coroutine> c = try_coroutine_at(registry, frame, nullptr);
  return c ? c->function() : std::string();
}

std::string_view state_name(Coroutine::State state) {
  switch (state) {
    case Coroutine::State::NotStarted: return "not started";
    case Coroutine::State::Suspended: return "suspended";
    case Coroutine::State::Done: return "done";
  }
  return "?";
}

void format_coroutine(fmt::memory_buffer& out, const Coroutine& c, const FormatOptions& options, bool with_promise) {
  auto to = std::back_inserter(out);
  fmt::format_to(to, "{} {}", c.function(), state_name(c.state()));
  if (c.state() == Coroutine::State::Suspended) {
    std::optional<SourceLocation> where;
    try {
      where = c.location();
    } catch (const Error&) {
    }
    if (where) {
      std::string_view file = where->file;
      if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
      fmt::format_to(to, " at {}:{}", file, where->line);
    } else if (c.suspend_point()) {
      fmt::format_to(to, " at suspend point {}", *c.suspend_point());
    }
  }
  // Values: no type names on one line (locals read like `x = 3`); over several lines, the
  // promise names its type and nested lines are indented under their variable.
  FormatOptions value_options = options;
  value_options.show_type = options.multiline;
  auto item = [&, first = true](std::string_view name, const Value* value, std::string_view text) mutable {
    if (options.multiline) {
      out.append(std::string_view("\n  "));
    } else {
      out.append(std::string_view(first ? " {" : ", "));
    }
    first = false;
    if (!name.empty()) fmt::format_to(to, "{} = ", name);
    if (value == nullptr) {
      out.append(text);
      return;
    }
    fmt::memory_buffer printed;
    format_value(printed, *value, value_options);
    for (char ch : std::string_view(printed.data(), printed.size())) {
      out.push_back(ch);
      if (ch == '\n') out.append(std::string_view("  "));
    }
  };
  bool any = false;
  if (with_promise)
    if (std::optional<Value> promise = c.promise()) {
      item("promise", &*promise, {});
      any = true;
    }
  if (c.has_frame()) {
    try {
      CoroutineFrame frame = c.frame();
      for (const CoroutineFrame::Variable& variable : frame.variables()) {
        item(variable.name, variable.in_scope ? &variable.value : nullptr, "<not in scope>");
        any = true;
      }
    } catch (const UnreadableMemory& e) {
      item({}, nullptr, fmt::format("<unreadable {:#x}>", e.address()));
      any = true;
    }
  } else {
    item({}, nullptr, "<locals unavailable: the compiler described no frame (LLVM issue 121092)>");
    any = true;
  }
  if (!options.multiline) out.append(std::string_view(any ? "}" : " {}"));
}

namespace {

void coroutine_json(fmt::memory_buffer& out, const Coroutine& c) {
  out.append(std::string_view("{\"function\":"));
  append_json_string(out, c.function());
  out.append(std::string_view(",\"state\":"));
  append_json_string(out, state_name(c.state()));
  out.append(std::string_view(",\"suspend_point\":"));
  if (c.suspend_point()) fmt::format_to(fmt::appender(out), "{}", *c.suspend_point());
  else out.append(std::string_view("null"));
  out.append(std::string_view(",\"location\":"));
  std::optional<SourceLocation> where;
  try {
    where = c.location();
  } catch (const Error&) {
  }
  if (where) {
    out.append(std::string_view("{\"file\":"));
    append_json_string(out, where->file);
    fmt::format_to(fmt::appender(out), ",\"line\":{}}}", where->line);
  } else {
    out.append(std::string_view("null"));
  }
  out.append(std::string_view(",\"promise\":"));
  if (std::optional<Value> promise = c.promise()) format_json(out, *promise, {});
  else out.append(std::string_view("null"));
  out.append(std::string_view(",\"variables\":"));
  if (!c.has_frame()) {
    out.append(std::string_view("null,\"frame_unavailable\":"));
    append_json_string(out, c.frame_unavailable_reason());
    out.push_back('}');
    return;
  }
  try {
    CoroutineFrame frame = c.frame();
    out.push_back('{');
    std::unordered_map<std::string_view, int> seen;  // a name the coroutine declares twice: "name (2)"
    bool first = true;
    for (const CoroutineFrame::Variable& variable : frame.variables()) {
      if (!first) out.push_back(',');
      first = false;
      const int n = ++seen[variable.name];
      append_json_string(out, n == 1 ? std::string(variable.name) : fmt::format("{} ({})", variable.name, n));
      out.push_back(':');
      if (variable.in_scope) format_json(out, variable.value, {});
      else append_json_string(out, "<not in scope>");
    }
    out.push_back('}');
  } catch (const UnreadableMemory& e) {
    append_json_string(out, fmt::format("<unreadable {:#x}>", e.address()));
  }
  out.push_back('}');
}

}  // namespace

void format_coroutine_json(fmt::memory_buffer& out, const Coroutine& c, bool pretty) {
  fmt::memory_buffer compact;
  coroutine_json(compact, c);
  if (pretty) indent_json(out, std::string_view(compact.data(), compact.size()));
  else out.append(compact);
}

void format_backtrace_json(fmt::memory_buffer& out, const AsyncBacktrace& backtrace, bool pretty) {
  fmt::memory_buffer compact;
  compact.append(std::string_view("{\"coroutines\":["));
  for (std::size_t i = 0; i < backtrace.coroutines.size(); ++i) {
    if (i) compact.push_back(',');
    coroutine_json(compact, backtrace.coroutines[i]);
  }
  compact.append(std::string_view("],\"stopped\":"));
  if (backtrace.stopped.empty()) compact.append(std::string_view("null"));
  else append_json_string(compact, backtrace.stopped);
  compact.push_back('}');
  if (pretty) indent_json(out, std::string_view(compact.data(), compact.size()));
  else out.append(compact);
}

void format_backtrace(fmt::memory_buffer& out, const AsyncBacktrace& backtrace, const FormatOptions& options) {
  for (std::size_t i = 0; i < backtrace.coroutines.size(); ++i) {
    if (i) out.push_back('\n');
    fmt::format_to(std::back_inserter(out), "#{} ", i);
    format_coroutine(out, backtrace.coroutines[i], options, /*with_promise=*/false);
  }
  if (!backtrace.stopped.empty()) fmt::format_to(std::back_inserter(out), "\n(stopped: {})", backtrace.stopped);
}

}  // namespace detail

}  // namespace reflect
