#pragma once
// What dwarf/ tells reflect/ about a type DIE: plain data, no libdw types. reflect/ builds its
// type model from these records and never touches libdw itself.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace reflect::dwarf {

class Module;

/// A DIE, named by its module, the file its debug info is in, and its offset in that file's
/// .debug_info (or .debug_types for DWARF 4 type units).
struct DieId {
  const Module* module = nullptr;
  std::uint64_t offset = 0;
  bool in_type_units = false;
  // 0: the module's own debug info (or its separate debug file); n > 0: the n-th split DWARF
  // file (.dwo) the module's skeleton units lead to. Each .dwo's offsets start at 0, so two
  // split units have DIEs at the same offset.
  std::uint32_t file = 0;

  explicit operator bool() const noexcept { return module != nullptr; }
  friend bool operator==(const DieId&, const DieId&) = default;
};

struct DieIdHash {
  std::size_t operator()(const DieId& id) const noexcept {
    return std::hash<const void*>()(id.module) ^ (std::hash<std::uint64_t>()(id.offset) * 31) ^
           (id.in_type_units ? 0x9e3779b9u : 0u) ^ (std::size_t(id.file) << 40);
  }
};

enum class Tag : std::uint8_t {
  Base,
  Unspecified,  // decltype(nullptr)
  Pointer,
  LValueReference,
  RValueReference,
  MemberPointer,
  Array,
  Struct,
  Class,
  Union,
  Enum,
  Typedef,
  Const,
  Volatile,
  Function,  // a subroutine type
  Unknown,
};

enum class BaseEncoding : std::uint8_t {
  None,
  Bool,
  Signed,
  Unsigned,
  SignedChar,
  UnsignedChar,
  Float,
  ComplexFloat,
  Utf,  // char8_t (clang), char16_t, char32_t
};

enum class Access : std::uint8_t { Public, Protected, Private };

/// A DWARF location expression, kept as (opcode, operand) pairs so that reflect/ can ask
/// dwarf/ to evaluate it against an object without knowing its encoding.
struct Expression {
  struct Op {
    std::uint8_t atom;
    std::uint64_t number;
    std::uint64_t number2;
  };
  std::vector<Op> ops;
};

struct MemberRecord {
  std::string name;  // empty for an anonymous struct/union member
  DieId type;
  std::uint64_t byte_offset = 0;
  std::uint16_t bit_offset = 0;  // from `byte_offset`, DWARF 5 convention (LSB first)
  std::uint16_t bit_size = 0;
  Access access = Access::Public;
  bool artificial = false;
};

/// A virtual member function and its vtable slot (DW_AT_vtable_elem_location).
struct VirtualFunctionRecord {
  std::string name;
  std::uint64_t slot = 0;
};

struct BaseRecord {
  DieId type;
  std::optional<std::uint64_t> byte_offset;  // nullopt: located by `location`
  Expression location;
  bool is_virtual = false;
  Access access = Access::Public;
};

struct EnumeratorRecord {
  std::string name;
  std::int64_t value = 0;
};

struct TemplateArgRecord {
  std::string name;
  DieId type;                         // type of a type parameter, or of a value parameter
  std::optional<std::int64_t> value;  // a value parameter's constant
  bool is_default = false;
  bool is_pack = false;               // a parameter pack; its elements follow in `pack`
  std::vector<TemplateArgRecord> pack;
};

/// The scope a DIE is declared in, outermost first: namespaces, classes, functions.
struct ScopeRecord {
  enum class Kind : std::uint8_t { Namespace, Class, Function } kind;
  std::string name;  // empty for an anonymous namespace or class
  bool is_inline_namespace = false;
};

