#include "std_view.hpp"

#include <array>

namespace reflect::detail {

// Each family's views; adding a family means one file and one line here.
const StdView& string_view_family_basic_string();
const StdView& string_view_family_string_view();
const StdView& vector_family_vector();
const StdView& vector_family_array();
const StdView& smart_ptr_family_unique_ptr();
const StdView& smart_ptr_family_shared_ptr();
const StdView& optional_family_optional();
const StdView& tuple_family_pair();
const StdView& tuple_family_tuple();
const StdView& erased_family_any();
const StdView& erased_family_function();

const StdView* find_std_view(const TypeNode& type) {
  if (type.kind != Kind::Struct || type.is_declaration) return nullptr;
  if (!type.template_name().starts_with("std::")) return nullptr;
  static const std::array<const StdView*, 11> views{
      &string_view_family_basic_string(), &string_view_family_string_view(), &vector_family_vector(),
      &vector_family_array(),             &smart_ptr_family_unique_ptr(),    &smart_ptr_family_shared_ptr(),
      &optional_family_optional(),        &tuple_family_pair(),              &tuple_family_tuple(),
      &erased_family_any(),               &erased_family_function(),
  };
  for (const StdView* view : views)
    if (view->matches(type)) return view;
  return nullptr;
}

}  // namespace reflect::detail
