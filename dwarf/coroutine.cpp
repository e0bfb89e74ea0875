// C++20 coroutine frames as g++ and clang describe them (ARCHITECTURE §6, reference/dwarf-facts §3).
//
// A frame starts with its resume and destroy function pointers. Those functions are what DWARF
// ties to the frame: GCC's actor/destroy clones take `frame_ptr`, a pointer to `<ramp>.Frame`;
// clang's `.resume`/`.destroy` clones hold a variable `__coro_frame` of type
// `<ramp>.coro_frame_ty` (at -O0 only) and, at every level, `__promise`.

#include "die.hpp"
#include "module.hpp"

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>
#include <cstring>

namespace reflect::dwarf {

using namespace detail;

namespace {

constexpr std::string_view gcc_frame_suffix = ".Frame";
constexpr std::string_view clang_frame_suffix = ".coro_frame_ty";

bool is_frame_name(std::string_view name) {
  return name.ends_with(gcc_frame_suffix) || name.ends_with(clang_frame_suffix);
}

std::string_view coroutine_of_frame(std::string_view frame_name) {
  frame_name.remove_suffix(frame_name.ends_with(gcc_frame_suffix) ? gcc_frame_suffix.size() : clang_frame_suffix.size());
  return frame_name;
}

// The struct a DIE's type names, through one pointer when there is one.
bool struct_of(Dwarf_Die* die, Dwarf_Die* out) {
  if (!ref(die, DW_AT_type, out)) return false;
  if (dwarf_tag(out) == DW_TAG_pointer_type && !ref(out, DW_AT_type, out)) return false;
  return dwarf_tag(out) == DW_TAG_structure_type || dwarf_tag(out) == DW_TAG_class_type;
}

// The run-time range [low, high) of the part of `fn` that holds `pc`.
std::pair<std::uint64_t, std::uint64_t> range_holding(Dwarf_Die* fn, std::uint64_t pc) {
  Dwarf_Addr base = 0, start = 0, end = 0;
  for (ptrdiff_t at = 0; (at = dwarf_ranges(fn, at, &base, &start, &end)) > 0;)
    if (pc >= start && pc < end) return {start, end};
  return {0, 0};
}

// The frame offset of a variable the resume function keeps in the frame: its location is
// `DW_OP_fbreg k, DW_OP_deref[, DW_OP_plus_uconst offset]` (the frame pointer is a local).
std::optional<std::uint64_t> frame_offset_of(Dwarf_Die* variable) {
  Dwarf_Attribute attr;
  Dwarf_Op* ops = nullptr;
  std::size_t count = 0;
  if (dwarf_attr(variable, DW_AT_location, &attr) == nullptr || dwarf_getlocation(&attr, &ops, &count) != 0) return std::nullopt;
  if (count < 2 || ops[0].atom != DW_OP_fbreg || ops[1].atom != DW_OP_deref) return std::nullopt;
  if (count == 2) return 0;
  if (count == 3 && ops[2].atom == DW_OP_plus_uconst) return ops[2].number;
  return std::nullopt;
}

// Every variable and parameter of `scope` and its nested blocks (record.declared), and of those
// the ones that live in the frame at an offset (record.variables).
void collect_declarations(Dwarf_Die* scope, CoroutineRecord& record) {
  for_each_child(scope, [&](Dwarf_Die& child) {
    const int tag = dwarf_tag(&child);
    if (tag == DW_TAG_lexical_block) {
      collect_declarations(&child, record);
    } else if (tag == DW_TAG_variable || tag == DW_TAG_formal_parameter) {
      auto line = udata(&child, DW_AT_decl_line);  // none: the compiler's own (__promise, ...)
      if (!line) return false;
      const bool is_parameter = tag == DW_TAG_formal_parameter;
      if (auto offset = frame_offset_of(&child))
        record.variables.push_back({*offset, static_cast<std::uint32_t>(*line), is_parameter});
      if (std::string name = name_of(&child); !name.empty())
        record.declared.push_back({std::move(name), static_cast<std::uint32_t>(*line), is_parameter});
    }
    return false;
  });
}

// Little-endian value of `size` bytes.
std::uint64_t load_le(const unsigned char* bytes, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = size; i-- > 0;) value = value << 8 | bytes[i];
  return value;
}

// The offset in `code` of an x86-64 `mov $index, offset(%reg)` of `size` bytes, as compilers
// emit for storing a resume index; npos if none. Matched on its exact encoding (opcode, ModRM
// with a displacement, displacement and immediate), not by decoding the whole function.
std::size_t find_index_store(const unsigned char* code, std::size_t length, std::uint64_t offset, std::size_t size,
                             std::uint64_t index) {
  const unsigned char opcode = size == 1 ? 0xc6 : 0xc7;
  for (std::size_t at = 0; at < length; ++at) {
    std::size_t i = at;
    if (size == 2) {
      if (code[i] != 0x66) continue;
      ++i;
    }
    if (i < length && (code[i] & 0xf8) == 0x40) ++i;  // REX without W: r8-r15 as the base
    if (i + 2 > length || code[i] != opcode) continue;
    const unsigned char modrm = code[i + 1];
    const unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (reg != 0 || mod == 0 || mod == 3) continue;
    i += 2;
    if (rm == 4) ++i;  // SIB byte (an %rsp base)
    const std::size_t disp_size = mod == 1 ? 1 : 4;
    if (i + disp_size + size > length) continue;
    std::int64_t disp = mod == 1 ? static_cast<std::int8_t>(code[i])
                                 : static_cast<std::int32_t>(load_le(code + i, 4));
    if (disp != static_cast<std::int64_t>(offset)) continue;
    if (load_le(code + i + disp_size, size) != index) continue;
    return at;
  }
  return std::string_view::npos;
}

// The offset of the last `call rel32` within a few instructions before `end` whose target
// `is_call_target(offset, displacement)` accepts; npos if none. The target check is what keeps
// a stray 0xe8 byte inside another instruction from passing for a call.
template <class Accept> std::size_t find_call_before(const unsigned char* code, std::size_t end, Accept&& is_call_target) {
  constexpr std::size_t window = 192;  // sanitizer checks may sit between the call and the store
  for (std::size_t at = end >= 5 ? end - 5 : 0; at + window >= end && at < end; --at) {
    if (code[at] == 0xe8 && is_call_target(at, static_cast<std::int32_t>(load_le(code + at + 1, 4)))) return at;
    if (at == 0) break;
  }
  return std::string_view::npos;
}

}  // namespace

