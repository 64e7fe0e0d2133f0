// The revisions of a PDF: the original document and one per incremental update (ISO 32000-1
// §7.5.6). Revision N is the prefix of the file that ends just after its "%%EOF" (and end-of-line):
// what a signature over revision N signed, and what `kyso verify --signed-revision N` writes out so
// that a person can open it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kyso/signer/pdf_io.h"

namespace kyso::signer {

struct PdfRevision {
  std::size_t number = 0;        // counted from 1 (the original document)
  std::uint64_t xrefOffset = 0;  // its cross-reference section (table or stream)
  std::uint64_t end = 0;         // just past its "%%EOF" and end-of-line
};

// In file order. Throws DocumentError like verifyPdf (not_a_pdf, pdf_encrypted, pdf_damaged,
// pdf_malformed).
std::vector<PdfRevision> pdfRevisions(const PdfInput& input);

// Writes revision `number` (the first PdfRevision::end bytes of `input`). Throws
// InputError("revision_not_found") when the document has no such revision.
PdfRevision writePdfRevision(const PdfInput& input, std::size_t number, PdfOutput& output);

}  // namespace kyso::signer
