// The attacks on PDF signatures of pdf-insecurity.org (Universal Signature Forgery, Incremental
// Saving, Signature Wrapping, Shadow Hide/Replace/Hide-and-Replace, Evil Annotation, Sneaky
// Signature) and DocMDP certification, each built from a document kyso signed with the
// development PKI: incremental updates are written byte by byte here, as an attacker would, and
// every case gets its verdict (or a DocumentError for a file that would need repairing), never a
// crash. The legitimate changes (a second signature, a DSS, a document time-stamp, form fill a
// certification permits, another tool's signature) keep the first signature TOTAL_PASSED.
#include <gtest/gtest.h>
#include <openssl/cms.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>

#include "kyso/error.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/software_key.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/signer/pdf_revisions.h"
#include "kyso/signer/pdf_verifier.h"
#include "offline_policy.h"
#include "pdf_builder.h"
#include "pdfsig_signer.h"
#include "report_text.h"
#include "test_images.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using test::describe;

// --- Writing incremental updates by hand (ISO 32000-1 §7.5.6) ------------------------------------

struct Update {
  std::map<std::uint32_t, std::string> objects;    // number → body ("<< ... >>" or a stream)
  std::map<std::uint32_t, std::uint64_t> repoint;  // number → offset of an existing "n 0 obj"
  std::string extraTrailer;
};

// The last match's first group, looked for in the end of `pdf` (trailers, the newest objects).
std::string lastMatch(const std::string& pdf, const std::string& pattern) {
  const std::regex re(pattern);
  std::string found;
  const auto begin = pdf.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(pdf.size(), 64 * 1024));
  for (auto it = std::sregex_iterator(begin, pdf.end(), re); it != std::sregex_iterator(); ++it) {
    found = (*it)[1].str();
  }
  if (found.empty()) throw std::runtime_error("no match for " + pattern);
  return found;
}

