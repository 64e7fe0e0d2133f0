#include "embedded_font.h"

#include <gtest/gtest.h>
#include <podofo/podofo.h>

#include <algorithm>
#include <bit>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "incremental_update.h"
#include "kyso/error.h"
#include "pdf_builder.h"
#include "recording_sink.h"
#include "test_support.h"

namespace kyso::signer::detail {
namespace {

using PoDoFo::PdfDictionary;
using PoDoFo::PdfReference;
using test::inflate;
using test::RecordingSink;

// Debian's fonts-liberation2 (2.1.x): Liberation Serif with Vietnamese. fonts-liberation (1.07)
// has the same family name without it.
const std::filesystem::path kLiberation2 = "/usr/share/fonts/truetype/liberation2";
const std::filesystem::path kLiberation1 = "/usr/share/fonts/truetype/liberation";

const std::shared_ptr<const FontFile>& regular() {
  static const auto file = FontFile::load(kLiberation2 / "LiberationSerif-Regular.ttf");
  return file;
}
const std::shared_ptr<const FontFile>& bold() {
  static const auto file = FontFile::load(kLiberation2 / "LiberationSerif-Bold.ttf");
  return file;
}

// The lines of a typical appearance, in NFC and (from Python's unicodedata.normalize) in NFD.
struct Line {
  bool bold;
  const char* nfc;
  const char* nfd;
};
const std::vector<Line> kLines = {
    {false, "Trung tâm Phục vụ hành chính công tỉnh Mẫu",
     "Trung ta\u0302m Phu\u0323c vu\u0323 ha\u0300nh chi\u0301nh co\u0302ng ti\u0309nh Ma\u0302\u0303u"},
    {true, "Nguyễn Thị Ánh Tuyết", "Nguye\u0302\u0303n Thi\u0323 A\u0301nh Tuye\u0302\u0301t"},
    {true, "GIÁM ĐỐC", "GIA\u0301M \u0110O\u0302\u0301C"},
    {true, "SAO Y", "SAO Y"},
    {false, "Quyết định số 12/QĐ-UBND ngày 27 tháng 11 năm 2026",
     "Quye\u0302\u0301t \u0111i\u0323nh so\u0302\u0301 12/Q\u0110-UBND nga\u0300y 27 tha\u0301ng 11 na\u0306m 2026"},
};

// Every Vietnamese letter: 12 vowels × 6 tones, and đ.
const std::string kVietnameseLower = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ";
const std::string kVietnameseUpper = "AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬEÈẺẼÉẸÊỀỂỄẾỆIÌỈĨÍỊOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢUÙỦŨÚỤƯỪỬỮỨỰYỲỶỸÝỴĐ";

// A one-page A4 PDF showing `lines` (Regular or Bold, 14 pt) through the two embedded fonts. With
// `fullPrograms`, the subsets give way to the whole font files (the same glyph ids, so the page
// must look the same).
std::string pagePdf(const std::vector<std::pair<bool, std::string>>& lines, bool fullPrograms = false) {
  EmbeddedFont regularFont(regular());
  EmbeddedFont boldFont(bold());
  std::string content;
  int y = 780;
  for (const auto& [isBold, text] : lines) {
    EmbeddedFont& font = isBold ? boldFont : regularFont;
    content += std::string("BT /") + (isBold ? "F2" : "F1") + " 14 Tf 1 0 0 1 56 " + std::to_string(y) + " Tm " +
               font.show(text, 14).operators + " ET\n";
    y -= 28;
  }
  RecordingSink sink(5);
  const PdfReference f1 = regularFont.write(sink);
  const PdfReference f2 = boldFont.write(sink);
  if (fullPrograms) {
    for (const auto& [ref, name] : {std::pair{f1, "LiberationSerif-Regular.ttf"}, {f2, "LiberationSerif-Bold.ttf"}}) {
      const PdfDictionary& descriptor =
          sink.dictionary(sink.dictionary(sink.dictionary(ref).GetKey("DescendantFonts")->GetArray()[0].GetReference()),
                          "FontDescriptor");
      const std::string program = test::readFile(kLiberation2 / name);
      const std::string length = std::to_string(program.size());
      sink.replaceBody(descriptor.GetKey("FontFile2")->GetReference(),
                       "<< /Length " + length + " /Length1 " + length + " >>\nstream\n" + program + "\nendstream");
    }
  }
  return test::buildPdf(sink.pdfObjects({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 " +
          std::to_string(f1.ObjectNumber()) + " 0 R /F2 " + std::to_string(f2.ObjectNumber()) +
          " 0 R >> >> /Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
  }));
}

// pdftoppm's greyscale rendering at 50 dpi: the pixels of a binary PGM, and what it said.
struct Rendering {
  std::string pixels;
  std::string messages;
};
Rendering render(const test::TempDir& dir, const std::string& pdf) {
  test::writeFile(dir / "page.pdf", pdf);
  const auto result = test::run(
      {"/usr/bin/pdftoppm", "-r", "50", "-gray", "-singlefile", (dir / "page.pdf").string(), (dir / "page").string()});
  EXPECT_EQ(result.exitCode, 0);
  // "P5\n<w> <h>\n255\n", then one byte per pixel.
  const std::string pgm = test::readFile(dir / "page.pgm");
  std::istringstream header(pgm);
  std::string magic;
  std::size_t width = 0, height = 0, maximum = 0;
  header >> magic >> width >> height >> maximum;
  EXPECT_EQ(magic, "P5");
  return {pgm.substr(pgm.size() - std::min(pgm.size(), width * height)), result.output};
}

std::vector<std::pair<bool, std::string>> linesOf(bool decomposed) {
  std::vector<std::pair<bool, std::string>> lines;
  for (const Line& line : kLines) lines.emplace_back(line.bold, decomposed ? line.nfd : line.nfc);
  return lines;
}

// pdftotext's lines, without blank lines and the form feed that ends the page.
std::vector<std::string> extractedLines(const std::filesystem::path& pdf) {
  const auto result = test::run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf.string(), "-"});
  EXPECT_EQ(result.exitCode, 0) << result.output;
  std::vector<std::string> lines;
  std::istringstream in(result.output);
  for (std::string line; std::getline(in, line);) {
    std::erase(line, '\f');
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code() + ": " + e.what();
  }
  return "accepted";
}

