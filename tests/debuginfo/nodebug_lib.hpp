// A library built without debug info (nodebug_lib.cpp, -g0) defining a polymorphic class: as
// Debian ships libprotobuf.so, whose google::protobuf::Message a program's debug info describes
// only as a declaration (the class's vtable, and so its description, is "homed" in the library).
#pragma once

namespace debuginfo_nodebug {

class Widget {
 public:
  Widget();
  virtual ~Widget();
  virtual int size() const;

 private:
  int size_;
};

}  // namespace debuginfo_nodebug
