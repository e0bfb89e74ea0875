#pragma once
// What is known of one coroutine function, shared by the Coroutine objects of all its frames
// (coroutine.cpp makes it; the discovery of every frame, coroutine_scan.cpp, validates with it).

#include "../dwarf/records.hpp"

#include <reflect/coroutine.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace reflect::dwarf {
class Module;
}

namespace reflect {

namespace detail {

class Registry;
struct TypeNode;

/// A parameter or local a coroutine keeps in its frame.
struct CoroutineVariable {
  std::string name;   // as written in the source
  std::size_t field;  // in frame->fields()
  std::optional<std::uint32_t> declared_at;  // source line, when the function at hand says
  std::optional<bool> is_parameter;          // nullopt: not known
};

/// What is known of one coroutine function, shared by all its frames.
struct CoroutineInfo {
  dwarf::CoroutineRecord record;
  Registry* registry = nullptr;  // the target's
  const dwarf::Module* module = nullptr;
  std::string function;
  const TypeNode* frame = nullptr;    // concrete; nullptr when not described
  const TypeNode* promise = nullptr;  // nullptr when not found
  std::vector<CoroutineVariable> variables;
  std::string frame_unavailable;
  // Source lines by resume index, found on first need (guarded by the registry lock).
  mutable std::unordered_map<std::uint64_t, std::optional<SourceLocation>> lines;
  // Module::initial_suspend_dropped(), found on first need (guarded by the registry lock).
  mutable std::optional<bool> initial_suspend_dropped;
};

/// The suspend point resume index `index` stands for (0 the initial suspend point, 1 the first
/// co_await or co_yield, ...): CoroutineRecord::suspend_point(), counting the initial suspend
/// point when the compiler left it out (Module::initial_suspend_dropped()).
std::uint64_t suspend_point_of(const CoroutineInfo& info, std::uint64_t index);

/// The coroutine awaiting `current`: the next link of an async backtrace, not one of `seen`.
/// First a coroutine_handle its promise holds (members, bases and nested structs, and behind
/// one raw pointer to a struct): where task types keep the awaiting coroutine. Else one an
/// awaiter held in its frame holds, leading to a coroutine whose promise does not lead back
/// (one this coroutine awaits). nullopt, with why in `problem`, when there is none.
std::optional<Coroutine> awaiting_coroutine(Registry& registry, const Coroutine& current,
                                            const std::unordered_set<std::uintptr_t>& seen, std::string* problem);
/// The two halves of awaiting_coroutine(), for who weighs them apart (the task dump).
std::optional<Coroutine> awaiting_through_promise(Registry& registry, const Coroutine& current,
                                                  const std::unordered_set<std::uintptr_t>& seen, std::string* problem);
std::optional<Coroutine> awaiting_through_awaiters(Registry& registry, const Coroutine& current,
                                                   const std::unordered_set<std::uintptr_t>& seen);
/// Whether `holder`'s frame (its awaiters and locals, and what they point to) holds a handle to
/// the coroutine whose frame is at `frame`: what a coroutine awaiting another usually holds (the
/// task object it co_awaits).
bool frame_refers_to(const Coroutine& holder, std::uintptr_t frame);

}  // namespace detail

}  // namespace reflect
