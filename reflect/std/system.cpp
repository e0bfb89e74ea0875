// std::error_code and std::error_condition (a value and its category), and the mutexes (free,
// or who holds them).

#include "layout.hpp"

#include <fmt/format.h>

#include <future>
#include <ios>
#include <system_error>

namespace reflect::detail {
namespace {

// The category object an error code points to, typed by its dynamic type when its vtable and
// debug info tell it.
Value category_of(const Value& code) {
  const Value pointer = member(code, "_M_cat");
  const TypeNode& type = concrete_of(pointer);
  if (type.kind != Kind::Pointer || !type.target) throw LayoutMismatch(fmt::format("{}: _M_cat is not a pointer", code.type().name()));
  const std::uintptr_t address = read_pointer(pointer);
  const Value category = value_at(type.target->get(), address).dynamic();
  if (&concrete_of(category) != &type.target->get().concrete()) return category;
  // std::error_category's key function lives in libstdc++.so, so a program's debug info often
  // declares the class without defining it, and Value::dynamic() cannot know it is
  // polymorphic. The standard says it is, with the vtable pointer first: ask the vtable. (A
  // category derives from error_category alone, so the object starts where it does.)
  std::uintptr_t header[3] = {};  // offset-to-top, type_info, and (at the vptr) the first slot
  std::uintptr_t vptr = 0;
  Registry& registry = registry_of(code);
  const Memory& memory = registry.memory();
  if (!try_read_memory(memory, address, &vptr, sizeof vptr) || vptr < 2 * sizeof(std::uintptr_t) ||
      !try_read_memory(memory, vptr - 2 * sizeof(std::uintptr_t), header, sizeof header) || header[0] != 0)
    return category;
  const TypeNode* dynamic = registry.type_of_vtable(vptr, header[1]);
  if (dynamic == nullptr || !readable(memory, address, dynamic->concrete().size)) return category;
  return value_at(*dynamic, address);
}

// How the category is written in an initializer. libstdc++'s own categories are classes in an
// anonymous namespace of libstdc++.so, which has no debug info on most systems: they are told by
// address in this process (whose own libstdc++ is the one whose objects are read), and written
// as the functions that return them. In another target they are named by their dynamic type.
struct CategoryName {
  std::string text;
  bool callable = false;  // text is an expression that yields the category
};
CategoryName category_name(const Value& code) {
  const std::uintptr_t address = read_pointer(member(code, "_M_cat"));
  const std::pair<const std::error_category*, std::string_view> standard[] = {
      {&std::generic_category(), "std::generic_category()"},
      {&std::system_category(), "std::system_category()"},
      {&std::iostream_category(), "std::iostream_category()"},
      {&std::future_category(), "std::future_category()"},
  };
  if (&registry_of(code) == &Registry::self())
    for (const auto& [category, name] : standard)
      if (reinterpret_cast<std::uintptr_t>(category) == address) return {std::string(name), true};
  if (address == 0) return {"nullptr", false};
  const Value category = category_of(code);
  const std::string dynamic(category.type().name());
  if (dynamic != "std::error_category" && dynamic != "const std::error_category") return {dynamic, false};
  return {fmt::format("category at {:#x}", address), false};
}

// `std::error_code{2, std::generic_category()}`: an initializer when the category has a
// function that returns it; otherwise the value with the category's class as a comment,
// `std::error_code{404 /* app::HttpCategory */}`.
class ErrorCode final : public TupleProvider {
 public:
  std::vector<Value> elements(const Value& value) const override { return {member(value, "_M_value"), category_of(value)}; }
  std::optional<Presentation> present(const Value& value) const override {
    const Value number = member(value, "_M_value");
    const auto code = static_cast<std::int64_t>(read_raw_bits(number));
    CategoryName category = category_name(value);
    Presentation shown;
    if (category.callable) {
      shown.token = fmt::format("{}, {}", code, category.text);
    } else {
      shown.token = fmt::format("{}", code);
      shown.comment = std::move(category.text);
    }
    return shown;
  }
};

// glibc's pthread_mutex_t: __lock is nonzero while held, __owner the holder's kernel thread id,
// __count a recursive mutex's depth.
class Mutex final : public TupleProvider {
 public:
  explicit Mutex(bool recursive) : recursive_(recursive) {}
  // Walked as its one native mutex (or as a Struct, its raw members).
  std::vector<Value> elements(const Value& value) const override { return {member(value, "_M_mutex")}; }
  std::optional<Presentation> present(const Value& value) const override {
    const Value data = member(value, "_M_mutex.__data");
    if (read_unsigned(member(data, "__lock")) == 0) return Presentation{};
    const auto owner = static_cast<std::int64_t>(read_raw_bits(member(data, "__owner")));
    std::string comment = owner > 0 ? fmt::format("locked by thread {}", owner) : std::string("locked");
    if (recursive_) {
      const std::uint64_t levels = read_unsigned(member(data, "__count"));
      comment += fmt::format(", {} level{}", levels, levels == 1 ? "" : "s");
    }
    Presentation shown;
    shown.comment = std::move(comment);
    return shown;
  }

 private:
  bool recursive_;
};

}  // namespace

void libstdcxx_system(std::vector<StandardProvider>& out) {
  static const ErrorCode code;
  static const Mutex plain(false);
  static const Mutex recursive(true);
  out.push_back({Library::LibStdCxx, "error_code", &code});
  out.push_back({Library::LibStdCxx, "error_condition", &code});
  out.push_back({Library::LibStdCxx, "mutex", &plain});
  out.push_back({Library::LibStdCxx, "timed_mutex", &plain});
  out.push_back({Library::LibStdCxx, "recursive_mutex", &recursive});
  out.push_back({Library::LibStdCxx, "recursive_timed_mutex", &recursive});
}

}  // namespace reflect::detail
