// Two-step signing with the signature value made outside kyso, by `openssl pkeyutl` as a USB token
// or a partner CA would: the finished file must pass the same peers as one-step signing and be the
// very file one-step signing makes from the same inputs.
#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include "kyso/error.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/cades.h"
#include "kyso/signer/pades_signer.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

// One fixed signing time for every preparation (the development certificates are made today).
const pki::TimePoint kTime = std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now());

class TwoStep : public ::testing::Test {
 protected:
  test::TempDir dir;

  static PadesSigner signerFor(const pki::DevPki& pki) {
    auto tsa = std::make_shared<pki::TimeStampAuthority>(pki.tsaKey(), pki.tsa().chain, "2.999.7.1",
                                                         pki::SystemClock::instance());
    return PadesSigner(std::make_shared<pki::TimeStampClient>(pki::inProcessTransport(tsa),
                                                              std::vector<pki::Certificate>{pki.rootCa()}));
  }

  static PadesOptions options(PadesLevel level) {
    PadesOptions o;
    o.level = level;
    o.fields.signingTime = kTime;
    o.fields.reason = "Ký duyệt kết quả giải quyết thủ tục hành chính";
    o.fields.signerName = "Nguyễn Văn An";
    return o;
  }

  // What a token does with "sign this SHA-256 digest": openssl pkeyutl with the private key file.
  Bytes externalSign(const std::filesystem::path& keyFile, const Bytes& digest) {
    test::writeFile(dir / "digest.bin", asChars(digest));
    const auto r =
        test::run({"/usr/bin/openssl", "pkeyutl", "-sign", "-inkey", keyFile.string(), "-pkeyopt", "digest:sha256",
                   "-in", (dir / "digest.bin").string(), "-out", (dir / "signature.bin").string()});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return toBytes(test::readFile(dir / "signature.bin"));
  }

  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    test::writeFile(dir / name, bytes);
    return dir / name;
  }

  static void expectValid(const std::filesystem::path& pdf, const pki::Certificate& root) {
    const test::PeerVerdict v = test::checkWithPeers(pdf, root);
    EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, 1) << v.problems;
    EXPECT_TRUE(v.noSigningTime);
    EXPECT_EQ(test::qpdfCheck(pdf).exitCode, 0);
  }
};

// ECDSA-Sig-Value DER → r||s, each half as long as the group order: what PKCS#11 CKM_ECDSA returns.
Bytes rawEcdsa(const Bytes& der, std::size_t half) {
  const unsigned char* p = der.data();
  kyso::ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_TRUE(sig);
  Bytes raw(2 * half);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + half, static_cast<int>(half));
  return raw;
}

TEST_F(TwoStep, RsaSignatureFromOutsideGivesTheOneStepFile) {
  const pki::DevPki& pki = test::devPki();
  const PadesSigner signer = signerFor(pki);
  const std::string original = test::readFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"));

  MemoryPdfOutput oneStep;
  signer.sign(PdfInput::fromMemory(original), oneStep, pki.seal(), options(PadesLevel::B_B));

  // Step one knows only the certificate chain; step two gets a signature made by openssl.
  MemoryPdfOutput twoStep;
  PadesSigner::Prepared prepared =
      signer.prepare(PdfInput::fromMemory(original), twoStep, pki.seal().chain,
                     PadesSigner::maxSignatureSizeFor(pki.seal().certificate()), options(PadesLevel::B_B));
  const Bytes signature = externalSign(pki.dir() / "seal.key.pem", prepared.cms.toBeSignedDigest());
  prepared.cms.setSignature(pki::normalizeSignatureValue(pki.seal().certificate(), signature));
  signer.complete(twoStep, prepared.pdf, prepared.cms, PadesLevel::B_B);

  EXPECT_EQ(twoStep.bytes(), oneStep.bytes());
  expectValid(write("two-step.pdf", twoStep.bytes()), pki.rootCa());
}

