// Visible signatures as people see them: pages rendered by poppler's pdftoppm and read back as
// pixels (the red seal, the blue signature, black text where the layout puts them), text read back
// by pdftotext, signatures checked by pdfsig and openssl.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <regex>

#include "kyso/error.h"
#include "kyso/signer/pades_signer.h"
#include "pdf_builder.h"
#include "test_images.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using test::Ppm;
using test::Rgb;

using test::blue;
using test::dark;
using test::find;
using test::Found;
using test::red;
using test::sealPng;
using test::signaturePng;

// One page, optionally turned and cropped, with a line of text.
std::string page(const std::string& extra) {
  auto objects = test::onePageObjects();
  objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] " + extra +
               " /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>";
  return test::buildPdf(objects);
}

class VisibleSignatures : public ::testing::Test {
 protected:
  const pki::DevPki& pki = test::devPki();
  PadesSigner signer{nullptr};
  test::TempDir dir;

  std::filesystem::path sign(const std::string& pdf, const VisibleSignature& visible, const std::string& name) {
    PadesOptions options;
    options.fields.signingTime = std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now());
    options.fields.visible = visible;
    MemoryPdfOutput out;
    signer.sign(PdfInput::fromMemory(pdf), out, pki.seal(), options);
    test::writeFile(dir / name, out.bytes());
    return dir / name;
  }

  static std::string text(const std::filesystem::path& pdf) {
    const auto r = test::run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf.string(), "-"});
    EXPECT_EQ(r.exitCode, 0);
    return r.output;
  }

  void expectValid(const std::filesystem::path& pdf, int signatures) {
    const test::PeerVerdict v = test::checkWithPeers(pdf, pki.rootCa());
    EXPECT_EQ(v.signatures, signatures) << v.pdfsigOutput;
    EXPECT_EQ(v.validSignatures, signatures) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, signatures) << v.problems;
    EXPECT_EQ(test::qpdfCheck(pdf).exitCode, 0);
  }

  // Page 1 of the test's 400 x 600 pt crop box, rendered at 72 dpi as displayed under /Rotate
  // `rotate`: turned a quarter, it is 600 wide and 400 high.
  static Ppm renderDisplayed(const std::filesystem::path& pdf, int rotate) {
    Ppm ppm = test::renderPage(pdf, 1, 72);
    const bool turned = rotate % 180 != 0;
    EXPECT_EQ(ppm.width, turned ? 600 : 400);
    EXPECT_EQ(ppm.height, turned ? 400 : 600);
    return ppm;
  }
};

VisibleSignature officer(PageRect rect) {
  VisibleSignature v;
  v.layout = SignatureLayout::Signer;
  v.rect = rect;
  v.image = toBytes(signaturePng());
  v.title = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC";
  v.name = "Nguyễn Thị Ánh Tuyết";
  return v;
}

TEST_F(VisibleSignatures, SignerLayoutPutsTheBlueSignatureBetweenTitleAndName) {
  const auto pdf = sign(page(""), officer({330, 90, 530, 200}), "signer.pdf");
  expectValid(pdf, 1);
  const std::string words = text(pdf);
  EXPECT_NE(words.find("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"), std::string::npos) << words;
  EXPECT_NE(words.find("Nguyễn Thị Ánh Tuyết"), std::string::npos) << words;

  // At 72 dpi a point is a pixel; y grows downwards from the top (841.89 pt).
  const Ppm ppm = test::renderPage(pdf, 1, 72);
  const Found ink = find(ppm, blue);
  ASSERT_GT(ink.count, 300);
  EXPECT_GE(ink.left, 330);
  EXPECT_LE(ink.right, 531);
  EXPECT_GE(ink.top, 842 - 200);
  EXPECT_LE(ink.bottom, 842 - 90);
  EXPECT_GT(ink.right - ink.left, ink.bottom - ink.top);  // upright: the wave runs across
  // Black text above and below the image, inside the box, and none of it blue.
  const Found above = find(ppm, dark, 330, 842 - 200, 531, ink.top);
  const Found below = find(ppm, dark, 330, ink.bottom + 1, 531, 842 - 89);
  EXPECT_GT(above.count, 50);
  EXPECT_GT(below.count, 30);
  EXPECT_EQ(find(ppm, blue, 0, 0, ppm.width, 842 - 201).count, 0);
}

