// std::filesystem::path: its text, named at the top level.
//
// The string streams are not here: libstdc++ declares them as extern templates, so a program's
// own debug info describes them only as declarations and there is no layout to read.

#include "layout.hpp"

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

}  // namespace

void libstdcxx_streams(std::vector<StandardProvider>& out) {
  static const FilesystemPath path;
  out.push_back({Library::LibStdCxx, "filesystem::path", &path});
}

}  // namespace reflect::detail
