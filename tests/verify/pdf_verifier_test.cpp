// The PDF signature verifier: kyso's own signatures at B-B and B-T pass, every tampering of the
// signed bytes, the signature value or the byte range gets its ETSI EN 319 102-1 verdict, trust
// and time decide between TOTAL_PASSED, INDETERMINATE and TOTAL_FAILED, and files made by other
// tools (podofosign, the qpdf corpus) are handled without a crash.
#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/ess.h>

#include <algorithm>
#include <filesystem>

#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/software_key.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/signer/pdf_verifier.h"
#include "offline_policy.h"
#include "pdf_builder.h"
#include "pdfsig_signer.h"
#include "report_text.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using std::chrono::hours;
using test::describe;

class PdfVerifierTest : public ::testing::Test {
 protected:
  const pki::DevPki& pki = test::devPki();
  const pki::TimePoint now = pki::SystemClock::instance().now();
  pki::FixedClock validationClock{now + std::chrono::minutes(1)};

  static PadesSigner signerWithTsaAt(const pki::DevPki& pki, const pki::Clock& clock) {
    auto tsa = std::make_shared<pki::TimeStampAuthority>(pki.tsaKey(), pki.tsa().chain, "2.999.7.1", clock);
    return PadesSigner(std::make_shared<pki::TimeStampClient>(pki::inProcessTransport(tsa),
                                                              std::vector<pki::Certificate>{pki.rootCa()}, clock));
  }
  PadesSigner signer = signerWithTsaAt(pki, pki::SystemClock::instance());

  static std::string document() { return test::buildPdf(test::onePageObjects()); }

  std::string sign(const std::string& pdf, PadesLevel level, const pki::SigningCredential& credential,
                   const PadesSigner& with) const {
    PadesOptions options;
    options.level = level;
    options.fields.signingTime = now;
    options.fields.reason = "Approved";
    MemoryPdfOutput output;
    with.sign(PdfInput::fromMemory(pdf), output, credential, options);
    return output.take();
  }
  std::string sign(const std::string& pdf, PadesLevel level) const { return sign(pdf, level, pki.seal(), signer); }

  VerificationPolicy policy() const { return test::offlinePolicy(pki.rootCa(), validationClock); }
  static VerificationReport verify(const std::string& pdf, const VerificationPolicy& policy) {
    return verifyPdf(PdfInput::fromMemory(pdf), policy);
  }
  VerificationReport verify(const std::string& pdf) const { return verify(pdf, policy()); }

  static bool hasWarning(const std::vector<std::string>& warnings, std::string_view part) {
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
  }

  // Rewrites the last signature's /ByteRange array in place, padded to the same width.
  static std::string withByteRange(std::string pdf, const std::string& array) {
    const auto key = pdf.rfind("/ByteRange");
    const auto open = pdf.find('[', key);
    const auto close = pdf.find(']', open);
    std::string replacement = array;
    if (replacement.size() > close - open + 1) throw std::runtime_error("byte range too wide for the placeholder");
    replacement.insert(replacement.size() - 1, close - open + 1 - replacement.size(), ' ');
    pdf.replace(open, close - open + 1, replacement);
    return pdf;
  }
};

