// Deflate (RFC 1950 zlib format) for PDF /FlateDecode streams (ISO 32000-1 §7.4.4): the signer's
// one place that compresses with zlib.
#pragma once

#include <string>
#include <string_view>

namespace kyso::signer::detail {

// zlib compression levels. Fixed, so that the same input always gives the same PDF bytes.
enum class FlateLevel : int {
  // zlib's default (6): for caller-supplied data such as image samples, where level 9's long match
  // chains cost much more time on adversarial input for little gain.
  Default = 6,
  // Z_BEST_COMPRESSION (9): for the streams we generate ourselves (content streams, font programs).
  Smallest = 9,
};

// The zlib stream of `data`, byte for byte what zlib's compress2(…, level) gives. Throws
// InternalError if zlib fails.
std::string deflate(std::string_view data, FlateLevel level);

}  // namespace kyso::signer::detail
