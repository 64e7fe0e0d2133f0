#include <gtest/gtest.h>

#include <regex>

#include "kyso/error.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/signer/pdf_signature.h"
#include "pdf_builder.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

const pki::TimePoint kTime = pki::parseIso8601("2026-11-27T09:15:00+07:00");

PreparedPdfSignature prepare(const std::string& pdf, MemoryPdfOutput& out, PdfSignatureFields fields = {},
                             std::size_t capacity = 8192) {
  fields.signingTime = kTime;
  return preparePdfSignature(PdfInput::fromMemory(pdf), out, fields, capacity);
}

std::string errorCode(const std::string& pdf) {
  MemoryPdfOutput out;
  try {
    prepare(pdf, out);
  } catch (const Error& e) {
    return e.code();
  }
  return "accepted";
}

TEST(PreparePdfSignature, OriginalBytesStayAndTheRangeSkipsOnlyContents) {
  const std::string pdf = test::buildPdf(test::onePageObjects());
  MemoryPdfOutput out;
  const PreparedPdfSignature p = prepare(pdf, out);
  const std::string& bytes = out.bytes();
  ASSERT_GT(bytes.size(), pdf.size());
  EXPECT_EQ(bytes.substr(0, pdf.size()), pdf);
  EXPECT_EQ(p.byteRange[0], 0u);
  EXPECT_EQ(p.byteRange[1], p.contentsOffset);
  EXPECT_EQ(bytes[p.byteRange[1]], '<');
  EXPECT_EQ(bytes[p.byteRange[2] - 1], '>');
  EXPECT_EQ(p.byteRange[2] - p.byteRange[1], 2 * p.contentsCapacity + 2);
  EXPECT_EQ(p.byteRange[2] + p.byteRange[3], bytes.size());
  const std::string covered = bytes.substr(0, p.byteRange[1]) + bytes.substr(p.byteRange[2]);
  EXPECT_EQ(p.documentDigest, pki::sha256(asBytes(covered)));
  // The dictionary says the same as the result.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(bytes, m, std::regex(R"(/ByteRange \[0 (\d+) (\d+) (\d+) *\])")));
  EXPECT_EQ(std::stoull(m[1]), p.byteRange[1]);
  EXPECT_EQ(std::stoull(m[3]), p.byteRange[3]);
}

TEST(PreparePdfSignature, DictionaryHasThePadesEntries) {
  MemoryPdfOutput out;
  PdfSignatureFields fields;
  fields.reason = "Phê duyệt kết quả thủ tục";
  fields.location = "Hà Nội";
  fields.signerName = "Trung tâm";
  prepare(test::buildPdf(test::onePageObjects()), out, fields);
  const std::string& bytes = out.bytes();
  EXPECT_NE(bytes.find("/SubFilter /ETSI.CAdES.detached"), std::string::npos);
  EXPECT_NE(bytes.find("/M (D:20261127091500+07'00')"), std::string::npos);
  // Non-ASCII text as UTF-16BE hex strings with a byte order mark (ISO 32000-1 §7.9.2.2).
  EXPECT_NE(bytes.find("/Name <FEFF005400720075006E00670020007400E2006D>"), std::string::npos);
  EXPECT_NE(bytes.find("/Reason <FEFF0050006800EA00200064007500791EC70074"), std::string::npos);
  EXPECT_NE(bytes.find("/Location <FEFF004800E00020004E1ED90069>"), std::string::npos);
  EXPECT_NE(bytes.find("/SigFlags 3"), std::string::npos);
  EXPECT_NE(bytes.find("/F 4"), std::string::npos);  // print, not hidden
  EXPECT_NE(bytes.find("/FT /Sig"), std::string::npos);
  EXPECT_NE(bytes.find("/Rect [ 0 0 0 0 ]"), std::string::npos);
  // Nothing between /ByteRange and /Contents (the PoDoFo 0.9.8 trap).
  EXPECT_TRUE(std::regex_search(bytes, std::regex(R"(/ByteRange \[[0-9 ]+\]\n/Contents <)")));
}

TEST(PreparePdfSignature, SamePreparationGivesTheSameBytes) {
  const std::string pdf = test::buildPdf(test::onePageObjects());
  MemoryPdfOutput a, b;
  prepare(pdf, a);
  prepare(pdf, b);
  EXPECT_EQ(a.bytes(), b.bytes());
}

