// Checks shared by the PDF and XML verifiers: certificate paths to the configured trust anchors
// (RFC 5280 §6 through OpenSSL; EN 319 102-1 §5.2.6) and the cryptographic constraints of
// ETSI TS 119 312 that kyso applies to digests and keys.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/verification.h"

namespace kyso::signer::detail {

// A new owning reference to `cert` (X509_up_ref).
pki::Certificate shareCertificate(X509* cert);
CertificateSummary summaryOf(const pki::Certificate& cert);
std::time_t toTimeT(pki::TimePoint t);

// "SHA-256" for NID_sha256; OpenSSL's long name for others.
std::string digestName(int nid);
// TS 119 312: SHA-2 from 256 bits and SHA-3 are fit for signatures made today; SHA-1 and SHA-224
// are not.
bool acceptableDigest(int nid);
// TS 119 312: RSA from 2048 bits, EC from 256 bits, EdDSA. Why `key` falls short, or nullopt.
std::optional<std::string> keyConstraintProblem(EVP_PKEY* key);

struct PathValidation {
  bool ok = false;
  int error = X509_V_OK;
  int depth = 0;
  std::vector<pki::Certificate> chain;  // as far as it was built
};

// The path from `leaf` to one of `anchors` at time `at` (any anchor ends a path, a root or not).
PathValidation validatePath(const pki::Certificate& leaf, const std::vector<pki::Certificate>& untrusted,
                            const std::vector<pki::Certificate>& anchors, pki::TimePoint at);

bool isExpiryError(int error);
// No path to an anchor could be built: NO_CERTIFICATE_CHAIN_FOUND.
bool isNoPathError(int error);
// CERTIFICATE_CHAIN_GENERAL_FAILURE.
bool isGeneralChainError(int error);
std::string pathErrorText(const PathValidation& path);

// A signature's verdict (EN 319 102-1 §5.1.3): the indication, sub-indication and why.
void conclude(SignatureResult& result, Indication indication, SubIndication sub, std::string detail);
void failed(SignatureResult& result, SubIndication sub, std::string detail);         // TOTAL_FAILED
void indeterminate(SignatureResult& result, SubIndication sub, std::string detail);  // INDETERMINATE

// The end of a signing certificate's validation (EN 319 102-1 §5.2.6), once callers have judged
// expiry against what proves the signature's time: a path that did not validate is INDETERMINATE
// (NO_CERTIFICATE_CHAIN_FOUND, CERTIFICATE_CHAIN_GENERAL_FAILURE or CHAIN_CONSTRAINTS_FAILURE), so
// is a signing certificate whose key usage allows no signatures (RFC 5280 §4.2.1.3). Otherwise the
// result's chain is trusted, `validatedPath` gets the path and the answer is true.
bool acceptPath(const PathValidation& path, const pki::Certificate& signer, SignatureResult& result,
                std::vector<pki::Certificate>& validatedPath);

}  // namespace kyso::signer::detail
