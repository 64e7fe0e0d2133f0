// PAdES B-LT and B-LTA (ETSI EN 319 142-1 §5.4, §6.3): kyso signs and extends documents on a
// running development PKI (its own OCSP responder and CRLs answered in process), and every output
// is checked by the peers — pdfsig, openssl cms over each signature's byte range, openssl ts over
// the document time-stamp, qpdf --check — and by kyso's verifier offline: the validation data must
// come from the /DSS (revocation source "dss") with a fetcher that fails when it is called.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <set>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/signer/pdf_ltv.h"
#include "kyso/signer/pdf_verifier.h"
#include "online_service.h"
#include "report_text.h"

namespace kyso::signer {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using test::describe;

// No network: every call is counted and fails.
class OfflineFetcher final : public RevocationFetcher {
 public:
  RevocationAnswer fetch(const RevocationRequest& request) const override {
    ++calls_;
    throw UnavailableError("offline", "this test allows no revocation fetch (" + request.url + ")");
  }
  int calls() const { return calls_; }

 private:
  mutable std::atomic<int> calls_{0};
};

class LongTerm : public test::OnlineService {
 protected:
  OfflineFetcher offline;
  test::TempDir files;

  std::string signWith(const std::string& pdf, PadesLevel level, const pki::SigningCredential& credential,
                       bool visible = false) {
    api::SignPdfRequest request;
    request.level = level;
    request.reason = "Approved";
    if (visible) {
      VisibleSignature copy;
      copy.layout = SignatureLayout::Copy;
      copy.copyForm = "Sao y";
      copy.copyOrganisation = "UBND xã Thanh Sơn";
      request.visible = copy;
    }
    MemoryPdfOutput output;
    core->signing().signPdfWith(credential, PdfInput::fromMemory(pdf), output, request, "test");
    return output.take();
  }
  std::string signAt(const std::string& pdf, PadesLevel level, bool visible = false) {
    return signWith(pdf, level, seal(), visible);
  }
  std::string extend(const std::string& pdf, LtvLevel level, LtvResult* result = nullptr) const {
    MemoryPdfOutput output;
    const LtvResult r = core->ltv().extend(PdfInput::fromMemory(pdf), output, level);
    if (result != nullptr) *result = r;
    return output.take();
  }
  static std::string onePage() { return test::buildPdf(test::onePageObjects()); }

  // Verification as a relying party years later would make it: the dev root as the only anchor,
  // nothing else known, and no network.
  VerificationReport verifyOffline(const std::string& pdf, pki::TimePoint at) const {
    const pki::FixedClock when{at};
    VerificationPolicy p;
    p.trustAnchors = {pki().rootCa()};
    p.clock = &when;
    p.revocation = RevocationCheck::Require;
    p.revocationFetcher = &offline;
    return verifyPdf(PdfInput::fromMemory(pdf), p);
  }
  VerificationReport verifyOffline(const std::string& pdf) const {
    return verifyOffline(pdf, clock.now() + minutes(1));
  }

  // Every signature TOTAL_PASSED at `level`, every revocation decision from the /DSS, every
  // document time-stamp valid, and not one fetch.
  void expectLongTerm(const std::string& pdf, SignatureLevel level, std::size_t signatures, std::size_t timeStamps) {
    const VerificationReport report = verifyOffline(pdf);
    EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
    ASSERT_EQ(report.signatures.size(), signatures) << describe(report);
    for (const SignatureResult& s : report.signatures) {
      EXPECT_EQ(s.indication, Indication::TotalPassed) << describe(report);
      EXPECT_EQ(s.level, level) << describe(report);
      ASSERT_EQ(s.revocation.size(), 2u) << describe(report);  // the signer and the issuing CA
      for (const RevocationEvidence& e : s.revocation) {
        EXPECT_EQ(e.status, RevocationStatus::Good) << describe(report);
        EXPECT_EQ(e.source, "dss") << describe(report);
      }
      // The signature time-stamp's authority: good, from the /DSS too (EN 319 102-1 §5.4).
      ASSERT_TRUE(s.timeStamp) << describe(report);
      EXPECT_TRUE(s.timeStamp->valid) << s.timeStamp->problem;
      expectTsaGoodFromDss(s.timeStamp->revocation, report);
    }
    ASSERT_EQ(report.documentTimeStamps.size(), timeStamps) << describe(report);
    for (const DocumentTimeStampResult& t : report.documentTimeStamps) {
      EXPECT_TRUE(t.valid) << describe(report);
      EXPECT_NE(t.tsaSubject.find("kyso Dev TSA"), std::string::npos);
      expectTsaGoodFromDss(t.revocation, report);
    }
    // The newest time-stamp covers the /DSS in force (an earlier one covers an earlier /DSS,
    // which the later extension replaced).
    if (timeStamps > 0) {
      EXPECT_TRUE(report.documentTimeStamps.back().coversDss) << describe(report);
    }
    EXPECT_EQ(offline.calls(), 0) << describe(report);
  }

