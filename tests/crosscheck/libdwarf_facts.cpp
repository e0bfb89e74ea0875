// Independent second DWARF reader built on libdwarf 20210528 (the 2021 API: dwarf_init_path,
// dwarf_next_cu_header_d, dwarf_siblingof_b, ...). It deliberately shares no code with the
// libdw-based reader and does not use libdw/elfutils, so the two can cross-check each other.
#include "libdwarf_facts.hpp"

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace crosscheck {
namespace {

// Owning handle for a Dwarf_Die.
class Die {
 public:
  Die() = default;
  explicit Die(Dwarf_Die d) : d_(d) {}
  Die(const Die&) = delete;
  Die& operator=(const Die&) = delete;
  Die(Die&& o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
  Die& operator=(Die&& o) noexcept {
    if (this != &o) {
      reset();
      d_ = std::exchange(o.d_, nullptr);
    }
    return *this;
  }
  ~Die() { reset(); }
  void reset() {
    if (d_ != nullptr) dwarf_dealloc_die(d_);
    d_ = nullptr;
  }
  Dwarf_Die get() const { return d_; }
  explicit operator bool() const { return d_ != nullptr; }

 private:
  Dwarf_Die d_ = nullptr;
};

// Owning handle for a Dwarf_Attribute.
class Attr {
 public:
  Attr() = default;
  explicit Attr(Dwarf_Attribute a) : a_(a) {}
  Attr(const Attr&) = delete;
  Attr& operator=(const Attr&) = delete;
  Attr(Attr&& o) noexcept : a_(std::exchange(o.a_, nullptr)) {}
  Attr& operator=(Attr&& o) noexcept {
    if (this != &o) {
      reset();
      a_ = std::exchange(o.a_, nullptr);
    }
    return *this;
  }
  ~Attr() { reset(); }
  void reset() {
    if (a_ != nullptr) dwarf_dealloc_attribute(a_);
    a_ = nullptr;
  }
  Dwarf_Attribute get() const { return a_; }
  explicit operator bool() const { return a_ != nullptr; }

 private:
  Dwarf_Attribute a_ = nullptr;
};

bool is_struct_tag(Dwarf_Half tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

// Tags that merely qualify/rename another type.
bool is_type_alias_tag(Dwarf_Half tag) {
  return tag == DW_TAG_typedef || tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
         tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type;
}

bool is_plain_constant_form(Dwarf_Half form) {
  return form == DW_FORM_data1 || form == DW_FORM_data2 || form == DW_FORM_data4 ||
         form == DW_FORM_data8 || form == DW_FORM_udata;
}

bool is_signed_constant_form(Dwarf_Half form) {
  return form == DW_FORM_sdata || form == DW_FORM_implicit_const;
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() {
    if (dbg_ != nullptr) {
      Dwarf_Error err = nullptr;
      if (dwarf_finish(dbg_, &err) == DW_DLV_ERROR && err != nullptr) {
        dwarf_dealloc_error(nullptr, err);
      }
    }
  }

  Facts run() {
    open();
    std::size_t unit = 0;
    for (;; ++unit) {
      Dwarf_Unsigned cu_header_length = 0;
      Dwarf_Half version = 0;
      Dwarf_Off abbrev_offset = 0;
      Dwarf_Half address_size = 0;
      Dwarf_Half length_size = 0;
      Dwarf_Half extension_size = 0;
      Dwarf_Sig8 signature;
      std::memset(&signature, 0, sizeof signature);
      Dwarf_Unsigned type_offset = 0;
      Dwarf_Unsigned next_cu_header = 0;
      Dwarf_Half header_cu_type = 0;
      Dwarf_Error err = nullptr;
      const int res = dwarf_next_cu_header_d(dbg_, /*is_info=*/true, &cu_header_length, &version,
                                             &abbrev_offset, &address_size, &length_size,
                                             &extension_size, &signature, &type_offset,
                                             &next_cu_header, &header_cu_type, &err);
      if (res == DW_DLV_ERROR) fail("dwarf_next_cu_header_d (unit #" + std::to_string(unit) + ")", err);
      if (res == DW_DLV_NO_ENTRY) break;

      Dwarf_Die raw = nullptr;
      const int sres = dwarf_siblingof_b(dbg_, nullptr, /*is_info=*/true, &raw, &err);
      if (sres == DW_DLV_ERROR) fail("dwarf_siblingof_b (unit DIE)", err);
      if (sres == DW_DLV_NO_ENTRY) {
        throw std::runtime_error("libdwarf: unit #" + std::to_string(unit) + " of '" + path_ +
                                 "' has no unit DIE");
      }
      Die cu_die(raw);
      visit(cu_die.get(), 0);
    }
    if (unit == 0) {
      // libdwarf happily opens files whose only "DWARF" is .eh_frame; an empty result would
      // make a cross-check vacuous, so treat it as an error.
      throw std::runtime_error("libdwarf reader: '" + path_ +
                               "' has no compilation units in .debug_info (built without -g?)");
    }
    return std::move(facts_);
  }

 private:
  [[noreturn]] void fail(const std::string& what, Dwarf_Error err) {
    std::string msg = "libdwarf: " + what + " failed for '" + path_ + "'";
    if (err != nullptr) {
      const char* em = dwarf_errmsg(err);
      if (em != nullptr) msg += std::string(": ") + em;
      dwarf_dealloc_error(dbg_, err);
    }
    throw std::runtime_error(msg);
  }

  [[noreturn]] void fail_die(Dwarf_Die die, const std::string& what) {
    std::string msg = "libdwarf reader: " + what;
    if (die != nullptr) msg += " (DIE at .debug_info offset 0x" + hex(offset(die)) + ")";
    msg += " in '" + path_ + "'";
    throw std::runtime_error(msg);
  }

  static std::string hex(std::uint64_t v) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    do {
      s.insert(s.begin(), digits[v & 0xf]);
      v >>= 4;
    } while (v != 0);
    return s;
  }

  void open() {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec)) {
      throw std::runtime_error("libdwarf reader: '" + path_ + "' is not a readable regular file" +
                               (ec ? ": " + ec.message() : std::string()));
    }
    Dwarf_Error err = nullptr;
    // No true-path buffer: no GNU debuglink / dSYM redirection, read exactly `path`.
    const int res = dwarf_init_path(path_.c_str(), nullptr, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY,
                                    nullptr, nullptr, &dbg_, nullptr, 0, nullptr, &err);
    if (res == DW_DLV_ERROR) {
      dbg_ = nullptr;
      std::string msg = "libdwarf: dwarf_init_path failed for '" + path_ + "'";
      if (err != nullptr) {
        const char* em = dwarf_errmsg(err);
        if (em != nullptr) msg += std::string(": ") + em;
        dwarf_dealloc_error(nullptr, err);
      } else {
        // libdwarf's object detector reports no Dwarf_Error for files it does not recognise.
        msg += ": not an object file format libdwarf recognises (expected ELF)";
      }
      throw std::runtime_error(msg);
    }
    if (res == DW_DLV_NO_ENTRY) {
      dbg_ = nullptr;
      throw std::runtime_error("libdwarf: '" + path_ +
                               "' is not an object file libdwarf can read, or has no DWARF sections");
    }
  }

  // ---- thin checked wrappers -------------------------------------------------------------

  Dwarf_Half tag(Dwarf_Die die) {
    Dwarf_Half t = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_tag(die, &t, &err) != DW_DLV_OK) fail("dwarf_tag", err);
    return t;
  }

  std::uint64_t offset(Dwarf_Die die) {
    Dwarf_Off off = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_dieoffset(die, &off, &err) != DW_DLV_OK) fail("dwarf_dieoffset", err);
    return off;
  }

  std::string name(Dwarf_Die die) {
    char* n = nullptr;
    Dwarf_Error err = nullptr;
    const int res = dwarf_diename(die, &n, &err);
    if (res == DW_DLV_ERROR) fail("dwarf_diename", err);
    // The string points into the string section; it must not be deallocated.
    return (res == DW_DLV_OK && n != nullptr) ? std::string(n) : std::string();
  }

  Die child(Dwarf_Die die) {
    Dwarf_Die c = nullptr;
    Dwarf_Error err = nullptr;
    const int res = dwarf_child(die, &c, &err);
    if (res == DW_DLV_ERROR) fail("dwarf_child", err);
    return Die(res == DW_DLV_OK ? c : nullptr);
  }

  Die sibling(Dwarf_Die die) {
    Dwarf_Die s = nullptr;
    Dwarf_Error err = nullptr;
    const int res = dwarf_siblingof_b(dbg_, die, /*is_info=*/true, &s, &err);
    if (res == DW_DLV_ERROR) fail("dwarf_siblingof_b", err);
    return Die(res == DW_DLV_OK ? s : nullptr);
  }

  Die die_at(Dwarf_Off off) {
    Dwarf_Die d = nullptr;
    Dwarf_Error err = nullptr;
    const int res = dwarf_offdie_b(dbg_, off, /*is_info=*/true, &d, &err);
    if (res == DW_DLV_ERROR) fail("dwarf_offdie_b (offset 0x" + hex(off) + ")", err);
    if (res != DW_DLV_OK) {
      throw std::runtime_error("libdwarf: no DIE at .debug_info offset 0x" + hex(off) + " in '" +
                               path_ + "'");
    }
    return Die(d);
  }

  Attr attr(Dwarf_Die die, Dwarf_Half at) {
    Dwarf_Attribute a = nullptr;
    Dwarf_Error err = nullptr;
    const int res = dwarf_attr(die, at, &a, &err);
    if (res == DW_DLV_ERROR) fail("dwarf_attr", err);
    return Attr(res == DW_DLV_OK ? a : nullptr);
  }

  Dwarf_Half form(const Attr& a) {
    Dwarf_Half f = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_whatform(a.get(), &f, &err) != DW_DLV_OK) fail("dwarf_whatform", err);
    return f;
  }

  Dwarf_Unsigned form_udata(const Attr& a) {
    Dwarf_Unsigned v = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_formudata(a.get(), &v, &err) != DW_DLV_OK) fail("dwarf_formudata", err);
    return v;
  }

  Dwarf_Signed form_sdata(const Attr& a) {
    Dwarf_Signed v = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_formsdata(a.get(), &v, &err) != DW_DLV_OK) fail("dwarf_formsdata", err);
    return v;
  }

  bool has_flag(Dwarf_Die die, Dwarf_Half at) {
    Attr a = attr(die, at);
    if (!a) return false;
    Dwarf_Bool b = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_formflag(a.get(), &b, &err) != DW_DLV_OK) fail("dwarf_formflag", err);
    return b != 0;
  }

  // Value of a constant-class attribute as raw 64 bits (data1/2/4 zero-extended), or nullopt
  // if the attribute is absent or not a constant (e.g. an expression for a VLA bound).
  std::optional<std::uint64_t> constant_bits(Dwarf_Die die, Dwarf_Half at) {
    Attr a = attr(die, at);
    if (!a) return std::nullopt;
    const Dwarf_Half f = form(a);
    if (is_plain_constant_form(f)) return form_udata(a);
    if (is_signed_constant_form(f)) return static_cast<std::uint64_t>(form_sdata(a));
    return std::nullopt;
  }

  // Global .debug_info offset named by DW_AT_type of `die` (one hop); nullopt if there is
  // none or it is a type-unit signature reference (DW_FORM_ref_sig8), which we do not resolve.
  std::optional<Dwarf_Off> type_ref(Dwarf_Die die) {
    Attr a = attr(die, DW_AT_type);
    if (!a) return std::nullopt;
    if (form(a) == DW_FORM_ref_sig8) return std::nullopt;
    Dwarf_Off off = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_global_formref(a.get(), &off, &err) != DW_DLV_OK) fail("dwarf_global_formref", err);
    return off;
  }

  // Byte size of the type named by DW_AT_type of `die`, looking through typedefs and cv.
  std::optional<std::uint64_t> type_byte_size(Dwarf_Die die) {
    std::optional<Dwarf_Off> ref = type_ref(die);
    for (int hops = 0; ref && hops < 64; ++hops) {
      Die t = die_at(*ref);
      if (auto bs = constant_bits(t.get(), DW_AT_byte_size)) return bs;
      if (!is_type_alias_tag(tag(t.get()))) return std::nullopt;
      ref = type_ref(t.get());
    }
    return std::nullopt;
  }

  // True if the enumeration's underlying type has a signed encoding.
  bool enum_is_signed(Dwarf_Die enum_die) {
    std::optional<Dwarf_Off> ref = type_ref(enum_die);
    for (int hops = 0; ref && hops < 64; ++hops) {
      Die t = die_at(*ref);
      const Dwarf_Half tg = tag(t.get());
      if (tg == DW_TAG_base_type) {
        const auto enc = constant_bits(t.get(), DW_AT_encoding);
        return enc && (*enc == DW_ATE_signed || *enc == DW_ATE_signed_char);
      }
      if (!is_type_alias_tag(tg)) break;
      ref = type_ref(t.get());
    }
    // No usable DW_AT_type: GCC may still put DW_AT_encoding on the enumeration itself.
    const auto enc = constant_bits(enum_die, DW_AT_encoding);
    return enc && (*enc == DW_ATE_signed || *enc == DW_ATE_signed_char);
  }

  // ---- facts -------------------------------------------------------------------------------

  static std::optional<std::uint64_t> plus_uconst(const unsigned char* p, std::uint64_t len) {
    if (len < 2 || p[0] != DW_OP_plus_uconst) return std::nullopt;
    std::uint64_t value = 0;
    unsigned shift = 0;
    for (std::uint64_t i = 1; i < len; ++i) {
      const unsigned char byte = p[i];
      if (shift < 64) value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) {
        if (i + 1 != len) return std::nullopt;  // something follows the single op
        return value;
      }
    }
    return std::nullopt;  // truncated LEB128
  }

  std::uint64_t member_byte_offset(Dwarf_Die member) {
    Attr a = attr(member, DW_AT_data_member_location);
    if (!a) return 0;  // GCC omits it for union members
    const Dwarf_Half f = form(a);
    if (is_plain_constant_form(f)) return form_udata(a);
    if (is_signed_constant_form(f)) return static_cast<std::uint64_t>(form_sdata(a));
    std::optional<std::uint64_t> v;
    if (f == DW_FORM_exprloc) {
      Dwarf_Unsigned len = 0;
      Dwarf_Ptr ptr = nullptr;
      Dwarf_Error err = nullptr;
      if (dwarf_formexprloc(a.get(), &len, &ptr, &err) != DW_DLV_OK) fail("dwarf_formexprloc", err);
      v = plus_uconst(static_cast<const unsigned char*>(ptr), len);
    } else if (f == DW_FORM_block1 || f == DW_FORM_block2 || f == DW_FORM_block4 ||
               f == DW_FORM_block) {
      Dwarf_Block* blk = nullptr;
      Dwarf_Error err = nullptr;
      if (dwarf_formblock(a.get(), &blk, &err) != DW_DLV_OK) fail("dwarf_formblock", err);
      v = plus_uconst(static_cast<const unsigned char*>(blk->bl_data), blk->bl_len);
      dwarf_dealloc(dbg_, blk, DW_DLA_BLOCK);
    } else {
      fail_die(member, "unsupported form 0x" + hex(f) + " for DW_AT_data_member_location");
    }
    if (!v) fail_die(member, "DW_AT_data_member_location expression is not DW_OP_plus_uconst N");
    return *v;
  }

  MemberFact member_fact(Dwarf_Die member) {
    MemberFact m{name(member), 0, 0};
    m.bit_size = constant_bits(member, DW_AT_bit_size).value_or(0);
    if (auto dbo = constant_bits(member, DW_AT_data_bit_offset)) {
      // DWARF 5 / clang: already LSB-based bits from the start of the object.
      m.bit_position = *dbo;
      return m;
    }
    const std::uint64_t loc = member_byte_offset(member);
    Attr bo = attr(member, DW_AT_bit_offset);
    if (!bo) {
      m.bit_position = loc * 8;
      return m;
    }
    // DWARF 2-4 (GCC -gdwarf-4): DW_AT_bit_offset counts from the MSB of the storage unit
    // (DW_AT_byte_size, else the size of the member's type) at `loc`. It may be negative
    // (sdata) when a field straddles the storage unit.
    const Dwarf_Half f = form(bo);
    std::int64_t bit_offset = 0;
    if (is_plain_constant_form(f)) {
      bit_offset = static_cast<std::int64_t>(form_udata(bo));
    } else if (is_signed_constant_form(f)) {
      bit_offset = form_sdata(bo);
    } else {
      fail_die(member, "unsupported form 0x" + hex(f) + " for DW_AT_bit_offset");
    }
    std::optional<std::uint64_t> storage = constant_bits(member, DW_AT_byte_size);
    if (!storage) storage = type_byte_size(member);
    if (!storage) fail_die(member, "bitfield with DW_AT_bit_offset but no storage unit size");
    const std::int64_t pos = static_cast<std::int64_t>(loc * 8 + *storage * 8) - bit_offset -
                             static_cast<std::int64_t>(m.bit_size);
    if (pos < 0) fail_die(member, "bitfield position computes to a negative bit offset");
    m.bit_position = static_cast<std::uint64_t>(pos);
    return m;
  }

  std::int64_t enumerator_value(Dwarf_Die e, bool underlying_signed) {
    Attr a = attr(e, DW_AT_const_value);
    if (!a) fail_die(e, "enumerator without DW_AT_const_value");
    const Dwarf_Half f = form(a);
    switch (f) {
      case DW_FORM_data1:
      case DW_FORM_data2:
      case DW_FORM_data4:
        // Width-limited forms: the producer leaves signedness to the underlying type.
        if (underlying_signed) return form_sdata(a);
        return static_cast<std::int64_t>(form_udata(a));
      case DW_FORM_data8:
      case DW_FORM_udata:
        return static_cast<std::int64_t>(form_udata(a));
      case DW_FORM_sdata:
      case DW_FORM_implicit_const:
        return form_sdata(a);
      default:
        fail_die(e, "unsupported form 0x" + hex(f) + " for an enumerator's DW_AT_const_value");
    }
  }

  void visit(Dwarf_Die die, int depth) {
    if (depth > 4096) fail_die(die, "DIE tree nested implausibly deep");
    const Dwarf_Half t = tag(die);

    std::optional<std::size_t> struct_index;
    std::optional<std::size_t> enum_index;
    bool enum_signed = false;
    if (is_struct_tag(t)) {
      if (!has_flag(die, DW_AT_declaration)) {
        if (auto bs = constant_bits(die, DW_AT_byte_size)) {
          facts_.structs.push_back(StructFact{offset(die), name(die), *bs, {}});
          struct_index = facts_.structs.size() - 1;
        }
      }
    } else if (t == DW_TAG_enumeration_type) {
      if (!has_flag(die, DW_AT_declaration)) {
        facts_.enums.push_back(EnumFact{offset(die), name(die), {}});
        enum_index = facts_.enums.size() - 1;
        enum_signed = enum_is_signed(die);
      }
    }

    Die c = child(die);
    while (c) {
      const Dwarf_Half ct = tag(c.get());
      if (struct_index && ct == DW_TAG_member && !has_flag(c.get(), DW_AT_external) &&
          !has_flag(c.get(), DW_AT_declaration)) {
        MemberFact m = member_fact(c.get());
        facts_.structs[*struct_index].members.push_back(std::move(m));
      } else if (enum_index && ct == DW_TAG_enumerator) {
        std::string n = name(c.get());
        const std::int64_t v = enumerator_value(c.get(), enum_signed);
        facts_.enums[*enum_index].enumerators.emplace_back(std::move(n), v);
      }
      visit(c.get(), depth + 1);  // nested types (in namespaces, classes, functions, blocks)
      Die next = sibling(c.get());
      c = std::move(next);
    }
  }

  std::string path_;
  Dwarf_Debug dbg_ = nullptr;
  Facts facts_;
};

}  // namespace

Facts read_facts(const std::string& path) {
  Reader reader(path);
  return reader.run();
}

}  // namespace crosscheck
