// Type names as a user writes them: `std::vector<int>` rather than the compiler's
// `std::vector<int, std::allocator<int> >`, `unsigned long` rather than `long unsigned int`,
// `void (*)(int)` with C++ declarator syntax.

#include "type_node.hpp"

#include <fmt/format.h>

#include <string>

namespace reflect::detail {

namespace {

bool dropped_namespace(const dwarf::ScopeRecord& scope) {
  return scope.kind == dwarf::ScopeRecord::Kind::Namespace &&
         // GCC flags anonymous namespaces with DW_AT_export_symbols too: only a named one is inline.
         ((scope.is_inline_namespace && !scope.name.empty()) || scope.name == "__1" ||
          dwarf::namespace_drop(scope.name) == dwarf::NamespaceDrop::Always);
}

std::string scope_prefix(const TypeNode& node) {
  std::string prefix;
  for (const dwarf::ScopeRecord& scope : node.scope) {
    if (dropped_namespace(scope)) continue;
    switch (scope.kind) {
      case dwarf::ScopeRecord::Kind::Namespace:
        prefix += scope.name.empty() ? "(anonymous namespace)" : scope.name;
        break;
      case dwarf::ScopeRecord::Kind::Class:
        prefix += scope.name.empty() ? "(anonymous class)" : dwarf::normalize_name(scope.name);
        break;
      case dwarf::ScopeRecord::Kind::Function:
        prefix = dwarf::normalize_name(demangle(scope.name));  // fully qualified already
        break;
    }
    prefix += "::";
  }
  return prefix;
}

std::string render(const TypeNode& node, const std::string& inner);

std::string template_argument(const TemplateArgNode& arg) {
  if (arg.value) {
    if (arg.type) {
      const TypeNode& type = arg.type->get().concrete();
      if (type.kind == Kind::Bool) return *arg.value ? "true" : "false";
    }
    return fmt::format("{}", *arg.value);
  }
  return arg.type ? render(arg.type->get(), "") : "?";
}

std::string class_name(const TypeNode& node) {
  if (node.dwarf_name.empty()) {
    if (node.is_closure)
      return node.decl_file.empty() ? "<lambda>" : fmt::format("<lambda at {}:{}>", node.decl_file, node.decl_line);
    return scope_prefix(node) + (node.kind == Kind::Union ? "(anonymous union)"
                                 : node.kind == Kind::Enum ? "(anonymous enum)"
                                                           : "(anonymous struct)");
  }
  std::string base = node.dwarf_name;
  if (node.template_args.empty()) return dwarf::normalize_name(scope_prefix(node) + base);
  if (auto angle = base.find('<'); angle != std::string::npos) base.resize(angle);
  // Trailing arguments equal to their defaults are left out, as users write them.
  std::size_t shown = node.template_args.size();
  while (shown > 0 && node.template_args[shown - 1].is_default) --shown;
  std::string args;
  for (std::size_t i = 0; i < shown; ++i) {
    if (i) args += ", ";
    args += template_argument(node.template_args[i]);
  }
  return dwarf::normalize_name(fmt::format("{}{}<{}>", scope_prefix(node), base, args));  // std::string
}

// Joins a type's name with a declarator: `int` + `*` -> `int*`, `int` + `(*)[3]` -> `int (*)[3]`.
std::string join(const std::string& name, const std::string& inner) {
  if (inner.empty()) return name;
  char c = inner[0];
  bool glue = c == '*' || c == '&' || c == '[';
  return glue ? name + inner : name + " " + inner;
}

bool is_declarator_paren_needed(const TypeNode& target) {
  return target.kind == Kind::Array || target.kind == Kind::Function;
}

std::string render(const TypeNode& node, const std::string& inner) {
  switch (node.kind) {
    case Kind::Void: return join("void", inner);
    case Kind::Bool: case Kind::Integer: case Kind::Character: case Kind::Floating: case Kind::Complex:
      return join(std::string(canonical_base_name(node.dwarf_name)), inner);
    case Kind::NullPtr: return join("std::nullptr_t", inner);
    case Kind::Struct: case Kind::Union: case Kind::Enum: return join(class_name(node), inner);
    case Kind::Typedef:
      if (node.dwarf_name.empty()) return render(node.target->get(), inner);
      return join(scope_prefix(node) + node.dwarf_name, inner);
    case Kind::Const: case Kind::Volatile: {
      std::string word = node.kind == Kind::Const ? "const" : "volatile";
      const TypeNode& target = node.target->get();
      Kind k = target.kind;
      if (k == Kind::Pointer || k == Kind::LValueReference || k == Kind::RValueReference || k == Kind::MemberPointer)
        return render(target, word + inner);  // `int* const`
      return fmt::format("{} {}", word, render(target, inner));
    }
    case Kind::Pointer: case Kind::LValueReference: case Kind::RValueReference: {
      const char* sigil = node.kind == Kind::Pointer ? "*" : node.kind == Kind::LValueReference ? "&" : "&&";
      const TypeNode& target = node.target->get();
      if (is_declarator_paren_needed(target)) return render(target, fmt::format("({}{})", sigil, inner));
      return render(target, sigil + (inner.empty() || inner[0] == '*' || inner[0] == '&' ? inner : " " + inner));
    }
    case Kind::MemberPointer: {
      std::string cls = node.containing_class ? render(node.containing_class->get(), "") : "?";
      const TypeNode& target = node.target->get();
      if (target.kind == Kind::Function) return render(target, fmt::format("({}::*{})", cls, inner));
      return render(target, fmt::format("{}::*{}", cls, inner));
    }
    case Kind::Array: {
      std::string dims = node.array_length ? fmt::format("[{}]", *node.array_length) : "[]";
      return render(*node.element, inner + dims);
    }
    case Kind::Function: {
      std::string params;
      for (std::size_t i = 0; i < node.parameters.size(); ++i) {
        if (i) params += ", ";
        params += render(node.parameters[i].get(), "");
      }
      if (node.variadic) params += node.parameters.empty() ? "..." : ", ...";
      const TypeNode& result = node.target->get();
      if (inner.empty()) return render(result, "") + "(" + params + ")";
      return render(result, inner + "(" + params + ")");
    }
    case Kind::Unknown: break;
  }
  return join(node.dwarf_name.empty() ? "<unknown type>" : node.dwarf_name, inner);
}

}  // namespace

std::string render_name(const TypeNode& node) { return render(node, ""); }

std::string render_template_name(const TypeNode& node) {
  std::string base = node.dwarf_name;
  if (auto angle = base.find('<'); angle != std::string::npos) base.resize(angle);
  return scope_prefix(node) + base;
}

}  // namespace reflect::detail