std::string stream(const std::string& dictionaryEntries, const std::string& data) {
  return "<< " + dictionaryEntries + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

// Appends objects, an xref table for them and a trailer linked to the previous one.
std::string appendUpdate(const std::string& pdf, const Update& update) {
  std::string out = pdf;
  if (!out.ends_with("\n")) out += '\n';
  std::map<std::uint32_t, std::uint64_t> offsets = update.repoint;
  for (const auto& [number, body] : update.objects) {
    offsets[number] = out.size();
    out += std::to_string(number) + " 0 obj\n" + body + "\nendobj\n";
  }
  const std::uint64_t previous = std::stoull(lastMatch(pdf, R"(startxref\s+(\d+))"));
  const std::uint32_t size =
      std::max<std::uint32_t>(static_cast<std::uint32_t>(std::stoul(lastMatch(pdf, R"(/Size (\d+))"))),
                              offsets.empty() ? 0 : offsets.rbegin()->first + 1);
  const std::string root = lastMatch(pdf, R"(/Root (\d+ \d+ R))");
  const std::uint64_t xref = out.size();
  out += "xref\n";
  for (const auto& [number, offset] : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010llu 00000 n\r\n", static_cast<unsigned long long>(offset));
    out += std::to_string(number) + " 1\n" + entry;
  }
  out += "trailer\n<< /Size " + std::to_string(size) + " /Root " + root + " /Prev " + std::to_string(previous) + " " +
         update.extraTrailer + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

// The body of the newest definition of object `number` (what follows "n 0 obj" up to "endobj").
std::string currentBody(const std::string& pdf, std::uint32_t number) {
  const std::string header = "\n" + std::to_string(number) + " 0 obj";
  const auto at = pdf.rfind(header);
  if (at == std::string::npos) throw std::runtime_error("no object " + std::to_string(number));
  const auto start = at + header.size();
  const auto end = pdf.find("endobj", start);
  return pdf.substr(start, end - start);
}

std::uint32_t nextNumber(const std::string& pdf) {
  return static_cast<std::uint32_t>(std::stoul(lastMatch(pdf, R"(/Size (\d+))")));
}

// A page's dictionary with one more entry in its /Annots (direct array, as kyso writes it).
std::string withAnnotation(const std::string& pageBody, std::uint32_t annotation) {
  std::string body = pageBody;
  const auto annots = body.find("/Annots");
  const std::string ref = std::to_string(annotation) + " 0 R";
  if (annots == std::string::npos) {
    body.insert(body.rfind(">>"), " /Annots [" + ref + "] ");
  } else {
    body.insert(body.find(']', annots), " " + ref);
  }
  return body;
}

// An appearance that paints a white box over the signed line and writes other words there.
std::string coveringAppearance() {
  return stream("/Type /XObject /Subtype /Form /BBox [0 0 300 40] /Resources << /Font << /F1 5 0 R >> >>",
                "q 1 1 1 rg 0 0 300 40 re f Q BT /F1 24 Tf 2 10 Td (Huy bo) Tj ET");
}

// --- The fixture -----------------------------------------------------------------------------------

class PdfAttacksTest : public ::testing::Test {
 protected:
  const pki::DevPki& pki = test::devPki();
  const pki::TimePoint now = pki::SystemClock::instance().now();
  pki::FixedClock validationClock{now + std::chrono::minutes(1)};
  PadesSigner signer{nullptr};  // B-B only: no time-stamps

  static std::string document() { return test::buildPdf(test::onePageObjects()); }

  std::string sign(const std::string& pdf, const pki::SigningCredential& credential,
                   std::optional<VisibleSignature> visible = std::nullopt) const {
    PadesOptions options;
    options.level = PadesLevel::B_B;
    options.fields.signingTime = now;
    options.fields.visible = std::move(visible);
    MemoryPdfOutput output;
    signer.sign(PdfInput::fromMemory(pdf), output, credential, options);
    return output.take();
  }
  std::string sign(const std::string& pdf) const { return sign(pdf, pki.seal()); }

  VerificationPolicy policy() const { return test::offlinePolicy(pki.rootCa(), validationClock); }
  VerificationReport verify(const std::string& pdf) const { return verifyPdf(PdfInput::fromMemory(pdf), policy()); }

  static const LaterChange* change(const SignatureResult& s, ChangeClass changeClass) {
    for (const auto& c : s.coverage.laterChanges) {
      if (c.changeClass == changeClass) return &c;
    }
    return nullptr;
  }
  static bool hasObject(const LaterChange* c, std::uint32_t n) {
    return c != nullptr && std::find(c->objects.begin(), c->objects.end(), n) != c->objects.end();
  }

  // The first signature TOTAL_FAILED, with `object` among its changes no allowed class explains.
  static void expectFailedOnObject(const VerificationReport& report, std::uint32_t object) {
    EXPECT_EQ(report.signatures.at(0).indication, Indication::TotalFailed) << describe(report);
    EXPECT_TRUE(hasObject(change(report.signatures[0], ChangeClass::Other), object)) << describe(report);
  }

  void expectVerdict(const std::string& pdf, Indication indication, SubIndication sub) const {
    const VerificationReport report = verify(pdf);
    ASSERT_FALSE(report.signatures.empty()) << describe(report);
    EXPECT_EQ(report.signatures[0].indication, indication) << describe(report);
    EXPECT_EQ(report.signatures[0].subIndication, sub) << describe(report);
  }

  static void expectDamaged(const std::string& pdf) {
    VerificationPolicy p;
    try {
      verifyPdf(PdfInput::fromMemory(pdf), p);
      FAIL() << "no DocumentError";
    } catch (const DocumentError& e) {
      EXPECT_EQ(e.code(), "pdf_damaged") << e.what();
    }
  }

  // Replaces `from` (the last occurrence) by `to` padded with spaces to the same length, so that
  // no offset moves.
  static std::string patched(std::string pdf, const std::string& from, std::string to) {
    const auto at = pdf.rfind(from);
    if (at == std::string::npos) throw std::runtime_error("nothing to patch: " + from);
    if (to.size() > from.size()) throw std::runtime_error("patch too long");
    to.append(from.size() - to.size(), ' ');
    pdf.replace(at, from.size(), to);
    return pdf;
  }
};

// --- Intact signatures and what may legitimately follow them ------------------------------------------

TEST_F(PdfAttacksTest, SecondKysoSignature_FirstStaysPassedAndNamesTheSignatureRevision) {
  const std::string once = sign(document());
  const VerificationReport report = verify(sign(once));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const SignatureResult& first = report.signatures[0];
  EXPECT_EQ(first.coverage.revision, 2u);
  ASSERT_EQ(first.coverage.laterChanges.size(), 1u) << describe(report);
  EXPECT_EQ(first.coverage.laterChanges[0].changeClass, ChangeClass::Signature);
  EXPECT_EQ(first.coverage.laterChanges[0].revision, 3u);
  EXPECT_FALSE(first.coverage.laterChanges[0].visible);
  EXPECT_TRUE(report.signatures[1].coverage.laterChanges.empty());
}

// Updates written as cross-reference streams (kyso follows the original's kind): the new xref
// stream objects are containers, not changes.
TEST_F(PdfAttacksTest, SecondSignatureOverObjectAndXrefStreams_FirstStaysPassed) {
  const std::string once = sign(test::readFile(test::corpusPdf("qpdf_qtest_qpdf_big-ostream.pdf")));
  const VerificationReport report = verify(sign(once));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  ASSERT_EQ(report.signatures[0].coverage.laterChanges.size(), 1u) << describe(report);
  EXPECT_EQ(report.signatures[0].coverage.laterChanges[0].changeClass, ChangeClass::Signature);
}

TEST_F(PdfAttacksTest, VisibleSecondSignature_PassesWhenItsSignatureIsValid_IndeterminateWhenNot) {
  VisibleSignature copy;
  copy.layout = SignatureLayout::Copy;
  copy.copyForm = "Sao y";
  copy.copyOrganisation = "UBND";
  const std::string once = sign(document());

  const VerificationReport trusted = verify(sign(once, pki.seal(), copy));
  ASSERT_EQ(trusted.signatures.size(), 2u);
  EXPECT_EQ(trusted.signatures[0].indication, Indication::TotalPassed) << describe(trusted);
  const LaterChange* c = change(trusted.signatures[0], ChangeClass::Signature);
  ASSERT_NE(c, nullptr) << describe(trusted);
  EXPECT_TRUE(c->visible);

  // Sneaky Signature by someone the policy does not trust: its appearance vouches for nothing.
  const VerificationReport untrusted = verify(sign(once, test::devPki(pki::KeyAlgorithm::Ecdsa).seal(), copy));
  ASSERT_EQ(untrusted.signatures.size(), 2u);
  EXPECT_EQ(untrusted.signatures[1].indication, Indication::Indeterminate) << describe(untrusted);
  EXPECT_EQ(untrusted.signatures[0].indication, Indication::Indeterminate) << describe(untrusted);
  EXPECT_EQ(untrusted.signatures[0].subIndication, SubIndication::SigConstraintsFailure);
}

// kyso's own flow (Decree 30/2020): the organisation's seal painted over the left third of an
// officer's visible signature. The seal's signature vouches for its appearance.
TEST_F(PdfAttacksTest, SealOverTheOfficersSignature_BothPass) {
  auto png = [](unsigned r, unsigned g, unsigned b) {
    const std::string bytes = test::rgbaPng(120, 60, 150, [&](std::uint32_t x, std::uint32_t y) {
      return (x + y) % 7 < 3 ? std::array<unsigned, 4>{r, g, b, 255} : std::array<unsigned, 4>{0, 0, 0, 0};
    });
    return Bytes(bytes.begin(), bytes.end());
  };
  VisibleSignature officer;
  officer.layout = SignatureLayout::Signer;
  officer.rect = PageRect{330, 90, 530, 200};
  officer.image = png(20, 40, 200);
  officer.title = "GIÁM ĐỐC";
  officer.name = "Nguyễn Văn A";
  VisibleSignature seal;
  seal.layout = SignatureLayout::Seal;
  seal.overField = "Signature1";
  seal.image = png(210, 20, 30);
  const VerificationReport report = verify(sign(sign(document(), pki.seal(), officer), pki.seal(), seal));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const LaterChange* c = change(report.signatures[0], ChangeClass::Signature);
  ASSERT_NE(c, nullptr) << describe(report);
  EXPECT_TRUE(c->visible);
  EXPECT_EQ(report.signatures[0].coverage.laterChanges.size(), 1u) << describe(report);
}

TEST_F(PdfAttacksTest, DssAndDocumentTimeStampUpdates_AreAllowed) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update dss;
  const Bytes der = pki.rootCa().der();
  dss.objects[n] = stream("", std::string(reinterpret_cast<const char*>(der.data()), der.size()));
  dss.objects[n + 1] = "<< /Certs [" + std::to_string(n) + " 0 R] /VRI << >> >>";
  std::string catalog = currentBody(signedPdf, 1);
  catalog.insert(catalog.rfind(">>"), " /DSS " + std::to_string(n + 1) + " 0 R ");
  dss.objects[1] = catalog;
  const std::string withDss = appendUpdate(signedPdf, dss);
  VerificationReport report = verify(withDss);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const LaterChange* c = change(report.signatures[0], ChangeClass::Dss);
  ASSERT_NE(c, nullptr) << describe(report);
  EXPECT_TRUE(hasObject(c, 1) && hasObject(c, n) && hasObject(c, n + 1)) << describe(report);

  // A document time-stamp field (its token is not evaluated here: the field is what is judged).
  const std::uint32_t m = nextNumber(withDss);
  Update ts;
  ts.objects[m] =
      "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [0 0 0 0] "
      "/Contents <00> >>";
  ts.objects[m + 1] = "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Timestamp1) /V " + std::to_string(m) +
                      " 0 R /Rect [0 0 0 0] /F 4 /P 3 0 R >>";
  const std::string acroForm = currentBody(withDss, 8);
  ASSERT_NE(acroForm.find("/Fields"), std::string::npos) << acroForm;
  std::string newAcroForm = acroForm;
  newAcroForm.insert(newAcroForm.find(']', newAcroForm.find("/Fields")), " " + std::to_string(m + 1) + " 0 R");
  ts.objects[8] = newAcroForm;
  ts.objects[3] = withAnnotation(currentBody(withDss, 3), m + 1);
  report = verify(appendUpdate(withDss, ts));
  EXPECT_EQ(report.signatures[0].indication, Indication::TotalPassed) << describe(report);
  EXPECT_NE(change(report.signatures[0], ChangeClass::DocTimeStamp), nullptr) << describe(report);
  EXPECT_EQ(change(report.signatures[0], ChangeClass::Other), nullptr) << describe(report);
}

// --- Universal Signature Forgery: the signature dictionary lies about what is signed ---------------

TEST_F(PdfAttacksTest, UniversalSignatureForgery_EveryVariantIsFormatFailure) {
  const std::string pdf = sign(document());
  const std::string byteRange = lastMatch(pdf, R"((/ByteRange \[[0-9 ]+\]))");
  const std::string contents = lastMatch(pdf, R"((/Contents <[0-9A-Fa-f]+>))");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no /ByteRange", patched(pdf, byteRange, "/ByteRangX [0 0 0 0]")},
      {"/ByteRange null", patched(pdf, byteRange, "/ByteRange null")},
      {"/ByteRange [0 0 0 0]", patched(pdf, byteRange, "/ByteRange [0 0 0 0]")},
      {"/ByteRange []", patched(pdf, byteRange, "/ByteRange []")},
      {"/ByteRange only over the header", patched(pdf, byteRange, "/ByteRange [0 10 20 10]")},
      {"/Contents null", patched(pdf, contents, "/Contents null")},
      {"/Contents empty", patched(pdf, contents, "/Contents <>")},
      {"/Contents not hexadecimal", patched(pdf, contents, "/Contents (" + std::string(64, 'A') + ")")},
      {"no /Contents", patched(pdf, contents, "/Contentz <00>")},
  };
  for (const auto& [name, forged] : cases) {
    SCOPED_TRACE(name);
    expectVerdict(forged, Indication::TotalFailed, SubIndication::FormatFailure);
  }
}

