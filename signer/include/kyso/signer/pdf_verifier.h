// Verification of the signatures in a PDF (ISO 32000-1 §12.8, ETSI EN 319 142-1 PAdES baseline,
// validated after ETSI EN 319 102-1): every signature field's signature is checked for its form
// (/ByteRange, /Contents, the CMS), its hash and signature value, its signing certificate, its
// certificate path to a configured trust anchor at the validation time, and its signature
// time-stamp. The result is a VerificationReport — a verdict is a value.
#pragma once

#include <vector>

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/verification.h"

namespace kyso::signer {

enum class RevocationCheck {
  // The revocation status of the signing certificate must be established. Until OCSP, CRL and
  // DSS data are consulted, a signature that is otherwise fine is INDETERMINATE / TRY_LATER
  // (EN 319 102-1 §5.2.6.4: no revocation data that allows a decision).
  Require,
  // Not checked (tests, offline use): a signature can pass; each result carries the warning
  // "revocation not checked" and RevocationStatus::NotChecked.
  Skip,
};

struct VerificationPolicy {
  // Certificates trusted as path ends (nothing else: no system store).
  std::vector<pki::Certificate> trustAnchors;
  // Untrusted certificates that may help build paths (issuing CAs that signers leave out).
  std::vector<pki::Certificate> intermediates;
  // Trust anchors for time-stamping authorities; empty: trustAnchors.
  std::vector<pki::Certificate> timeStampTrustAnchors;
  // The validation time is clock->now(), read once per verification. Must not be null.
  const pki::Clock* clock = &pki::SystemClock::instance();
  RevocationCheck revocation = RevocationCheck::Require;
};

// Finds the signature fields of `input` through the document's interactive form and verifies each
// signed one, in field order. Document time-stamps (/SubFilter /ETSI.RFC3161) and unsigned
// signature fields are listed in the report's warnings, not as signatures.
//
// Throws DocumentError when the document cannot be evaluated at all: not_a_pdf, pdf_encrypted,
// pdf_damaged (a cross-reference chain that would need repairing), pdf_malformed.
VerificationReport verifyPdf(const PdfInput& input, const VerificationPolicy& policy);

}  // namespace kyso::signer
