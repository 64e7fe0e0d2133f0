#include "kyso/pki/certificate_builder.h"

#include <openssl/rand.h>

#include <ctime>

#include "distinguished_name.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

namespace {

void addExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  if (value.empty()) return;
  auto ext = ossl::own(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()), "X509V3_EXT_conf_nid " + value);
  ossl::check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

ossl::Ptr<ASN1_INTEGER> randomSerial() {
  unsigned char bytes[16];
  ossl::check(RAND_bytes(bytes, sizeof bytes), "RAND_bytes");
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and a fixed length of 16 bytes
  auto bn = ossl::own(BN_bin2bn(bytes, sizeof bytes, nullptr), "BN_bin2bn");
  return ossl::own(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER");
}

}  // namespace

Certificate issueCertificate(const CertificateProfile& profile, EVP_PKEY* subjectKey, const Certificate* issuer,
                             const SoftwareKey& issuerKey, DigestAlgorithm digest) {
  auto cert = ossl::own(X509_new(), "X509_new");
  ossl::check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  auto serial = randomSerial();
  ossl::check(X509_set_serialNumber(cert.get(), serial.get()), "X509_set_serialNumber");

  const std::time_t from = std::chrono::system_clock::to_time_t(profile.notBefore);
  const std::time_t to = std::chrono::system_clock::to_time_t(profile.notBefore + profile.lifetime);
  auto notBefore = ossl::own(ASN1_TIME_set(nullptr, from), "ASN1_TIME_set");
  auto notAfter = ossl::own(ASN1_TIME_set(nullptr, to), "ASN1_TIME_set");
  ossl::check(X509_set1_notBefore(cert.get(), notBefore.get()), "X509_set1_notBefore");
  ossl::check(X509_set1_notAfter(cert.get(), notAfter.get()), "X509_set1_notAfter");

  auto subject = toX509Name(profile.subject);
  ossl::check(X509_set_subject_name(cert.get(), subject.get()), "X509_set_subject_name");
  ossl::check(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer->get()) : subject.get()),
              "X509_set_issuer_name");
  ossl::check(X509_set_pubkey(cert.get(), subjectKey), "X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer->get() : cert.get(), cert.get(), nullptr, nullptr, 0);

  std::string basic = profile.ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (profile.ca && profile.pathLength) basic += ",pathlen:" + std::to_string(*profile.pathLength);
  addExtension(cert.get(), &ctx, NID_basic_constraints, basic);
  addExtension(cert.get(), &ctx, NID_key_usage, profile.keyUsage);
  addExtension(cert.get(), &ctx, NID_ext_key_usage, profile.extendedKeyUsage);
  addExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  addExtension(cert.get(), &ctx, NID_authority_key_identifier, issuer ? "keyid:always" : "keyid");
  if (!profile.crlUrl.empty()) addExtension(cert.get(), &ctx, NID_crl_distribution_points, "URI:" + profile.crlUrl);
  std::string aia;
  if (!profile.ocspUrl.empty()) aia = "OCSP;URI:" + profile.ocspUrl;
  if (!profile.caIssuersUrl.empty()) aia += (aia.empty() ? "" : ",") + ("caIssuers;URI:" + profile.caIssuersUrl);
  addExtension(cert.get(), &ctx, NID_info_access, aia);
  if (profile.ocspNoCheck) addExtension(cert.get(), &ctx, NID_id_pkix_OCSP_noCheck, "ignored");

  ossl::check(X509_sign(cert.get(), issuerKey.get(), evpMd(digest)) > 0 ? 1 : 0, "X509_sign");
  return Certificate(cert.release());  // ownership moves into the Certificate
}

}  // namespace kyso::pki