TEST_F(PdfVerifierTest, BaselineB_WithRevocationSkipped_PassesAtLevelBB) {
  const std::string pdf = sign(document(), PadesLevel::B_B);
  const VerificationReport report = verify(pdf);

  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::TotalPassed);
  EXPECT_EQ(s.subIndication, SubIndication::None);
  EXPECT_EQ(s.level, SignatureLevel::B_B);
  EXPECT_EQ(s.fieldName, "Signature1");
  EXPECT_EQ(s.subFilter, "ETSI.CAdES.detached");
  EXPECT_EQ(s.digestAlgorithm, "SHA-256");
  ASSERT_TRUE(s.signer);
  EXPECT_EQ(s.signer->uid, "MST:0101234565");
  EXPECT_EQ(s.signer->serialHex, pki.seal().certificate().serialHex());
  ASSERT_TRUE(s.claimedSigningTime);
  EXPECT_LE(std::chrono::abs(*s.claimedSigningTime - now), std::chrono::seconds(1));
  EXPECT_FALSE(s.timeStampTime);
  EXPECT_TRUE(s.chainTrusted);
  ASSERT_EQ(s.chain.size(), 3u);  // seal, issuing CA, root
  EXPECT_EQ(s.chain[0].serialHex, pki.seal().certificate().serialHex());
  EXPECT_EQ(s.chain[2].subject, pki.rootCa().subject());
  EXPECT_TRUE(s.revocation.empty());
  EXPECT_TRUE(hasWarning(s.warnings, "revocation not checked"));
  EXPECT_TRUE(s.coverage.wholeDocument);
  EXPECT_EQ(s.coverage.bytesAfter, 0u);
  EXPECT_EQ(s.coverage.revision, 2u);
  EXPECT_EQ(report.revisions, 2u);
  EXPECT_EQ(report.documentSize, pdf.size());
  EXPECT_EQ(report.validationTime, validationClock.now());
}

TEST_F(PdfVerifierTest, BaselineT_TimeStampVerifies_PassesAtLevelBT) {
  const VerificationReport report = verify(sign(document(), PadesLevel::B_T));
  ASSERT_EQ(report.signatures.size(), 1u) << describe(report);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(s.level, SignatureLevel::B_T);
  ASSERT_TRUE(s.timeStampTime);
  EXPECT_LE(std::chrono::abs(*s.timeStampTime - now), std::chrono::minutes(1));
  ASSERT_TRUE(s.timeStamp);
  EXPECT_TRUE(s.timeStamp->valid);
  EXPECT_NE(s.timeStamp->tsaSubject.find("kyso Dev TSA"), std::string::npos);
}

TEST_F(PdfVerifierTest, EcdsaSignature_WithItsOwnRoot_Passes) {
  const pki::DevPki& ec = test::devPki(pki::KeyAlgorithm::Ecdsa);
  VerificationPolicy p = policy();
  p.trustAnchors = {ec.rootCa()};
  const VerificationReport report = verify(sign(document(), PadesLevel::B_B, ec.seal(), signer), p);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
}

TEST_F(PdfVerifierTest, RevocationRequired_NoRevocationData_IsIndeterminateTryLater) {
  VerificationPolicy p = policy();
  p.revocation = RevocationCheck::Require;
  const VerificationReport report = verify(sign(document(), PadesLevel::B_B), p);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::TryLater);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.signatures[0].chainTrusted);
  EXPECT_FALSE(hasWarning(report.signatures[0].warnings, "revocation not checked"));
}

TEST_F(PdfVerifierTest, ByteFlippedInsideTheSignedRange_IsHashFailure) {
  std::string pdf = sign(document(), PadesLevel::B_B);
  const auto at = pdf.find("(Approved)");
  ASSERT_NE(at, std::string::npos);
  pdf[at + 8] = 'e';  // "(Approvee)"
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::HashFailure);
}

TEST_F(PdfVerifierTest, SignatureValueAltered_IsSigCryptoFailure) {
  std::string pdf = sign(document(), PadesLevel::B_B);
  const auto signatures = test::embeddedSignatures(pdf);
  ASSERT_EQ(signatures.size(), 1u);
  Bytes cms = signatures[0].cms;
  const Bytes value = test::signatureValue(cms);
  const auto at = std::search(cms.begin(), cms.end(), value.begin(), value.end());
  ASSERT_NE(at, cms.end());
  at[static_cast<std::ptrdiff_t>(value.size() / 2)] ^= 0x01;
  const std::string hex = toHex(cms, true);
  pdf.replace(static_cast<std::size_t>(signatures[0].byteRange[1]) + 1, hex.size(), hex);

  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::SigCryptoFailure);
}

