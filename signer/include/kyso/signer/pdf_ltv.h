// PAdES long-term validation (ETSI EN 319 142-1 §5.4 and §6.3, levels B-LT and B-LTA): extends the
// signatures of a signed PDF with an incremental update that adds or extends the document security
// store (/DSS, ISO 32000-2 §12.8.4.3) — the certificates of every signature's path and of its
// time-stamping authorities, and the OCSP responses and CRLs that prove they were not revoked, with
// a /VRI entry per signature — and, for B-LTA, a further update with a document time-stamp
// (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) over everything before it. The original bytes
// are never changed, so every earlier signature stays valid.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/clock.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/pdf_verifier.h"

namespace kyso::signer {

enum class LtvLevel { B_LT, B_LTA };

// "B-LT", "B-LTA".
std::string_view ltvLevelName(LtvLevel level);
// "B-LT", "B-LTA" (also "PAdES-B-LTA", case-insensitive); throws InputError("invalid_level").
LtvLevel parseLtvLevel(std::string_view text);

struct LtvResult {
  std::vector<std::string> signatures;          // fields whose validation data was added
  std::vector<std::string> documentTimeStamps;  // earlier document time-stamps whose TSA data was added
  std::size_t certificates = 0;                 // new /DSS entries (equal ones are not repeated)
  std::size_t ocspResponses = 0;
  std::size_t crls = 0;
  std::string timeStampField;                   // B-LTA: the new document time-stamp's field
  std::optional<pki::TimePoint> timeStampTime;  // and the time it proves
  std::vector<std::string> warnings;            // signatures left as they were, and why
};

class PdfLtvExtender {
 public:
  // `policy` says which paths count (trustAnchors, timeStampTrustAnchors, intermediates) and where
  // revocation data comes from (revocationFetcher, revocationCache, timeouts, clock): the same
  // machinery the verifier uses. `timeStamps`: the TSA for B-LTA; may be null (B-LTA then fails
  // with UnavailableError("tsa_not_configured")).
  PdfLtvExtender(VerificationPolicy policy, std::shared_ptr<pki::TimeStampSource> timeStamps);

  // Writes `input` and the update(s) to `output`. Every signature that verifies (revocation aside)
  // with a path to a trust anchor is extended, together with the TSAs of its signature time-stamps
  // and of the document time-stamps already present; the others are listed in warnings.
  // Throws DocumentError: pdf_not_signed (no signature or document time-stamp), pdf_not_extendable
  // (none can be extended), and those of reading the PDF (not_a_pdf, pdf_encrypted, pdf_damaged,
  // pdf_malformed); UnavailableError("revocation_unavailable") when the revocation status of a
  // certificate cannot be obtained; the TSA's errors for B-LTA.
  LtvResult extend(const PdfInput& input, PdfOutput& output, LtvLevel level) const;

  bool canTimeStamp() const { return timeStamps_ != nullptr; }

 private:
  VerificationPolicy policy_;
  std::shared_ptr<pki::TimeStampSource> timeStamps_;
};

}  // namespace kyso::signer
