#include "pdf_format.h"

#include <Poco/UnicodeConverter.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "kyso/error.h"

namespace kyso::signer::detail {

std::string pdfNumber(double value) {
  if (!std::isfinite(value)) throw InternalError("a non-finite number in a PDF content stream");
  if (std::fabs(value) < 0.0005) return "0";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
  if (ec != std::errc()) throw InternalError("cannot format a number for a content stream");
  std::string out(buffer, end);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

PoDoFo::PdfString textString(const std::string& utf8) {
  const bool ascii = std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return PoDoFo::PdfString(utf8);
  Poco::UTF16String utf16;
  Poco::UnicodeConverter::convert(utf8, utf16);
  std::string bytes = "\xFE\xFF";
  for (const char16_t unit : utf16) {
    bytes += static_cast<char>(unit >> 8);
    bytes += static_cast<char>(unit & 0xff);
  }
  return PoDoFo::PdfString(bytes.data(), static_cast<PoDoFo::pdf_long>(bytes.size()), true);
}

}  // namespace kyso::signer::detail
