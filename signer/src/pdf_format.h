// Private to signer: numbers and text strings as the PDF writers (appearance streams, the
// composer, signature dictionaries) put them into a file.
#pragma once

#include <podofo/podofo.h>

#include <string>

namespace kyso::signer::detail {

// A number for a content stream or an array: fixed point with at most three decimals, no exponent,
// no locale, no "-0" (ISO 32000-1 §7.3.3 has no exponent form). InternalError when not finite.
std::string pdfNumber(double value);

// A text string (ISO 32000-1 §7.9.2.2): PDFDocEncoding when ASCII, else UTF-16BE with a byte order
// mark, as a hex string — a literal one would carry raw bytes such as 0x0D, which readers turn into
// 0x0A (§7.3.4.2).
PoDoFo::PdfString textString(const std::string& utf8);

}  // namespace kyso::signer::detail
