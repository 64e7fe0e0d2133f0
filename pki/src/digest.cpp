#include "kyso/pki/digest.h"

#include <algorithm>
#include <cctype>

#include <openssl/rand.h>

#include "kyso/pki/ossl.h"

namespace kyso::pki {

const EVP_MD* evpMd(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::Sha256:
      return EVP_sha256();
    case DigestAlgorithm::Sha384:
      return EVP_sha384();
    case DigestAlgorithm::Sha512:
      return EVP_sha512();
  }
  throw InternalError("unknown digest algorithm");
}

std::size_t digestSize(DigestAlgorithm algorithm) {
  return static_cast<std::size_t>(EVP_MD_get_size(evpMd(algorithm)));
}

std::string_view digestName(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::Sha256:
      return "SHA-256";
    case DigestAlgorithm::Sha384:
      return "SHA-384";
    case DigestAlgorithm::Sha512:
      return "SHA-512";
  }
  throw InternalError("unknown digest algorithm");
}

std::string_view digestOid(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::Sha256:
      return "2.16.840.1.101.3.4.2.1";
    case DigestAlgorithm::Sha384:
      return "2.16.840.1.101.3.4.2.2";
    case DigestAlgorithm::Sha512:
      return "2.16.840.1.101.3.4.2.3";
  }
  throw InternalError("unknown digest algorithm");
}

DigestAlgorithm parseDigestAlgorithm(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (c != '-' && c != '_') n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (n == "sha256" || n == digestOid(DigestAlgorithm::Sha256)) return DigestAlgorithm::Sha256;
  if (n == "sha384" || n == digestOid(DigestAlgorithm::Sha384)) return DigestAlgorithm::Sha384;
  if (n == "sha512" || n == digestOid(DigestAlgorithm::Sha512)) return DigestAlgorithm::Sha512;
  throw InputError("unsupported_digest", "unsupported digest algorithm: " + std::string(name));
}

DigestCalculator::DigestCalculator(DigestAlgorithm algorithm)
    : algorithm_(algorithm), ctx_(ossl::check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")) {
  ossl::check(EVP_DigestInit_ex(ctx_.get(), evpMd(algorithm), nullptr), "EVP_DigestInit_ex");
}

DigestCalculator::~DigestCalculator() = default;
DigestCalculator::DigestCalculator(DigestCalculator&&) noexcept = default;
DigestCalculator& DigestCalculator::operator=(DigestCalculator&&) noexcept = default;

void DigestCalculator::update(ByteView data) {
  ossl::check(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()), "EVP_DigestUpdate");
}

Bytes DigestCalculator::finish() {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  ossl::check(EVP_DigestFinal_ex(ctx_.get(), out.data(), &size), "EVP_DigestFinal_ex");
  out.resize(size);
  return out;
}

DigestCalculator DigestCalculator::clone() const {
  DigestCalculator copy(algorithm_);
  ossl::check(EVP_MD_CTX_copy_ex(copy.ctx_.get(), ctx_.get()), "EVP_MD_CTX_copy_ex");
  return copy;
}

Bytes digestInfo(DigestAlgorithm algorithm, ByteView digest) {
  if (digest.size() != digestSize(algorithm)) {
    throw InputError("invalid_digest", "digest length does not match " + std::string(digestName(algorithm)));
  }
  auto info = ossl::own(X509_SIG_new(), "X509_SIG_new");
  X509_ALGOR* algor = nullptr;
  ASN1_OCTET_STRING* octets = nullptr;
  X509_SIG_getm(info.get(), &algor, &octets);
  // RFC 8017 §9.2 note 1: the parameters are an explicit NULL.
  ossl::check(X509_ALGOR_set0(algor, OBJ_nid2obj(EVP_MD_get_type(evpMd(algorithm))), V_ASN1_NULL, nullptr),
              "X509_ALGOR_set0");
  ossl::check(ASN1_OCTET_STRING_set(octets, digest.data(), static_cast<int>(digest.size())), "ASN1_OCTET_STRING_set");
  unsigned char* der = nullptr;
  const int size = i2d_X509_SIG(info.get(), &der);
  ossl::check(size, "i2d_X509_SIG");
  ossl::Buffer owned(der);
  return Bytes(der, der + size);
}

Bytes randomBytes(std::size_t count) {
  Bytes out(count);
  ossl::check(RAND_bytes(out.data(), static_cast<int>(out.size())), "RAND_bytes");
  return out;
}

Bytes hmacSha256(ByteView key, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  std::size_t size = 0;
  // EVP_Q_mac is OpenSSL 3's one-shot MAC; the HMAC_CTX API is deprecated.
  ossl::check(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(), data.data(), data.size(),
                        out.data(), out.size(), &size),
              "EVP_Q_mac(HMAC-SHA256)");
  out.resize(size);
  return out;
}

Bytes digest(DigestAlgorithm algorithm, ByteView data) {
  DigestCalculator calculator(algorithm);
  calculator.update(data);
  return calculator.finish();
}

}  // namespace kyso::pki