TEST_F(PdfVerifierTest, DataHiddenInTheContentsPadding_IsFormatFailure) {
  std::string pdf = sign(document(), PadesLevel::B_B);
  const auto range = test::embeddedSignatures(pdf).at(0).byteRange;
  pdf[static_cast<std::size_t>(range[2]) - 3] = '7';  // the last padding byte becomes 0x70
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.subIndication, SubIndication::FormatFailure) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalFailed);
}

TEST_F(PdfVerifierTest, ContentsNotAnEvenRunOfHexDigits_IsFormatFailure) {
  const std::string signedPdf = sign(document(), PadesLevel::B_B);
  const auto range = test::embeddedSignatures(signedPdf).at(0).byteRange;
  const auto contents = static_cast<std::size_t>(range[1]) + 1;  // just past '<'
  // White space is allowed in a hex string (ISO 32000-1 §7.3.4.3) but not in DER as hex: a space
  // for a digit leaves an odd count, two spaces for two digits an even one; both are refused.
  for (const std::size_t spaces : {1u, 2u}) {
    std::string pdf = signedPdf;
    pdf.replace(contents + 10, spaces, std::string(spaces, ' '));
    const VerificationReport report = verify(pdf);
    ASSERT_EQ(report.signatures.size(), 1u) << describe(report);
    EXPECT_EQ(report.subIndication, SubIndication::FormatFailure) << describe(report);
    EXPECT_NE(report.signatures[0].detail.find("not an even run of hexadecimal digits"), std::string::npos)
        << describe(report);
  }
}

TEST_F(PdfVerifierTest, MalformedByteRange_IsFormatFailure) {
  const std::string pdf = sign(document(), PadesLevel::B_B);
  const auto [a, b, c, d] = test::embeddedSignatures(pdf).at(0).byteRange;
  auto text = [](std::initializer_list<std::uint64_t> values) {
    std::string out = "[";
    for (const auto v : values) out += (out.size() > 1 ? " " : "") + std::to_string(v);
    return out + "]";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"does not cover the start", text({1, b - 1, c, d})},
      {"gap shorter than /Contents", text({a, b + 2, c, d})},
      {"gap longer than /Contents", text({a, b, c + 2, d - 2})},
      {"overlapping ranges", text({a, c, b, d + (c - b)})},
      {"beyond the end of the file", text({a, b, c, d + 10})},
      {"three numbers", text({a, b, c})},
      {"negative length", "[0 " + std::to_string(b) + " " + std::to_string(c) + " -5]"},
      {"a real number", "[0 " + std::to_string(b) + ".0 " + std::to_string(c) + " " + std::to_string(d) + "]"},
  };
  for (const auto& [name, array] : cases) {
    SCOPED_TRACE(name);
    const VerificationReport report = verify(withByteRange(pdf, array));
    EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
    EXPECT_EQ(report.subIndication, SubIndication::FormatFailure) << describe(report);
  }
}

TEST_F(PdfVerifierTest, UntrustedRoot_IsIndeterminateNoCertificateChainFound) {
  VerificationPolicy p = policy();
  p.trustAnchors = {test::devPki(pki::KeyAlgorithm::Ecdsa).rootCa()};
  const VerificationReport report = verify(sign(document(), PadesLevel::B_B), p);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::NoCertificateChainFound);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_FALSE(report.signatures[0].chainTrusted);
  EXPECT_FALSE(report.signatures[0].chain.empty());
}

TEST_F(PdfVerifierTest, TimeStampFromAnUntrustedAuthority_IsIgnoredAndTheLevelIsBB) {
  VerificationPolicy p = policy();
  p.timeStampTrustAnchors = {test::devPki(pki::KeyAlgorithm::Ecdsa).rootCa()};
  const VerificationReport report = verify(sign(document(), PadesLevel::B_T), p);
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(s.level, SignatureLevel::B_B);
  EXPECT_FALSE(s.timeStampTime);
  ASSERT_TRUE(s.timeStamp);
  EXPECT_FALSE(s.timeStamp->valid);
  EXPECT_TRUE(hasWarning(s.warnings, "signature time-stamp ignored"));
}