TEST_F(PdfAttacksTest, ByteFlipsInTheSignedRange_AreHashFailure) {
  const std::string pdf = sign(document());
  for (const std::string& target : {std::string("(Quyet dinh)"), std::string("/Helvetica")}) {
    SCOPED_TRACE(target);
    std::string flipped = pdf;
    const auto at = flipped.find(target);
    flipped[at + 2] = static_cast<char>(flipped[at + 2] ^ 0x01);
    expectVerdict(flipped, Indication::TotalFailed, SubIndication::HashFailure);
  }
}

TEST_F(PdfAttacksTest, CutOffFiles_AreDamaged) {
  const std::string twice = sign(sign(document()));
  for (const std::size_t keep : {twice.size() - 7, twice.size() - 40, twice.size() / 2}) {
    SCOPED_TRACE(keep);
    EXPECT_THROW(verify(twice.substr(0, keep)), DocumentError);
  }
}

// --- Incremental Saving Attack and Signature Wrapping --------------------------------------------------

TEST_F(PdfAttacksTest, IncrementalSavingAttack_NewPageContent_IsTotalFailedNamingTheObject) {
  const std::string signedPdf = sign(document());
  Update update;
  update.objects[4] = stream("", "BT /F1 24 Tf 72 720 Td (Huy bo quyet dinh) Tj ET");
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureResult& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(s.subIndication, SubIndication::FormatFailure);
  EXPECT_EQ(s.coverage.revision, 2u);
  const LaterChange* c = change(s, ChangeClass::Other);
  ASSERT_NE(c, nullptr) << describe(report);
  EXPECT_EQ(c->revision, 3u);
  EXPECT_TRUE(hasObject(c, 4));
  EXPECT_NE(s.detail.find("object 4"), std::string::npos) << s.detail;
  EXPECT_NE(s.detail.find("--signed-revision 2"), std::string::npos) << s.detail;
}

TEST_F(PdfAttacksTest, IncrementalSavingAttack_NewPageTreeOrCatalogEntry_IsTotalFailed) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update openAction;
  openAction.objects[n] = "<< /S /JavaScript /JS (app.alert\\(1\\)) >>";
  std::string catalog = currentBody(signedPdf, 1);
  catalog.insert(catalog.rfind(">>"), " /OpenAction " + std::to_string(n) + " 0 R ");
  openAction.objects[1] = catalog;
  expectVerdict(appendUpdate(signedPdf, openAction), Indication::TotalFailed, SubIndication::FormatFailure);

  Update extraPage;
  extraPage.objects[n] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>";
  extraPage.objects[2] = "<< /Type /Pages /Kids [3 0 R " + std::to_string(n) + " 0 R] /Count 2 >>";
  expectVerdict(appendUpdate(signedPdf, extraPage), Indication::TotalFailed, SubIndication::FormatFailure);
}

// poppler's pdfsig leaves such objects behind; nothing can show them (a reference from a signed
// object that the signed revision left undefined is another case, below).
TEST_F(PdfAttacksTest, UnreferencedObjectAdded_PassesWithTheObjectListed) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update update;
  update.objects[n] = "<< /Whatever 1 >>";
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  EXPECT_EQ(report.signatures.at(0).indication, Indication::TotalPassed) << describe(report);
  EXPECT_TRUE(hasObject(change(report.signatures[0], ChangeClass::Other), n)) << describe(report);
}

// Referred to from a new object of an unknown kind: that one is judged (and the two together).
TEST_F(PdfAttacksTest, AddedObjectsReferringToEachOther_AreIndeterminate) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update update;
  update.objects[n] = "<< /Next " + std::to_string(n + 1) + " 0 R >>";
  update.objects[n + 1] = "<< /Next " + std::to_string(n) + " 0 R >>";
  expectVerdict(appendUpdate(signedPdf, update), Indication::Indeterminate, SubIndication::SigConstraintsFailure);
}

TEST_F(PdfAttacksTest, SignatureWrapping_SignatureDictionaryRedefinedElsewhere_IsFormatFailure) {
  const std::string signedPdf = sign(document());
  const auto range = test::embeddedSignatures(signedPdf).at(0).byteRange;
  // The same /ByteRange and CMS in a new definition of the signature dictionary after the signed
  // bytes: the gap no longer holds this dictionary's /Contents.
  const std::string hex =
      signedPdf.substr(static_cast<std::size_t>(range[1]), static_cast<std::size_t>(range[2] - range[1]));
  Update update;
  update.objects[6] = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 " +
                      std::to_string(range[1]) + " " + std::to_string(range[2]) + " " + std::to_string(range[3]) +
                      "] /Contents " + hex + " >>";
  update.objects[4] = stream("", "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET");
  expectVerdict(appendUpdate(signedPdf, update), Indication::TotalFailed, SubIndication::FormatFailure);
}

