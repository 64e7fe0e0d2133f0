// A signing key is "something that signs a digest". The PDF and XML signers see only this
// interface, so a file key, a PKCS#11 token key or a partner's remote key plug in without touching
// them. Keys that cannot sign synchronously (an officer's USB token, a citizen's phone) do not
// implement it at all: they go through two-step signing, where the signer hands out the digest.
#pragma once

#include <memory>
#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/digest.h"

namespace kyso::pki {

enum class KeyAlgorithm { Rsa, Ecdsa };

std::string_view keyAlgorithmName(KeyAlgorithm algorithm);

class SigningKey {
 public:
  virtual ~SigningKey() = default;

  virtual KeyAlgorithm algorithm() const = 0;
  // Upper bound of the size of a signature value, to reserve space before signing.
  virtual std::size_t maxSignatureSize() const = 0;
  // Signs a precomputed digest. RSA: RSASSA-PKCS1-v1_5 with the DigestInfo of `algorithm`
  // (RFC 8017 §8.2). ECDSA: the DER Ecdsa-Sig-Value (RFC 5480 §2.2 / RFC 3279 §2.2.3).
  virtual Bytes signDigest(DigestAlgorithm algorithm, ByteView digest) const = 0;
};

// A key with the certificate chain that names it, under the id the service knows it by.
struct SigningCredential {
  std::string id;
  std::shared_ptr<const SigningKey> key;
  CertificateChain chain;  // leaf first

  const Certificate& certificate() const { return chain.front(); }
};

// Checks that `key` is the private half of `certificate` by signing a random digest and verifying
// it with the certificate's public key (works for every key source, including tokens).
// Throws InputError("key_certificate_mismatch").
void requireKeyMatchesCertificate(const SigningKey& key, const Certificate& certificate);

// Verifies a signature value over a digest with a certificate's public key (RSA PKCS#1 v1.5 or
// DER ECDSA). Returns false on a wrong signature; throws only on unusable input.
bool verifyDigestSignature(const Certificate& certificate, DigestAlgorithm algorithm, ByteView digest,
                           ByteView signature);

// The signature value a token or a remote signer returns, in the form CMS needs for `certificate`'s
// key: RSA values pass unchanged (they must be as long as the modulus); an ECDSA value may be the
// DER Ecdsa-Sig-Value or the raw r||s that PKCS#11's CKM_ECDSA returns (each half as long as the
// group order), and comes back as DER. Throws InputError("invalid_signature_encoding").
Bytes normalizeSignatureValue(const Certificate& certificate, ByteView signature);

// "rsa-pkcs1-v1_5" or "ecdsa" for the certificate's public key; throws InputError("unsupported_key").
std::string_view signatureSchemeName(const Certificate& certificate);

}  // namespace kyso::pki

namespace kyso::pki {

// A certificate may sign at `at` only inside its validity period and, when it has a key usage
// extension, with digitalSignature or nonRepudiation (RFC 5280 §4.2.1.3). Throws InputError
// (422): certificate_expired, certificate_not_yet_valid, certificate_key_usage.
void requireUsableForSigning(const Certificate& certificate, TimePoint at);

}  // namespace kyso::pki
