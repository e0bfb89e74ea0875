// std::filesystem::path (and the Filesystem TS's) and the string streams (std::basic_stringbuf, std::basic_istringstream,
// std::basic_ostringstream, std::basic_stringstream): their text, named at the top level.
//
// libstdc++ declares the streams as extern templates, so a program's own debug info usually
// describes them only as declarations (no members, no size); the definition is in libstdc++'s
// own debug info, which is rarely installed. A stream that some module defines is read by its
// members' names. One that is only declared is read with libstdc++'s x86-64 layout, which its
// ABI freezes, once the object's vtable pointers are seen to point into the vtables of the
// classes that layout belongs to (found by their symbols, so no debug info is needed).

#include "../symbol_names.hpp"
#include "layout.hpp"

#include <fmt/format.h>

#include <array>

namespace reflect::detail {
namespace {

class FilesystemPath final : public StringProvider {
 public:
  bool named_at_top() const override { return true; }
  Text text(const Value& value) const override {
    // The components list (_M_cmpts) is derived from _M_pathname, which is the whole path.
    const String pathname(member(value, "_M_pathname"));
    return {pathname.char_type(), reinterpret_cast<std::uintptr_t>(pathname.data()), pathname.size()};
  }
};

// ---- what basic_stringbuf::str() returns ---------------------------------------------------

// The most text a stream view reports: a longer range is garbage, whose readability check would
// probe, and whose String::text() would allocate, that much.
constexpr std::size_t kMaxTextBytes = std::size_t{1} << 28;  // 256 MiB

// The pointers of basic_streambuf that str() looks at.
struct Areas {
  std::uintptr_t pbase = 0;  // _M_out_beg
  std::uintptr_t pptr = 0;   // _M_out_cur
  std::uintptr_t epptr = 0;  // _M_out_end
  std::uintptr_t egptr = 0;  // _M_in_end
};

// _M_string's characters and their count.
struct Stored {
  std::uintptr_t data;
  std::size_t size;
};

// Characters at `data`, all of them readable and no more than kMaxTextBytes.
StringProvider::Text checked_text(const Type& ch, std::uintptr_t data, std::size_t size) {
  const std::size_t char_size = std::max<std::size_t>(ch.size(), 1);
  if (size > kMaxTextBytes / char_size)
    throw LayoutMismatch(fmt::format("the stream's text would be {} characters long, more than the {} bytes a stream "
                                     "view reads: its memory is not a stream's",
                                     size, kMaxTextBytes));
  if (size > 0 && !readable(ch.node().registry->memory(), data, size * char_size)) throw UnreadableMemory(data);
  return {ch, data, size};
}

// basic_stringbuf::str() of GCC 12's <sstream>: with a put area (pptr() set), [pbase(), high
// mark), the high mark being pptr() or egptr(), whichever is later (egptr() keeps the end of
// what was written after seekp() moved pptr() back; overflow() writes past the string's
// length); without one (a stream opened for input only), _M_string, however much was read.
// `stored` gives _M_string's {data, length}, read only when needed.
template <class Stored> StringProvider::Text stringbuf_text(const Type& ch, const Areas& areas, Stored&& stored) {
  if (areas.pptr == 0) {
    const auto [data, size] = stored();
    return checked_text(ch, data, size);
  }
  const std::uintptr_t high = areas.egptr == 0 || areas.pptr > areas.egptr ? areas.pptr : areas.egptr;
  // pbase() <= pptr() <= epptr(), and egptr() never passes epptr() (_M_sync, _M_update_egptr).
  if (areas.pptr < areas.pbase || high > areas.epptr)
    throw LayoutMismatch(fmt::format("the stream's put area is not one: pbase {:#x}, pptr {:#x}, egptr {:#x}, epptr {:#x}",
                                     areas.pbase, areas.pptr, areas.egptr, areas.epptr));
  const std::size_t char_size = std::max<std::size_t>(ch.size(), 1);
  const std::size_t bytes = high - areas.pbase;
  if (bytes % char_size != 0)
    throw LayoutMismatch(fmt::format("the stream's put area holds {} bytes, not a whole number of characters", bytes));
  return checked_text(ch, areas.pbase, bytes / char_size);
}

// ---- a stream some module defines: its members by name -------------------------------------

StringProvider::Text declared_stringbuf_text(const Value& buffer);

StringProvider::Text defined_stringbuf_text(const Value& buffer) {
  const TypeNode& type = concrete_of(buffer);
  // A stream defined where its buffer is only declared (another module's debug info).
  if (type.is_declaration) return declared_stringbuf_text(buffer);
  const Type ch(template_type(type, 0));
  const Areas areas{read_pointer(member(buffer, "_M_out_beg")), read_pointer(member(buffer, "_M_out_cur")),
                    read_pointer(member(buffer, "_M_out_end")), read_pointer(member(buffer, "_M_in_end"))};
  return stringbuf_text(ch, areas, [&] {
    const String string(member(buffer, "_M_string"));
    return Stored{reinterpret_cast<std::uintptr_t>(string.data()), string.size()};
  });
}

// ---- a stream only declared: libstdc++'s ABI layout, checked against the vtables -----------

// One of the classes, laid out as libstdc++ lays it out on x86-64. tests/test_std_values.cpp
// and tests/stdlib_modes/test_modes.cpp check it for both ABIs: the classes' sizes, where the
// stringbuf and basic_ios lie, and the put area's members (a stream copied with them replaced).
struct StreamClass {
  std::string_view name;             // as mangled and in DW_AT_name: `basic_ostringstream`
  std::size_t stringbuf_offset = 0;  // _M_stringbuf: after the stream's own non-virtual part
  std::size_t second_vptr = 0;       // basic_iostream's basic_ostream part (0: none)
  bool is_stream = false;            // a virtual basic_ios base follows the stringbuf
};
// basic_istream is {vptr, _M_gcount}, basic_ostream {vptr}, basic_iostream both.
constexpr StreamClass kStringbuf{"basic_stringbuf", 0, 0, false};
constexpr StreamClass kIstringstream{"basic_istringstream", 16, 0, true};
constexpr StreamClass kOstringstream{"basic_ostringstream", 8, 0, true};
constexpr StreamClass kStringstream{"basic_stringstream", 24, 16, true};

// basic_stringbuf: basic_streambuf {vptr, _M_in_beg, _M_in_cur, _M_in_end, _M_out_beg,
// _M_out_cur, _M_out_end, _M_buf_locale}, then _M_mode (padded to 8 bytes) and _M_string: the
// new ABI's {_M_p, _M_string_length, {_M_local_buf[16] | _M_allocated_capacity}}, or the old
// ABI's {_M_p} (the characters follow a {length, capacity, reference count} header).
constexpr std::size_t kInEnd = 24, kOutBeg = 32, kOutCur = 40, kOutEnd = 48, kString = 72;
constexpr std::size_t kStringbufSize = 104, kOldStringbufSize = 80;
constexpr std::size_t kMaxWords = (kStringstream.stringbuf_offset + kStringbufSize) / 8 + 1;

// What a declared class is: which of libstdc++'s instantiations, in which ABI.
struct Declared {
  std::string_view char_name;  // `char` or `wchar_t`: the only ones libstdc++ instantiates
  char char_code;              // its letter in mangled names
  bool cxx11;                  // std::__cxx11 (the new string ABI) or std
};

// A declaration DIE may have no template parameters (clang's have no children at all), so the
// class is told by its name, `basic_ostringstream<char, std::char_traits<char>,
// std::allocator<char> >`, which normalize_name() shortens to `basic_ostringstream<char>` when
// the other arguments are the defaults.
Declared identify(const TypeNode& type, const StreamClass& cls) {
  const std::string name = dwarf::normalize_name(type.dwarf_name);
  for (auto [char_name, code] : {std::pair<std::string_view, char>{"char", 'c'}, {"wchar_t", 'w'}})
    if (name == fmt::format("{}<{}>", cls.name, char_name)) {
      const bool cxx11 = type.scope.size() > 1 && type.scope[1].name == "__cxx11";
      return {char_name, code, cxx11};
    }
  throw LayoutMismatch(fmt::format("{} is only declared in the debug info, and libstdc++ ships no instantiation of "
                                   "that name whose layout this view knows",
                                   type.name()));
}

// The character type: the declaration's first template argument where it lists them (GCC's
// often do), else the base type of that name from any module's debug info.
Type char_type(const TypeNode& type, const Declared& declared) {
  if (!type.template_args.empty() && type.template_args[0].type) return Type(type.template_args[0].type->get());
  const TypeNode* found = type.registry->find_type(declared.char_name);
  if (found == nullptr) throw LayoutMismatch(fmt::format("no debug info describes {}, the characters of {}", declared.char_name, type.name()));
  return Type(*found);
}

// `_ZTVNSt7__cxx1119basic_ostringstreamIcSt11char_traitsIcESaIcEEE`: the vtable's symbol.
std::string vtable_symbol(std::string_view name, const Declared& declared) {
  const char c = declared.char_code;
  const std::string args = fmt::format("I{}St11char_traitsI{}ESaI{}EE", c, c, c);
  if (declared.cxx11) return fmt::format("_ZTVNSt7__cxx11{}{}{}E", name.size(), name, args);
  return fmt::format("_ZTVSt{}{}{}", name.size(), name, args);
}

// Whether a symbol table names this symbol: an executable's .symtab names the copy it made by a
// copy relocation with the version it copied (`_ZTV...@GLIBCXX_3.4.21`).
bool names(std::string_view symbol, std::string_view wanted) {
  return symbol.starts_with(wanted) && (symbol.size() == wanted.size() || symbol[wanted.size()] == '@');
}

// A vtable pointer must point into the vtable the layout belongs to (in libstdc++.so, or copied
// into the executable by a copy relocation: either way under the vtable's own symbol).
void expect_vtable(const TypeNode& type, std::uintptr_t vptr, const std::string& vtable) {
  const auto symbol = mangled_symbol(*type.registry, vptr);
  if (symbol && names(symbol->name, vtable) && vptr % alignof(void*) == 0) return;
  throw LayoutMismatch(fmt::format("{} is only declared in the debug info, and the object's vtable pointer {:#x} "
                                   "points {}, not into libstdc++'s vtable {}: its layout is not trusted",
                                   type.name(), vptr, symbol ? fmt::format("into {}", symbol->name) : "into no symbol",
                                   vtable));
}

// A declared `cls`: its vtable pointers checked, then its stringbuf read.
StringProvider::Text declared_text(const Value& value, const StreamClass& cls) {
  const TypeNode& type = concrete_of(value);
  const Declared declared = identify(type, cls);
  const std::size_t stringbuf_size = declared.cxx11 ? kStringbufSize : kOldStringbufSize;
  const std::size_t sb = cls.stringbuf_offset;
  // The object up to its basic_ios's vtable pointer, in one copy.
  std::array<std::uintptr_t, kMaxWords> words{};
  read_memory(memory_of(value), address_of(value), words.data(), sb + stringbuf_size + (cls.is_stream ? 8 : 0));
  const auto word = [&](std::size_t offset) { return words[offset / 8]; };
  if (cls.is_stream) {
    const std::string stream_vtable = vtable_symbol(cls.name, declared);
    expect_vtable(type, word(0), stream_vtable);
    if (cls.second_vptr != 0) expect_vtable(type, word(cls.second_vptr), stream_vtable);
    expect_vtable(type, word(sb + stringbuf_size), stream_vtable);  // the basic_ios base's
  }
  expect_vtable(type, word(sb), vtable_symbol(kStringbuf.name, declared));
  const Type ch = char_type(type, declared);
  const Areas areas{word(sb + kOutBeg), word(sb + kOutCur), word(sb + kOutEnd), word(sb + kInEnd)};
  return stringbuf_text(ch, areas, [&] {
    const std::uintptr_t data = word(sb + kString);
    if (declared.cxx11) return Stored{data, word(sb + kString + 8)};
    constexpr std::size_t header = 3 * sizeof(std::size_t);  // the old ABI's, before the characters
    if (data < header) throw UnreadableMemory(data);
    return Stored{data, read_as<std::size_t>(memory_of(value), data - header)};
  });
}

StringProvider::Text declared_stringbuf_text(const Value& buffer) { return declared_text(buffer, kStringbuf); }

class StringStream final : public StringProvider {
 public:
  explicit StringStream(const StreamClass& cls) : class_(cls) {}
  std::string_view name() const { return class_.name; }
  bool named_at_top() const override { return true; }
  Text text(const Value& value) const override {
    if (concrete_of(value).is_declaration) return declared_text(value, class_);
    return defined_stringbuf_text(class_.is_stream ? member(value, "_M_stringbuf") : value);
  }

 private:
  const StreamClass& class_;
};

}  // namespace

void libstdcxx_streams(std::vector<StandardProvider>& out) {
  static const FilesystemPath path;
  out.push_back({Library::LibStdCxx, "filesystem::path", &path});
  out.push_back({Library::LibStdCxx, "experimental::filesystem::path", &path});  // the Filesystem TS's
  static const std::array<StringStream, 4> streams{StringStream(kStringbuf), StringStream(kIstringstream),
                                                   StringStream(kOstringstream), StringStream(kStringstream)};
  // Declared-only classes too: see the top of this file.
  for (const StringStream& stream : streams) out.push_back({Library::LibStdCxx, stream.name(), &stream, true});
}

}  // namespace reflect::detail