TEST(EmbeddedFont, PdftotextReadsBackTheVietnameseLines) {
  for (const bool decomposed : {false, true}) {
    SCOPED_TRACE(decomposed ? "NFD input" : "NFC input");
    test::TempDir dir;
    test::writeFile(dir / "page.pdf", pagePdf(linesOf(decomposed)));
    std::vector<std::string> expected;
    for (const Line& line : kLines) expected.emplace_back(line.nfc);
    EXPECT_EQ(extractedLines(dir / "page.pdf"), expected);
  }
}

TEST(EmbeddedFont, PdffontsListsEmbeddedSubsetCidTrueTypeFontsWithUnicodeMaps) {
  test::TempDir dir;
  test::writeFile(dir / "page.pdf", pagePdf(linesOf(false)));
  const auto result = test::run({"/usr/bin/pdffonts", (dir / "page.pdf").string()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  // name, type, encoding, emb, sub, uni, object number and generation
  static const std::regex row(
      R"(^([A-Z]{6})\+(LiberationSerif(?:-Bold)?) +CID TrueType +Identity-H +yes +yes +yes +\d+ +0$)");
  std::istringstream in(result.output);
  std::vector<std::string> fonts;
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("name") || line.starts_with("----")) continue;
    ++rows;
    std::smatch m;
    if (std::regex_match(line, m, row)) fonts.push_back(m[2]);
  }
  EXPECT_EQ(rows, 2) << result.output;
  EXPECT_EQ(fonts, (std::vector<std::string>{"LiberationSerif", "LiberationSerif-Bold"})) << result.output;
}