struct TypeRecord {
  Tag tag = Tag::Unknown;
  std::string name;  // DW_AT_name as written by the compiler, empty if none
  std::vector<ScopeRecord> scope;
  std::optional<std::uint64_t> byte_size;
  std::optional<std::uint64_t> alignment;  // DW_AT_alignment: only written for alignas
  bool is_declaration = false;
  DieId target;  // pointee, referent, element, typedef target, cv target, enum underlying,
                 // function return type, member pointer's member type
  DieId containing_class;                 // member pointer's class
  BaseEncoding encoding = BaseEncoding::None;
  std::vector<std::optional<std::uint64_t>> array_counts;  // per dimension; nullopt = flexible
  std::vector<MemberRecord> members;
  std::vector<BaseRecord> bases;
  std::vector<VirtualFunctionRecord> virtual_functions;
  std::vector<EnumeratorRecord> enumerators;
  std::vector<TemplateArgRecord> template_args;
  std::vector<DieId> parameters;  // a function type's parameter types
  bool variadic = false;
  bool is_enum_class = false;
  bool is_closure = false;  // a lambda's closure class (has an operator())
  bool has_user_destructor = false;  // a destructor that is not compiler-made
  std::string decl_file;    // basename of DW_AT_decl_file, for naming closures
  std::uint32_t decl_line = 0;
};

/// A C++20 coroutine as its compiler laid it out (ARCHITECTURE §6): found from the resume or
/// destroy function a frame points to.
struct CoroutineRecord {
  enum class Compiler : std::uint8_t { Gcc, Clang } compiler = Compiler::Gcc;
  std::string linkage_name;  // the coroutine (its ramp function) as mangled; DW_AT_name if none
  DieId frame_type;          // null: the compiler described no frame (clang 17-19 at -O1 and up)
  DieId promise_type;        // null: not found
  std::uint64_t promise_offset = 16;  // both ABIs: after the resume and destroy pointers
  std::uint64_t index_offset = 0;     // of the resume index in the frame; index_size 0: unknown
  std::uint8_t index_size = 0;
  std::uint64_t resume_low = 0, resume_high = 0;  // the resume function's code, run-time; 0: unknown
  std::uint32_t decl_line = 0;  // the coroutine's DW_AT_decl_line; 0: unknown
  // The variables the function at hand (resume or destroy) keeps in the frame, as it declares
  // them; empty when it declares none.
  struct FrameVariable {
    std::uint64_t offset = 0;  // in the frame
    std::uint32_t line = 0;    // DW_AT_decl_line
    bool is_parameter = false;
  };
  std::vector<FrameVariable> variables;
  // Every parameter and local the function at hand declares, in its own scope and blocks (not
  // those of functions inlined into it), wherever it lives: clang 14 at -O2 (17-19 describe no
  // frame there) gives their locations as expressions over registers, not as frame offsets, but
  // names frame members after them.
  struct Declared {
    std::string name;
    std::uint32_t line = 0;  // DW_AT_decl_line
    bool is_parameter = false;
  };
  std::vector<Declared> declared;

  /// The suspend point a resume index stands for, counted in the order the compiler numbered
  /// them: 0 the initial suspend, 1 the first co_await / co_yield, ... (unless the compiler
  /// left the initial one out: Module::initial_suspend_dropped()).
  std::uint64_t suspend_point(std::uint64_t index) const {
    return compiler == Compiler::Gcc ? (index >= 2 ? index / 2 - 1 : 0) : index;  // GCC: 2, 4, 6...
  }
};

/// A global variable or static data member the debug info describes.
struct VariableRecord {
  DieId type;  // null only for a DIE without DW_AT_type (malformed)
  /// Its run-time address; nullopt when the debug info gives none: `no_address` says why.
  std::optional<std::uint64_t> address;
  enum class NoAddress : std::uint8_t { None, ThreadLocal, Constant, NotDescribed } no_address = NoAddress::None;
};

struct SourceLine {
  std::string file;  // as the line table names it (usually absolute)
  std::uint32_t line = 0;
};

/// Reads target memory for expression evaluation; returns false when unreadable.
using ReadMemory = std::function<bool(std::uintptr_t address, void* out, std::size_t size)>;

}  // namespace reflect::dwarf
