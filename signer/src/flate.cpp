#include "flate.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "kyso/error.h"
#include "kyso/numeric.h"

namespace kyso::signer::detail {

namespace {

static_assert(static_cast<int>(FlateLevel::Default) == 6 &&
              static_cast<int>(FlateLevel::Smallest) == Z_BEST_COMPRESSION);

struct DeflateEnd {
  void operator()(z_stream* stream) const noexcept { deflateEnd(stream); }
};
using DeflateGuard = std::unique_ptr<z_stream, DeflateEnd>;

InternalError zlibError(const char* what, int rc, const z_stream& stream) {
  return InternalError(std::string("zlib ") + what + " failed: " + std::to_string(rc) +
                       (stream.msg != nullptr ? std::string(" (") + stream.msg + ")" : std::string()));
}

}  // namespace

std::string deflate(std::string_view data, FlateLevel level) {
  z_stream stream{};
  // deflateInit, as compress2 does: the 32 KiB window, memLevel 8 and the default strategy, so the
  // bytes stay those of every PDF written before.
  if (const int rc = deflateInit(&stream, static_cast<int>(level)); rc != Z_OK)
    throw zlibError("deflateInit", rc, stream);
  const DeflateGuard guard(&stream);

  // deflateBound is enough for Z_FINISH in one go; zlib counts in uInt, so both sides are fed in
  // pieces of at most that (as compress2 does).
  std::string out(checkedCast<std::size_t>(deflateBound(&stream, checkedCast<uLong>(data.size()))), '\0');
  constexpr std::size_t kMaxPiece = std::numeric_limits<uInt>::max();
  // zlib reads through next_in but does not write.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  std::size_t inLeft = data.size();
  std::size_t outLeft = out.size();
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (stream.avail_out == 0) {  // none left: deflate answers Z_BUF_ERROR
      stream.avail_out = static_cast<uInt>(std::min(outLeft, kMaxPiece));
      outLeft -= stream.avail_out;
    }
    if (stream.avail_in == 0) {
      stream.avail_in = static_cast<uInt>(std::min(inLeft, kMaxPiece));
      inLeft -= stream.avail_in;
    }
    rc = ::deflate(&stream, inLeft == 0 ? Z_FINISH : Z_NO_FLUSH);
  }
  if (rc != Z_STREAM_END) throw zlibError("deflate", rc, stream);
  out.resize(checkedCast<std::size_t>(stream.total_out));
  return out;
}

}  // namespace kyso::signer::detail