  void expectTsaGoodFromDss(const std::vector<RevocationEvidence>& evidence, const VerificationReport& report) const {
    ASSERT_EQ(evidence.size(), 2u) << describe(report);  // the TSA and the issuing CA
    EXPECT_EQ(evidence[0].certificateSerialHex, pki().tsa().certificate().serialHex());
    for (const RevocationEvidence& e : evidence) {
      EXPECT_EQ(e.status, RevocationStatus::Good) << describe(report);
      EXPECT_EQ(e.source, "dss") << describe(report);
    }
  }

  // The peers: pdfsig (every CAdES signature valid; poppler 22.12 lists a document time-stamp but
  // cannot validate /SubFilter /ETSI.RFC3161: "Signature Type: unknown", "not yet been verified"),
  // openssl cms -verify over the byte range of each CAdES signature, openssl ts -verify of each
  // document time-stamp over its byte range, qpdf --check.
  void expectPeersAccept(const std::string& pdf, int signatures, int timeStamps) {
    static int counter = 0;
    const auto path = files / ("doc" + std::to_string(++counter) + ".pdf");
    test::writeFile(path, pdf);
    const test::PeerVerdict v = test::checkWithPeers(path, pki().rootCa());
    const auto count = [&](const std::string& needle) {
      int n = 0;
      for (auto at = v.pdfsigOutput.find(needle); at != std::string::npos; at = v.pdfsigOutput.find(needle, at + 1))
        ++n;
      return n;
    };
    EXPECT_EQ(v.signatures, signatures + timeStamps) << v.pdfsigOutput;
    EXPECT_EQ(count("Signature Type: ETSI.CAdES.detached"), signatures) << v.pdfsigOutput;
    EXPECT_EQ(v.validSignatures, signatures) << v.pdfsigOutput;
    EXPECT_EQ(count("Signature Field Name: DocTimeStamp"), timeStamps) << v.pdfsigOutput;
    EXPECT_EQ(v.pdfsigOutput.find("Signature is Invalid"), std::string::npos) << v.pdfsigOutput;
    EXPECT_EQ(v.pdfsigOutput.find("Digest Mismatch"), std::string::npos) << v.pdfsigOutput;
    // The last document time-stamp covers the whole file; a B-LT file has none that does.
    EXPECT_EQ(count("Total document signed"), timeStamps > 0 ? 1 : 0) << v.pdfsigOutput;
    int tokens = 0;
    int cades = 0;
    for (const test::EmbeddedSignature& s : test::embeddedSignatures(pdf)) {
      if (isTimeStampToken(s.cms)) {
        ++tokens;
        const auto verified = test::opensslVerifyToken(s.cms, pki::sha256(asBytes(s.signedBytes)), pki());
        EXPECT_EQ(verified.exitCode, 0) << verified.output;
        EXPECT_NE(verified.output.find("Verification: OK"), std::string::npos) << verified.output;
      } else {
        ++cades;
      }
    }
    EXPECT_EQ(cades, signatures);
    EXPECT_EQ(tokens, timeStamps);
    // openssl cms -verify checks detached signatures only: the tokens carry their content.
    EXPECT_EQ(v.opensslVerified, signatures) << v.problems;
    const test::QpdfCheck q = test::qpdfCheck(path);
    EXPECT_EQ(q.exitCode, 0) << ::testing::PrintToString(q.warnings);
    EXPECT_TRUE(q.warnings.empty()) << ::testing::PrintToString(q.warnings);
  }

