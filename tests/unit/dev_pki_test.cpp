#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "kyso/pki/crl.h"
#include "kyso/pki/dev_pki.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

bool chainVerifies(const Certificate& leaf, const std::vector<Certificate>& intermediates, const Certificate& root,
                   int purpose) {
  auto store = newX509Store({root});
  auto untrusted = newX509Stack(intermediates);
  auto ctx = ossl::own(X509_STORE_CTX_new(), "X509_STORE_CTX_new");
  ossl::check(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()), "X509_STORE_CTX_init");
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  const bool ok = X509_verify_cert(ctx.get()) == 1;
  ossl::clearErrors();
  return ok;
}

std::string extensionText(const Certificate& cert, int nid) {
  const int index = X509_get_ext_by_NID(cert.get(), nid, -1);
  if (index < 0) return {};
  X509_EXTENSION* ext = X509_get_ext(cert.get(), index);
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  X509V3_EXT_print(bio.get(), ext, 0, 0);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return (X509_EXTENSION_get_critical(ext) ? "critical:" : "") + std::string(data, static_cast<std::size_t>(n));
}

TEST(DevPki, SealSubjectFollowsVietnamesePractice) {
  const DevPki& pki = test::devPki();
  const Certificate& seal = pki.seal().certificate();
  EXPECT_EQ(seal.subjectAttribute("C"), "VN");
  EXPECT_EQ(seal.subjectAttribute("UID"), "MST:0101234565");
  EXPECT_EQ(seal.subjectAttribute("ST"), "Tỉnh Mẫu");
  EXPECT_EQ(seal.subjectAttribute("O"), "Ủy ban nhân dân tỉnh Mẫu");
  EXPECT_EQ(seal.commonName(), "Trung tâm Phục vụ hành chính công tỉnh Mẫu (DEV)");
  // RFC 5280: countryName is a PrintableString.
  const X509_NAME* name = X509_get_subject_name(seal.get());
  const int c = X509_NAME_get_index_by_NID(name, NID_countryName, -1);
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, c))), V_ASN1_PRINTABLESTRING);
}

TEST(DevPki, SealCarriesWhatRealCertificatesCarry) {
  const DevPki& pki = test::devPki();
  const Certificate& seal = pki.seal().certificate();
  EXPECT_EQ(extensionText(seal, NID_key_usage), "critical:Digital Signature, Non Repudiation");
  EXPECT_NE(extensionText(seal, NID_ext_key_usage).find("E-mail Protection"), std::string::npos);
  EXPECT_NE(extensionText(seal, NID_crl_distribution_points).find("http://127.0.0.1:8080/pki/crl"), std::string::npos);
  EXPECT_NE(extensionText(seal, NID_info_access).find("OCSP - URI:http://127.0.0.1:8080/pki/ocsp"), std::string::npos);
  EXPECT_FALSE(seal.isCa());
  EXPECT_TRUE(chainVerifies(seal, {pki.issuingCa()}, pki.rootCa(), X509_PURPOSE_SMIME_SIGN));
  EXPECT_EQ(X509_get_signature_nid(seal.get()), NID_sha256WithRSAEncryption);
  EXPECT_EQ(EVP_PKEY_get_bits(seal.publicKey()), 2048);
}

TEST(DevPki, TsaHasTheCriticalTimeStampingEkuAlone) {
  const DevPki& pki = test::devPki();
  const Certificate& tsa = pki.tsa().certificate();
  EXPECT_EQ(extensionText(tsa, NID_ext_key_usage), "critical:Time Stamping");
  EXPECT_TRUE(chainVerifies(tsa, {pki.issuingCa()}, pki.rootCa(), X509_PURPOSE_TIMESTAMP_SIGN));
}

TEST(DevPki, OcspResponderIsDelegatedWithNoCheck) {
  const DevPki& pki = test::devPki();
  const Certificate& ocsp = pki.ocspResponder().certificate();
  EXPECT_EQ(extensionText(ocsp, NID_ext_key_usage), "OCSP Signing");
  EXPECT_GE(X509_get_ext_by_NID(ocsp.get(), NID_id_pkix_OCSP_noCheck, -1), 0);
  EXPECT_EQ(ocsp.issuer(), pki.issuingCa().subject());
}

