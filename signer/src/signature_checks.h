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

// The INDETERMINATE sub-indication and detail for a path that did not validate (EN 319 102-1
// §5.2.6): NO_CERTIFICATE_CHAIN_FOUND, CERTIFICATE_CHAIN_GENERAL_FAILURE (expiry included: callers
// that judge expiry against a proof of existence do so before) or CHAIN_CONSTRAINTS_FAILURE.
std::pair<SubIndication, std::string> pathFailure(const PathValidation& path);

// RFC 5280 §4.2.1.3: a signing certificate with a key usage extension must allow signatures. The
// problem in plain English, or nullopt.
std::optional<std::string> signingKeyUsageProblem(const pki::Certificate& signer);

}  // namespace kyso::signer::detail
