#include "kyso/pki/signing_key.h"

#include <openssl/rand.h>

#include "kyso/pki/ossl.h"

namespace kyso::pki {

std::string_view keyAlgorithmName(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::Rsa ? "RSA" : "ECDSA";
}

bool verifyDigestSignature(const Certificate& certificate, DigestAlgorithm algorithm, ByteView digest,
                           ByteView signature) {
  if (digest.size() != digestSize(algorithm)) {
    throw InputError("invalid_digest", "digest length does not match " + std::string(digestName(algorithm)));
  }
  auto ctx = ossl::own(EVP_PKEY_CTX_new(certificate.publicKey(), nullptr), "EVP_PKEY_CTX_new");
  ossl::check(EVP_PKEY_verify_init(ctx.get()), "EVP_PKEY_verify_init");
  if (EVP_PKEY_get_base_id(certificate.publicKey()) == EVP_PKEY_RSA) {
    ossl::check(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), "set_rsa_padding");
  }
  ossl::check(EVP_PKEY_CTX_set_signature_md(ctx.get(), evpMd(algorithm)), "set_signature_md");
  const int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size());
  ossl::clearErrors();  // a wrong signature leaves decoding errors in the queue
  return rc == 1;
}

void requireKeyMatchesCertificate(const SigningKey& key, const Certificate& certificate) {
  Bytes probe(digestSize(DigestAlgorithm::Sha256));
  ossl::check(RAND_bytes(probe.data(), static_cast<int>(probe.size())), "RAND_bytes");
  const Bytes signature = key.signDigest(DigestAlgorithm::Sha256, probe);
  if (!verifyDigestSignature(certificate, DigestAlgorithm::Sha256, probe, signature)) {
    throw InputError("key_certificate_mismatch",
                     "the signing key does not belong to the certificate " + certificate.subject());
  }
}

}  // namespace kyso::pki

namespace kyso::pki {

void requireUsableForSigning(const Certificate& certificate, TimePoint at) {
  if (at > certificate.notAfter()) {
    throw InputError("certificate_expired",
                     "the signing certificate expired on " + formatIso8601(certificate.notAfter()),
                     ErrorKind::UnprocessableContent);
  }
  if (at < certificate.notBefore()) {
    throw InputError("certificate_not_yet_valid",
                     "the signing certificate is valid only from " + formatIso8601(certificate.notBefore()),
                     ErrorKind::UnprocessableContent);
  }
  const uint32_t usage = X509_get_key_usage(certificate.get());
  if (usage != UINT32_MAX && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
    throw InputError("certificate_key_usage", "the certificate's key usage does not allow signing",
                     ErrorKind::UnprocessableContent);
  }
}

}  // namespace kyso::pki