  // An RFC 3161 token is SignedData over id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4).
  static bool isTimeStampToken(const Bytes& cms) {
    static const Bytes tstInfo = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04};
    const auto head = cms.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(cms.size(), 64));
    return std::search(cms.begin(), head, tstInfo.begin(), tstInfo.end()) != head;
  }

  // The /VRI keys written in the file (EN 319 142-1 §5.4.2.2: upper-case hex SHA-1, 40 digits).
  static std::set<std::string> vriKeys(const std::string& pdf) {
    std::set<std::string> out;
    static const std::regex key(R"(/([0-9A-F]{40})\s*<<)");
    for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), key); it != std::sregex_iterator(); ++it) {
      out.insert((*it)[1]);
    }
    return out;
  }
  // The expected key of each signature: SHA-1 of the bytes of its /Contents, padding included.
  static std::string expectedVriKey(const std::string& pdf, const test::EmbeddedSignature& s) {
    const auto open = static_cast<std::size_t>(s.byteRange[1]);
    const Bytes contents = fromHex(pdf.substr(open + 1, static_cast<std::size_t>(s.byteRange[2]) - open - 2));
    unsigned char sha1[20];
    unsigned int size = 0;
    EVP_Digest(contents.data(), contents.size(), sha1, &size, EVP_sha1(), nullptr);
    return toHex(ByteView(sha1, size), true);
  }
};

TEST_F(LongTerm, SignBLT_Invisible_DssServesRevocationOffline) {
  const std::string original = onePage();
  const std::string pdf = signAt(original, PadesLevel::B_LT);
  EXPECT_EQ(pdf.substr(0, original.size()), original);
  expectLongTerm(pdf, SignatureLevel::B_LT, 1, 0);
  expectPeersAccept(pdf, 1, 0);
  // One /VRI entry, keyed by the signature's /Contents.
  const auto signatures = test::embeddedSignatures(pdf);
  ASSERT_EQ(signatures.size(), 1u);
  EXPECT_EQ(vriKeys(pdf), std::set<std::string>{expectedVriKey(pdf, signatures[0])});
  EXPECT_NE(pdf.find("/Type /DSS"), std::string::npos);
}

TEST_F(LongTerm, SignBLTA_Visible_DocumentTimeStampCoversTheDss) {
  const std::string pdf = signAt(onePage(), PadesLevel::B_LTA, true);
  expectLongTerm(pdf, SignatureLevel::B_LTA, 1, 1);
  expectPeersAccept(pdf, 1, 1);
  EXPECT_NE(pdf.find("/Type /DocTimeStamp"), std::string::npos);
  EXPECT_NE(pdf.find("/SubFilter /ETSI.RFC3161"), std::string::npos);
  const VerificationReport report = verifyOffline(pdf);
  ASSERT_EQ(report.documentTimeStamps.size(), 1u);
  EXPECT_EQ(report.documentTimeStamps[0].fieldName, "DocTimeStamp1");
  EXPECT_TRUE(report.documentTimeStamps[0].coverage.wholeDocument);
  EXPECT_EQ(report.documentTimeStamps[0].coverage.revision, report.revisions);
}

TEST_F(LongTerm, SecondSignatureOnASignedPdf_BothReachBLTA) {
  const std::string first = signAt(onePage(), PadesLevel::B_T);
  const std::string pdf = signAt(first, PadesLevel::B_LTA, true);
  EXPECT_EQ(pdf.substr(0, first.size()), first);
  expectLongTerm(pdf, SignatureLevel::B_LTA, 2, 1);
  expectPeersAccept(pdf, 2, 1);
  const auto signatures = test::embeddedSignatures(pdf);
  ASSERT_EQ(signatures.size(), 3u);
  // Both signatures have their /VRI entry; the document time-stamp came after the DSS.
  const auto keys = vriKeys(pdf);
  EXPECT_TRUE(keys.contains(expectedVriKey(pdf, signatures[0])));
  EXPECT_TRUE(keys.contains(expectedVriKey(pdf, signatures[1])));
}