bool Module::is_await_ready(std::uintptr_t address) const {
  auto symbol = symbol_at(address);
  return symbol && symbol->offset == 0 && symbol->name.find("await_ready") != std::string_view::npos;
}

std::optional<CoroutineRecord> Module::coroutine_at(std::uintptr_t address) const {
  if (dwarf() == nullptr) return std::nullopt;
  const std::uint64_t pc = address - bias_;
  for (const DieId& id : subprograms_at(pc)) {
    Dwarf_Die fn;
    if (!die_at(id, &fn)) continue;
    CoroutineRecord record;
    bool is_coroutine = false;
    Dwarf_Die frame;
    bool has_frame = false;
    // The concrete DIE, then (GCC -O2) its abstract origin or declaration.
    Dwarf_Die scope = fn;
    for (int hops = 0; hops < 4 && !has_frame; ++hops) {
      for_each_child(&scope, [&](Dwarf_Die& child) {
        const int tag = dwarf_tag(&child);
        const std::string name = name_of(&child);
        Dwarf_Die type;
        if (tag == DW_TAG_formal_parameter && struct_of(&child, &type) && name_of(&type).ends_with(gcc_frame_suffix)) {
          record.compiler = CoroutineRecord::Compiler::Gcc;
          frame = type;
          has_frame = is_coroutine = true;
        } else if (tag == DW_TAG_variable && name == "__coro_frame" && struct_of(&child, &type)) {
          record.compiler = CoroutineRecord::Compiler::Clang;
          frame = type;
          has_frame = is_coroutine = true;
        } else if (tag == DW_TAG_variable && name == "__promise" && ref(&child, DW_AT_type, &type)) {
          record.compiler = CoroutineRecord::Compiler::Clang;
          record.promise_type = id_of(this, &type);
          is_coroutine = true;
        }
        return has_frame;
      });
      if (!next_origin(&scope)) break;
    }
    if (!is_coroutine) continue;
    // clang names its `.resume` / `.destroy` / `.cleanup` clones after the ramp; a frame that
    // points at the ramp itself is no frame.
    if (record.compiler == CoroutineRecord::Compiler::Clang)
      if (auto symbol = symbol_at(address); symbol && !symbol->name.ends_with(".resume") &&
                                            !symbol->name.ends_with(".destroy") && !symbol->name.ends_with(".cleanup"))
        continue;

    if (has_frame) {
      record.frame_type = id_of(this, &frame);
      // clang 14-16 name every frame type `__coro_frame_ty`: then the function's own name.
      if (const std::string frame_name = name_of(&frame); is_frame_name(frame_name))
        record.linkage_name = coroutine_of_frame(frame_name);
      for (const MemberRecord& member : read_type(record.frame_type).members) {
        if (member.name == "_Coro_promise" || member.name == "__promise") {
          record.promise_type = member.type;
          record.promise_offset = member.byte_offset;
        } else if (member.name == "_Coro_resume_index" || member.name == "__coro_index") {
          record.index_offset = member.byte_offset;
          record.index_size = static_cast<std::uint8_t>(read_type(member.type).byte_size.value_or(0));
        }
      }
    }
    if (record.linkage_name.empty()) {
      Dwarf_Attribute attr;
      if (dwarf_attr_integrate(&fn, DW_AT_linkage_name, &attr) != nullptr)
        if (const char* linkage = dwarf_formstring(&attr)) record.linkage_name = linkage;
      if (record.linkage_name.empty()) record.linkage_name = name_of(&fn);
    }
    if (!record.promise_type) {
      // `R::promise_type` of the coroutine's return type R (what std::coroutine_traits picks
      // unless a user specialised it).
      Dwarf_Die returned;
      if (ref(&fn, DW_AT_type, &returned))
        for_each_child(&returned, [&](Dwarf_Die& child) {
          if (name_of(&child) != "promise_type") return false;
          record.promise_type = id_of(this, &child);
          return true;
        });
    }
    if (auto line = udata(&fn, DW_AT_decl_line)) record.decl_line = static_cast<std::uint32_t>(*line);
    auto [low, high] = range_holding(&fn, pc);
    if (low == pc) {
      record.resume_low = low + bias_;
      record.resume_high = high + bias_;
    }
    collect_declarations(&fn, record);
    return record;
  }
  return std::nullopt;
}