TEST(EmbeddedFont, QpdfChecksThePageClean) {
  test::TempDir dir;
  test::writeFile(dir / "page.pdf", pagePdf(linesOf(true)));
  const test::QpdfCheck check = test::qpdfCheck(dir / "page.pdf");
  EXPECT_EQ(check.exitCode, 0);
  EXPECT_TRUE(check.warnings.empty()) << check.warnings.front();
}

TEST(EmbeddedFont, PdftoppmRendersTheSubsetLikeTheWholeFont) {
  test::TempDir dir;
  const Rendering subset = render(dir, pagePdf(linesOf(false)));
  EXPECT_EQ(subset.messages, "");  // poppler and FreeType complain on stderr about broken fonts
  const auto dark = std::count_if(subset.pixels.begin(), subset.pixels.end(),
                                  [](char p) { return static_cast<unsigned char>(p) < 128; });
  EXPECT_GT(dark, 300);
  // Glyph ids kept, outlines and hinting of the glyphs shown kept: not a pixel changes.
  const Rendering full = render(dir, pagePdf(linesOf(false), true));
  EXPECT_EQ(full.messages, "");
  EXPECT_TRUE(subset.pixels == full.pixels);
}

TEST(EmbeddedFont, DecomposedInputShowsTheSameGlyphsAsComposed) {
  for (const Line& line : kLines) {
    EmbeddedFont font(line.bold ? bold() : regular());
    const EmbeddedFont::Run composed = font.show(line.nfc, 12);
    const EmbeddedFont::Run decomposed = font.show(line.nfd, 12);
    EXPECT_EQ(decomposed.operators, composed.operators) << line.nfc;
    EXPECT_EQ(decomposed.width, composed.width);
  }
}

TEST(EmbeddedFont, EveryVietnameseLetterIsOnePrecomposedGlyph) {
  static const std::regex oneGlyph(R"(^\[<([0-9A-F]{4})>\] TJ$)");
  for (const auto* file : {&regular(), &bold()}) {
    EmbeddedFont font(*file);
    std::set<std::string> glyphs;
    for (const std::string& letters : {kVietnameseLower, kVietnameseUpper}) {
      for (std::size_t i = 0; i < letters.size();) {
        std::size_t length = 1;
        while (i + length < letters.size() && (static_cast<unsigned char>(letters[i + length]) & 0xC0) == 0x80)
          ++length;
        const std::string letter = letters.substr(i, length);
        i += length;
        std::smatch m;
        const std::string operators = font.show(letter, 10).operators;
        ASSERT_TRUE(std::regex_match(operators, m, oneGlyph)) << letter << ": " << operators;
        glyphs.insert(m[1]);
      }
    }
    EXPECT_EQ(glyphs.size(), 2 * 73u);  // all distinct
  }
}

TEST(EmbeddedFont, CharacterTheFontLacksIsRefusedByCodePoint) {
  EmbeddedFont font(regular());
  EXPECT_EQ(errorOf([&] { font.show("Ký 漢字", 10); }),
            "invalid_text: the character U+6F22 cannot be shown in Liberation Serif");
  EXPECT_EQ(errorOf([&] { font.measure("😀", 10); }),
            "invalid_text: the character U+1F600 cannot be shown in Liberation Serif");
  // fonts-liberation 1.07 (same family, no Vietnamese), where fontconfig's dependencies brought it.
  if (const auto path = kLiberation1 / "LiberationSerif-Regular.ttf"; std::filesystem::exists(path)) {
    const auto old = FontFile::load(path);
    EXPECT_EQ(errorOf([&] { EmbeddedFont(old).show("Nguyễn", 10); }),
              "invalid_text: the character U+1EC5 cannot be shown in Liberation Serif");
  }

  // A refused text leaves nothing behind.
  RecordingSink afterFailure, fresh;
  font.write(afterFailure);
  EmbeddedFont(regular()).write(fresh);
  EXPECT_EQ(afterFailure.bodies(), fresh.bodies());
}