TEST(PreparePdfSignature, ClassicXrefGetsAClassicUpdateLinkedByPrev) {
  const std::string pdf = test::buildPdf(test::onePageObjects(), "/ID [<0011223344556677> <0011223344556677>]");
  MemoryPdfOutput out;
  prepare(pdf, out);
  const std::string update = out.bytes().substr(pdf.size());
  const auto startxref = pdf.rfind("startxref\n") + 10;
  const std::string originalXref = pdf.substr(startxref, pdf.find('\n', startxref) - startxref);
  EXPECT_NE(update.find("\nxref\n"), std::string::npos);
  EXPECT_NE(update.find("/Prev " + originalXref), std::string::npos);
  EXPECT_NE(update.find("/ID [<0011223344556677> <"), std::string::npos);  // first half kept
  EXPECT_EQ(update.find("/Type /XRef"), std::string::npos);
  EXPECT_TRUE(update.ends_with("%%EOF\n"));
  // Only new objects and the ones that changed: signature, widget, AcroForm, catalog, page.
  static const std::regex objectHeader(R"(\d+ 0 obj\n)");
  const auto objects =
      std::distance(std::sregex_iterator(update.begin(), update.end(), objectHeader), std::sregex_iterator());
  EXPECT_EQ(objects, 5);
}

TEST(PreparePdfSignature, XrefStreamFilesGetAnXrefStreamUpdate) {
  // qpdf writes object streams and an xref stream.
  const auto input = test::corpusPdf("qpdf_qtest_qpdf_big-ostream.pdf");
  const std::string pdf = test::readFile(input);
  ASSERT_NE(pdf.find("/ObjStm"), std::string::npos);
  MemoryPdfOutput out;
  prepare(pdf, out);
  const std::string update = out.bytes().substr(pdf.size());
  EXPECT_NE(update.find("/Type /XRef"), std::string::npos);
  EXPECT_EQ(update.find("\nxref\n"), std::string::npos);
  EXPECT_NE(update.find("/Prev "), std::string::npos);
  // No compressed object is written again (podofo/podofo#4).
  EXPECT_EQ(update.find("/ObjStm"), std::string::npos);
}

TEST(PreparePdfSignature, ASecondFieldGetsTheNextName) {
  MemoryPdfOutput first, second;
  const auto p1 = prepare(test::buildPdf(test::onePageObjects()), first);
  const auto p2 = prepare(first.bytes(), second);
  EXPECT_EQ(p1.fieldName, "Signature1");
  EXPECT_EQ(p2.fieldName, "Signature2");
  MemoryPdfOutput third;
  PdfSignatureFields named;
  named.fieldName = "Signature1";
  EXPECT_THROW(prepare(second.bytes(), third, named), InputError);
}

TEST(PreparePdfSignature, ExistingAcroFormAndAnnotationsAreExtended) {
  auto objects = test::onePageObjects();
  objects[0] = "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>";
  objects[2] = objects[2].substr(0, objects[2].size() - 2) + " /Annots 7 0 R >>";
  objects.push_back("<< /Fields [8 0 R] /DA (/Helv 0 Tf 0 g) >>");
  objects.push_back("[8 0 R]");
  objects.push_back("<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /Rect [10 10 100 30] /P 3 0 R >>");
  const std::string pdf = test::buildPdf(objects);
  MemoryPdfOutput out;
  prepare(pdf, out);
  const std::string update = out.bytes().substr(pdf.size());
  EXPECT_NE(update.find("6 0 obj"), std::string::npos);  // the AcroForm, extended
  EXPECT_NE(update.find("7 0 obj"), std::string::npos);  // the Annots array, extended
  EXPECT_EQ(update.find("1 0 obj"), std::string::npos);  // catalog untouched
  EXPECT_EQ(update.find("3 0 obj"), std::string::npos);  // page untouched
  EXPECT_NE(update.find("[ 8 0 R 10 0 R ]"), std::string::npos);
  EXPECT_NE(update.find("/DA (/Helv 0 Tf 0 g)"), std::string::npos);
}

