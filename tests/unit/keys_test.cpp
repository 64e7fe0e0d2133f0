#include <gtest/gtest.h>

#include "kyso/api/key_registry.h"
#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/software_key.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

TEST(SoftwareKey, SignaturesVerifyWithTheCertificate) {
  for (const auto algorithm : {KeyAlgorithm::Rsa, KeyAlgorithm::Ecdsa}) {
    const SigningCredential& seal = test::devPki(algorithm).seal();
    const Bytes digest = sha256(asBytes("quyết định số 123"));
    const Bytes signature = seal.key->signDigest(DigestAlgorithm::Sha256, digest);
    EXPECT_LE(signature.size(), seal.key->maxSignatureSize());
    EXPECT_TRUE(verifyDigestSignature(seal.certificate(), DigestAlgorithm::Sha256, digest, signature));
    Bytes tampered = digest;
    tampered[0] ^= 1;
    EXPECT_FALSE(verifyDigestSignature(seal.certificate(), DigestAlgorithm::Sha256, tampered, signature));
  }
}

TEST(SoftwareKey, DigestOfTheWrongLengthIsRefused) {
  const auto& seal = test::devPki().seal();
  EXPECT_THROW(seal.key->signDigest(DigestAlgorithm::Sha256, Bytes(20, 1)), InputError);
}

TEST(SoftwareKey, KeyOfAnotherCertificateIsDetected) {
  const auto& pki = test::devPki();
  EXPECT_NO_THROW(requireKeyMatchesCertificate(*pki.seal().key, pki.seal().certificate()));
  try {
    requireKeyMatchesCertificate(*pki.tsa().key, pki.seal().certificate());
    FAIL() << "a foreign key was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "key_certificate_mismatch");
  }
}

TEST(SoftwareKey, EncryptedPemNeedsItsPassphrase) {
  test::TempDir dir;
  test::writeFile(dir / "plain.pem", SoftwareKey::generate(KeyAlgorithm::Ecdsa)->privateKeyPem());
  const auto encrypted = test::run({"/usr/bin/openssl", "pkey", "-in", (dir / "plain.pem").string(), "-aes256",
                                    "-passout", "pass:mat-khau", "-out", (dir / "enc.pem").string()});
  ASSERT_EQ(encrypted.exitCode, 0) << encrypted.output;
  EXPECT_NO_THROW(SoftwareKey::fromPemFile((dir / "enc.pem").string(), "mat-khau"));
  EXPECT_THROW(SoftwareKey::fromPemFile((dir / "enc.pem").string(), "sai"), InputError);
  EXPECT_THROW(SoftwareKey::fromPemFile((dir / "enc.pem").string()), InputError);
}

class Validity : public ::testing::Test {
 protected:
  Certificate issue(TimePoint notBefore, std::chrono::seconds lifetime, const std::string& keyUsage) {
    const auto& pki = test::devPki();
    CertificateProfile profile;
    profile.subject = {{"C", "VN"}, {"CN", "Nguyễn Văn A"}, {"UID", "CCCD:001099012345"}};
    profile.notBefore = notBefore;
    profile.lifetime = lifetime;
    profile.keyUsage = keyUsage;
    auto key = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
    return issueCertificate(profile, key->get(), &pki.issuingCa(), *pki.issuingCaKey());
  }
};

TEST_F(Validity, ExpiredNotYetValidAndWrongUsageAreRefused) {
  const auto now = SystemClock::instance().now();
  const auto day = std::chrono::hours(24);
  auto code = [&](const Certificate& cert) -> std::string {
    try {
      requireUsableForSigning(cert, now);
      return "ok";
    } catch (const InputError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::UnprocessableContent);
      return e.code();
    }
  };
  EXPECT_EQ(code(issue(now - 10 * day, std::chrono::duration_cast<std::chrono::seconds>(5 * day),
                       "critical,digitalSignature")),
            "certificate_expired");
  EXPECT_EQ(code(issue(now + 2 * day, std::chrono::duration_cast<std::chrono::seconds>(5 * day),
                       "critical,digitalSignature")),
            "certificate_not_yet_valid");
  EXPECT_EQ(
      code(issue(now - day, std::chrono::duration_cast<std::chrono::seconds>(5 * day), "critical,keyEncipherment")),
      "certificate_key_usage");
  EXPECT_EQ(
      code(issue(now - day, std::chrono::duration_cast<std::chrono::seconds>(5 * day), "critical,nonRepudiation")),
      "ok");
}

TEST(Pkcs12, LoadsKeyAndOrderedChainAndRefusesAWrongPassword) {
  const auto& pki = test::devPki();
  test::TempDir dir;
  test::writeFile(dir / "key.pem", test::readFile(pki.dir() / "seal.key.pem"));
  test::writeFile(dir / "cert.pem", pki.seal().certificate().pem());
  // CAs deliberately root first: the loader must order the chain itself.
  test::writeFile(dir / "cas.pem", pki.rootCa().pem() + pki.issuingCa().pem());
  const auto exported = test::run({"/usr/bin/openssl", "pkcs12", "-export", "-inkey", (dir / "key.pem").string(), "-in",
                                   (dir / "cert.pem").string(), "-certfile", (dir / "cas.pem").string(), "-passout",
                                   "pass:Bí-mật", "-out", (dir / "seal.p12").string()});
  ASSERT_EQ(exported.exitCode, 0) << exported.output;
  test::writeFile(dir / "password", "Bí-mật\n");

  api::KeySettings settings;
  settings.id = "p12seal";
  settings.pkcs12 = (dir / "seal.p12").string();
  settings.passwordFile = (dir / "password").string();
  const SigningCredential credential = api::KeyRegistry::loadFileKey(settings);
  ASSERT_EQ(credential.chain.size(), 3u);
  EXPECT_EQ(credential.chain[0], pki.seal().certificate());
  EXPECT_EQ(credential.chain[1], pki.issuingCa());
  EXPECT_EQ(credential.chain[2], pki.rootCa());

  test::writeFile(dir / "password", "sai\n");
  try {
    api::KeyRegistry::loadFileKey(settings);
    FAIL() << "wrong password accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_pkcs12");
  }
}

TEST(KeyRegistry, PemKeyMustMatchItsChain) {
  const auto& pki = test::devPki();
  test::TempDir dir;
  test::writeFile(dir / "key.pem", test::readFile(pki.dir() / "tsa.key.pem"));
  test::writeFile(dir / "chain.pem", pki.seal().certificate().pem() + pki.issuingCa().pem());
  api::KeySettings settings;
  settings.id = "wrong";
  settings.pemKey = (dir / "key.pem").string();
  settings.pemChain = (dir / "chain.pem").string();
  EXPECT_THROW(api::KeyRegistry::loadFileKey(settings), InputError);

  api::KeyRegistry registry;
  EXPECT_THROW(registry.get("nope"), NotFoundError);
}

}  // namespace
}  // namespace kyso::pki