TEST_F(PdfVerifierTest, FourYearsLater_SignerAndTsaExpired_IsIndeterminateOutOfBoundsNoPoe) {
  // Without B-LTA nothing proves the time-stamp itself once its authority's certificate expired.
  VerificationPolicy p = policy();
  pki::FixedClock later{now + hours(24 * 365 * 4)};
  p.clock = &later;
  const VerificationReport report = verify(sign(document(), PadesLevel::B_T), p);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::OutOfBoundsNoPoe);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].level, SignatureLevel::B_B);
}

// CMS made by OpenSSL's own CMS_sign over the byte range of a kyso placeholder (/SubFilter
// /ETSI.CAdES.detached), with or without an ESS signing-certificate-v2 attribute.
class OpensslCmsTest : public PdfVerifierTest {
 protected:
  std::string signWithOpenssl(const std::optional<pki::Certificate>& essFor) const {
    MemoryPdfOutput output;
    PadesOptions options;
    options.fields.signingTime = now;
    // Room for a larger CMS than kyso's own (signing-time, another ESS certificate).
    const auto prepared = signer.prepare(PdfInput::fromMemory(document()), output, pki.seal().chain, 1024, options);
    const auto& range = prepared.pdf.byteRange;
    const std::string& bytes = output.bytes();
    const std::string signedBytes =
        bytes.substr(0, static_cast<std::size_t>(range[1])) +
        bytes.substr(static_cast<std::size_t>(range[2]), static_cast<std::size_t>(range[3]));

    const auto key = pki::SoftwareKey::fromPemFile((pki.dir() / "seal.key.pem").string());
    const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
    auto cms = ossl::own(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags), "CMS_sign");
    CMS_SignerInfo* si = ossl::check(
        CMS_add1_signer(cms.get(), pki.seal().certificate().get(), key->get(), EVP_sha256(), flags), "CMS_add1_signer");
    ossl::check(CMS_add1_cert(cms.get(), pki.issuingCa().get()), "CMS_add1_cert");
    if (essFor) {
      std::unique_ptr<ESS_SIGNING_CERT_V2, decltype(&ESS_SIGNING_CERT_V2_free)> ess(
          ossl::check(OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), essFor->get(), nullptr, 0), "ESS"),
          &ESS_SIGNING_CERT_V2_free);
      unsigned char* der = nullptr;
      const int length = i2d_ESS_SIGNING_CERT_V2(ess.get(), &der);
      ossl::check(length, "i2d_ESS_SIGNING_CERT_V2");
      const ossl::Buffer owned(der);
      ossl::check(CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, der, length),
                  "CMS_signed_add1_attr_by_NID");
    }
    auto data = ossl::own(BIO_new_mem_buf(signedBytes.data(), static_cast<int>(signedBytes.size())), "BIO");
    ossl::check(CMS_final(cms.get(), data.get(), nullptr, flags), "CMS_final");
    unsigned char* der = nullptr;
    const int length = i2d_CMS_ContentInfo(cms.get(), &der);
    ossl::check(length, "i2d_CMS_ContentInfo");
    const ossl::Buffer owned(der);
    embedPdfSignature(output, prepared.pdf, ByteView(der, static_cast<std::size_t>(length)));
    return output.take();
  }
};

TEST_F(OpensslCmsTest, MatchingEss_PassesWithASigningTimeWarning) {
  const VerificationReport report = verify(signWithOpenssl(pki.seal().certificate()));
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].level, SignatureLevel::B_B);
  EXPECT_TRUE(hasWarning(report.signatures[0].warnings, "signing-time attribute is present"));
}

