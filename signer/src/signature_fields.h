// The signature fields of a PDF's interactive form (ISO 32000-1 §12.7.3, §12.7.4.5), in field
// order, as the verifier and the long-term extension both need them: fully qualified names, /FT and
// /V inherited down the field tree, widget kids (no /T) not taken for fields, loops and repeated
// fields visited once, the tree's depth and size bounded.
#pragma once

#include <podofo/podofo.h>

#include <string>
#include <vector>

#include "parsed_pdf.h"

namespace kyso::signer::detail {

struct SignatureField {
  std::string name;  // fully qualified
  enum class Value { Absent, Reference, Direct } value = Value::Absent;
  PoDoFo::PdfReference reference;
};

// How far a walk over the field tree goes before the document is refused (pdf_malformed).
constexpr int kMaxFieldDepth = 32;
constexpr std::size_t kMaxFields = 100000;

// Throws DocumentError("pdf_malformed") for a field tree nested deeper than kMaxFieldDepth levels or
// with more than kMaxFields fields.
std::vector<SignatureField> collectSignatureFields(const ParsedPdf& pdf);

}  // namespace kyso::signer::detail