std::optional<SourceLine> Module::suspend_line(const CoroutineRecord& coroutine, std::uint64_t index) const {
  if (coroutine.index_size == 0 || coroutine.resume_low == 0 || dwarf() == nullptr) return std::nullopt;
  if (auto line = index_store_line(coroutine, coroutine.resume_low, coroutine.resume_high, index)) return line;
  // clang: the first suspend point a call reaches is stored by the ramp (and only there at -O1
  // and above, when the initial suspend point was left out: initial_suspend_dropped()).
  if (coroutine.compiler != CoroutineRecord::Compiler::Clang) return std::nullopt;
  auto [low, high] = ramp_of(coroutine);
  if (low == 0) return std::nullopt;
  return index_store_line(coroutine, low, high, index);
}

bool Module::initial_suspend_dropped(const CoroutineRecord& coroutine) const {
  if (coroutine.compiler != CoroutineRecord::Compiler::Clang || coroutine.index_size == 0 || coroutine.decl_line == 0 ||
      dwarf() == nullptr)
    return false;
  auto [low, high] = ramp_of(coroutine);
  if (low == 0) return false;
  auto line = index_store_line(coroutine, low, high, 0);
  return line && line->line != coroutine.decl_line;
}

std::pair<std::uint64_t, std::uint64_t> Module::ramp_of(const CoroutineRecord& coroutine) const {
  std::pair<std::uint64_t, std::uint64_t> range{0, 0};
  if (coroutine.linkage_name.empty()) return range;
  symbols_.for_each([&](const SymbolTable::Entry& symbol) {
    if (symbol.is_function && symbol.size != 0 && symbol.name == coroutine.linkage_name)
      range = {symbol.address, symbol.address + symbol.size};
  });
  return range;
}

