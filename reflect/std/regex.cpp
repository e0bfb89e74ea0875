// std::__detail::_State<C>, a state of a std::regex's NFA: its opcode, the state it goes to next,
// and only the operands that opcode uses (what gdb's printer shows), as a tuple:
// `{std::__detail::_S_opcode_repeat, 4, 2, false}`. The other members of its union are bytes
// of the one that is in use.

#include "layout.hpp"

#include <vector>

namespace reflect::detail {
namespace {

// _Opcode's enumerators (bits/regex_automaton.h) and the union members each one uses.
enum Opcode : int {
  kUnknown, kAlternative, kRepeat, kBackref, kLineBegin, kLineEnd, kWordBoundary,
  kLookahead, kSubexprBegin, kSubexprEnd, kDummy, kMatch, kAccept,
};

std::vector<std::string_view> operands_of(std::int64_t opcode) {
  switch (opcode) {
    case kAlternative: return {"_M_alt"};
    case kRepeat: case kLookahead: return {"_M_alt", "_M_neg"};  // _M_neg: a lazy repeat, a negative lookahead
    case kBackref: return {"_M_backref_index"};
    case kWordBoundary: return {"_M_neg"};
    case kSubexprBegin: case kSubexprEnd: return {"_M_subexpr"};
    default: return {};
  }
}

class State final : public TupleProvider {
 public:
  std::vector<Value> elements(const Value& state) const override {
    const Value opcode = member(state, "_M_opcode");
    std::vector<Value> out{opcode, member(state, "_M_next")};
    const auto code = static_cast<std::int64_t>(read_raw_bits(opcode));
    for (std::string_view operand : operands_of(code)) out.push_back(member(state, operand));
    if (code == kMatch) out.push_back(matcher(state));
    return out;
  }

 private:
  // The std::function<bool(C)> the match state keeps in _M_matcher_storage, an
  // __aligned_membuf<std::function<bool(char)>>: read as that std::function for every C (the
  // header asserts they have one layout; the target's own type comes from the manager).
  static Value matcher(const Value& state) {
    const Value storage = member(state, "_M_matcher_storage");
    return value_at(template_type(concrete_of(storage), 0), address_of(storage));
  }
};

}  // namespace

void libstdcxx_regex(std::vector<StandardProvider>& out) {
  static const State state;
  out.push_back({Library::LibStdCxx, "__detail::_State", &state});
}

}  // namespace reflect::detail
