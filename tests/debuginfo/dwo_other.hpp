#pragma once
// A second split unit for dwo_fixture.cpp: its own .dwo, whose DIE offsets start at 0 as the
// first one's do, so only DieId's file number tells their DIEs apart.

#include <memory>

namespace dwo {

struct Animal {
  Animal() = default;
  Animal(const Animal&) = default;
  Animal& operator=(const Animal&) = default;
  virtual ~Animal();
  int legs = 4;
};

std::unique_ptr<Animal> make_dog();  // a dwo::Dog, which only dwo_other.cpp defines

}  // namespace dwo
