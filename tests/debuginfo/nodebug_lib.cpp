#include "nodebug_lib.hpp"

namespace debuginfo_nodebug {

Widget::Widget() : size_(7) {}
Widget::~Widget() = default;
int Widget::size() const { return size_; }

}  // namespace debuginfo_nodebug