TEST_F(LongTerm, XrefStreamInput_StaysValidAsBLTA) {
  // Object streams and an xref stream (the case PoDoFo 0.9.8's WriteUpdate breaks).
  const std::string original = test::readFile(test::corpusPdf("qpdf_qtest_qpdf_big-ostream.pdf"));
  const std::string pdf = signAt(original, PadesLevel::B_LTA);
  EXPECT_EQ(pdf.substr(0, original.size()), original);
  EXPECT_NE(pdf.find("/Type /XRef", original.size()), std::string::npos);
  expectLongTerm(pdf, SignatureLevel::B_LTA, 1, 1);
  expectPeersAccept(pdf, 1, 1);
}

TEST_F(LongTerm, ExtendingAnExtendedFile_AddsATimeStampAndKeepsEverythingValid) {
  const std::string once = signAt(onePage(), PadesLevel::B_LTA);
  LtvResult result;
  const std::string twice = extend(once, LtvLevel::B_LTA, &result);
  EXPECT_EQ(twice.substr(0, once.size()), once);
  EXPECT_EQ(result.signatures, std::vector<std::string>{"Signature1"});
  // The first document time-stamp's TSA data is now in the DSS too.
  EXPECT_EQ(result.documentTimeStamps, std::vector<std::string>{"DocTimeStamp1"});
  EXPECT_EQ(result.timeStampField, "DocTimeStamp2");
  expectLongTerm(twice, SignatureLevel::B_LTA, 1, 2);
  EXPECT_FALSE(verifyOffline(twice).documentTimeStamps[0].coversDss);
  expectPeersAccept(twice, 1, 2);
  EXPECT_EQ(vriKeys(twice).size(), 2u);  // the signature and the first document time-stamp
}

TEST_F(LongTerm, ExtendBT_ToBLT_ThenBLTA) {
  const std::string bt = signAt(onePage(), PadesLevel::B_T);
  EXPECT_EQ(verifyOffline(bt).indication, Indication::Indeterminate);  // no DSS, no network
  const std::string lt = extend(bt, LtvLevel::B_LT);
  const int before = offline.calls();
  EXPECT_GT(before, 0);
  const std::string lta = extend(lt, LtvLevel::B_LTA);
  const VerificationReport report = verifyOffline(lta);
  EXPECT_EQ(offline.calls(), before) << describe(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].level, SignatureLevel::B_LTA) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  expectPeersAccept(lta, 1, 1);
}

TEST_F(LongTerm, ExpiredSigner_PassesWithTimeStampAndDssData) {
  // A certificate valid for two hours, used at once; the file is verified a day later.
  pki::LocalCaOptions options = core->issuingCa()->options();
  options.certificateLifetime = hours(2);
  const auto index = store::certificateRegister(core->store().certificates());
  pki::LocalCertificateAuthority ca(
      pki().issuingCa(), [this] { return pki().issuingCaKey(); }, *index, clock, options);
  const auto key = pki::SoftwareKey::generate(pki::KeyAlgorithm::Ecdsa);
  const pki::CertificateSubject subject{"Nguyễn Văn An", {"CCCD:001085012345"}, "Tỉnh Tuyên Quang", ""};
  const Bytes csr = pki::buildCertificateRequest(pki::vietnameseSubjectName(subject), key->get(), *key);
  const pki::Certificate leaf = ca.issue(pki::CertificateRequest::parse(csr), subject);
  const pki::SigningCredential shortLived{"short", key, {leaf, pki().issuingCa(), pki().rootCa()}};

  const std::string bt = signWith(onePage(), PadesLevel::B_T, shortLived);
  const std::string lt = extend(bt, LtvLevel::B_LT);
  const pki::TimePoint later = clock.now() + hours(24);
  ASSERT_LT(leaf.notAfter(), later);

  const VerificationReport report = verifyOffline(lt, later);
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(s.level, SignatureLevel::B_LT) << describe(report);
  for (const RevocationEvidence& e : s.revocation) EXPECT_EQ(e.source, "dss") << describe(report);
  EXPECT_EQ(offline.calls(), 0);

  // Without the DSS the same signature cannot be decided a day later: the responder's "good"
  // about an expired certificate proves nothing.
  VerificationPolicy online;
  const pki::FixedClock when{later};
  online.trustAnchors = {pki().rootCa()};
  online.clock = &when;
  online.revocationFetcher = core->verification().policy().revocationFetcher;
  const VerificationReport without = verifyPdf(PdfInput::fromMemory(bt), online);
  ASSERT_EQ(without.signatures.size(), 1u);
  EXPECT_EQ(without.signatures[0].indication, Indication::Indeterminate) << describe(without);
}

