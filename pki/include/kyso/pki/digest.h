// Message digests used for signing (SHA-2 family only; SHA-1 is refused for new signatures).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kyso/pki/bytes.h"
#include "kyso/pki/ossl_ptr.h"

typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace kyso::pki {

enum class DigestAlgorithm { Sha256, Sha384, Sha512 };

const EVP_MD* evpMd(DigestAlgorithm algorithm);
std::size_t digestSize(DigestAlgorithm algorithm);
// "SHA-256" etc., as used in reports and the API.
std::string_view digestName(DigestAlgorithm algorithm);
// Dotted OID (2.16.840.1.101.3.4.2.1 for SHA-256).
std::string_view digestOid(DigestAlgorithm algorithm);
// Parses "SHA-256", "sha256", "SHA256"; throws InputError("unsupported_digest").
DigestAlgorithm parseDigestAlgorithm(std::string_view name);

// Incremental digest over data that arrives in pieces.
class DigestCalculator {
 public:
  explicit DigestCalculator(DigestAlgorithm algorithm = DigestAlgorithm::Sha256);
  ~DigestCalculator();
  DigestCalculator(DigestCalculator&&) noexcept;
  DigestCalculator& operator=(DigestCalculator&&) noexcept;

  void update(ByteView data);
  void update(std::string_view data) { update(asBytes(data)); }
  Bytes finish();
  // An independent copy of the state so far: one pass over a common prefix serves two digests.
  DigestCalculator clone() const;
  DigestAlgorithm algorithm() const { return algorithm_; }

 private:
  DigestAlgorithm algorithm_;
  ossl::Ptr<EVP_MD_CTX> ctx_;
};

Bytes digest(DigestAlgorithm algorithm, ByteView data);

// DER DigestInfo (RFC 8017 §9.2): what an RSA PKCS#1 v1.5 signer without hashing (PKCS#11
// CKM_RSA_PKCS) must sign for `digest`.
Bytes digestInfo(DigestAlgorithm algorithm, ByteView digest);

// `count` bytes from OpenSSL's CSPRNG (identifiers, secrets, serial numbers).
Bytes randomBytes(std::size_t count);
inline Bytes sha256(ByteView data) {
  return digest(DigestAlgorithm::Sha256, data);
}

// HMAC-SHA256 (RFC 2104, FIPS 198-1) of `data` under `key`: what signs the events kyso sends to
// its API clients' callbacks.
Bytes hmacSha256(ByteView key, ByteView data);

}  // namespace kyso::pki
