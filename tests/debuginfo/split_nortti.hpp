#pragma once
// Built with -fno-rtti (split_nortti.cpp): the vtable of Part's derived class has no type_info,
// so reflect names the dynamic type from the vtable's symbol (`_ZTV...`), which a fully
// stripped binary keeps only in its separate debug file's .symtab.

namespace split {
struct Part {
  Part() = default;
  Part(const Part&) = default;
  Part& operator=(const Part&) = default;
  virtual ~Part();
  int serial = 7;
};
/// A split::Engine{split::Part{.serial = 7}, .power = 1.5} (never destroyed). No member of Part is
/// used outside split_nortti.cpp: UBSan's vptr check would need Part's type_info, which no
/// translation unit emits.
const Part& part();
}  // namespace split
