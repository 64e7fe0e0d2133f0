// What happened to a signed PDF after each signature (ISO 32000-1 §7.5.6 incremental updates,
// §12.8.2 DocMDP and FieldMDP), to close the attacks on PDF signatures that leave the signed bytes
// intact (pdf-insecurity.org: Incremental Saving, Shadow Hide/Replace, Evil Annotation, Sneaky
// Signature): the revision a signature covers is parsed on its own and compared object by object
// with the whole document; every difference is classified (verification.h, ChangeClass) and a
// change that can alter what the signed revision shows keeps the signature from TOTAL_PASSED.
#pragma once

#include <podofo/podofo.h>

#include <optional>
#include <vector>

#include "kyso/signer/pdf_revisions.h"
#include "kyso/signer/verification.h"
#include "parsed_pdf.h"

namespace kyso::signer::detail {

// The revisions of `pdf` in file order (pdf_revisions.h), with where each one's body starts (the
// end of the previous revision).
struct RevisionBounds {
  PdfRevision revision;
  std::uint64_t bodyStart = 0;
};
std::vector<RevisionBounds> revisionBounds(const ParsedPdf& pdf);

// "Never verify what another reader would repair": throws DocumentError("pdf_damaged") when the
// body of one revision defines the same object number twice — as two "n g obj", in two object
// streams, in one object stream and as "n g obj", or twice in one object stream's header (a
// reader that rebuilds the cross-reference table from the objects would take the other one).
void checkRevisionBodies(const ParsedPdf& pdf);

// For every signature of `report` whose byte range was accepted (coverage.signedEnd set):
// `signatureDictionaries[i]` is the signature dictionary of report.signatures[i] (nullopt when it
// has none; the sizes must agree, else InternalError). Fills
// coverage.laterChanges and certificationPermissions and lowers the verdict where a later change,
// DocMDP or FieldMDP demands it (docs/architecture.md, "Changes after a signature").
void judgeLaterRevisions(const ParsedPdf& pdf,
                         const std::vector<std::optional<PoDoFo::PdfReference>>& signatureDictionaries,
                         VerificationReport& report);

}  // namespace kyso::signer::detail