// --- Shadow attacks: the signed revision carries what a later update reveals or swaps in ---------------

// One page whose content is [4 0 R 6 0 R]: 6 is an overlay that covers the real text (object 4)
// with other words; 7 is a complete second page kept out of the page tree.
std::string shadowDocument() {
  std::vector<std::string> objects = test::onePageObjects();
  objects[2] =
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> "
      "/Contents [4 0 R 6 0 R] >>";
  objects.push_back(stream("", "q 1 1 1 rg 60 700 400 60 re f Q BT /F1 24 Tf 72 720 Td (Tam hoan) Tj ET"));
  objects.push_back(
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R "
      ">> >> /Contents 8 0 R >>");
  objects.push_back(stream("", "BT /F1 24 Tf 72 720 Td (Chap thuan 1 ty dong) Tj ET"));
  return test::buildPdf(objects);
}

TEST_F(PdfAttacksTest, ShadowHide_OverlayRemovedAfterSigning_IsTotalFailed) {
  const std::string signedPdf = sign(shadowDocument());
  Update update;
  std::string page = currentBody(signedPdf, 3);
  const auto contents = page.find("/Contents");
  page.replace(contents, page.find(']', contents) + 1 - contents, "/Contents 4 0 R");
  update.objects[3] = page;
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  expectFailedOnObject(report, 3);
}

TEST_F(PdfAttacksTest, ShadowReplace_FontSwappedAfterSigning_IsTotalFailed) {
  const std::string signedPdf = sign(shadowDocument());
  Update update;
  update.objects[5] = "<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>";
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  expectFailedOnObject(report, 5);
}

TEST_F(PdfAttacksTest, ShadowHideAndReplace_HiddenPageSwappedIn_IsTotalFailed) {
  const std::string signedPdf = sign(shadowDocument());
  Update update;
  update.objects[2] = "<< /Type /Pages /Kids [7 0 R] /Count 1 >>";
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  expectFailedOnObject(report, 2);
}

// The xref-only variant: the signed bytes hold an older definition of object 4 (revision 1), the
// signed revision 2 redefines it; the attacker's update is just an xref entry pointing back.
TEST_F(PdfAttacksTest, ShadowReplaceThroughTheXrefOnly_IsTotalFailedAsARepointedObject) {
  std::vector<std::string> objects = test::onePageObjects();
  objects[3] = stream("", "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET");
  const std::string original = test::buildPdf(objects);
  const std::uint64_t oldOffset = original.find("\n4 0 obj") + 1;
  Update honest;
  honest.objects[4] = stream("", "BT /F1 24 Tf 72 720 Td (Quyet dinh) Tj ET");
  const std::string signedPdf = sign(appendUpdate(original, honest));
  Update attack;
  attack.repoint[4] = oldOffset;
  const VerificationReport report = verify(appendUpdate(signedPdf, attack));
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(s.coverage.revision, 3u);
  EXPECT_TRUE(hasObject(change(s, ChangeClass::Other), 4)) << describe(report);
  EXPECT_NE(s.detail.find("inside the signed revision"), std::string::npos) << s.detail;
}

// A reference the signed revision makes to an object it does not define (a null) that a later
// update defines, and hangs under an allowed structure (/DSS) to look harmless.
TEST_F(PdfAttacksTest, DanglingReferenceFilledInLater_IsTotalFailed) {
  std::vector<std::string> objects = test::onePageObjects();
  objects[2] =
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> "
      "/Contents [4 0 R 40 0 R] >>";
  const std::string signedPdf = sign(test::buildPdf(objects));
  Update update;
  update.objects[40] = stream("", "q 1 1 1 rg 60 700 400 60 re f Q");
  std::string catalog = currentBody(signedPdf, 1);
  catalog.insert(catalog.rfind(">>"), " /DSS << /Certs [40 0 R] >> ");
  update.objects[1] = catalog;
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  expectFailedOnObject(report, 40);
}

// Objects of the signed revision dressed up as allowed changes: the page content made a hidden
// annotation, a font named as the document information dictionary.
TEST_F(PdfAttacksTest, SignedObjectsDisguisedAsAllowedChanges_AreTotalFailed) {
  const std::string signedPdf = sign(document());
  Update annotation;
  annotation.objects[4] = "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /F 2 /Contents (x) >>";
  annotation.objects[3] = withAnnotation(currentBody(signedPdf, 3), 4);
  VerificationReport report = verify(appendUpdate(signedPdf, annotation));
  expectFailedOnObject(report, 4);

  Update info;
  info.objects[5] = "<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>";
  info.extraTrailer = "/Info 5 0 R";
  report = verify(appendUpdate(signedPdf, info));
  expectFailedOnObject(report, 5);

  // A genuine new information dictionary is metadata.
  Update genuine;
  const std::uint32_t n = nextNumber(signedPdf);
  genuine.objects[n] = "<< /Title (Quyet dinh) /ModDate (D:20270101000000Z) >>";
  genuine.extraTrailer = "/Info " + std::to_string(n) + " 0 R";
  report = verify(appendUpdate(signedPdf, genuine));
  EXPECT_EQ(report.signatures.at(0).indication, Indication::TotalPassed) << describe(report);
  EXPECT_TRUE(hasObject(change(report.signatures[0], ChangeClass::Metadata), n)) << describe(report);
}

// --- Evil Annotation and Sneaky Signature ------------------------------------------------------------

TEST_F(PdfAttacksTest, EvilAnnotation_FreeTextOverTheSignedText_IsIndeterminate) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update update;
  update.objects[n] =
      "<< /Type /Annot /Subtype /FreeText /Rect [60 700 360 740] /F 4 /DA (/F1 24 Tf 0 g) "
      "/Contents (Huy bo) /AP << /N " +
      std::to_string(n + 1) + " 0 R >> /P 3 0 R >>";
  update.objects[n + 1] = coveringAppearance();
  update.objects[3] = withAnnotation(currentBody(signedPdf, 3), n);
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(s.subIndication, SubIndication::SigConstraintsFailure);
  const LaterChange* c = change(s, ChangeClass::Annotation);
  ASSERT_NE(c, nullptr) << describe(report);
  EXPECT_TRUE(c->visible);
  EXPECT_TRUE(hasObject(c, n) && hasObject(c, n + 1) && hasObject(c, 3)) << describe(report);
  EXPECT_EQ(change(s, ChangeClass::Other), nullptr) << describe(report);
}

