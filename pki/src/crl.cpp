#include "kyso/pki/crl.h"

#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

Bytes buildCrl(const Certificate& issuer, const SoftwareKey& issuerKey, const std::vector<RevokedCertificate>& revoked,
               TimePoint thisUpdate, TimePoint nextUpdate, std::uint64_t crlNumber) {
  auto crl = ossl::own(X509_CRL_new(), "X509_CRL_new");
  ossl::check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "X509_CRL_set_version");
  ossl::check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())), "X509_CRL_set_issuer_name");
  auto last = ossl::own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(thisUpdate)), "ASN1_TIME_set");
  auto next = ossl::own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(nextUpdate)), "ASN1_TIME_set");
  ossl::check(X509_CRL_set1_lastUpdate(crl.get(), last.get()), "X509_CRL_set1_lastUpdate");
  ossl::check(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "X509_CRL_set1_nextUpdate");

  for (const auto& entry : revoked) {
    auto item = ossl::own(X509_REVOKED_new(), "X509_REVOKED_new");
    BIGNUM* raw = nullptr;
    ossl::check(BN_hex2bn(&raw, entry.serialHex.c_str()), "BN_hex2bn");
    ossl::Ptr<BIGNUM> bn(raw);
    ossl::Ptr<ASN1_STRING> serial(ossl::check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
    ossl::check(X509_REVOKED_set_serialNumber(item.get(), serial.get()), "X509_REVOKED_set_serialNumber");
    auto when =
        ossl::own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(entry.revokedAt)), "ASN1_TIME_set");
    ossl::check(X509_REVOKED_set_revocationDate(item.get(), when.get()), "X509_REVOKED_set_revocationDate");
    if (entry.reason != 0) {
      ossl::Ptr<ASN1_STRING> reason(ossl::check(ASN1_ENUMERATED_new(), "ASN1_ENUMERATED_new"));
      ossl::check(ASN1_ENUMERATED_set(reason.get(), entry.reason), "ASN1_ENUMERATED_set");
      ossl::check(X509_REVOKED_add1_ext_i2d(item.get(), NID_crl_reason, reason.get(), 0, 0), "crl reason");
    }
    ossl::check(X509_CRL_add0_revoked(crl.get(), item.get()), "X509_CRL_add0_revoked");
    item.release();  // the CRL owns the entry now
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer.get(), nullptr, nullptr, crl.get(), 0);
  auto aki = ossl::own(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"), "AKI");
  ossl::check(X509_CRL_add_ext(crl.get(), aki.get(), -1), "X509_CRL_add_ext");
  auto number = ossl::own(ASN1_INTEGER_new(), "ASN1_INTEGER_new");
  ossl::check(ASN1_INTEGER_set_uint64(number.get(), crlNumber), "ASN1_INTEGER_set_uint64");
  ossl::check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0), "crl number");

  ossl::check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
  ossl::check(X509_CRL_sign(crl.get(), issuerKey.get(), EVP_sha256()) > 0 ? 1 : 0, "X509_CRL_sign");
  return ossl::toDer(i2d_X509_CRL, crl.get(), "i2d_X509_CRL");
}

}  // namespace kyso::pki
