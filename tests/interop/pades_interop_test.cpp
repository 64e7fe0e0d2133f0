// Signed PDFs checked by tools nobody on the team wrote: poppler's pdfsig (NSS), openssl cms over
// the byte range, openssl ts for the time-stamp, qpdf --check for the file structure.
#include <gtest/gtest.h>

#include "kyso/error.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/cades.h"
#include "kyso/signer/pades_signer.h"
#include "pdf_builder.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

class PadesInterop : public ::testing::Test {
 protected:
  const pki::DevPki& pki = test::devPki();
  std::shared_ptr<pki::TimeStampAuthority> tsa = std::make_shared<pki::TimeStampAuthority>(
      pki.tsaKey(), pki.tsa().chain, "2.999.7.1", pki::SystemClock::instance());
  PadesSigner signer{std::make_shared<pki::TimeStampClient>(pki::inProcessTransport(tsa),
                                                            std::vector<pki::Certificate>{pki.rootCa()})};
  test::TempDir dir;

  std::filesystem::path sign(const std::filesystem::path& in, const std::string& outName, PadesLevel level,
                             const pki::SigningCredential& credential, PdfSignatureFields fields = {}) {
    fields.signingTime = pki::SystemClock::instance().now();
    const auto out = dir / outName;
    FilePdfOutput output(out);
    PadesOptions options;
    options.level = level;
    options.fields = fields;
    signer.sign(PdfInput::fromFile(in, 1u << 30), output, credential, options);
    output.commit();
    return out;
  }

  void expectAllValid(const std::filesystem::path& pdf, int signatures, const pki::Certificate& root) {
    const test::PeerVerdict v = test::checkWithPeers(pdf, root);
    EXPECT_EQ(v.signatures, signatures) << v.pdfsigOutput;
    EXPECT_EQ(v.validSignatures, signatures) << v.pdfsigOutput;
    // poppler 22.12's pdfsig trusts only the first certificate it validates in a run (it answers
    // "Unknown issue" for the rest, also for documents pdfsig signed twice itself); the chain of
    // every signature is checked by openssl cms -verify against the same root below.
    EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, signatures) << v.problems;
    EXPECT_TRUE(v.noSigningTime);
    const test::QpdfCheck q = test::qpdfCheck(pdf);
    EXPECT_EQ(q.exitCode, 0) << ::testing::PrintToString(q.warnings);
  }
};

TEST_F(PadesInterop, BaselineBPassesEveryPeer) {
  const auto out = sign(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), "bb.pdf", PadesLevel::B_B, pki.seal());
  expectAllValid(out, 1, pki.rootCa());
  const test::PeerVerdict v = test::checkWithPeers(out, pki.rootCa());
  EXPECT_NE(v.pdfsigOutput.find("Signature Type: ETSI.CAdES.detached"), std::string::npos);
  EXPECT_NE(v.pdfsigOutput.find("Total document signed"), std::string::npos);
  EXPECT_NE(v.pdfsigOutput.find("UID=MST:0101234565"), std::string::npos);
}

TEST_F(PadesInterop, BaselineTTokenPassesOpensslTs) {
  const auto out = sign(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), "bt.pdf", PadesLevel::B_T, pki.seal());
  expectAllValid(out, 1, pki.rootCa());
  const auto signatures = test::embeddedSignatures(test::readFile(out));
  ASSERT_EQ(signatures.size(), 1u);
  const auto token = test::signatureTimeStampToken(signatures[0].cms);
  ASSERT_TRUE(token);
  // RFC 3161 appendix A: the token covers the signature value.
  const Bytes imprint = pki::sha256(test::signatureValue(signatures[0].cms));
  const auto verify = test::opensslVerifyToken(*token, imprint, pki);
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
  EXPECT_NE(verify.output.find("Verification: OK"), std::string::npos);
}

TEST_F(PadesInterop, SecondAndThirdSignaturesKeepTheFirstValid) {
  const auto one = sign(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), "1.pdf", PadesLevel::B_T, pki.seal());
  const auto two = sign(one, "2.pdf", PadesLevel::B_B, pki.seal());
  const auto three = sign(two, "3.pdf", PadesLevel::B_T, pki.seal());
  expectAllValid(three, 3, pki.rootCa());
  EXPECT_EQ(test::readFile(three).substr(0, std::filesystem::file_size(one)), test::readFile(one));
}

