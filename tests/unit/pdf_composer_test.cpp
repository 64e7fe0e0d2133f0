#include "kyso/signer/pdf_composer.h"

#include <gtest/gtest.h>

#include <regex>

#include "kyso/error.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

const std::shared_ptr<const AppearanceFonts>& fonts() {
  static const auto loaded = AppearanceFonts::system();
  return loaded;
}

const pki::TimePoint kCreated = pki::parseIso8601("2026-11-27T09:15:00Z");
const TextStyle kText{FontWeight::Regular, 11, {}};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : " ") + line;
  return out;
}

TEST(PdfComposerWrap, Paragraph_EveryLineFits_WordsKeptInOrder) {
  PdfComposer pdf(*fonts());
  const std::string text =
      "Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính thuộc Văn phòng Ủy ban nhân dân tỉnh "
      "Lâm Đồng";
  for (const double width : {60.0, 120.0, 250.0, 1000.0}) {
    const auto lines = pdf.wrap(text, kText, width);
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) EXPECT_LE(pdf.textWidth(line, kText), width) << line;
    EXPECT_EQ(joined(lines), text) << width;
  }
  EXPECT_EQ(pdf.wrap(text, kText, 1000).size(), 1u);
}

TEST(PdfComposerWrap, SpacesAndNewlines_CollapseAndBreak) {
  PdfComposer pdf(*fonts());
  EXPECT_EQ(pdf.wrap("  Họ   tên\nđịa chỉ\n\n", kText, 500), (std::vector<std::string>{"Họ tên", "địa chỉ"}));
  EXPECT_TRUE(pdf.wrap("", kText, 500).empty());
}

TEST(PdfComposerWrap, LongUrl_BreaksAfterASeparator) {
  PdfComposer pdf(*fonts());
  const std::string url = "https://dichvucong.lamdong.gov.vn/bien-lai/tra-cuu?ma=7KQX2M9PHD4T";
  const auto lines = pdf.wrap(url, kText, 150);
  ASSERT_GE(lines.size(), 2u);
  std::string whole;
  for (const auto& line : lines) {
    EXPECT_LE(pdf.textWidth(line, kText), 150) << line;
    whole += line;
  }
  EXPECT_EQ(whole, url);
  EXPECT_NE(std::string("/-.?&=").find(lines[0].back()), std::string::npos) << lines[0];
}

TEST(PdfComposerWrap, DecomposedMarks_StayWithTheirBase) {
  PdfComposer pdf(*fonts());
  // "Nguyễn" with the marks as separate code points (NFD), too wide for a line of 12 points.
  const std::string nfd = "Nguye\u0302\u0303n";
  const auto lines = pdf.wrap(nfd, kText, 12);
  std::string whole;
  for (const auto& line : lines) {
    ASSERT_FALSE(line.empty());
    // No line starts with a combining mark (U+0300..U+036F is 0xCC 0x80 .. 0xCD 0xAF in UTF-8).
    const auto lead = static_cast<unsigned char>(line[0]);
    EXPECT_FALSE(lead == 0xCC || lead == 0xCD) << line;
    whole += line;
  }
  EXPECT_EQ(whole, nfd);
}

TEST(PdfComposer, Write_WithoutPages_IsAnInternalError) {
  PdfComposer pdf(*fonts());
  EXPECT_THROW(pdf.write({}), InternalError);
  EXPECT_THROW(pdf.text("x", 0, 0, kText), InternalError);
  EXPECT_THROW(pdf.selectPage(0), InternalError);
  EXPECT_THROW(pdf.addPage(1, 842), InternalError);
}