TEST_F(PdfAttacksTest, HiddenAnnotation_PassesWithTheChangeListed) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update update;
  update.objects[n] = "<< /Type /Annot /Subtype /Text /Rect [60 700 80 720] /F 2 /Contents (note) /P 3 0 R >>";
  update.objects[3] = withAnnotation(currentBody(signedPdf, 3), n);
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  EXPECT_EQ(report.signatures.at(0).indication, Indication::TotalPassed) << describe(report);
  const LaterChange* c = change(report.signatures[0], ChangeClass::Annotation);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->visible);
}

TEST_F(PdfAttacksTest, SneakySignature_UnsignedFieldPaintingOverContent_IsIndeterminate) {
  const std::string signedPdf = sign(document());
  const std::uint32_t n = nextNumber(signedPdf);
  Update update;
  update.objects[n] =
      "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature9) /Rect [60 700 360 740] /F 4 "
      "/AP << /N " +
      std::to_string(n + 1) + " 0 R >> /P 3 0 R >>";
  update.objects[n + 1] = coveringAppearance();
  std::string acroForm = currentBody(signedPdf, 8);
  acroForm.insert(acroForm.find(']', acroForm.find("/Fields")), " " + std::to_string(n) + " 0 R");
  update.objects[8] = acroForm;
  update.objects[3] = withAnnotation(currentBody(signedPdf, 3), n);
  const VerificationReport report = verify(appendUpdate(signedPdf, update));
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.indication, Indication::Indeterminate) << describe(report);
  const LaterChange* c = change(s, ChangeClass::Signature);
  ASSERT_NE(c, nullptr) << describe(report);
  EXPECT_TRUE(c->visible);
  EXPECT_NE(s.detail.find("no valid signature vouches"), std::string::npos) << s.detail;
}

// --- Damaged files: never verified ----------------------------------------------------------------------

TEST_F(PdfAttacksTest, DuplicateObjectNumberInOneRevision_IsDamaged) {
  const std::string signedPdf = sign(document());
  Update update;
  update.objects[4] = stream("", "BT /F1 24 Tf 72 720 Td (Quyet dinh) Tj ET");
  std::string pdf = appendUpdate(signedPdf, update);
  // A second "4 0 obj" in the same body, after the one the xref names.
  const auto xref = pdf.rfind("\nxref\n") + 1;
  pdf.insert(xref, "4 0 obj\n" + stream("", "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET") + "\nendobj\n");
  const auto shift =
      std::string("4 0 obj\n" + stream("", "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET") + "\nendobj\n").size();
  const auto startxref = pdf.rfind("startxref\n") + 10;
  const auto eol = pdf.find('\n', startxref);
  pdf.replace(startxref, eol - startxref, std::to_string(std::stoull(pdf.substr(startxref, eol - startxref)) + shift));
  expectDamaged(pdf);
}

// An incremental update whose objects sit in uncompressed object streams (ISO 32000-1 §7.5.7),
// listed by a cross-reference stream (§7.5.8), as an attacker would write it: `objectStreams` in
// order, each its members in header order (a number may repeat), then `plain` objects as
// "n 0 obj". The cross-reference stream names each number's first place (the object streams first).
struct StreamUpdate {
  std::vector<std::vector<std::pair<std::uint32_t, std::string>>> objectStreams;
  std::map<std::uint32_t, std::string> plain;
};

std::string appendStreamUpdate(const std::string& pdf, const StreamUpdate& update) {
  std::string out = pdf;
  if (!out.ends_with("\n")) out += '\n';
  struct Entry {
    int type;
    std::uint64_t field2;
    std::uint32_t field3;
  };
  std::map<std::uint32_t, Entry> entries;
  std::uint32_t number = static_cast<std::uint32_t>(std::stoul(lastMatch(pdf, R"(/Size (\d+))")));
  for (const auto& members : update.objectStreams) {
    const std::uint32_t streamNumber = number++;
    std::string header;
    std::string objects;
    for (std::uint32_t index = 0; index < members.size(); ++index) {
      header += std::to_string(members[index].first) + " " + std::to_string(objects.size()) + " ";
      objects += members[index].second + "\n";
      entries.emplace(members[index].first, Entry{2, streamNumber, index});
    }
    entries[streamNumber] = Entry{1, out.size(), 0};
    out += std::to_string(streamNumber) + " 0 obj\n" +
           stream("/Type /ObjStm /N " + std::to_string(members.size()) + " /First " + std::to_string(header.size()),
                  header + objects) +
           "\nendobj\n";
  }
  for (const auto& [plainNumber, body] : update.plain) {
    entries.emplace(plainNumber, Entry{1, out.size(), 0});
    out += std::to_string(plainNumber) + " 0 obj\n" + body + "\nendobj\n";
  }
  const std::uint32_t xrefNumber = number++;
  const std::uint64_t xrefAt = out.size();
  entries[xrefNumber] = Entry{1, xrefAt, 0};
  std::string index;
  std::string data;
  for (const auto& [n, e] : entries) {
    index += std::to_string(n) + " 1 ";
    data += static_cast<char>(e.type);
    for (int shift = 24; shift >= 0; shift -= 8) data += static_cast<char>((e.field2 >> shift) & 0xff);
    data += static_cast<char>((e.field3 >> 8) & 0xff);
    data += static_cast<char>(e.field3 & 0xff);
  }
  const std::uint32_t size = std::max(number, entries.rbegin()->first + 1);
  out += std::to_string(xrefNumber) + " 0 obj\n" +
         stream("/Type /XRef /Size " + std::to_string(size) + " /Root " + lastMatch(pdf, R"(/Root (\d+ \d+ R))") +
                    " /Prev " + lastMatch(pdf, R"(startxref\s+(\d+))") + " /W [1 4 2] /Index [" + index + "]",
                data) +
         "\nendobj\nstartxref\n" + std::to_string(xrefAt) + "\n%%EOF\n";
  return out;
}

// The message of the DocumentError("pdf_damaged") verifying `pdf` throws, or "" without one.
std::string damagedBecause(const std::string& pdf) {
  try {
    verifyPdf(PdfInput::fromMemory(pdf), VerificationPolicy{});
  } catch (const DocumentError& e) {
    return e.code() == "pdf_damaged" ? std::string(e.what()) : "";
  }
  return "";
}

const char* const kCourier = "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>";
const char* const kHelvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

// The shape of the cases below, without a duplicate: an object stream replacing the signed font
// in a later revision is read (a changed signed object: TOTAL_FAILED, not damaged), and qpdf
// agrees the hand-written update is sound, so the cases below fail for their duplicate alone.
TEST_F(PdfAttacksTest, ObjectStreamUpdateWithoutDuplicates_IsReadAndJudged) {
  const std::string signedPdf = sign(document());
  StreamUpdate update;
  update.objectStreams = {{{5, kCourier}}};
  update.plain[nextNumber(signedPdf) + 5] = "<< /Note (unreferenced) >>";
  const std::string pdf = appendStreamUpdate(signedPdf, update);
  EXPECT_EQ(damagedBecause(pdf), "");
  expectFailedOnObject(verify(pdf), 5);
  test::TempDir dir;
  test::writeFile(dir / "update.pdf", pdf);
  const auto qpdf = test::run({"/usr/bin/qpdf", "--check", (dir / "update.pdf").string()});
  EXPECT_EQ(qpdf.exitCode, 0) << qpdf.output;
  EXPECT_NE(qpdf.output.find("No syntax or stream encoding errors"), std::string::npos) << qpdf.output;
  const auto font = test::run({"/usr/bin/qpdf", "--show-object=5", (dir / "update.pdf").string()});
  EXPECT_NE(font.output.find("/BaseFont /Courier"), std::string::npos) << font.output;
}

