// QR codes (ISO/IEC 18004) for the receipt's public verification URL, made by libqrencode. The
// symbol comes out as a plain matrix of modules; libqrencode stays out of this header.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace kyso::receipts::detail {

// A QR code symbol: `width` × `width` modules, without the quiet zone (ISO/IEC 18004 §6.3.8: four
// modules of light on every side, which the drawer adds).
class QrCode {
 public:
  // Encodes `data` as bytes (8-bit mode, no ECI) at error correction level M (about 15 % of the
  // symbol recoverable), in the smallest version that holds it. Throws
  // InputError("qr_data_unencodable") for empty data or more than version 40-M holds (2 331 bytes),
  // InternalError when libqrencode fails otherwise.
  static QrCode encode(std::string_view data);

  int version() const { return version_; }  // 1 to 40
  std::size_t width() const { return width_; }
  bool dark(std::size_t column, std::size_t row) const { return modules_[row * width_ + column]; }

 private:
  QrCode(int version, std::size_t width, std::vector<bool> modules)
      : version_(version), width_(width), modules_(std::move(modules)) {}

  int version_ = 0;
  std::size_t width_ = 0;
  std::vector<bool> modules_;  // row by row, top to bottom
};

}  // namespace kyso::receipts::detail
