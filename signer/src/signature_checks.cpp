#include "signature_checks.h"

#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"

namespace kyso::signer::detail {

pki::Certificate shareCertificate(X509* cert) {
  ossl::check(X509_up_ref(cert), "X509_up_ref");
  return pki::Certificate(cert);  // owns the reference just taken
}

CertificateSummary summaryOf(const pki::Certificate& cert) {
  return {cert.subject(), cert.issuer(), cert.serialHex(), cert.notBefore(), cert.notAfter()};
}

std::time_t toTimeT(pki::TimePoint t) {
  return std::chrono::system_clock::to_time_t(t);
}

std::string digestName(int nid) {
  switch (nid) {
    case NID_sha1:
      return "SHA-1";
    case NID_sha224:
      return "SHA-224";
    case NID_sha256:
      return "SHA-256";
    case NID_sha384:
      return "SHA-384";
    case NID_sha512:
      return "SHA-512";
    case NID_sha3_256:
      return "SHA3-256";
    case NID_sha3_384:
      return "SHA3-384";
    case NID_sha3_512:
      return "SHA3-512";
    default: {
      const char* name = OBJ_nid2ln(nid);
      return name != nullptr ? name : "unknown";
    }
  }
}

bool acceptableDigest(int nid) {
  return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512 || nid == NID_sha3_256 || nid == NID_sha3_384 ||
         nid == NID_sha3_512;
}

std::optional<std::string> keyConstraintProblem(EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      if (bits < 2048) return "the signer's RSA key has " + std::to_string(bits) + " bits (at least 2048 required)";
      return std::nullopt;
    case EVP_PKEY_EC:
      if (bits < 256) return "the signer's EC key has " + std::to_string(bits) + " bits (at least 256 required)";
      return std::nullopt;
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
      return std::nullopt;
    default:
      return std::string("the signer's key type is not accepted");
  }
}

PathValidation validatePath(const pki::Certificate& leaf, const std::vector<pki::Certificate>& untrusted,
                            const std::vector<pki::Certificate>& anchors, pki::TimePoint at) {
  auto store = pki::newX509Store(anchors);
  // Any configured anchor ends a path, a root or not (trusted lists name issuing CAs too).
  ossl::check(X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN), "X509_STORE_set_flags");
  auto others = pki::newX509Stack(untrusted);
  auto ctx = ossl::own(X509_STORE_CTX_new(), "X509_STORE_CTX_new");
  ossl::check(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), others.get()), "X509_STORE_CTX_init");
  X509_STORE_CTX_set_time(ctx.get(), 0, toTimeT(at));
  PathValidation out;
  out.ok = X509_verify_cert(ctx.get()) == 1;
  out.error = X509_STORE_CTX_get_error(ctx.get());
  out.depth = X509_STORE_CTX_get_error_depth(ctx.get());
  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get())) {
    for (int i = 0; i < sk_X509_num(chain); ++i) out.chain.push_back(shareCertificate(sk_X509_value(chain, i)));
  }
  if (out.chain.empty()) out.chain.push_back(leaf);
  ossl::clearErrors();
  return out;
}

bool isExpiryError(int error) {
  return error == X509_V_ERR_CERT_HAS_EXPIRED;
}

bool isNoPathError(int error) {
  return error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
         error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
         error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

bool isGeneralChainError(int error) {
  return error == X509_V_ERR_CERT_SIGNATURE_FAILURE || error == X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE ||
         error == X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY || error == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD ||
         error == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD || error == X509_V_ERR_CERT_NOT_YET_VALID ||
         error == X509_V_ERR_OUT_OF_MEM || error == X509_V_ERR_UNSPECIFIED;
}

std::string pathErrorText(const PathValidation& path) {
  return std::string(X509_verify_cert_error_string(path.error)) + " (at depth " + std::to_string(path.depth) +
         " of the path; 0 is the signing certificate)";
}

void conclude(SignatureResult& result, Indication indication, SubIndication sub, std::string detail) {
  result.indication = indication;
  result.subIndication = sub;
  result.detail = std::move(detail);
}

void failed(SignatureResult& result, SubIndication sub, std::string detail) {
  conclude(result, Indication::TotalFailed, sub, std::move(detail));
}

void indeterminate(SignatureResult& result, SubIndication sub, std::string detail) {
  conclude(result, Indication::Indeterminate, sub, std::move(detail));
}

bool acceptPath(const PathValidation& path, const pki::Certificate& signer, SignatureResult& result,
                std::vector<pki::Certificate>& validatedPath) {
  if (!path.ok) {
    if (isNoPathError(path.error)) {
      indeterminate(result, SubIndication::NoCertificateChainFound,
                    "no certificate path to a trust anchor: " + pathErrorText(path));
    } else if (isGeneralChainError(path.error) || isExpiryError(path.error)) {
      indeterminate(result, SubIndication::CertificateChainGeneralFailure, pathErrorText(path));
    } else {
      indeterminate(result, SubIndication::ChainConstraintsFailure, pathErrorText(path));
    }
    return false;
  }
  result.chainTrusted = true;
  if ((X509_get_extension_flags(signer.get()) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(signer.get()) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
    indeterminate(result, SubIndication::ChainConstraintsFailure,
                  "the signing certificate's key usage allows neither digitalSignature nor nonRepudiation");
    return false;
  }
  validatedPath = path.chain;
  return true;
}

}  // namespace kyso::signer::detail