TEST(PdfComposer, Document_ReadBackByPoppler_TextWhereItWasPut) {
  PdfComposer pdf(*fonts());
  pdf.addPage();
  pdf.text("Trái", 100, 700, kText);
  pdf.text("Giữa", 300, 650, {FontWeight::Bold, 14, {0.8, 0, 0}}, TextAlign::Centre);
  pdf.text("Phải", 500, 600, kText, TextAlign::Right);
  pdf.line(50, 500, 545, 500, {});
  pdf.rectangle(50, 400, 100, 50, StrokeStyle{{0, 0, 1}, 1}, RgbColour{0.9, 0.9, 0.9});
  const std::vector<GridSquare> squares = {{0, 0}, {1, 0}, {2, 0}, {1, 1}, {0, 2}, {2, 2}};
  pdf.fillSquares(200, 300, 10, squares);
  pdf.addPage(kA4Height, kA4Width);  // landscape
  pdf.text("Trang hai", 72, 72, kText);
  EXPECT_EQ(pdf.pageCount(), 2u);

  DocumentInfo info;
  info.created = kCreated;
  info.title = "Biên lai thu phí, lệ phí";
  info.author = "Trung tâm Phục vụ hành chính công";
  info.language = "vi";
  const std::string bytes = pdf.write(info);
  EXPECT_EQ(pdf.write(info), bytes);  // writing is repeatable

  test::TempDir dir;
  const auto file = dir / "composed.pdf";
  test::writeFile(file, bytes);
  const test::QpdfCheck check = test::qpdfCheck(file);
  EXPECT_EQ(check.exitCode, 0) << ::testing::PrintToString(check.warnings);
  EXPECT_TRUE(check.warnings.empty()) << ::testing::PrintToString(check.warnings);

  const auto pdfinfo = test::run({"/usr/bin/pdfinfo", file.string()});
  const auto field = [&](const std::string& name) {
    std::smatch m;
    const std::regex re(name + ":\\s+([^\n]*)");
    return std::regex_search(pdfinfo.output, m, re) ? m.str(1) : std::string("(missing)");
  };
  EXPECT_EQ(field("Title"), "Biên lai thu phí, lệ phí") << pdfinfo.output;
  EXPECT_EQ(field("Author"), "Trung tâm Phục vụ hành chính công");
  EXPECT_EQ(field("Producer"), "kyso");
  EXPECT_EQ(field("Pages"), "2");
  EXPECT_EQ(field("PDF version"), "1.7");

  // Word boxes (top-left origin): left, centre and right alignment put each word where asked.
  const auto bbox = test::run({"/usr/bin/pdftotext", "-bbox", "-enc", "UTF-8", file.string(), "-"});
  ASSERT_EQ(bbox.exitCode, 0);
  const auto box = [&](const std::string& word) {
    const std::regex re("xMin=\"([0-9.]+)\" yMin=\"[0-9.]+\" xMax=\"([0-9.]+)\" yMax=\"[0-9.]+\">" + word + "<");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(bbox.output, m, re)) << word << "\n" << bbox.output;
    return m.empty() ? std::pair<double, double>{} : std::pair{std::stod(m.str(1)), std::stod(m.str(2))};
  };
  EXPECT_NEAR(box("Trái").first, 100, 1);
  const auto [centreLeft, centreRight] = box("Giữa");
  EXPECT_NEAR((centreLeft + centreRight) / 2, 300, 1);
  EXPECT_NEAR(box("Phải").second, 500, 1);
  EXPECT_NE(bbox.output.find(">hai<"), std::string::npos);

  // The squares: dark where drawn, white between, no seam inside a run (72 dpi: 1 px a point).
  const auto stem = dir / "p1";
  ASSERT_EQ(test::run({"/usr/bin/pdftoppm", "-r", "72", "-gray", "-f", "1", "-l", "1", "-singlefile", file.string(),
                       stem.string()})
                .exitCode,
            0);
  const std::string pgm = test::readFile(stem.string() + ".pgm");
  // "P5\n596 842\n255\n" then one byte a pixel.
  const std::size_t header = pgm.find("255\n") + 4;
  const auto at = [&](int x, int yFromTop) {
    return static_cast<unsigned char>(
        pgm[header + static_cast<std::size_t>(yFromTop) * 596 + static_cast<std::size_t>(x)]);
  };
  const int top = 842 - 300;
  EXPECT_LT(at(205, top + 5), 64);    // (0, 0)
  EXPECT_LT(at(215, top + 5), 64);    // (1, 0)
  EXPECT_LT(at(210, top + 5), 64);    // between (0, 0) and (1, 0): no seam
  EXPECT_GT(at(205, top + 15), 192);  // (0, 1) is light
  EXPECT_LT(at(215, top + 15), 64);   // (1, 1)
  EXPECT_LT(at(225, top + 25), 64);   // (2, 2)
}

TEST(PdfComposer, SameCalls_SameBytes_OtherTimeOtherId) {
  const auto make = [](pki::TimePoint created) {
    PdfComposer pdf(*fonts());
    pdf.addPage();
    pdf.text("Biên lai thu phí, lệ phí", 72, 720, kText);
    DocumentInfo info;
    info.created = created;
    return pdf.write(info);
  };
  const std::string a = make(kCreated);
  EXPECT_EQ(make(kCreated), a);
  const std::string b = make(kCreated + std::chrono::seconds(1));
  EXPECT_NE(b, a);
  const std::regex id("/ID \\[ ?<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)> ?\\]");
  std::smatch ma, mb;
  ASSERT_TRUE(std::regex_search(a, ma, id)) << a.substr(a.size() - 300);
  ASSERT_TRUE(std::regex_search(b, mb, id));
  EXPECT_EQ(ma.str(1), ma.str(2));
  EXPECT_NE(ma.str(1), mb.str(1));
  EXPECT_NE(a.find("/CreationDate (D:20261127161500+07'00')"), std::string::npos);
}

}  // namespace
}  // namespace kyso::signer