TEST_F(OpensslCmsTest, NoEssUnderCadesSubFilter_IsFormatFailure) {
  const VerificationReport report = verify(signWithOpenssl(std::nullopt));
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::FormatFailure);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_NE(report.signatures[0].detail.find("signing-certificate-v2"), std::string::npos);
}

TEST_F(OpensslCmsTest, EssNamingAnotherCertificate_IsIndeterminateNoSigningCertificateFound) {
  const VerificationReport report = verify(signWithOpenssl(pki.tsa().certificate()));
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::NoSigningCertificateFound);
}

// A seal certificate valid for one day from now, issued by the dev PKI's issuing CA; the
// verification runs two days later, when it has expired but the TSA's certificate has not.
class ExpiredSignerTest : public PdfVerifierTest {
 protected:
  pki::SigningCredential shortLived = [this] {
    auto key = pki::SoftwareKey::generate(pki::KeyAlgorithm::Ecdsa);
    pki::CertificateProfile profile;
    profile.subject = {{"C", "VN"}, {"O", "kyso tests"}, {"CN", "Short-lived seal"}};
    profile.notBefore = now - hours(1);
    profile.lifetime = hours(24);
    profile.keyUsage = "critical,digitalSignature,nonRepudiation";
    const pki::Certificate cert = pki::issueCertificate(profile, key->get(), &pki.issuingCa(), *pki.issuingCaKey());
    return pki::SigningCredential{"short-lived", key, {cert, pki.issuingCa()}};
  }();
  pki::FixedClock twoDaysLater{now + hours(48)};

  VerificationPolicy later() const {
    VerificationPolicy p = policy();
    p.clock = &twoDaysLater;
    return p;
  }
};

TEST_F(ExpiredSignerTest, WithoutTimeStamp_IsIndeterminateOutOfBoundsNoPoe) {
  const VerificationReport report = verify(sign(document(), PadesLevel::B_B, shortLived, signer), later());
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::OutOfBoundsNoPoe);
}

TEST_F(ExpiredSignerTest, TimeStampedWhileValid_PassesValidatedAtTheTimeStampTime) {
  const VerificationReport report = verify(sign(document(), PadesLevel::B_T, shortLived, signer), later());
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].level, SignatureLevel::B_T);
  EXPECT_TRUE(hasWarning(report.signatures[0].warnings, "validated at the time-stamp time"));
}

TEST_F(ExpiredSignerTest, TimeStampedAfterExpiry_IsTotalFailedExpired) {
  pki::FixedClock tsaClock{now + hours(36)};
  const PadesSigner lateSigner = signerWithTsaAt(pki, tsaClock);
  const VerificationReport report = verify(sign(document(), PadesLevel::B_T, shortLived, lateSigner), later());
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::Expired);
}

TEST_F(PdfVerifierTest, NotYetValidAtTheValidationTime_IsTotalFailedNotYetValid) {
  VerificationPolicy p = policy();
  pki::FixedClock before{pki.seal().certificate().notBefore() - hours(1)};
  p.clock = &before;
  const VerificationReport report = verify(sign(document(), PadesLevel::B_B), p);
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::NotYetValid);
}

TEST_F(PdfVerifierTest, SignedTwice_FirstSignatureReportsTheBytesAfterIt) {
  const std::string once = sign(document(), PadesLevel::B_B);
  const std::string twice = sign(once, PadesLevel::B_T);
  const VerificationReport report = verify(twice);
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(report.revisions, 3u);

  const SignatureResult& first = report.signatures[0];
  EXPECT_EQ(first.fieldName, "Signature1");
  EXPECT_FALSE(first.coverage.wholeDocument);
  EXPECT_EQ(first.coverage.signedEnd, once.size());
  EXPECT_EQ(first.coverage.bytesAfter, twice.size() - once.size());
  EXPECT_EQ(first.coverage.revision, 2u);
  EXPECT_TRUE(hasWarning(first.warnings, "changed after this signature"));

  const SignatureResult& second = report.signatures[1];
  EXPECT_EQ(second.fieldName, "Signature2");
  EXPECT_TRUE(second.coverage.wholeDocument);
  EXPECT_EQ(second.coverage.revision, 3u);
  EXPECT_EQ(second.level, SignatureLevel::B_T);
  EXPECT_FALSE(hasWarning(second.warnings, "changed after this signature"));
}