TEST_F(LongTerm, AlteredAfterTheDocumentTimeStamp_TimeStampInvalidAndLevelBLT) {
  std::string pdf = signAt(onePage(), PadesLevel::B_LTA);
  // A byte the document time-stamp covers (its field's name), the signature's own range untouched.
  const auto at = pdf.rfind("(DocTimeStamp1)");
  ASSERT_NE(at, std::string::npos);
  pdf[at + 13] = '9';
  const VerificationReport report = verifyOffline(pdf);
  ASSERT_EQ(report.documentTimeStamps.size(), 1u) << describe(report);
  EXPECT_FALSE(report.documentTimeStamps[0].valid);
  EXPECT_NE(report.documentTimeStamps[0].problem.find("does not match the bytes it covers"), std::string::npos)
      << report.documentTimeStamps[0].problem;
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(report.signatures[0].level, SignatureLevel::B_LT) << describe(report);
}

TEST_F(LongTerm, ExtendUnsignedPdf_PdfNotSigned) {
  const auto e = test::expectThrow<DocumentError>([&] { extend(onePage(), LtvLevel::B_LT); });
  EXPECT_EQ(e.code(), "pdf_not_signed");
}

TEST_F(LongTerm, ExtendUntrustedSignature_PdfNotExtendable) {
  const pki::DevPki& other = test::devPki(pki::KeyAlgorithm::Ecdsa);
  const std::string pdf = signWith(onePage(), PadesLevel::B_T, other.seal());
  const auto e = test::expectThrow<DocumentError>([&] { extend(pdf, LtvLevel::B_LTA); });
  EXPECT_EQ(e.code(), "pdf_not_extendable");
  EXPECT_NE(std::string(e.what()).find("Signature1"), std::string::npos) << e.what();
}

TEST_F(LongTerm, DssRevocation_RevokedBeforeExtension_FailsOffline) {
  // The DSS proves what it holds: an OCSP "revoked" answer makes the signature fail offline too.
  const std::string bb = signAt(onePage(), PadesLevel::B_T);
  core->issuingCa()->revoke(seal().certificate().serialHex(), pki::RevocationReason::KeyCompromise);
  const std::string lt = extend(bb, LtvLevel::B_LT);
  const VerificationReport report = verifyOffline(lt);
  ASSERT_EQ(report.signatures.size(), 1u);
  ASSERT_FALSE(report.signatures[0].revocation.empty());
  EXPECT_EQ(report.signatures[0].revocation[0].status, RevocationStatus::Revoked) << describe(report);
  EXPECT_EQ(report.signatures[0].revocation[0].source, "dss");
  EXPECT_EQ(offline.calls(), 0);
}

