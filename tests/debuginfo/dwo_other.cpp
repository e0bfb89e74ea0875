#include "dwo_other.hpp"

namespace dwo {

Animal::~Animal() = default;

struct Dog : Animal {
  long tail = 1;
};

std::unique_ptr<Animal> make_dog() { return std::make_unique<Dog>(); }

}  // namespace dwo