TEST(EmbeddedFont, InvalidUtf8IsRefused) {
  EmbeddedFont font(regular());
  for (const char* bad : {"\xC3", "a\xC3(", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    EXPECT_EQ(errorOf([&] { font.show(bad, 10); }), "invalid_text: the text is not valid UTF-8") << bad;
    EXPECT_EQ(errorOf([&] { font.measure(bad, 10); }), "invalid_text: the text is not valid UTF-8") << bad;
  }
  EXPECT_EQ(font.show("", 10).operators, "");
}

TEST(EmbeddedFont, MetricsMatchTimesNewRoman) {
  EmbeddedFont font(regular());
  // Liberation Serif keeps Times New Roman's advances: A = 722/1000 em, space = 250.
  EXPECT_NEAR(font.measure("A", 1000), 722, 0.5);
  EXPECT_NEAR(font.measure(" ", 1000), 250, 0.5);
  EXPECT_NEAR(font.ascent(1000), 891, 0.5);
  EXPECT_NEAR(font.descent(1000), -216, 0.5);
  EXPECT_DOUBLE_EQ(font.ascent(20), 2 * font.ascent(10));
  EXPECT_DOUBLE_EQ(font.measure("AA", 20), 4 * font.measure("A", 10));
  EXPECT_DOUBLE_EQ(font.measure("GIÁM ĐỐC", 13), 13 * font.measure("GIÁM ĐỐC", 1));
  EXPECT_DOUBLE_EQ(font.show("Mẫu", 11).width, font.measure("Mẫu", 11));
  EXPECT_GT(EmbeddedFont(bold()).measure("Nguyễn", 10), font.measure("Nguyễn", 10));
}

TEST(EmbeddedFont, KerningBecomesATjAdjustment) {
  EmbeddedFont font(regular());
  EXPECT_LT(font.measure("AV", 10), font.measure("A", 10) + font.measure("V", 10));
  const EmbeddedFont::Run run = font.show("AV", 10);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(run.operators, m, std::regex(R"(^\[<[0-9A-F]{4}> (\d+) <[0-9A-F]{4}>\] TJ$)")))
      << run.operators;
  // The adjustment (1/1000 em) is what kerning takes off.
  const double kern = font.measure("A", 1000) + font.measure("V", 1000) - font.measure("AV", 1000);
  EXPECT_NEAR(std::stod(m[1]), kern, 0.5);
}

TEST(EmbeddedFont, MarkWithoutPrecomposedGlyphIsPlacedOverItsBase) {
  // No precomposed x̃: HarfBuzz places U+0303 over x by offsets, which TJ numbers and Ts carry.
  EmbeddedFont font(regular());
  const EmbeddedFont::Run run = font.show("x\u0303", 10);
  EXPECT_DOUBLE_EQ(run.width, font.measure("x", 10));
  EXPECT_TRUE(std::regex_match(run.operators,
                               std::regex(R"(^\[<[0-9A-F]{4}>\] TJ [0-9.]+ Ts \[\d+ <[0-9A-F]{4}> -\d+\] TJ 0 Ts$)")))
      << run.operators;
}

TEST(EmbeddedFont, SameTextWritesIdenticalObjects) {
  const auto written = [](const std::string& text) {
    EmbeddedFont font(regular());
    font.show(text, 12);
    font.show("SAO Y", 10);
    RecordingSink sink;
    font.write(sink);
    return sink.bodies();
  };
  const auto first = written("Nguyễn Thị Ánh Tuyết");
  EXPECT_EQ(written("Nguyễn Thị Ánh Tuyết"), first);
  const auto other = written("Nguyễn Thị Ánh Tuyến");
  ASSERT_EQ(other.size(), first.size());
  // A different glyph set, a different subset tag.
  EXPECT_NE(other.at(1).substr(0, other.at(1).find('+')), first.at(1).substr(0, first.at(1).find('+')));
}

TEST(EmbeddedFont, MeasuringRecordsNothing) {
  EmbeddedFont measured(regular());
  measured.measure("Xyz Ωμέγα", 10);
  measured.show("a", 10);
  EmbeddedFont plain(regular());
  plain.show("a", 10);
  RecordingSink a, b;
  measured.write(a);
  plain.write(b);
  EXPECT_EQ(a.bodies(), b.bodies());
}