// An object stream whose header names the font twice (Helvetica, then Courier): which one a reader
// shows is its choice.
TEST_F(PdfAttacksTest, ObjectStreamNamingAnObjectTwice_IsDamaged) {
  StreamUpdate update;
  update.objectStreams = {{{5, kHelvetica}, {5, kCourier}}};
  const std::string pdf = appendStreamUpdate(sign(document()), update);
  const std::string reason = damagedBecause(pdf);
  EXPECT_NE(reason.find("object 5 is defined twice in the PDF's object stream"), std::string::npos) << reason;
  // Nor is such a file signed.
  try {
    sign(pdf);
    ADD_FAILURE() << "signed";
  } catch (const DocumentError& e) {
    EXPECT_EQ(e.code(), "pdf_damaged") << e.what();
    EXPECT_NE(std::string(e.what()).find("object 5 is defined twice"), std::string::npos) << e.what();
  }
}

// The font in an object stream (which the cross-reference stream names) and as "5 0 obj" in the
// same revision: a reader that rebuilds the cross-reference table could take the plain one.
TEST_F(PdfAttacksTest, ObjectInAnObjectStreamAndOnItsOwnInOneRevision_IsDamaged) {
  StreamUpdate update;
  update.objectStreams = {{{5, kHelvetica}}};
  update.plain[5] = kCourier;
  const std::string reason = damagedBecause(appendStreamUpdate(sign(document()), update));
  EXPECT_NE(reason.find("object 5 is defined twice in revision 3 (in an object stream and on its own)"),
            std::string::npos)
      << reason;
}

TEST_F(PdfAttacksTest, ObjectInTwoObjectStreamsOfOneRevision_IsDamaged) {
  StreamUpdate update;
  update.objectStreams = {{{5, kHelvetica}}, {{5, kCourier}}};
  const std::string reason = damagedBecause(appendStreamUpdate(sign(document()), update));
  EXPECT_NE(reason.find("object 5 is defined twice in revision 3 (in two object streams)"), std::string::npos)
      << reason;
}

// A signed stream whose /Length reaches past its endstream: appended bytes would become its data.
TEST_F(PdfAttacksTest, StreamLongerThanItsBytes_IsDamaged) {
  std::vector<std::string> objects = test::onePageObjects();
  const std::string content = "BT /F1 24 Tf 72 720 Td (Quyet dinh) Tj ET";
  objects[3] = "<< /Length " + std::to_string(content.size() + 400) + " >>\nstream\n" + content + "\nendstream";
  expectDamaged(test::buildPdf(objects));
  // The exact /Length and a shorter one are fine.
  objects[3] = "<< /Length " + std::to_string(content.size() - 3) + " >>\nstream\n" + content + "\nendstream";
  EXPECT_NO_THROW(verify(test::buildPdf(objects)));
  EXPECT_NO_THROW(verify(document()));
}

TEST_F(PdfAttacksTest, FilesAReaderWouldRepair_AreDamaged) {
  const std::string signedPdf = sign(document());
  Update update;
  update.objects[4] = stream("", "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET");
  const std::string updated = appendUpdate(signedPdf, update);

  // An xref offset that misses its object by a byte.
  std::string offBy = updated;
  const auto entry = offBy.rfind(" 00000 n\r\n") - 10;
  const auto offset = std::stoull(offBy.substr(entry, 10));
  char text[16];
  std::snprintf(text, sizeof text, "%010llu", static_cast<unsigned long long>(offset + 1));
  offBy.replace(entry, 10, text);
  expectDamaged(offBy);

  // A /Prev that points nowhere.
  expectDamaged(patched(updated, "/Prev " + lastMatch(signedPdf, R"(startxref\s+(\d+))"), "/Prev 17"));
  // A startxref that misses the last section.
  const std::string last = lastMatch(updated, R"(startxref\s+(\d+))");
  expectDamaged(patched(updated, "startxref\n" + last, "startxref\n" + std::to_string(std::stoull(last) - 3)));
}

// Read from a file, the body scan and the comparison look through a window of the file: a body
// larger than the window gives the same verdicts and finds the same duplicate.
TEST_F(PdfAttacksTest, LargeFileFromDisk_SameVerdictsAsFromMemory) {
  std::vector<std::string> objects = test::onePageObjects();
  std::string content;
  for (int line = 0; content.size() < (3u << 20) / 2; ++line) {
    content += "BT /F1 8 Tf 72 " + std::to_string(40 + line % 700) + " Td (Dong " + std::to_string(line) + ") Tj ET\n";
  }
  objects[3] = stream("", content);
  const std::string signedPdf = sign(test::buildPdf(objects));
  Update update;
  update.objects[5] = "<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>";
  const std::string attacked = appendUpdate(signedPdf, update);
  // The original's body defines object 5 twice, the second time after the big stream.
  std::string duplicate = test::buildPdf(objects);
  const auto xref = duplicate.rfind("\nxref\n") + 1;
  const std::string extra = "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>\nendobj\n";
  duplicate.insert(xref, extra);
  const auto startxref = duplicate.rfind("startxref\n") + 10;
  duplicate.replace(startxref, duplicate.find('\n', startxref) - startxref, std::to_string(xref + extra.size()));

  const test::TempDir dir;
  test::writeFile(dir / "attacked.pdf", attacked);
  test::writeFile(dir / "duplicate.pdf", duplicate);
  const VerificationReport fromMemory = verify(attacked);
  const VerificationReport fromFile = verifyPdf(PdfInput::fromFile(dir / "attacked.pdf", 64u << 20), policy());
  ASSERT_EQ(fromFile.signatures.size(), 1u) << describe(fromFile);
  EXPECT_EQ(fromFile.signatures[0].indication, Indication::TotalFailed) << describe(fromFile);
  EXPECT_EQ(describe(fromFile), describe(fromMemory));
  EXPECT_TRUE(hasObject(change(fromFile.signatures[0], ChangeClass::Other), 5)) << describe(fromFile);
  for (const auto& input : {PdfInput::fromMemory(duplicate), PdfInput::fromFile(dir / "duplicate.pdf", 64u << 20)}) {
    try {
      verifyPdf(input, policy());
      ADD_FAILURE() << "no DocumentError";
    } catch (const DocumentError& e) {
      EXPECT_EQ(e.code(), "pdf_damaged");
      EXPECT_NE(std::string(e.what()).find("object 5 is defined twice"), std::string::npos) << e.what();
    }
  }
}