TEST_F(PadesInterop, XrefStreamInputsStayValidThroughSeveralSignatures) {
  // Object streams and an xref stream: the case PoDoFo 0.9.8's WriteUpdate breaks (podofo/podofo#4).
  for (const char* name : {"qpdf_qtest_qpdf_big-ostream.pdf", "qpdf_qtest_qpdf_c-decrypt-R6-with-owner.pdf"}) {
    SCOPED_TRACE(name);
    const auto one = sign(test::corpusPdf(name), std::string("x1-") + name, PadesLevel::B_B, pki.seal());
    const auto two = sign(one, std::string("x2-") + name, PadesLevel::B_T, pki.seal());
    expectAllValid(two, 2, pki.rootCa());
    EXPECT_NE(test::readFile(two).find("/Type /XRef", std::filesystem::file_size(one)), std::string::npos);
  }
}

TEST_F(PadesInterop, EcdsaKeysSignToo) {
  const auto& ec = test::devPki(pki::KeyAlgorithm::Ecdsa);
  const auto out = sign(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), "ec.pdf", PadesLevel::B_B, ec.seal());
  expectAllValid(out, 1, ec.rootCa());
}

TEST_F(PadesInterop, VietnameseTextSurvivesInTheSignatureDictionary) {
  PdfSignatureFields fields;
  fields.reason = "Phê duyệt kết quả giải quyết thủ tục hành chính";
  fields.location = "Trung tâm Phục vụ hành chính công, Đà Lạt";
  fields.contactInfo = "mot-cua@example.gov.vn";
  const auto out = sign(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), "vi.pdf", PadesLevel::B_B, pki.seal(), fields);
  expectAllValid(out, 1, pki.rootCa());
  // qpdf decodes text strings to UTF-8 in its JSON ("u:" prefix).
  const auto json = test::run({"/usr/bin/qpdf", "--json", "--json-key=qpdf", out.string()});
  ASSERT_EQ(json.exitCode, 0) << json.output;
  EXPECT_NE(json.output.find("u:Phê duyệt kết quả giải quyết thủ tục hành chính"), std::string::npos);
  EXPECT_NE(json.output.find("u:Trung tâm Phục vụ hành chính công, Đà Lạt"), std::string::npos);
  EXPECT_NE(json.output.find("mot-cua@example.gov.vn"), std::string::npos);
}

TEST_F(PadesInterop, GeneratedDocumentWithFormFieldsStaysValid) {
  auto objects = test::onePageObjects();
  objects[0] = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>";
  objects[2] = objects[2].substr(0, objects[2].size() - 2) + " /Annots [6 0 R] >>";
  objects.push_back(
      "<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V (Nguyen Van A) /Rect [72 600 300 620] "
      "/P 3 0 R /F 4 >>");
  test::writeFile(dir / "form.pdf", test::buildPdf(objects));
  const auto out = sign(dir / "form.pdf", "form-signed.pdf", PadesLevel::B_T, pki.seal());
  expectAllValid(out, 1, pki.rootCa());
}

// Signing reads a large catalog and a flat page tree compactly (ParsedPdf::Reading::ForSigning):
// the catalog it rewrites (here to add /AcroForm) must carry the values it did not parse unchanged.
TEST_F(PadesInterop, LargeCatalogIsRewrittenWithItsUnparsedValuesIntact) {
  const test::LargeDocument doc = test::largeDocument(700);
  test::writeFile(dir / "large.pdf", doc.pdf);
  const auto out = sign(dir / "large.pdf", "large-signed.pdf", PadesLevel::B_B, pki.seal());
  expectAllValid(out, 1, pki.rootCa());

  // The update holds the /PageLabels source text byte for byte.
  const std::string signedPdf = test::readFile(out);
  ASSERT_GT(signedPdf.size(), doc.pdf.size());
  EXPECT_NE(signedPdf.find(doc.pageLabels, doc.pdf.size()), std::string::npos);
  // And qpdf reads the signed catalog's labels as the original's, now with the form added.
  const auto labels = [](const std::string& catalog) {
    const std::size_t from = catalog.find("/PageLabels");
    return from == std::string::npos ? std::string() : catalog.substr(from, catalog.find("/Pages ", from) - from);
  };
  const test::ProcessResult before = test::run({"qpdf", "--show-object=1", (dir / "large.pdf").string()});
  const test::ProcessResult after = test::run({"qpdf", "--show-object=1", out.string()});
  ASSERT_EQ(after.exitCode, 0) << after.output;
  EXPECT_FALSE(labels(before.output).empty());
  EXPECT_EQ(labels(after.output), labels(before.output));
  EXPECT_NE(after.output.find("/AcroForm"), std::string::npos);
  EXPECT_EQ(test::run({"qpdf", "--show-npages", out.string()}).output, "700\n");
}