TEST_F(TwoStep, EcdsaRawAndDerSignaturesBothFinishTheDocument) {
  const pki::DevPki& pki = test::devPki(pki::KeyAlgorithm::Ecdsa);
  const PadesSigner signer = signerFor(pki);
  const std::string original = test::readFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"));
  const pki::Certificate& cert = pki.seal().certificate();

  for (const bool raw : {false, true}) {
    MemoryPdfOutput out;
    PadesSigner::Prepared prepared = signer.prepare(PdfInput::fromMemory(original), out, pki.seal().chain,
                                                    PadesSigner::maxSignatureSizeFor(cert), options(PadesLevel::B_B));
    Bytes signature = externalSign(pki.dir() / "seal.key.pem", prepared.cms.toBeSignedDigest());
    if (raw) {
      signature = rawEcdsa(signature, 32);
      ASSERT_EQ(signature.size(), 64u);
    }
    prepared.cms.setSignature(pki::normalizeSignatureValue(cert, signature));
    signer.complete(out, prepared.pdf, prepared.cms, PadesLevel::B_B);
    expectValid(write(raw ? "raw.pdf" : "der.pdf", out.bytes()), pki.rootCa());
  }
}

TEST_F(TwoStep, BaselineTAddsAVerifiableTokenAtCompletion) {
  const pki::DevPki& pki = test::devPki();
  const PadesSigner signer = signerFor(pki);
  MemoryPdfOutput out;
  PadesSigner::Prepared prepared = signer.prepare(
      PdfInput::fromFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), 1u << 30), out, pki.seal().chain,
      PadesSigner::maxSignatureSizeFor(pki.seal().certificate()), options(PadesLevel::B_T));
  prepared.cms.setSignature(externalSign(pki.dir() / "seal.key.pem", prepared.cms.toBeSignedDigest()));
  const PadesResult result = signer.complete(out, prepared.pdf, prepared.cms, PadesLevel::B_T);
  ASSERT_TRUE(result.timeStampTime.has_value());
  const auto path = write("bt.pdf", out.bytes());
  expectValid(path, pki.rootCa());
  const auto signatures = test::embeddedSignatures(out.bytes());
  ASSERT_EQ(signatures.size(), 1u);
  const auto token = test::signatureTimeStampToken(signatures[0].cms);
  ASSERT_TRUE(token.has_value());
  const auto verify = test::opensslVerifyToken(*token, pki::sha256(test::signatureValue(signatures[0].cms)), pki);
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
}

TEST_F(TwoStep, ASignatureOverAnythingElseIsRefusedAndTheSessionCanStillFinish) {
  const pki::DevPki& pki = test::devPki();
  const PadesSigner signer = signerFor(pki);
  MemoryPdfOutput out;
  PadesSigner::Prepared prepared = signer.prepare(
      PdfInput::fromFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), 1u << 30), out, pki.seal().chain,
      PadesSigner::maxSignatureSizeFor(pki.seal().certificate()), options(PadesLevel::B_B));
  const auto key = pki.dir() / "seal.key.pem";

  // A tampered digest: one bit of the signed attributes changed before hashing.
  Bytes tampered = prepared.cms.signedAttributes();
  tampered.back() ^= 0x01;
  auto codeOf = [&](const Bytes& signature) {
    try {
      prepared.cms.setSignature(signature);
    } catch (const Error& e) {
      return e.code();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(codeOf(externalSign(key, pki::sha256(tampered))), "signature_invalid");
  // The right digest signed by another key (the TSA's): the wrong certificate.
  EXPECT_EQ(codeOf(externalSign(pki.dir() / "tsa.key.pem", prepared.cms.toBeSignedDigest())), "signature_invalid");
  // An RSA value of the wrong length is refused before any cryptography.
  EXPECT_THROW(pki::normalizeSignatureValue(pki.seal().certificate(), Bytes(255, 1)), InputError);

  EXPECT_EQ(codeOf(externalSign(key, prepared.cms.toBeSignedDigest())), "accepted");
  signer.complete(out, prepared.pdf, prepared.cms, PadesLevel::B_B);
  expectValid(write("after-refusals.pdf", out.bytes()), pki.rootCa());
}

TEST_F(TwoStep, ACertificateThatCannotSignIsRefusedAtPreparation) {
  const pki::DevPki& pki = test::devPki();
  const PadesSigner signer = signerFor(pki);
  PadesOptions late = options(PadesLevel::B_B);
  late.fields.signingTime = pki.seal().certificate().notAfter() + std::chrono::hours(1);
  MemoryPdfOutput out;
  try {
    signer.prepare(PdfInput::fromFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), 1u << 30), out, pki.seal().chain,
                   256, late);
    ADD_FAILURE() << "prepared with an expired certificate";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "certificate_expired");
    EXPECT_EQ(e.kind(), ErrorKind::UnprocessableContent);
  }
  EXPECT_EQ(out.size(), 0u);
}

}  // namespace
}  // namespace kyso::signer