TEST(EmbeddedFont, WritesTheFontDictionariesOfIso32000) {
  EmbeddedFont font(regular());
  font.show("Trung tâm Phục vụ", 10);
  RecordingSink sink;
  const PdfReference ref = font.write(sink);
  const PdfDictionary& type0 = sink.dictionary(ref);
  EXPECT_EQ(type0.GetKey("Subtype")->GetName().GetName(), "Type0");
  EXPECT_EQ(type0.GetKey("Encoding")->GetName().GetName(), "Identity-H");
  const std::string baseFont = type0.GetKey("BaseFont")->GetName().GetName();
  EXPECT_TRUE(std::regex_match(baseFont, std::regex("^[A-Z]{6}\\+LiberationSerif$"))) << baseFont;

  const PdfDictionary& cidFont = sink.dictionary(type0.GetKey("DescendantFonts")->GetArray()[0].GetReference());
  EXPECT_EQ(cidFont.GetKey("Subtype")->GetName().GetName(), "CIDFontType2");
  EXPECT_EQ(cidFont.GetKey("BaseFont")->GetName().GetName(), baseFont);
  EXPECT_EQ(cidFont.GetKey("CIDToGIDMap")->GetName().GetName(), "Identity");
  const PdfDictionary& info = cidFont.GetKey("CIDSystemInfo")->GetDictionary();
  EXPECT_EQ(info.GetKey("Registry")->GetString().GetStringUtf8(), "Adobe");
  EXPECT_EQ(info.GetKey("Ordering")->GetString().GetStringUtf8(), "Identity");
  EXPECT_EQ(info.GetKey("Supplement")->GetNumber(), 0);
  // /W: 14 distinct glyphs in runs of consecutive CIDs, each with its advance.
  const auto& widths = cidFont.GetKey("W")->GetArray();
  std::size_t listed = 0;
  for (std::size_t i = 0; i + 1 < widths.size(); i += 2) listed += widths[i + 1].GetArray().size();
  EXPECT_EQ(listed, 14u);
  EXPECT_EQ(widths[0].GetNumber(), 3);                  // the space comes first
  EXPECT_EQ(widths[1].GetArray()[0].GetNumber(), 250);  // and is a quarter em

  const PdfDictionary& descriptor = sink.dictionary(cidFont, "FontDescriptor");
  EXPECT_EQ(descriptor.GetKey("FontName")->GetName().GetName(), baseFont);
  EXPECT_EQ(descriptor.GetKey("Flags")->GetNumber(), 4);  // symbolic
  EXPECT_EQ(descriptor.GetKey("Ascent")->GetNumber(), 891);
  EXPECT_EQ(descriptor.GetKey("Descent")->GetNumber(), -216);
  EXPECT_EQ(descriptor.GetKey("CapHeight")->GetNumber(), 655);
  EXPECT_EQ(descriptor.GetKey("ItalicAngle")->GetNumber(), 0);
  EXPECT_EQ(descriptor.GetKey("StemV")->GetNumber(), 88);
  const auto& bbox = descriptor.GetKey("FontBBox")->GetArray();
  ASSERT_EQ(bbox.size(), 4u);
  EXPECT_LT(bbox[0].GetNumber(), 0);
  EXPECT_LT(bbox[1].GetNumber(), -216);
  EXPECT_GT(bbox[2].GetNumber(), 1000);
  EXPECT_GT(bbox[3].GetNumber(), 891);

  // The subset keeps glyph ids but not the outlines of unused glyphs: much smaller than the font.
  const auto& [program, encoded] = sink.stream(descriptor.GetKey("FontFile2")->GetReference());
  EXPECT_EQ(program.GetKey("Filter")->GetName().GetName(), "FlateDecode");
  const std::string decoded = inflate(encoded);
  EXPECT_EQ(program.GetKey("Length1")->GetNumber(), static_cast<PoDoFo::pdf_int64>(decoded.size()));
  EXPECT_EQ(decoded.substr(0, 4), std::string("\0\1\0\0", 4));  // TrueType outlines
  const auto fullSize = std::filesystem::file_size(kLiberation2 / "LiberationSerif-Regular.ttf");
  EXPECT_LT(encoded.size() * 20, fullSize) << encoded.size() << " of " << fullSize;
  EXPECT_LT(decoded.size() * 10, fullSize);

  // CIDSet: .notdef, the space (3) and the other glyphs shown.
  const std::string cidSet = inflate(sink.stream(descriptor.GetKey("CIDSet")->GetReference()).data);
  ASSERT_FALSE(cidSet.empty());
  EXPECT_EQ(static_cast<unsigned char>(cidSet[0]), 0x90);  // CIDs 0 and 3 of 0–7
  std::size_t bits = 0;
  for (const char byte : cidSet) bits += static_cast<std::size_t>(std::popcount(static_cast<unsigned char>(byte)));
  EXPECT_GE(bits, 15u);
}

