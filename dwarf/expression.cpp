// Evaluating the DWARF expressions of a type's layout (a virtual base's offset) over memory:
// the few operations compilers emit there, not a general DWARF stack machine.
#include "module.hpp"

#include <dwarf.h>

#include <utility>
#include <vector>

namespace reflect::dwarf {

std::optional<std::uint64_t> Module::evaluate(const Expression& expr, std::uint64_t object_address,
                                              const ReadMemory& read) {
  std::vector<std::uint64_t> stack{object_address};
  auto pop = [&]() -> std::optional<std::uint64_t> {
    if (stack.empty()) return std::nullopt;
    std::uint64_t v = stack.back();
    stack.pop_back();
    return v;
  };
  for (const Expression::Op& op : expr.ops) {
    if (op.atom >= DW_OP_lit0 && op.atom <= DW_OP_lit31) {
      stack.push_back(op.atom - DW_OP_lit0);
      continue;
    }
    switch (op.atom) {
      case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u: case DW_OP_constu:
      case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s: case DW_OP_consts:
        stack.push_back(op.number);
        break;
      case DW_OP_dup:
        if (stack.empty()) return std::nullopt;
        stack.push_back(stack.back());
        break;
      case DW_OP_drop:
        if (!pop()) return std::nullopt;
        break;
      case DW_OP_over:
        if (stack.size() < 2) return std::nullopt;
        stack.push_back(stack[stack.size() - 2]);
        break;
      case DW_OP_swap:
        if (stack.size() < 2) return std::nullopt;
        std::swap(stack[stack.size() - 1], stack[stack.size() - 2]);
        break;
      case DW_OP_deref: {
        auto address = pop();
        std::uint64_t value = 0;
        if (!address || !read(*address, &value, sizeof value)) return std::nullopt;
        stack.push_back(value);
        break;
      }
      case DW_OP_plus_uconst: {
        auto a = pop();
        if (!a) return std::nullopt;
        stack.push_back(*a + op.number);
        break;
      }
      case DW_OP_plus: case DW_OP_minus: case DW_OP_mul: case DW_OP_and: case DW_OP_or: {
        auto b = pop(), a = pop();
        if (!a || !b) return std::nullopt;
        std::uint64_t r = op.atom == DW_OP_plus    ? *a + *b
                          : op.atom == DW_OP_minus ? *a - *b
                          : op.atom == DW_OP_mul   ? *a * *b
                          : op.atom == DW_OP_and   ? (*a & *b)
                                                   : (*a | *b);
        stack.push_back(r);
        break;
      }
      case DW_OP_push_object_address: stack.push_back(object_address); break;
      default: return std::nullopt;  // not a layout expression we know how to evaluate
    }
  }
  return pop();
}

}  // namespace reflect::dwarf
