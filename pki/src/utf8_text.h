// Private to pki: the character count that field length limits (RFC 5280 appendix A upper bounds)
// are written in, for text that arrives as UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace kyso::pki {

// Code points of well-formed UTF-8 without control characters (RFC 3629); nullopt otherwise.
std::optional<std::size_t> textLength(std::string_view text);

}  // namespace kyso::pki