TEST_F(VisibleSignatures, SealOverTheSignerCoversItsLeftThirdAndKeepsItValid) {
  const auto first = sign(page(""), officer({330, 90, 530, 200}), "signer.pdf");
  VisibleSignature seal;
  seal.layout = SignatureLayout::Seal;
  seal.overField = "Signature1";
  seal.image = toBytes(sealPng());
  const auto both = sign(test::readFile(first), seal, "sealed.pdf");
  expectValid(both, 2);

  const Ppm ppm = test::renderPage(both, 1, 72);
  const Found stamp = find(ppm, red);
  ASSERT_GT(stamp.count, 500);
  // Real size: 20 mm = 56.64 pt = 56.64 px at 72 dpi.
  EXPECT_NEAR(stamp.right - stamp.left + 1, 56.64, 2.0);
  EXPECT_NEAR(stamp.bottom - stamp.top + 1, 56.64, 2.0);
  // Its right edge at the left third of the officer's box (330 + 200 / 3), centred on the box.
  EXPECT_NEAR(stamp.right + 1, 330 + 200.0 / 3, 2.0);
  EXPECT_NEAR((stamp.top + stamp.bottom + 1) / 2.0, 842 - 145, 2.0);
  // The signature shows through the seal's transparent ground beside the ring.
  EXPECT_GT(find(ppm, blue).count, 300);
}

