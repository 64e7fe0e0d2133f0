// Checked integer conversions: every narrowing between size_t and the C libraries' int/long goes
// through here and throws instead of wrapping.
#pragma once

#include <concepts>
#include <string>
#include <utility>

#include "kyso/error.h"

namespace kyso {

template <std::integral To, std::integral From>
To checkedCast(From value) {
  if (!std::in_range<To>(value)) {
    throw InternalError("integer conversion out of range: " + std::to_string(value));
  }
  return static_cast<To>(value);
}

}  // namespace kyso