TEST(DevPki, EnsureKeepsAnExistingPki) {
  test::TempDir dir;
  const auto first = DevPki::ensure(dir / "pki", {}, SystemClock::instance());
  const auto second = DevPki::ensure(dir / "pki", {}, SystemClock::instance());
  EXPECT_EQ(first.rootCa().fingerprint(), second.rootCa().fingerprint());
  EXPECT_EQ(first.seal().certificate().fingerprint(), second.seal().certificate().fingerprint());
  // Keys are private to the owner.
  const auto perms = std::filesystem::status(dir / "pki" / "seal.key.pem").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(DevPki, EcdsaVariantUsesP256Everywhere) {
  const DevPki& pki = test::devPki(KeyAlgorithm::Ecdsa);
  for (const auto* cert : {&pki.rootCa(), &pki.issuingCa(), &pki.seal().certificate(), &pki.tsa().certificate()}) {
    EXPECT_EQ(EVP_PKEY_get_base_id(cert->publicKey()), EVP_PKEY_EC);
  }
  EXPECT_EQ(X509_get_signature_nid(pki.seal().certificate().get()), NID_ecdsa_with_SHA256);
  EXPECT_TRUE(chainVerifies(pki.seal().certificate(), {pki.issuingCa()}, pki.rootCa(), X509_PURPOSE_SMIME_SIGN));
}

TEST(DevPki, PublicBaseUrlGoesIntoTheExtensions) {
  test::TempDir dir;
  DevPkiOptions options;
  options.publicBaseUrl = "https://kyso.example.gov.vn";
  const auto pki = DevPki::ensure(dir / "pki", options, SystemClock::instance());
  EXPECT_NE(
      extensionText(pki.seal().certificate(), NID_crl_distribution_points).find("https://kyso.example.gov.vn/pki/crl"),
      std::string::npos);
}

TEST(Crl, OpensslAcceptsTheIssuingCaCrl) {
  const DevPki& pki = test::devPki();
  const auto now = SystemClock::instance().now();
  const Bytes der =
      buildCrl(pki.issuingCa(), *pki.issuingCaKey(), {{pki.ocspResponder().certificate().serialHex(), now, 1}}, now,
               now + std::chrono::hours(24), 7);
  test::TempDir dir;
  test::writeFile(dir / "crl.der", asChars(der));
  test::writeFile(dir / "ca.pem", pki.issuingCa().pem());
  const auto result = test::run({"/usr/bin/openssl", "crl", "-inform", "der", "-in", (dir / "crl.der").string(),
                                 "-CAfile", (dir / "ca.pem").string(), "-noout", "-text"});
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("verify OK"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Serial Number: " + pki.ocspResponder().certificate().serialHex()), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("Key Compromise"), std::string::npos);
  EXPECT_NE(result.output.find("X509v3 CRL Number: \n                7"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace kyso::pki

namespace kyso::pki {
namespace {

TEST(LazyPemKey, KnowsItsShapeFromTheCertificateAndLoadsOnFirstSignature) {
  test::TempDir dir;
  const auto pki = DevPki::ensure(dir / "pki", {}, SystemClock::instance());
  const auto& seal = pki.seal();
  EXPECT_EQ(seal.key->algorithm(), KeyAlgorithm::Rsa);
  EXPECT_EQ(seal.key->maxSignatureSize(), 256u);
  // Removing the file before first use shows the key was not read up front.
  std::filesystem::rename(dir / "pki" / "seal.key.pem", dir / "seal.key.pem");
  // A key file lost on the server is a server fault: the client gets no path, the log does.
  try {
    seal.key->signDigest(DigestAlgorithm::Sha256, sha256(asBytes("x")));
    ADD_FAILURE() << "signed without a key file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_EQ(e.code(), "key_unavailable");
    EXPECT_EQ(std::string(e.what()).find("seal.key.pem"), std::string::npos);
    EXPECT_NE(e.detail().find("seal.key.pem"), std::string::npos);
  }
  std::filesystem::rename(dir / "seal.key.pem", dir / "pki" / "seal.key.pem");
  const auto again = DevPki::load(dir / "pki");
  const Bytes digest = sha256(asBytes("x"));
  EXPECT_TRUE(verifyDigestSignature(again.seal().certificate(), DigestAlgorithm::Sha256, digest,
                                    again.seal().key->signDigest(DigestAlgorithm::Sha256, digest)));
}

}  // namespace
}  // namespace kyso::pki
