#include "podofo_guard.h"

#include <mutex>

namespace kyso::signer::detail {

void initPodofo() {
  static std::once_flag once;
  std::call_once(once, [] {
    PoDoFo::PdfError::EnableLogging(false);
    PoDoFo::PdfError::EnableDebug(false);
    PoDoFo::PdfParser::SetIgnoreBrokenObjects(false);
  });
}

std::string describePodofoError(const PoDoFo::PdfError& error) {
  switch (error.GetError()) {
    case PoDoFo::ePdfError_NoPdfFile:
      return "the file does not start with a PDF header";
    case PoDoFo::ePdfError_NoXRef:
    case PoDoFo::ePdfError_InvalidXRef:
    case PoDoFo::ePdfError_InvalidXRefStream:
    case PoDoFo::ePdfError_InvalidXRefType:
      return "the cross-reference table is missing or broken";
    case PoDoFo::ePdfError_NoTrailer:
    case PoDoFo::ePdfError_InvalidTrailerSize:
      return "the trailer is missing or broken";
    case PoDoFo::ePdfError_NoEOFToken:
    case PoDoFo::ePdfError_UnexpectedEOF:
      return "the file ends unexpectedly";
    case PoDoFo::ePdfError_InvalidPassword:
    case PoDoFo::ePdfError_InvalidEncryptionDict:
      return "the file is encrypted";
    case PoDoFo::ePdfError_UnsupportedFilter:
    case PoDoFo::ePdfError_InvalidPredictor:
    case PoDoFo::ePdfError_Flate:
      return "a stream cannot be decoded";
    case PoDoFo::ePdfError_NoObject:
    case PoDoFo::ePdfError_NoNumber:
    case PoDoFo::ePdfError_InvalidDataType:
    case PoDoFo::ePdfError_InvalidName:
    case PoDoFo::ePdfError_InvalidHexString:
    case PoDoFo::ePdfError_InvalidStream:
    case PoDoFo::ePdfError_InvalidStreamLength:
      return "an object cannot be parsed";
    default:
      return "the PDF structure cannot be parsed";
  }
}

}  // namespace kyso::signer::detail