TEST_F(LongTerm, TsaRevokedBeforeTheTimeStamp_DssShowsIt_SignatureLevelBB) {
  // The /DSS holds the answer that the time-stamping authority was revoked: offline, the signature
  // time-stamp proves nothing, and the signature stands at B-B.
  ASSERT_TRUE(core->issuingCa()->revoke(pki().tsa().certificate().serialHex(), pki::RevocationReason::KeyCompromise));
  clock.set(clock.now() + minutes(5));
  const std::string lt = extend(signAt(onePage(), PadesLevel::B_T), LtvLevel::B_LT);
  const VerificationReport report = verifyOffline(lt);
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(s.level, SignatureLevel::B_B) << describe(report);
  ASSERT_TRUE(s.timeStamp);
  EXPECT_FALSE(s.timeStamp->valid);
  EXPECT_NE(s.timeStamp->problem.find("the time-stamping authority's certificate"), std::string::npos)
      << s.timeStamp->problem;
  ASSERT_FALSE(s.timeStamp->revocation.empty());
  EXPECT_EQ(s.timeStamp->revocation[0].status, RevocationStatus::Revoked);
  EXPECT_EQ(s.timeStamp->revocation[0].source, "dss");
  EXPECT_EQ(offline.calls(), 0);
}

// --- HTTP and CLI ------------------------------------------------------------------------------

TEST_F(LongTerm, Http_SignAndExtend) {
  const std::string key = service->key(api::Role::Signer, "ltv");
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + key}};
  auto answer = test::http(port, "POST", "/v1/sign/pdf?level=B-LTA", onePage(), "application/pdf", auth);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("X-Kyso-Level"), "B-LTA");
  EXPECT_EQ(answer.header("X-Kyso-Document-Sha256"), toHex(pki::sha256(asBytes(answer.body))));
  expectLongTerm(answer.body, SignatureLevel::B_LTA, 1, 1);

  answer = test::http(port, "POST", "/v1/extend/pdf?level=B-LT", signAt(onePage(), PadesLevel::B_T), "application/pdf",
                      auth);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("X-Kyso-Level"), "B-LT");
  EXPECT_EQ(answer.header("X-Kyso-Extended-Signatures"), "Signature1");
  expectLongTerm(answer.body, SignatureLevel::B_LT, 1, 0);

  // The verification report lists the document time-stamps.
  const auto lta = test::http(port, "POST", "/v1/extend/pdf", answer.body, "application/pdf", auth);
  ASSERT_EQ(lta.status, 200) << lta.body;
  EXPECT_EQ(lta.header("X-Kyso-Timestamp-Field"), "DocTimeStamp1");
  const auto verified = test::http(port, "POST", "/v1/verify", lta.body, "application/pdf");
  ASSERT_EQ(verified.status, 200) << verified.body;
  const auto report = test::json(verified.body);
  EXPECT_EQ(report->getArray("signatures")->getObject(0)->getValue<std::string>("level"), "B-LTA") << verified.body;
  const auto timeStamps = report->getArray("document_timestamps");
  ASSERT_EQ(timeStamps->size(), 1u) << verified.body;
  EXPECT_TRUE(timeStamps->getObject(0)->getValue<bool>("valid"));
  EXPECT_TRUE(timeStamps->getObject(0)->getValue<bool>("covers_dss"));

  answer = test::http(port, "POST", "/v1/extend/pdf", onePage(), "application/pdf", auth);
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(test::errorCode(answer), "pdf_not_signed");
  answer = test::http(port, "POST", "/v1/extend/pdf?level=B-T", onePage(), "application/pdf", auth);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(test::errorCode(answer), "invalid_level");
  answer = test::http(port, "POST", "/v1/extend/pdf", "%PDF-1.7 nonsense", "application/pdf", auth);
  EXPECT_EQ(answer.status, 422) << answer.body;
  answer = test::http(port, "POST", "/v1/extend/pdf", onePage(), "application/pdf");
  EXPECT_EQ(answer.status, 401) << answer.body;
}

