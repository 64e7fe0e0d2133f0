// Token keys seen by tools nobody on the team wrote: a CSR signed inside the token checked by
// `openssl req -verify`, and a PDF signed with a token key checked by pdfsig and openssl cms.
#include <gtest/gtest.h>

#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/pkcs11.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/pades_signer.h"
#include "soft_hsm.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

const DistinguishedName kCitizen = {
    {"C", "VN"}, {"ST", "Lâm Đồng"}, {"CN", "Nguyễn Thị Hồng Nhung"}, {"UID", "CCCD:068190001234"}};

class Pkcs11Interop : public ::testing::Test {
 protected:
  const test::SoftHsm& hsm = test::softHsm();
  std::shared_ptr<Pkcs11Token> token = Pkcs11Token::open(Pkcs11Module::load(hsm.module), hsm.token, test::pin(hsm.pin));
  test::TempDir dir;

  std::string label(const std::string& prefix) const {
    return prefix + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  test::ProcessResult opensslReqVerify(const Bytes& der, const std::string& name) {
    test::writeFile(dir / name, certificateRequestPem(der));
    return test::run({"/usr/bin/openssl", "req", "-in", (dir / name).string(), "-verify", "-noout"});
  }

  std::string opensslReqText(const std::string& name) {
    return test::run({"/usr/bin/openssl", "req", "-in", (dir / name).string(), "-noout", "-text", "-nameopt",
                      "utf8,sep_comma_plus"})
        .output;
  }
};

TEST_F(Pkcs11Interop, Csr_RsaTokenKey_VerifiesWithOpensslReq) {
  auto key = token->generateKey(KeyAlgorithm::Rsa, label("rsa"));
  const Bytes der = buildCertificateRequest(kCitizen, key->publicKey(), *key);
  const auto verify = opensslReqVerify(der, "rsa.csr");
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
  EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
  const std::string text = opensslReqText("rsa.csr");
  EXPECT_NE(text.find("CN=Nguyễn Thị Hồng Nhung"), std::string::npos) << text;
  EXPECT_NE(text.find("UID=CCCD:068190001234"), std::string::npos) << text;
  EXPECT_NE(text.find("sha256WithRSAEncryption"), std::string::npos) << text;
  EXPECT_NE(text.find("(2048 bit)"), std::string::npos) << text;
}

TEST_F(Pkcs11Interop, Csr_EcTokenKey_VerifiesWithOpensslReq) {
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, label("ec"));
  const Bytes der = buildCertificateRequest(kCitizen, key->publicKey(), *key, DigestAlgorithm::Sha384);
  const auto verify = opensslReqVerify(der, "ec.csr");
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
  EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
  const std::string text = opensslReqText("ec.csr");
  EXPECT_NE(text.find("ecdsa-with-SHA384"), std::string::npos) << text;
  EXPECT_NE(text.find("prime256v1"), std::string::npos) << text;
}

TEST_F(Pkcs11Interop, Csr_SignedByAnotherKey_IsRefused) {
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, label("ec"));
  auto other = token->generateKey(KeyAlgorithm::Ecdsa, label("other"));
  try {
    buildCertificateRequest(kCitizen, key->publicKey(), *other);
    FAIL() << "a CSR signed by the wrong key was built";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "key_public_key_mismatch");
  }
}

class Pkcs11Pades : public Pkcs11Interop, public ::testing::WithParamInterface<KeyAlgorithm> {
 protected:
  // A certificate for the token's public key from the development PKI's issuing CA, the way the
  // local CA will issue one from the token's CSR.
  SigningCredential credential(const std::shared_ptr<Pkcs11Key>& key, const DevPki& pki) {
    CertificateProfile profile;
    profile.subject = kCitizen;
    profile.notBefore = SystemClock::instance().now() - std::chrono::hours(1);
    profile.lifetime = std::chrono::hours(24 * 30);
    profile.keyUsage = "critical,digitalSignature,nonRepudiation";
    profile.extendedKeyUsage = "emailProtection";
    // Real signing certificates carry a CRL distribution point, and pdfsig (poppler 22.12 with
    // NSS, OCSP off) answers "Unknown issue" for a leaf without one; it does not fetch the URL.
    profile.crlUrl = "http://127.0.0.1:8080/pki/crl";
    const Certificate leaf = issueCertificate(profile, key->publicKey(), &pki.issuingCa(), *pki.issuingCaKey());
    requireKeyMatchesCertificate(*key, leaf);
    return SigningCredential{"hsm", key, {leaf, pki.issuingCa()}};
  }
};

TEST_P(Pkcs11Pades, TokenKey_PdfsigAndOpensslAcceptTheSignature) {
  const DevPki& pki = test::devPki(GetParam());
  auto key = token->generateKey(GetParam(), label(GetParam() == KeyAlgorithm::Rsa ? "rsa" : "ec"));
  auto tsa = std::make_shared<TimeStampAuthority>(pki.tsaKey(), pki.tsa().chain, "2.999.7.1", SystemClock::instance());
  signer::PadesSigner signer(
      std::make_shared<TimeStampClient>(inProcessTransport(tsa), std::vector<Certificate>{pki.rootCa()}));
  signer::PadesOptions options;
  options.level = signer::PadesLevel::B_T;
  options.fields.signingTime = SystemClock::instance().now();
  options.fields.reason = "Ký bằng khóa trong HSM";
  const auto out = dir / "signed.pdf";
  signer::FilePdfOutput output(out);
  signer.sign(signer::PdfInput::fromFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), 1u << 30), output,
              credential(key, pki), options);
  output.commit();

  const test::PeerVerdict v = test::checkWithPeers(out, pki.rootCa());
  EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  EXPECT_NE(v.pdfsigOutput.find("Nguyễn Thị Hồng Nhung"), std::string::npos) << v.pdfsigOutput;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Pkcs11Pades, ::testing::Values(KeyAlgorithm::Rsa, KeyAlgorithm::Ecdsa),
                         [](const auto& p) { return p.param == KeyAlgorithm::Rsa ? "Rsa" : "Ecdsa"; });

}  // namespace
}  // namespace kyso::pki