std::optional<SourceLine> Module::index_store_line(const CoroutineRecord& coroutine, std::uint64_t code_low,
                                                   std::uint64_t code_high, std::uint64_t index) const {
  // The code, from the ELF file (the loaded image would do as well, but the file needs no
  // memory checks).
  Dwarf_Addr elf_bias = 0;
  Elf* elf = dwfl_module_getelf(module_, &elf_bias);
  if (elf == nullptr) return std::nullopt;
  const std::uint64_t low = code_low - elf_bias, high = code_high - elf_bias;
  std::size_t store = std::string_view::npos;
  std::size_t call = std::string_view::npos;
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn)) != nullptr;) {
    GElf_Shdr header;
    if (gelf_getshdr(scn, &header) == nullptr || header.sh_type != SHT_PROGBITS) continue;
    if (low < header.sh_addr || high > header.sh_addr + header.sh_size) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr || data->d_size < high - header.sh_addr) return std::nullopt;
    const auto* code = static_cast<const unsigned char*>(data->d_buf) + (low - header.sh_addr);
    store = find_index_store(code, high - low, coroutine.index_offset, coroutine.index_size, index);
    if (store != std::string_view::npos && coroutine.compiler == CoroutineRecord::Compiler::Gcc)
      call = find_call_before(code, store, [&](std::size_t at, std::int32_t displacement) {
        return is_await_ready(code_low + at + 5 + displacement);
      });
    break;
  }
  if (store == std::string_view::npos) return std::nullopt;
  // GCC may attribute the store to the function's closing brace; the awaiter's await_ready call
  // just before it has the suspend point's own line (other calls, such as a sanitizer's checks,
  // may come between). Without that call, no line rather than a wrong one. clang's store has
  // the line.
  if (coroutine.compiler == CoroutineRecord::Compiler::Gcc && call == std::string_view::npos) return std::nullopt;

  const std::uint64_t line_pc = code_low + (call != std::string_view::npos ? call : store) - bias_;
  const std::uint64_t function_low = code_low - bias_;
  const auto unit_die = unit_die_containing_pc(line_pc);  // a skeleton unit's: it has the line table
  Dwarf_Die cu_die;
  Dwarf_Lines* lines = nullptr;
  std::size_t count = 0;
  if (!unit_die || dwarf_offdie(dwarf(), *unit_die, &cu_die) == nullptr ||
      dwarf_getsrclines(&cu_die, &lines, &count) != 0 || count == 0)
    return std::nullopt;
  auto row_address = [&](std::size_t i) {
    Dwarf_Addr address = 0;
    dwarf_lineaddr(dwarf_onesrcline(lines, i), &address);
    return address;
  };
  auto row_line = [&](std::size_t i) {
    int line = 0;
    dwarf_lineno(dwarf_onesrcline(lines, i), &line);
    return line;
  };
  // The last row at or before it (rows are sorted by address).
  std::size_t lo = 0, hi = count;
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    if (row_address(mid) <= line_pc) lo = mid + 1; else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  std::size_t row = lo - 1;
  while (row > 0 && row_line(row) == 0 && row_address(row - 1) >= function_low) --row;
  const int line = row_line(row);
  if (line <= 0) return std::nullopt;
  const char* file = dwarf_linesrc(dwarf_onesrcline(lines, row), nullptr, nullptr);
  std::string path = file ? file : "";
  // A path relative to the compilation directory (meson's `../src/x.cpp`) is made absolute.
  Dwarf_Attribute attr;
  if (!path.empty() && path[0] != '/' && dwarf_attr(&cu_die, DW_AT_comp_dir, &attr) != nullptr)
    if (const char* dir = dwarf_formstring(&attr)) path = std::string(dir) + "/" + path;
  return SourceLine{std::move(path), static_cast<std::uint32_t>(line)};
}

void Module::for_each_coroutine_frame(const std::function<void(const DieId&, const std::string&)>& visit) const {
  if (dwarf() == nullptr) return;
  for (auto [file, die_begin] : unit_dies()) {  // split units from their .dwo, not the skeleton
    Dwarf_Die cu_die;
    if (dwarf_offdie(dwarf_of(file), die_begin, &cu_die) == nullptr) continue;
    // GCC puts a frame type inside its coroutine's declaration, clang 17-19 at unit level, clang
    // 14-16 (`__coro_frame_ty`, the same name for all) inside each of its coroutine's functions:
    // walk all, knowing the innermost function each DIE is in.
    struct Pending {
      Dwarf_Die die;
      std::optional<Dwarf_Die> function;
    };
    std::vector<Pending> stack;
    Dwarf_Die child;
    if (dwarf_child(&cu_die, &child) == 0) stack.push_back({child, std::nullopt});
    while (!stack.empty()) {
      Pending at = stack.back();
      stack.pop_back();
      Dwarf_Die sibling;
      if (dwarf_siblingof(&at.die, &sibling) == 0) stack.push_back({sibling, at.function});
      const int tag = dwarf_tag(&at.die);
      if ((tag == DW_TAG_structure_type || tag == DW_TAG_class_type) && !flag(&at.die, DW_AT_declaration)) {
        std::string name = name_of(&at.die);
        if (is_frame_name(name)) {
          visit(id_of(this, &at.die), std::string(coroutine_of_frame(name)));
          continue;  // a frame type nests no other frame
        }
        if (name == "__coro_frame_ty") {
          Dwarf_Attribute attr;
          const char* linkage = nullptr;
          if (at.function && dwarf_attr_integrate(&*at.function, DW_AT_linkage_name, &attr) != nullptr)
            linkage = dwarf_formstring(&attr);
          std::string coroutine = linkage != nullptr ? linkage : at.function ? name_of(&*at.function) : "";
          if (!coroutine.empty()) visit(id_of(this, &at.die), coroutine);
          continue;
        }
      }
      if (dwarf_haschildren(&at.die) && dwarf_child(&at.die, &child) == 0)
        stack.push_back({child, tag == DW_TAG_subprogram ? std::optional<Dwarf_Die>(at.die) : at.function});
    }
  }
}

}  // namespace reflect::dwarf
