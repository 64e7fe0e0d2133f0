#include "kyso/signer/pdf_document_info.h"

#include "parsed_pdf.h"
#include "podofo_guard.h"

namespace kyso::signer {

namespace detail {

std::string documentTitle(const ParsedPdf& pdf) {
  return guardPodofo("reading the document information", [&]() -> std::string {
    const PoDoFo::PdfObject* infoEntry = pdf.xref().trailer().GetKey("Info");
    if (infoEntry == nullptr) return {};
    const PoDoFo::PdfObject* info = infoEntry->IsReference() ? pdf.object(infoEntry->GetReference()) : infoEntry;
    if (info == nullptr || !info->IsDictionary()) return {};
    const PoDoFo::PdfObject* title = info->GetDictionary().GetKey("Title");
    if (title == nullptr || !(title->IsString() || title->IsHexString())) return {};
    return title->GetString().GetStringUtf8();
  });
}

}  // namespace detail

std::string pdfDocumentTitle(const PdfInput& input) {
  const detail::ParsedPdf pdf(input);
  return detail::documentTitle(pdf);
}

}  // namespace kyso::signer