TEST(PreparePdfSignature, RefusalsCarryClearCodes) {
  EXPECT_EQ(errorCode("hello, world"), "not_a_pdf");
  EXPECT_EQ(errorCode(""), "not_a_pdf");
  const std::string good = test::buildPdf(test::onePageObjects());
  // A truncated upload has lost its cross-reference section.
  EXPECT_EQ(errorCode(good.substr(0, good.size() / 2)), "pdf_damaged");
  EXPECT_EQ(errorCode(test::readFile(test::corpusPdf("qpdf_qtest_qpdf_c-r3.pdf"))), "pdf_encrypted");
  EXPECT_EQ(errorCode(test::readFile(test::corpusPdf("qpdf_qtest_qpdf_bad32.pdf"))), "pdf_damaged");

  // An xref entry off by a few bytes: PoDoFo would accept it, other readers repair it.
  std::string shifted = good;
  const auto entry = shifted.find("0000000015 00000 n");
  ASSERT_NE(entry, std::string::npos);
  shifted.replace(entry, 10, "0000000016");
  EXPECT_EQ(errorCode(shifted), "pdf_damaged");

  auto noPages = test::onePageObjects();
  noPages[1] = "<< /Type /Pages /Kids [] /Count 0 >>";
  EXPECT_EQ(errorCode(test::buildPdf(noPages)), "pdf_malformed");

  auto loop = test::onePageObjects();
  loop[1] = "<< /Type /Pages /Kids [2 0 R] /Count 1 >>";
  EXPECT_EQ(errorCode(test::buildPdf(loop)), "pdf_malformed");
}

TEST(PreparePdfSignature, CertifiedWithNoChangesAllowedIsRefused) {
  auto objects = test::onePageObjects();
  objects[0] = "<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 6 0 R >> >>";
  objects.push_back(
      "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Reference [<< /Type /SigRef "
      "/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>] >>");
  EXPECT_EQ(errorCode(test::buildPdf(objects)), "pdf_certified_no_changes");
  objects[5] = objects[5].replace(objects[5].find("/P 1"), 4, "/P 2");
  EXPECT_EQ(errorCode(test::buildPdf(objects)), "accepted");
}

TEST(PreparePdfSignature, TextMustBeShortValidUtf8) {
  const std::string pdf = test::buildPdf(test::onePageObjects());
  MemoryPdfOutput out;
  PdfSignatureFields bad;
  bad.reason = std::string("ph\xC3", 3);
  EXPECT_THROW(prepare(pdf, out, bad), InputError);
  bad.reason = std::string(kMaxSignatureTextLength + 1, 'a');
  EXPECT_THROW(prepare(pdf, out, bad), InputError);
  bad.reason = "line\nbreak";
  EXPECT_THROW(prepare(pdf, out, bad), InputError);
  bad.reason = std::string(kMaxSignatureTextLength, 'a');
  EXPECT_NO_THROW(prepare(pdf, out, bad));
}

TEST(EmbedPdfSignature, RefusesWhatDoesNotFit) {
  MemoryPdfOutput out;
  const auto p = prepare(test::buildPdf(test::onePageObjects()), out, {}, 16);
  EXPECT_THROW(embedPdfSignature(out, p, Bytes(17, 1)), InternalError);
  embedPdfSignature(out, p, Bytes{0x30, 0x03, 0x02, 0x01, 0x05});
  EXPECT_EQ(out.bytes().substr(p.contentsOffset, 12), "<30030201050");
}

TEST(PadesSigner, BtWithoutATsaIsUnavailable) {
  const PadesSigner signer(nullptr);
  MemoryPdfOutput out;
  PadesOptions options;
  options.level = PadesLevel::B_T;
  options.fields.signingTime = pki::SystemClock::instance().now();
  const std::string pdf = test::buildPdf(test::onePageObjects());
  try {
    signer.sign(PdfInput::fromMemory(pdf), out, test::devPki().seal(), options);
    FAIL();
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "tsa_not_configured");
  }
}

TEST(PadesLevel, Parses) {
  EXPECT_EQ(parsePadesLevel("B-B"), PadesLevel::B_B);
  EXPECT_EQ(parsePadesLevel("pades-b-t"), PadesLevel::B_T);
  EXPECT_EQ(parsePadesLevel("B-LT"), PadesLevel::B_LT);
  EXPECT_EQ(parsePadesLevel("PAdES-B-LTA"), PadesLevel::B_LTA);
  EXPECT_EQ(padesLevelName(PadesLevel::B_LTA), "B-LTA");
  EXPECT_THROW(parsePadesLevel("B-LTX"), InputError);
  EXPECT_THROW(parsePadesLevel(""), InputError);
}

}  // namespace
}  // namespace kyso::signer