TEST_F(PdfVerifierTest, ObjectStreamsAndXrefStreams_Pass) {
  const std::string original = test::readFile(test::corpusPdf("qpdf_qtest_qpdf_big-ostream.pdf"));
  const VerificationReport report = verify(sign(original, PadesLevel::B_B));
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
}

TEST_F(PdfVerifierTest, FromFile_SameVerdictAsFromMemory) {
  const test::TempDir dir;
  test::writeFile(dir / "signed.pdf", sign(document(), PadesLevel::B_T));
  const VerificationReport report = verifyPdf(PdfInput::fromFile(dir / "signed.pdf", 1u << 20), policy());
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].level, SignatureLevel::B_T);
}

TEST_F(PdfVerifierTest, NotAPdf_ThrowsDocumentError) {
  try {
    verify(std::string("<?xml version=\"1.0\"?><receipt/>"));
    FAIL() << "no exception";
  } catch (const DocumentError& e) {
    EXPECT_EQ(e.code(), "not_a_pdf");
  }
}

TEST_F(PdfVerifierTest, CutOffSignedFile_ThrowsDocumentError) {
  const std::string pdf = sign(document(), PadesLevel::B_B);
  EXPECT_THROW(verify(pdf.substr(0, pdf.size() / 2)), DocumentError);
}

TEST_F(PdfVerifierTest, UnsignedDocument_HasNoSignaturesAndIsIndeterminate) {
  const VerificationReport report = verify(document());
  EXPECT_TRUE(report.signatures.empty());
  EXPECT_EQ(report.indication, Indication::Indeterminate);
  EXPECT_EQ(report.subIndication, SubIndication::None);
}

// PDFs signed by other tools: poppler's pdfsig (NSS) and podofosign (PoDoFo over OpenSSL), both
// adbe.pkcs7.detached.
class PeerSignedTest : public PdfVerifierTest {
 protected:
  test::TempDir dir;

  void SetUp() override { test::writeFile(dir / "in.pdf", document()); }