// From 1 MB the original is hashed and copied into the output (copy_file_range) on threads of their
// own while the document is parsed: the output must still start with the original, byte for byte,
// and verify.
TEST_F(PadesInterop, LargeFileIsCopiedBesideHashingAndStaysValid) {
  auto objects = test::onePageObjects();
  std::string filler(3u << 19, '\0');  // 1.5 MB of stream data no page shows
  std::uint32_t state = 2463534242u;
  for (char& c : filler) {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    c = static_cast<char>(state);
  }
  objects.push_back("<< /Length " + std::to_string(filler.size()) + " >>\nstream\n" + filler + "\nendstream");
  const std::string original = test::buildPdf(objects);
  ASSERT_GT(original.size(), 1u << 20);
  test::writeFile(dir / "big.pdf", original);
  const auto out = sign(dir / "big.pdf", "big-signed.pdf", PadesLevel::B_T, pki.seal());
  expectAllValid(out, 1, pki.rootCa());
  const std::string signedPdf = test::readFile(out);
  EXPECT_EQ(signedPdf.compare(0, original.size(), original), 0);
}

// A large file that is not a signable PDF is refused while its early pass (hash and copy on their
// own threads) is still running: the error is the parser's, and nothing is left behind.
TEST_F(PadesInterop, LargeDamagedFileIsRefusedAndLeavesNothing) {
  std::string damaged = "%PDF-1.7\n" + std::string(3u << 19, 'x') + "\nstartxref\n999999999\n%%EOF\n";
  test::writeFile(dir / "damaged.pdf", damaged);
  try {
    sign(dir / "damaged.pdf", "damaged-signed.pdf", PadesLevel::B_B, pki.seal());
    ADD_FAILURE() << "a damaged file was signed";
  } catch (const DocumentError& e) {
    EXPECT_EQ(e.code(), "pdf_damaged") << e.what();
  }
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) left.push_back(entry.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{"damaged.pdf"});
}

// A time-stamp source that reserves less room than its tokens take (a misconfigured or lying
// one): the finished signature cannot fit, and signing fails before any file appears.
class UnderReportingTimeStamps final : public pki::TimeStampSource {
 public:
  explicit UnderReportingTimeStamps(std::shared_ptr<pki::TimeStampSource> real) : real_(std::move(real)) {}
  Bytes timeStamp(pki::DigestAlgorithm algorithm, ByteView digest) override {
    return real_->timeStamp(algorithm, digest);
  }
  std::size_t maxTokenSize() const override { return 64; }

 private:
  std::shared_ptr<pki::TimeStampSource> real_;
};

TEST_F(PadesInterop, ASignatureLargerThanItsReservedRoomIsRefused) {
  PadesSigner cramped{std::make_shared<UnderReportingTimeStamps>(std::make_shared<pki::TimeStampClient>(
      pki::inProcessTransport(tsa), std::vector<pki::Certificate>{pki.rootCa()}))};
  const auto in = test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf");
  const auto out = dir / "cramped.pdf";
  PadesOptions options;
  options.level = PadesLevel::B_T;
  options.fields.signingTime = pki::SystemClock::instance().now();
  const auto error = test::expectThrow<InternalError>([&] {
    FilePdfOutput output(out);
    cramped.sign(PdfInput::fromFile(in, 1u << 30), output, pki.seal(), options);
    output.commit();
  });
  EXPECT_EQ(error.code(), "signature_too_large");
  EXPECT_FALSE(std::filesystem::exists(out));
  // B-B takes no token: the same signer fits it.
  options.level = PadesLevel::B_B;
  FilePdfOutput output(out);
  cramped.sign(PdfInput::fromFile(in, 1u << 30), output, pki.seal(), options);
  output.commit();
  expectAllValid(out, 1, pki.rootCa());
}

}  // namespace
}  // namespace kyso::signer