// --- DocMDP certification (ISO 32000-1 §12.8.2.2) ----------------------------------------------------------

// A certification signature made here (adbe.pkcs7.detached by OpenSSL's CMS_sign): the original
// document with a text field, then an update that adds the signature field, its dictionary with a
// DocMDP reference of permission `p`, and /Perms in the catalog.
class CertificationTest : public PdfAttacksTest {
 protected:
  static constexpr std::size_t kContentsBytes = 8192;

  // Objects 1-5: the page; 6: a text field with its widget and appearance 7.
  static std::string formDocument() {
    std::vector<std::string> objects = test::onePageObjects();
    objects[0] = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>";
    objects[2] =
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> "
        "/Contents 4 0 R /Annots [6 0 R] >>";
    objects.push_back(
        "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Amount) /V (100000) /Rect [72 600 272 630] /F 4 "
        "/DA (/F1 12 Tf 0 g) /AP << /N 7 0 R >> /P 3 0 R >>");
    objects.push_back(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 30] /Resources << /Font << /F1 5 0 R >> >>",
                             "BT /F1 12 Tf 2 10 Td (100000) Tj ET"));
    return test::buildPdf(objects);
  }

  // Signs `pdf` in a new revision with a signature field `name`; `docMdp` 0 for an approval
  // signature. `catalogExtra` goes into the catalog, `annotsBefore` are the page's annotations.
  std::string signByHand(const std::string& pdf, const std::string& name, int docMdp, const std::string& annotsBefore,
                         const std::string& fieldMdp = {}, bool withoutFinalEol = false) const {
    const std::uint32_t sig = nextNumber(pdf);
    const std::uint32_t widget = sig + 1;
    std::string dict = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached ";
    if (docMdp != 0) {
      dict += "/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P " +
              std::to_string(docMdp) + " /V /1.2 >> >>] ";
    }
    if (!fieldMdp.empty()) {
      dict += "/Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams " +
              fieldMdp + " /V /1.2 >> >>] ";
    }
    dict +=
        "/ByteRange [0 0000000000 0000000000 0000000000] /Contents <" + std::string(2 * kContentsBytes, '0') + "> >>";
    Update update;
    update.objects[sig] = dict;
    update.objects[widget] = "<< /Type /Annot /Subtype /Widget /FT /Sig /T (" + name + ") /V " + std::to_string(sig) +
                             " 0 R /Rect [0 0 0 0] /F 132 /P 3 0 R >>";
    std::string fields = lastMatch(currentBody(pdf, 1), R"(/Fields \[([^\]]*)\])");
    std::string catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + fields + " " +
                          std::to_string(widget) + " 0 R] /SigFlags 3 >> ";
    if (docMdp != 0) catalog += "/Perms << /DocMDP " + std::to_string(sig) + " 0 R >> ";
    const std::string oldCatalog = currentBody(pdf, 1);
    if (oldCatalog.find("/Perms") != std::string::npos)
      catalog += "/Perms " + lastMatch(oldCatalog, R"(/Perms (<<[^>]*>>))") + " ";
    update.objects[1] = catalog + ">>";
    std::string page = currentBody(pdf, 3);
    page.replace(page.find("/Annots [" + annotsBefore + "]"), 10 + annotsBefore.size(),
                 "/Annots [" + annotsBefore + " " + std::to_string(widget) + " 0 R]");
    update.objects[3] = page;
    std::string out = appendUpdate(pdf, update);

    const std::size_t open = out.rfind("/Contents <") + 10;
    const std::size_t close = open + 2 * kContentsBytes + 2;
    char range[64];
    // Some signers stop at "%%EOF" and leave the end-of-line after it out of the range.
    const std::size_t end = out.size() - (withoutFinalEol ? 1 : 0);
    std::snprintf(range, sizeof range, "[0 %010zu %010zu %010zu]", open, close, end - close);
    out.replace(out.rfind("[0 0000000000 0000000000 0000000000]"), 36, range);
    const std::string signedBytes = out.substr(0, open) + out.substr(close, end - close);

    const auto key = pki::SoftwareKey::fromPemFile((pki.dir() / "seal.key.pem").string());
    const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP;
    auto data = ossl::own(BIO_new_mem_buf(signedBytes.data(), static_cast<int>(signedBytes.size())), "BIO");
    auto cms = ossl::own(CMS_sign(pki.seal().certificate().get(), key->get(), nullptr, data.get(), flags), "CMS_sign");
    ossl::check(CMS_add1_cert(cms.get(), pki.issuingCa().get()), "CMS_add1_cert");
    unsigned char* der = nullptr;
    const int length = i2d_CMS_ContentInfo(cms.get(), &der);
    ossl::check(length, "i2d_CMS_ContentInfo");
    const ossl::Buffer owned(der);
    const std::string hex = toHex(ByteView(der, static_cast<std::size_t>(length)), true);
    out.replace(open + 1, hex.size(), hex);
    return out;
  }

  std::string certified(int p) const { return signByHand(formDocument(), "Certification", p, "6 0 R"); }

  // Form fill: the text field's value and appearance change.
  static std::string filled(const std::string& pdf) {
    const std::uint32_t n = nextNumber(pdf);
    Update update;
    std::string field = currentBody(pdf, 6);
    field.replace(field.find("/V (100000)"), 11, "/V (900000)");
    field.replace(field.find("/N 7 0 R"), 8, "/N " + std::to_string(n) + " 0 R");
    update.objects[6] = field;
    update.objects[n] =
        stream("/Type /XObject /Subtype /Form /BBox [0 0 200 30] /Resources << /Font << /F1 5 0 R >> >>",
               "BT /F1 12 Tf 2 10 Td (900000) Tj ET");
    return appendUpdate(pdf, update);
  }

  // A visible FreeText annotation over the page's text.
  static std::string annotated(const std::string& pdf, const std::string& annotsBefore) {
    const std::uint32_t n = nextNumber(pdf);
    Update update;
    update.objects[n] =
        "<< /Type /Annot /Subtype /FreeText /Rect [60 700 360 740] /F 4 /DA (/F1 24 Tf 0 g) "
        "/Contents (x) /AP << /N " +
        std::to_string(n + 1) + " 0 R >> /P 3 0 R >>";
    update.objects[n + 1] = coveringAppearance();
    std::string page = currentBody(pdf, 3);
    page.replace(page.find("/Annots [" + annotsBefore + "]"), 10 + annotsBefore.size(),
                 "/Annots [" + annotsBefore + " " + std::to_string(n) + " 0 R]");
    update.objects[3] = page;
    return appendUpdate(pdf, update);
  }
};

