#include "qr_code.h"

#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <string>

#include "kyso/error.h"

namespace kyso::receipts::detail {

namespace {

// The one deleter for libqrencode's symbols.
struct QrCodeFree {
  void operator()(QRcode* code) const noexcept { QRcode_free(code); }
};
using QrCodePtr = std::unique_ptr<QRcode, QrCodeFree>;

// ISO/IEC 18004 table 7: the byte-mode capacity of version 40 at level M.
constexpr std::size_t kMaxBytesLevelM = 2331;

}  // namespace

QrCode QrCode::encode(std::string_view data) {
  if (data.empty()) throw InputError("qr_data_unencodable", "a QR code needs data to encode");
  if (data.size() > kMaxBytesLevelM) {
    throw InputError("qr_data_unencodable", "the QR code data is " + std::to_string(data.size()) +
                                                " bytes; a QR code at level M holds at most " +
                                                std::to_string(kMaxBytesLevelM));
  }
  // Version 0: the smallest that holds the data. encodeData takes bytes as they are (8-bit mode),
  // so a URL decodes back to exactly its bytes.
  errno = 0;
  QrCodePtr code(QRcode_encodeData(static_cast<int>(data.size()), reinterpret_cast<const unsigned char*>(data.data()),
                                   0, QR_ECLEVEL_M));
  if (!code) {
    const int error = errno;
    if (error == ERANGE) throw InputError("qr_data_unencodable", "the QR code data is too long");
    throw InternalError("libqrencode could not encode the QR code (errno " + std::to_string(error) + ")");
  }
  if (code->width <= 0 || code->version < 1 || code->version > 40) {
    throw InternalError("libqrencode returned a malformed QR code");
  }
  const auto width = static_cast<std::size_t>(code->width);
  std::vector<bool> modules(width * width);
  // Each byte is one module; its least significant bit says dark (qrencode.h, QRcode).
  for (std::size_t i = 0; i < modules.size(); ++i) modules[i] = (code->data[i] & 1u) != 0;
  return QrCode(code->version, width, std::move(modules));
}

}  // namespace kyso::receipts::detail