TEST_F(VisibleSignatures, CopyLayoutWritesTheCopyNoteAtTheTopRightOfPageOne) {
  VisibleSignature copy;
  copy.layout = SignatureLayout::Copy;
  copy.copyForm = "Sao y";
  copy.copyOrganisation = "Trung tâm Phục vụ hành chính công tỉnh Mẫu";
  const auto pdf = sign(page(""), copy, "copy.pdf");
  expectValid(pdf, 1);
  const std::string words = text(pdf);
  EXPECT_NE(words.find("Sao y\nTrung tâm Phục vụ hành chính công tỉnh Mẫu\n20"), std::string::npos) << words;
  EXPECT_TRUE(std::regex_search(words, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)"))) << words;
  // 10 pt black text within 20 pt of the top right corner, in the top-right part of the page.
  const Ppm ppm = test::renderPage(pdf, 1, 72);
  const Found note = find(ppm, dark, 300, 0, ppm.width, 120);
  ASSERT_GT(note.count, 100);
  EXPECT_GE(note.top, 20);
  EXPECT_LE(note.top, 26);
  EXPECT_LE(note.right, 595 - 20);
  EXPECT_GE(note.right, 595 - 27);
  EXPECT_LE(note.bottom - note.top, 3 * 12 + 4);
}

TEST_F(VisibleSignatures, RotatedPagesGetAnUprightAppearanceWhereTheyAsked) {
  // /Rotate 90: displayed landscape, 841.89 × 595.28.
  const auto pdf = sign(page("/Rotate 90"), officer({600, 60, 800, 170}), "rotated.pdf");
  expectValid(pdf, 1);
  const Ppm ppm = test::renderPage(pdf, 1, 72);
  ASSERT_EQ(ppm.width, 842);
  ASSERT_EQ(ppm.height, 596);
  const Found ink = find(ppm, blue);
  ASSERT_GT(ink.count, 300);
  EXPECT_GE(ink.left, 600);
  EXPECT_LE(ink.right, 801);
  EXPECT_GE(ink.top, 595 - 170);
  EXPECT_LE(ink.bottom, 596 - 60);
  EXPECT_GT(ink.right - ink.left, ink.bottom - ink.top);  // the wave runs across: upright
  EXPECT_NE(text(pdf).find("Nguyễn Thị Ánh Tuyết"), std::string::npos);
}

TEST_F(VisibleSignatures, OffsetCropBoxesAndEveryRotationPlaceTheSealInTheSameDisplayedSpot) {
  for (const int rotate : {0, 90, 180, 270}) {
    SCOPED_TRACE(rotate);
    VisibleSignature seal;
    seal.layout = SignatureLayout::Seal;
    seal.position = NamedPosition::TopLeft;
    seal.image = toBytes(sealPng());
    const auto pdf = sign(page("/CropBox [100 150 500 750] /Rotate " + std::to_string(rotate)), seal,
                          "crop" + std::to_string(rotate) + ".pdf");
    expectValid(pdf, 1);
    const Ppm ppm = renderDisplayed(pdf, rotate);
    if (::testing::Test::HasFailure()) return;
    // Top left of the displayed page, 36 pt in from both edges.
    const Found stamp = find(ppm, red);
    ASSERT_GT(stamp.count, 500);
    EXPECT_NEAR(stamp.left, 36, 2.0);
    EXPECT_NEAR(stamp.top, 36, 2.0);
    EXPECT_NEAR(stamp.right - stamp.left + 1, 56.64, 2.0);
  }
}

TEST_F(VisibleSignatures, TheCopyNoteStaysAtTheDisplayedTopRightOnEveryRotationAndCropBox) {
  for (const int rotate : {0, 90, 180, 270}) {
    SCOPED_TRACE(rotate);
    VisibleSignature copy;
    copy.layout = SignatureLayout::Copy;
    copy.copyForm = "Sao y";
    copy.copyOrganisation = "Ủy ban nhân dân xã Mẫu";
    // A page with no content of its own: all the ink is the note's.
    auto objects = test::onePageObjects();
    objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /CropBox [100 150 500 750] /Rotate " +
                 std::to_string(rotate) + " /Resources << >> /Contents 4 0 R >>";
    objects[3] = "<< /Length 0 >>\nstream\n\nendstream";
    const auto pdf = sign(test::buildPdf(objects), copy, "copy" + std::to_string(rotate) + ".pdf");
    expectValid(pdf, 1);
    EXPECT_NE(text(pdf).find("Sao y\nỦy ban nhân dân xã Mẫu\n20"), std::string::npos);
    const Ppm ppm = renderDisplayed(pdf, rotate);
    if (::testing::Test::HasFailure()) return;
    // 10 pt lines near the top right of the page as displayed, upright (wider than high).
    const Found note = find(ppm, dark);
    ASSERT_GT(note.count, 100);
    EXPECT_GE(note.top, 20);
    EXPECT_LE(note.top, 26);
    EXPECT_LE(note.right, ppm.width - 20);
    EXPECT_GE(note.right, ppm.width - 27);
    EXPECT_LE(note.bottom - note.top, 3 * 12 + 4);
    EXPECT_GT(note.right - note.left, 2 * (note.bottom - note.top));
  }
}

TEST_F(VisibleSignatures, WhatCannotBeDrawnIsRefusedClearly) {
  const std::string pdf = page("");
  auto code = [&](const VisibleSignature& v) {
    try {
      sign(pdf, v, "refused.pdf");
    } catch (const Error& e) {
      return e.code();
    }
    return std::string("signed");
  };
  VisibleSignature noImage = officer({330, 90, 530, 200});
  noImage.image.clear();
  EXPECT_EQ(code(noImage), "invalid_appearance");
  EXPECT_EQ(code(officer({500, 90, 700, 200})), "invalid_appearance");  // off the page
  EXPECT_EQ(code(officer({330, 90, 340, 200})), "invalid_appearance");  // too narrow
  VisibleSignature emoji = officer({330, 90, 530, 200});
  emoji.name = "Nguyễn 😀";
  EXPECT_EQ(code(emoji), "invalid_text");
  VisibleSignature badImage = officer({330, 90, 530, 200});
  badImage.image = toBytes("\x89PNG\r\n\x1a\nnot really");
  EXPECT_EQ(code(badImage), "invalid_image");
  VisibleSignature seal;
  seal.layout = SignatureLayout::Seal;
  seal.overField = "Signature9";
  seal.image = toBytes(sealPng());
  EXPECT_EQ(code(seal), "field_not_found");
  VisibleSignature farPage = officer({330, 90, 530, 200});
  farPage.page = 2;
  EXPECT_EQ(code(farPage), "page_out_of_range");
}

TEST(VisibleSignatureParameters, ParseOrRefuse) {
  EXPECT_EQ(parseSignatureLayout("Seal"), SignatureLayout::Seal);
  EXPECT_THROW(parseSignatureLayout("stamp"), InputError);
  EXPECT_EQ(parseNamedPosition("bottom-left"), NamedPosition::BottomLeft);
  EXPECT_THROW(parseNamedPosition("middle"), InputError);
  const PageRect r = parsePageRect("10, 20.5,300,400");
  EXPECT_EQ(r.x1, 10);
  EXPECT_EQ(r.y1, 20.5);
  EXPECT_EQ(r.y2, 400);
  for (const char* bad : {"", "1,2,3", "1,2,3,4,5", "a,b,c,d", "1;2;3;4", "1,2,3,inf"}) {
    EXPECT_THROW(parsePageRect(bad), InputError) << bad;
  }
}

}  // namespace
}  // namespace kyso::signer
