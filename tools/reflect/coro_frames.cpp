// reflect coro-frames: every coroutine frame type a binary's debug info describes, largest
// first, each with its largest members. The C++ answer to "which of my coroutines has a huge
// frame". Frames are what the compiler laid out: parameters, locals that live across a
// suspend point, awaiters and bookkeeping all take room, so all are listed.
//
//   reflect coro-frames [--members N] BINARY...

#include "../../dwarf/process.hpp"
#include "../../dwarf/names.hpp"
#include "cli.hpp"

#include <reflect/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using reflect::dwarf::DieId;
using reflect::dwarf::Module;
using reflect::dwarf::Tag;
using reflect::dwarf::TypeRecord;

// Typedefs and cv followed, a declaration completed from its definition.
std::optional<std::uint64_t> size_of(const Module& module, const DieId& id, int depth = 0) {
  if (!id || depth > 32) return std::nullopt;
  TypeRecord type = module.read_type(id);
  if (type.byte_size) return type.byte_size;
  switch (type.tag) {
    case Tag::Typedef: case Tag::Const: case Tag::Volatile: return size_of(module, type.target, depth + 1);
    case Tag::Pointer: case Tag::LValueReference: case Tag::RValueReference: return sizeof(void*);
    case Tag::Array: {
      auto element = size_of(module, type.target, depth + 1);
      if (!element) return std::nullopt;
      std::uint64_t size = *element;
      for (const auto& count : type.array_counts) size *= count.value_or(0);
      return size;
    }
    default: break;
  }
  if (type.is_declaration)
    if (auto definition = module.find_definition(type)) return size_of(module, *definition, depth + 1);
  return std::nullopt;
}

std::string name_of(const Module& module, const DieId& id, int depth = 0) {
  if (!id) return "void";
  if (depth > 8) return "...";
  TypeRecord type = module.read_type(id);
  switch (type.tag) {
    case Tag::Pointer: return name_of(module, type.target, depth + 1) + "*";
    case Tag::LValueReference: return name_of(module, type.target, depth + 1) + "&";
    case Tag::RValueReference: return name_of(module, type.target, depth + 1) + "&&";
    case Tag::Const: return "const " + name_of(module, type.target, depth + 1);
    case Tag::Volatile: return "volatile " + name_of(module, type.target, depth + 1);
    case Tag::Array: {
      std::string name = name_of(module, type.target, depth + 1);
      for (const auto& count : type.array_counts) name += count ? fmt::format("[{}]", *count) : "[]";
      return name;
    }
    case Tag::Function: return "<function>";
    default: break;
  }
  if (type.name.empty()) return "<unnamed>";
  std::string key = Module::index_key(type);
  // A typedef inside the library's machinery (`std::__coroutine_traits_impl<...>::promise_type`)
  // says less than the type it names.
  if (type.tag == Tag::Typedef && key.find("::__") != std::string::npos) return name_of(module, type.target, depth + 1);
  return key;
}

struct FrameMember {
  std::string name;
  std::string type;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct Frame {
  std::string coroutine;
  std::uint64_t size = 0;
  std::vector<FrameMember> members;
};

std::vector<Frame> frames_of(const Module& module) {
  std::vector<Frame> frames;
  std::set<std::string> seen;  // a template's frame may be described in several units
  module.for_each_coroutine_frame([&](const DieId& id, const std::string& coroutine) {
    std::string name = reflect::dwarf::normalize_name(reflect::dwarf::demangle(coroutine));
    if (!seen.insert(name).second) return;
    TypeRecord type = module.read_type(id);
    Frame frame{name, type.byte_size.value_or(0), {}};
    for (std::size_t i = 0; i < type.members.size(); ++i) {
      const auto& member = type.members[i];
      // A member whose type has no size (an incomplete type) takes the room up to the next.
      std::uint64_t next = i + 1 < type.members.size() ? type.members[i + 1].byte_offset : frame.size;
      std::uint64_t size = size_of(module, member.type).value_or(next > member.byte_offset ? next - member.byte_offset : 0);
      frame.members.push_back({member.name, name_of(module, member.type), member.byte_offset, size});
    }
    // (std::sort with a full order: clang-19 flags libstdc++ 12's stable_sort as deprecated.)
    std::sort(frame.members.begin(), frame.members.end(),
              [](const FrameMember& a, const FrameMember& b) { return std::tie(b.size, a.offset) < std::tie(a.size, b.offset); });
    frames.push_back(std::move(frame));
  });
  std::sort(frames.begin(), frames.end(),
            [](const Frame& a, const Frame& b) { return std::tie(b.size, a.coroutine) < std::tie(a.size, b.coroutine); });
  return frames;
}

}  // namespace

namespace reflect::cli {

int coro_frames_command(Arguments args) {
  std::size_t shown_members = 5;
  std::vector<std::string> paths;
  while (!args.done()) {
    const std::string_view arg = args.take();
    if (arg == "--members") shown_members = static_cast<std::size_t>(parse_number(args.value_of(arg), "--members"));
    else if (arg.starts_with("-")) throw UsageError(fmt::format("unknown option {}", arg));
    else paths.emplace_back(arg);
  }
  if (paths.empty()) throw UsageError("say which binaries: BINARY...");
  int status = 0;
  for (const std::string& path : paths) {
    try {
      const auto binary = reflect::dwarf::Process::of_file(path);
      const Module& module = *binary->modules().front();
      if (!module.has_debug_info()) {
        fmt::print(stderr, "{}: no debug info (build with -g, or install its debug package)\n", path);
        status = 1;
        continue;
      }
      std::vector<Frame> frames = frames_of(module);
      fmt::print("{}: {} coroutine frame{}\n", path, frames.size(), frames.size() == 1 ? "" : "s");
      for (const Frame& frame : frames) {
        fmt::print("{:>8} bytes  {}\n", frame.size, frame.coroutine);
        for (std::size_t i = 0; i < std::min(shown_members, frame.members.size()); ++i) {
          const FrameMember& m = frame.members[i];
          fmt::print("{:>8}        {} ({}, at +{})\n", m.size, m.name, m.type, m.offset);
        }
      }
      if (frames.empty())
        fmt::print("(clang 17-19 at -O1 and above describe no frames: LLVM issue 121092)\n");
    } catch (const reflect::Error& e) {
      fmt::print(stderr, "{}\n", e.what());
      status = 1;
    }
  }
  return status;
}

}  // namespace reflect::cli
