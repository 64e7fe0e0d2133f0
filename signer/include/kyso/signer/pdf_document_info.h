// The document information dictionary of a PDF (ISO 32000-1 §14.3.3), read through the same strict
// cross-reference reading as signing and verification. For recognising kyso's own documents (a
// receipt's PDF copy names its template, series and number in /Title); never trusted on its own.
#pragma once

#include <string>

#include "kyso/signer/pdf_io.h"

namespace kyso::signer {

// The /Title of the latest revision's /Info, UTF-8; empty when there is none. Throws what
// verifyPdf throws for a document that cannot be read (not_a_pdf, pdf_damaged, pdf_malformed...).
std::string pdfDocumentTitle(const PdfInput& input);

}  // namespace kyso::signer