// POST /v1/sign/pdf?level=B-LT: one request signs, time-stamps and adds the /DSS; no document
// time-stamp. The peers accept it and kyso verifies it offline at B-LT.
TEST_F(LongTerm, Http_SignBLT_DssWithoutDocumentTimeStamp) {
  const std::string key = service->key(api::Role::Signer, "ltv");
  const auto answer = test::http(port, "POST", "/v1/sign/pdf?level=B-LT", onePage(), "application/pdf",
                                 {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("X-Kyso-Level"), "B-LT");
  EXPECT_EQ(answer.header("X-Kyso-Document-Sha256"), toHex(pki::sha256(asBytes(answer.body))));
  expectLongTerm(answer.body, SignatureLevel::B_LT, 1, 0);
  expectPeersAccept(answer.body, 1, 0);
  const auto signatures = test::embeddedSignatures(answer.body);
  ASSERT_EQ(signatures.size(), 1u);
  EXPECT_EQ(vriKeys(answer.body), std::set<std::string>{expectedVriKey(answer.body, signatures[0])});
}

// The signer's CA names revocation sources that do not answer (the development PKI was made when
// this service had another public URL, 127.0.0.1:1, where nothing listens): a long-term signature
// cannot prove the signer's status, so B-LT and B-LTA are refused with 503 revocation_unavailable
// rather than written half-extended; B-T needs no revocation data and is signed.
TEST(LongTermUnavailable, Http_SignBLT_RevocationSourcesUnreachable_503RevocationUnavailable) {
  test::TempDir data;
  const std::map<std::string, std::string> settings = {{"pki.dev.algorithm", "ec"},
                                                       {"data_dir", (data / "var").string()}};
  {
    test::TestServiceOptions before{.settings = settings};
    before.settings["public_url"] = "http://127.0.0.1:1";
    const test::TestService earlier(std::move(before));
  }
  test::TestService service(test::TestServiceOptions{.settings = settings, .publicUrlIsThisServer = true});
  const std::map<std::string, std::string> auth = {
      {"Authorization", "Bearer " + service.key(api::Role::Signer, "ltv")}};
  const std::string pdf = test::buildPdf(test::onePageObjects());
  for (const std::string level : {"B-LT", "B-LTA"}) {
    const auto answer = test::http(service.port(), "POST", "/v1/sign/pdf?level=" + level, pdf, "application/pdf", auth);
    EXPECT_EQ(answer.status, 503) << level << ": " << answer.body;
    EXPECT_EQ(test::errorCode(answer), "revocation_unavailable") << answer.body;
    EXPECT_NE(answer.body.find("cannot be obtained"), std::string::npos) << answer.body;
  }
  const auto timeStamped = test::http(service.port(), "POST", "/v1/sign/pdf?level=B-T", pdf, "application/pdf", auth);
  EXPECT_EQ(timeStamped.status, 200) << timeStamped.body;
  EXPECT_EQ(timeStamped.header("X-Kyso-Level"), "B-T");
}

TEST_F(LongTerm, Cli_SignBLTAndExtendToBLTA) {
  const auto config = service->dir().path() / "kyso.properties";
  test::writeFile(config, "public_url=" + publicUrl + "\npki.dev.algorithm=ec\nlog.level=none\n");
  const auto kyso = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {(test::binDir() / "kyso").string(), "--data-dir", dataDir().string(), "--config",
                                     config.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, {}, 60);
  };
  const auto in = files / "in.pdf";
  test::writeFile(in, onePage());
  auto r = kyso({"sign", "pdf", in.string(), (files / "lt.pdf").string(), "--level", "B-LT"});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("(B-LT, key seal"), std::string::npos) << r.output;
  r = kyso({"extend", "pdf", (files / "lt.pdf").string(), (files / "lta.pdf").string()});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("B-LTA"), std::string::npos) << r.output;
  expectLongTerm(test::readFile(files / "lta.pdf"), SignatureLevel::B_LTA, 1, 1);
  r = kyso({"verify", (files / "lta.pdf").string()});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("Signature1: TOTAL_PASSED, B-LTA"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("revocation good (dss)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DocTimeStamp1: document time-stamp of "), std::string::npos) << r.output;
  r = kyso({"extend", "pdf", in.string(), (files / "x.pdf").string()});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("pdf_not_signed"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace kyso::signer
