// Verification of the signatures in a PDF (ISO 32000-1 §12.8, ETSI EN 319 142-1 PAdES baseline,
// validated after ETSI EN 319 102-1): every signature field's signature is checked for its form
// (/ByteRange, /Contents, the CMS), its hash and signature value, its signing certificate, its
// certificate path to a configured trust anchor at the validation time, and its signature
// time-stamp. The result is a VerificationReport — a verdict is a value.
#pragma once

#include <chrono>
#include <vector>

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/revocation.h"
#include "kyso/signer/verification.h"

namespace kyso::signer {

enum class RevocationCheck {
  // The revocation status of every certificate of the path below the trust anchor must be
  // established, by OCSP (the certificate's AIA) or else a CRL (its distribution points), through
  // VerificationPolicy::revocationFetcher. Without a decision a signature that is otherwise fine
  // is INDETERMINATE / TRY_LATER (EN 319 102-1 §5.2.5: no revocation data that allows one).
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
  // Where OCSP responses and CRLs come from; null: nowhere (Require then gives TRY_LATER).
  const RevocationFetcher* revocationFetcher = nullptr;
  // Optional; answers that verified are kept until their nextUpdate.
  RevocationCache* revocationCache = nullptr;
  // Per request (connecting, and each read and write).
  std::chrono::milliseconds revocationTimeout{5000};
  // Clock difference allowed between us and the responders: thisUpdate may be this much in the
  // future and nextUpdate this much in the past. An OCSP answer without nextUpdate must be this fresh.
  std::chrono::seconds revocationTolerance{std::chrono::minutes(5)};
  // Send an OCSP nonce (RFC 8954). A responder that echoes it must echo it unchanged; one that
  // leaves it out (RFC 5019 responders) is accepted. Answers to a nonce are never cached.
  bool ocspNonce = false;
};

// Finds the signature fields of `input` through the document's interactive form and verifies each
// signed one, in field order. Document time-stamps (/SubFilter /ETSI.RFC3161) are checked and
// listed in report.documentTimeStamps, unsigned signature fields in the report's warnings; neither
// counts as a signature. A /DSS (ETSI EN 319 142-1 §5.4) supplies certificates and revocation data
// (evidence source "dss") before any fetch, and gives the levels B-LT and B-LTA (pdf_dss.h).
//
// Throws DocumentError when the document cannot be evaluated at all: not_a_pdf, pdf_encrypted,
// pdf_damaged (a cross-reference chain that would need repairing), pdf_malformed.
VerificationReport verifyPdf(const PdfInput& input, const VerificationPolicy& policy);

}  // namespace kyso::signer
