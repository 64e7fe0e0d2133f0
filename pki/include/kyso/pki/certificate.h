// An immutable X.509 certificate. Copies share the same underlying X509.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/digest.h"

typedef struct x509_st X509;
typedef struct evp_pkey_st EVP_PKEY;

namespace kyso::pki {

class Certificate {
 public:
  // Takes ownership of `cert` (must not be null).
  explicit Certificate(X509* cert);

  static Certificate fromDer(ByteView der);
  // The first certificate of a PEM text; throws InputError("invalid_certificate").
  static Certificate fromPem(std::string_view pem);
  // Every certificate of a PEM text (a chain file), in file order.
  static std::vector<Certificate> allFromPem(std::string_view pem);
  static std::vector<Certificate> allFromPemFile(const std::string& path);

  // Borrowed pointer (get0): valid as long as any copy of this Certificate lives.
  X509* get() const { return cert_.get(); }
  // The subject public key, borrowed.
  EVP_PKEY* publicKey() const;

  Bytes der() const;
  std::string pem() const;
  // RFC 2253 form, UTF-8 ("CN=Nguyễn Văn A,O=...,C=VN").
  std::string subject() const;
  std::string issuer() const;
  // First value of an attribute of the subject by short name ("CN", "O", "UID"), if present.
  std::optional<std::string> subjectAttribute(std::string_view shortName) const;
  std::string commonName() const;
  // Upper-case hex, no separators.
  std::string serialHex() const;
  TimePoint notBefore() const;
  TimePoint notAfter() const;
  bool isSelfSigned() const;
  bool isCa() const;
  Bytes fingerprint(DigestAlgorithm algorithm = DigestAlgorithm::Sha256) const;

  bool operator==(const Certificate& other) const;

 private:
  std::shared_ptr<X509> cert_;  // freed by ossl::Deleter<X509>
};

// Leaf first, then the issuing CAs up to (and possibly including) the root.
using CertificateChain = std::vector<Certificate>;

std::string toPem(const CertificateChain& chain);

// Orders `pool` into the path from `leaf` upwards (leaf first), by issuer/signature checks;
// certificates that are not on the path are dropped.
CertificateChain orderChain(const Certificate& leaf, const std::vector<Certificate>& pool);

}  // namespace kyso::pki