  // A self-signed certificate nobody trusts, made by the openssl command.
  void makeOtherSigner() const {
    // RSA: poppler 22.12's pdfsig reserves too little room for some ECDSA signatures.
    const auto made = test::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                 (dir / "signer.key").string(), "-out", (dir / "signer.crt").string(), "-subj",
                                 "/C=VN/O=Elsewhere/CN=Other Signer", "-days", "30"});
    if (made.exitCode != 0) throw std::runtime_error("openssl req failed: " + made.output);
  }
  void useDevSeal() const {
    test::writeFile(dir / "signer.key", test::readFile(pki.dir() / "seal.key.pem"));
    test::writeFile(dir / "signer.crt", pki.seal().certificate().pem());
  }

  std::string pdfsig() const { return test::pdfsigAddSignature(dir.path(), pki.issuingCa().pem()); }

  std::string podofosign() const {
    const auto result = test::run({"/usr/bin/podofosign", "-in", (dir / "in.pdf").string(), "-out",
                                   (dir / "out.pdf").string(), "-cert", (dir / "signer.crt").string(), "-pkey",
                                   (dir / "signer.key").string(), "-digest", "SHA256", "-field-name", "Peer"});
    if (result.exitCode != 0) throw std::runtime_error("podofosign failed: " + result.output);
    return test::readFile(dir / "out.pdf");
  }

  static ossl::Ptr<CMS_ContentInfo> parseCms(const Bytes& der) {
    const unsigned char* p = der.data();
    ossl::Ptr<CMS_ContentInfo> cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) throw std::runtime_error("not a CMS");
    return cms;
  }
  static int signerInfoCount(const Bytes& der) {
    return sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(parseCms(der).get()));
  }
  // The CMS decoded and encoded again; with `alter`, its last SignerInfo gains an unsigned
  // attribute (a signing-time value: anything that makes it differ from the first).
  static Bytes reencoded(const Bytes& der, bool alter) {
    const auto cms = parseCms(der);
    if (alter) {
      STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
      CMS_SignerInfo* last = sk_CMS_SignerInfo_value(infos, sk_CMS_SignerInfo_num(infos) - 1);
      const ossl::Ptr<ASN1_STRING> time(ASN1_UTCTIME_set(nullptr, 0));
      if (!time || CMS_unsigned_add1_attr_by_NID(last, NID_pkcs9_signingTime, V_ASN1_UTCTIME, time.get(), -1) != 1) {
        throw std::runtime_error("cannot add the attribute");
      }
    }
    unsigned char* out = nullptr;
    const int size = i2d_CMS_ContentInfo(cms.get(), &out);
    const ossl::Buffer owned(out);
    if (size <= 0) throw std::runtime_error("cannot encode the CMS");
    return Bytes(out, out + size);
  }
  // `pdf` with `cms` in place of the signature's /Contents (zero-padded to the reserved size).
  static std::string withCms(std::string pdf, const test::EmbeddedSignature& s, const Bytes& cms) {
    const auto open = static_cast<std::size_t>(s.byteRange[1]) + 1;
    const std::size_t room = static_cast<std::size_t>(s.byteRange[2]) - 1 - open;
    std::string hex = toHex(cms);
    if (hex.size() > room) throw std::runtime_error("the new CMS does not fit");
    hex.append(room - hex.size(), '0');
    pdf.replace(open, room, hex);
    return pdf;
  }
};

TEST_F(PeerSignedTest, PdfsigWithAnUntrustedSigner_IsIndeterminateNoCertificateChainFound) {
  makeOtherSigner();
  const VerificationReport report = verify(pdfsig());
  ASSERT_EQ(report.signatures.size(), 1u) << describe(report);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(s.subIndication, SubIndication::NoCertificateChainFound);
  EXPECT_EQ(s.subFilter, "adbe.pkcs7.detached");
  EXPECT_EQ(s.level, SignatureLevel::None);
  EXPECT_TRUE(s.coverage.wholeDocument);
  ASSERT_TRUE(s.signer);
  EXPECT_EQ(s.signer->commonName, "Other Signer");
}

TEST_F(PeerSignedTest, PdfsigWithTheDevSeal_Passes) {
  useDevSeal();
  const VerificationReport report = verify(pdfsig());
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(hasWarning(report.signatures[0].warnings, "not a PAdES baseline signature"));
}