TEST_F(CertificationTest, CertifiedDocument_PassesAndReportsItsPermissions) {
  const VerificationReport report = verify(certified(2));
  ASSERT_EQ(report.signatures.size(), 1u) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(report.signatures[0].certificationPermissions, 2);
}

TEST_F(CertificationTest, P1_ThenAnotherSignature_IsTotalFailed) {
  const std::string pdf = certified(1);
  const VerificationReport report = verify(signByHand(pdf, "Approval", 0, "6 0 R 9 0 R"));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  const SignatureResult& certification = report.signatures[0];
  EXPECT_EQ(certification.certificationPermissions, 1);
  EXPECT_EQ(certification.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(certification.subIndication, SubIndication::FormatFailure);
  EXPECT_NE(certification.detail.find("DocMDP P=1"), std::string::npos) << certification.detail;
  EXPECT_EQ(report.signatures[1].indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(report.indication, Indication::TotalFailed);
  // kyso itself refuses to sign it.
  EXPECT_THROW(sign(pdf), DocumentError);
}

TEST_F(CertificationTest, P1_ThenFormFill_IsTotalFailed) {
  expectVerdict(filled(certified(1)), Indication::TotalFailed, SubIndication::FormatFailure);
}

TEST_F(CertificationTest, P2_FormFillAndASignature_Pass) {
  const std::string pdf = filled(certified(2));
  VerificationReport report = verify(pdf);
  EXPECT_EQ(report.signatures.at(0).indication, Indication::TotalPassed) << describe(report);
  const LaterChange* c = change(report.signatures[0], ChangeClass::FormFill);
  ASSERT_NE(c, nullptr) << describe(report);
  EXPECT_TRUE(hasObject(c, 6));
  EXPECT_TRUE(c->visible);

  report = verify(sign(pdf));  // kyso's own approval signature after the fill
  ASSERT_EQ(report.signatures.size(), 2u);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
}

TEST_F(CertificationTest, P2_ThenAnAnnotation_IsTotalFailed_P3_IndeterminateForItsAppearance) {
  expectVerdict(annotated(certified(2), "6 0 R 9 0 R"), Indication::TotalFailed, SubIndication::FormatFailure);
  expectVerdict(annotated(certified(3), "6 0 R 9 0 R"), Indication::Indeterminate,
                SubIndication::SigConstraintsFailure);
}

// ISO 32000-1 §12.8.2.4: an approval signature that locks the field it approves.
TEST_F(CertificationTest, FieldMdpLockedFieldFilledAfterwards_IsTotalFailed) {
  const std::string certifiedPdf = certified(2);
  const std::string locked =
      signByHand(certifiedPdf, "Approval", 0, "6 0 R 9 0 R", "/Action /Include /Fields [(Amount)]");
  expectVerdict(locked, Indication::TotalPassed, SubIndication::None);
  const VerificationReport report = verify(filled(locked));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.signatures[0].indication, Indication::TotalPassed) << describe(report);  // P=2 allows it
  EXPECT_EQ(report.signatures[1].indication, Indication::TotalFailed) << describe(report);
  EXPECT_NE(report.signatures[1].detail.find("FieldMDP"), std::string::npos) << report.signatures[1].detail;

  // Locking another field leaves the fill to the certification's permission.
  const std::string other =
      signByHand(certifiedPdf, "Approval", 0, "6 0 R 9 0 R", "/Action /Include /Fields [(Other)]");
  expectVerdict(filled(other), Indication::TotalPassed, SubIndication::None);
}

TEST_F(CertificationTest, RangeEndingBeforeTheEndOfLineAfterEof_StillCoversItsRevision) {
  const std::string approved = signByHand(formDocument(), "Approval", 0, "6 0 R", {}, true);
  const VerificationReport report = verify(sign(approved));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.signatures[0].coverage.signedEnd, approved.size() - 1);
  EXPECT_EQ(report.signatures[0].coverage.revision, 2u);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
}

TEST_F(CertificationTest, FormFillAfterAnApprovalSignature_IsIndeterminate) {
  const std::string approved = signByHand(formDocument(), "Approval", 0, "6 0 R");
  expectVerdict(approved, Indication::TotalPassed, SubIndication::None);
  expectVerdict(filled(approved), Indication::Indeterminate, SubIndication::SigConstraintsFailure);
}

// --- Other tools' signatures after kyso's ----------------------------------------------------------------

TEST_F(PdfAttacksTest, PdfsigCountersignature_KeepsKysoSignaturePassed) {
  const test::TempDir dir;
  test::writeFile(dir / "in.pdf", sign(document()));
  test::writeFile(dir / "signer.key", test::readFile(pki.dir() / "seal.key.pem"));
  test::writeFile(dir / "signer.crt", pki.seal().certificate().pem());
  const VerificationReport report = verify(test::pdfsigAddSignature(dir.path(), pki.issuingCa().pem()));
  ASSERT_EQ(report.signatures.size(), 2u) << describe(report);
  EXPECT_EQ(report.signatures[0].indication, Indication::TotalPassed) << describe(report);
  EXPECT_NE(change(report.signatures[0], ChangeClass::Signature), nullptr) << describe(report);
  // pdfsig leaves two appearance streams nobody refers to; they are listed, not held against it.
  if (const LaterChange* other = change(report.signatures[0], ChangeClass::Other)) {
    for (const auto& d : other->descriptions) EXPECT_NE(d.find("nothing refers to it"), std::string::npos) << d;
  }
}

// --- What was signed, as a file ----------------------------------------------------------------------------

TEST_F(PdfAttacksTest, SignedRevision_IsThePrefixTheSignatureCovers) {
  const std::string once = sign(document());
  Update update;
  update.objects[4] = stream("", "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET");
  const std::string attacked = appendUpdate(sign(once), update);
  const std::vector<PdfRevision> revisions = pdfRevisions(PdfInput::fromMemory(attacked));
  ASSERT_EQ(revisions.size(), 4u);
  EXPECT_EQ(revisions[1].end, once.size());

  const VerificationReport report = verify(attacked);
  ASSERT_EQ(report.signatures.size(), 2u);
  for (const SignatureResult& s : report.signatures) {
    SCOPED_TRACE(s.fieldName);
    MemoryPdfOutput out;
    const PdfRevision revision = writePdfRevision(PdfInput::fromMemory(attacked), s.coverage.revision, out);
    EXPECT_EQ(revision.end, s.coverage.signedEnd);
    EXPECT_EQ(out.bytes(), attacked.substr(0, static_cast<std::size_t>(s.coverage.signedEnd)));
    // What was signed verifies on its own, with no later change.
    const VerificationReport alone = verify(out.bytes());
    EXPECT_EQ(alone.indication, Indication::TotalPassed) << describe(alone);
  }
  MemoryPdfOutput out;
  try {
    writePdfRevision(PdfInput::fromMemory(attacked), 5, out);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "revision_not_found");
  }
}

}  // namespace
}  // namespace kyso::signer
