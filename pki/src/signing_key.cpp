#include "kyso/pki/signing_key.h"

#include <openssl/ec.h>
#include <openssl/rand.h>

#include "ecdsa_signature.h"
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

std::string_view signatureSchemeName(const Certificate& certificate) {
  switch (EVP_PKEY_get_base_id(certificate.publicKey())) {
    case EVP_PKEY_RSA:
      return "rsa-pkcs1-v1_5";
    case EVP_PKEY_EC:
      return "ecdsa";
    default:
      throw InputError("unsupported_key", "the certificate's key is neither RSA nor ECDSA");
  }
}

Bytes normalizeSignatureValue(const Certificate& certificate, ByteView signature) {
  EVP_PKEY* key = certificate.publicKey();
  if (signature.empty()) throw InputError("invalid_signature_encoding", "the signature value is empty");
  if (signatureSchemeName(certificate) == "rsa-pkcs1-v1_5") {
    const auto expected = static_cast<std::size_t>(EVP_PKEY_get_size(key));
    if (signature.size() != expected) {
      throw InputError("invalid_signature_encoding", "an RSA signature for this certificate has " +
                                                         std::to_string(expected) + " bytes, not " +
                                                         std::to_string(signature.size()));
    }
    return Bytes(signature.begin(), signature.end());
  }
  // DER, if it decodes completely and encodes back to the same bytes.
  const unsigned char* p = signature.data();
  ossl::Ptr<ECDSA_SIG> parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
  if (parsed && p == signature.data() + signature.size()) {
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(parsed.get(), &der);
    ossl::Buffer owned(der);
    if (length > 0 && static_cast<std::size_t>(length) == signature.size() &&
        std::equal(signature.begin(), signature.end(), der)) {
      return Bytes(signature.begin(), signature.end());
    }
  }
  ossl::clearErrors();
  // Raw r||s, each half as long as the group order.
  const auto half = static_cast<std::size_t>((EVP_PKEY_get_bits(key) + 7) / 8);
  if (signature.size() != 2 * half) {
    throw InputError("invalid_signature_encoding", "an ECDSA signature must be DER or r||s of " +
                                                       std::to_string(2 * half) + " bytes, not " +
                                                       std::to_string(signature.size()) + " bytes");
  }
  return ecdsaSignatureToDer(signature);
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