TEST(EmbeddedFont, ToUnicodeMapsEachGlyphToItsTextInChunksOfAHundred) {
  EmbeddedFont font(bold());
  font.show(kVietnameseLower, 10);
  font.show(kVietnameseUpper, 10);
  font.show("Nguye\u0302\u0303n 0123456789", 10);
  RecordingSink sink;
  const PdfDictionary& type0 = sink.dictionary(font.write(sink));
  const std::string cmap = inflate(sink.stream(type0.GetKey("ToUnicode")->GetReference()).data);

  EXPECT_NE(cmap.find("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"), std::string::npos) << cmap;
  EXPECT_TRUE(cmap.starts_with("/CIDInit /ProcSet findresource begin\n"));
  EXPECT_TRUE(cmap.ends_with("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"));
  // 146 letters, N, g, n, the space and ten digits; chunks of at most 100 entries.
  static const std::regex chunk(R"((\d+) beginbfchar\n((?:<[0-9A-F]{4}> <(?:[0-9A-F]{4})+>\n)*)endbfchar\n)");
  std::vector<int> chunks;
  std::map<std::string, std::string> entries;
  for (auto it = std::sregex_iterator(cmap.begin(), cmap.end(), chunk); it != std::sregex_iterator(); ++it) {
    chunks.push_back(std::stoi((*it)[1]));
    std::istringstream lines((*it)[2].str());
    for (std::string code, text; lines >> code >> text;) entries[code] = text;
  }
  EXPECT_EQ(chunks, (std::vector<int>{100, 60}));
  EXPECT_EQ(entries.size(), 160u);
  // ễ, whichever form it came in, maps to U+1EC5 (and not to e, ^, ~ or to N).
  std::smatch m;
  const std::string operators = font.show("ễ", 10).operators;
  ASSERT_TRUE(std::regex_match(operators, m, std::regex(R"(^\[<([0-9A-F]{4})>\] TJ$)")));
  EXPECT_EQ(entries.at("<" + m[1].str() + ">"), "<1EC5>");
}

TEST(EmbeddedFont, OneFontFileServesManyThreads) {
  const auto written = [] {
    EmbeddedFont font(regular());
    for (const Line& line : kLines) font.show(line.nfd, 12);
    RecordingSink sink;
    font.write(sink);
    return sink.bodies();
  };
  const auto expected = written();
  std::vector<std::map<std::uint32_t, std::string>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) threads.emplace_back([&] { result = written(); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(EmbeddedFontFile, UnusableFilesAreRefused) {
  test::TempDir dir;
  test::writeFile(dir / "notes.ttf", "not a font at all");
  test::writeFile(dir / "page.pdf", test::buildPdf(test::onePageObjects()));
  for (const auto& path : {dir / "missing.ttf", dir / "notes.ttf", dir / "page.pdf", dir.path()}) {
    EXPECT_TRUE(errorOf([&] { FontFile::load(path); }).starts_with("font_unusable: ")) << path;
  }
  const auto file = regular();
  EXPECT_EQ(file->familyName(), "Liberation Serif");
  EXPECT_EQ(bold()->postScriptName(), "LiberationSerif-Bold");
  EXPECT_EQ(file->unitsPerEm(), 2048u);
}

}  // namespace
}  // namespace kyso::signer::detail