// podofosign 0.9.8 writes the same SignerInfo twice. ISO 32000-2 §12.8.3.3.1 allows one signer;
// exact copies leave a reader no choice, so they pass with a warning (pdfsig and openssl agree).
TEST_F(PeerSignedTest, PodofosignDuplicateSignerInfo_PassesWithWarning) {
  useDevSeal();
  VerificationPolicy p = policy();
  p.intermediates = {pki.issuingCa()};  // podofosign embeds only the signer's certificate
  const std::string pdf = podofosign();
  const auto embedded = test::embeddedSignatures(pdf);
  ASSERT_EQ(embedded.size(), 1u);
  EXPECT_EQ(signerInfoCount(embedded[0].cms), 2);  // what this test is about
  const VerificationReport report = verify(pdf, p);
  ASSERT_EQ(report.signatures.size(), 1u) << describe(report);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.fieldName, "Peer");
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(s.subFilter, "adbe.pkcs7.detached");
  EXPECT_EQ(s.level, SignatureLevel::None);
  EXPECT_TRUE(hasWarning(s.warnings, "the CMS repeats its SignerInfo 2 times (podofosign does); they are identical"))
      << describe(report);
  ASSERT_TRUE(s.signer);
  EXPECT_EQ(s.signer->serialHex, pki.seal().certificate().serialHex());

  // The peers accept the same file: pdfsig, and openssl cms -verify over the byte range (with the
  // issuing CA among the trusted certificates: -certfile only offers signer certificates).
  const test::PeerVerdict v = test::checkWithPeers(dir / "out.pdf", pki.rootCa());
  EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  test::writeFile(dir / "content.bin", embedded[0].signedBytes);
  test::writeFile(dir / "sig.der", asChars(embedded[0].cms));
  test::writeFile(dir / "anchors.pem", pki.rootCa().pem() + pki.issuingCa().pem());
  const auto verified = test::run({"/usr/bin/openssl", "cms", "-verify", "-binary", "-inform", "der", "-in",
                                   (dir / "sig.der").string(), "-content", (dir / "content.bin").string(), "-CAfile",
                                   (dir / "anchors.pem").string(), "-purpose", "any", "-out", "/dev/null"});
  EXPECT_EQ(verified.exitCode, 0) << verified.output;
}

// Two SignerInfos that differ (here the second gains an unsigned attribute, its signature still
// valid) give readers a choice of signer: fail closed, whichever of them verifies.
TEST_F(PeerSignedTest, TwoDifferentSignerInfos_IsFormatFailure) {
  useDevSeal();
  VerificationPolicy p = policy();
  p.intermediates = {pki.issuingCa()};
  const std::string pdf = podofosign();
  const auto embedded = test::embeddedSignatures(pdf);
  ASSERT_EQ(embedded.size(), 1u);

  // Re-encoded unchanged, the CMS still passes: the change below is what fails it.
  const VerificationReport same = verify(withCms(pdf, embedded[0], reencoded(embedded[0].cms, false)), p);
  EXPECT_EQ(same.indication, Indication::TotalPassed) << describe(same);

  const VerificationReport report = verify(withCms(pdf, embedded[0], reencoded(embedded[0].cms, true)), p);
  ASSERT_EQ(report.signatures.size(), 1u) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::FormatFailure);
  EXPECT_NE(report.signatures[0].detail.find("exactly one SignerInfo; it holds 2 that differ"), std::string::npos)
      << describe(report);
}

// The qpdf corpus holds no signed PDF; its form documents (one with a widget named like a signature
// field, left over from a signed original) must give empty reports, and no file may crash the
// verifier: each gives a report or a DocumentError.
TEST_F(PdfVerifierTest, CorpusFormsWithoutSignatures_HaveNoSignatures) {
  for (const char* name : {"qpdf_qtest_qpdf_minimal-signed-restrictions-removed.pdf", "qpdf_qtest_qpdf_field-types.pdf",
                           "qpdf_qtest_qpdf_form-filled-with-atril.pdf"}) {
    SCOPED_TRACE(name);
    const VerificationReport report = verify(test::readFile(test::corpusPdf(name)));
    EXPECT_TRUE(report.signatures.empty()) << describe(report);
    EXPECT_EQ(report.indication, Indication::Indeterminate);
  }
}

TEST_F(PdfVerifierTest, EveryCorpusFile_GivesAReportOrADocumentError) {
  int reports = 0;
  int refused = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::sharedDir() / "corpus" / "pdf")) {
    SCOPED_TRACE(entry.path().filename().string());
    try {
      const VerificationReport report = verifyPdf(PdfInput::fromFile(entry.path(), 64u << 20), policy());
      EXPECT_TRUE(report.signatures.empty()) << describe(report);
      ++reports;
    } catch (const DocumentError&) {
      ++refused;
    }
  }
  EXPECT_GT(reports, 200);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace kyso::signer
