// Issues X.509 certificates with the extensions real ones carry (RFC 5280 profile). Used by the
// development PKI and by the local issuing CA.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/software_key.h"

namespace kyso::pki {

// One RDN attribute by its OpenSSL short name ("C", "ST", "O", "CN", "UID", "emailAddress").
// Values are UTF-8; C is encoded as PrintableString as RFC 5280 requires.
struct NameAttribute {
  std::string type;
  std::string value;
};
using DistinguishedName = std::vector<NameAttribute>;

struct CertificateProfile {
  DistinguishedName subject;
  TimePoint notBefore;
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365)};
  bool ca = false;
  std::optional<int> pathLength;
  // Values in OpenSSL's extension syntax (x509v3_config(5)); empty means "leave out".
  std::string keyUsage;          // "critical,digitalSignature,nonRepudiation"
  std::string extendedKeyUsage;  // "critical,timeStamping"
  std::string crlUrl;            // CRL distribution point
  std::string ocspUrl;           // AIA id-ad-ocsp
  std::string caIssuersUrl;      // AIA id-ad-caIssuers
  bool ocspNoCheck = false;      // id-pkix-ocsp-nocheck for OCSP responders (RFC 6960 §4.2.2.2.1)
};

// Signs a certificate for `subjectKey` with `issuerKey`. `issuer` is null for a self-signed root.
// The serial number is 128 random bits (CA/B Forum BR §7.1: at least 64 bits of entropy).
Certificate issueCertificate(const CertificateProfile& profile, EVP_PKEY* subjectKey, const Certificate* issuer,
                             const SoftwareKey& issuerKey, DigestAlgorithm digest = DigestAlgorithm::Sha256);

}  // namespace kyso::pki
