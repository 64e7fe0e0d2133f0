#include <gtest/gtest.h>

#include "kyso/signer/pdf_signature.h"
#include "pdf_builder.h"
#include "pdf_lexer.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using detail::dictionaryLayout;
using detail::findDictionaryValue;
using detail::LexError;
using detail::referenceArray;
using detail::skipValue;

std::string valueOf(std::string_view dict, std::string_view key) {
  const auto at = findDictionaryValue(dict, key);
  if (!at) return "<absent>";
  return std::string(dict.substr(*at, skipValue(dict, *at) - *at));
}

TEST(PdfLexer, FindsTopLevelKeysPastEveryKindOfValue) {
  const std::string dict =
      "<< /Kids [1 0 R [2 0 R] << /T (inner) >>] /A 12 0 R /B (par(en)s \\) and \\\\) /C <48 65> "
      "/D << /T (nested) /E [ ] >> /F 3.5 /G true % a comment with /T (fake)\n /H /Name#20x /T (Signature1) >>";
  EXPECT_EQ(valueOf(dict, "T"), "(Signature1)");
  EXPECT_EQ(valueOf(dict, "A"), "12 0 R");
  EXPECT_EQ(valueOf(dict, "C"), "<48 65>");
  EXPECT_EQ(valueOf(dict, "F"), "3.5");
  EXPECT_EQ(valueOf(dict, "Missing"), "<absent>");
}

TEST(PdfLexer, NamesAreComparedDecoded) {
  EXPECT_EQ(valueOf("<</#54<FEFF0041>>>", "T"), "<FEFF0041>");
  EXPECT_EQ(valueOf("<<\n/T\r\n(x)\n>>", "T"), "(x)");
}

TEST(PdfLexer, NumbersThatAreNotReferencesStayNumbers) {
  EXPECT_EQ(valueOf("<< /Rect [0 0 612 792] /N 5 /T (a) >>", "N"), "5");
  EXPECT_EQ(valueOf("<< /W 1 2 /T (a) >>", "W"), "1");  // malformed, but must not swallow /T
}

TEST(PdfLexer, BrokenInputThrowsInsteadOfGuessing) {
  EXPECT_THROW(valueOf("<< /T (unterminated >>", "T"), LexError);
  EXPECT_THROW(findDictionaryValue("[1 2]", "T"), LexError);
  EXPECT_THROW(findDictionaryValue("<< /A <zz> /T (x) >>", "T"), LexError);
  EXPECT_THROW(findDictionaryValue("<< /A ", "T"), LexError);
  std::string deep = "<< /A ";
  for (int i = 0; i < 200; ++i) deep += "[";
  EXPECT_THROW(findDictionaryValue(deep, "T"), LexError);
}

TEST(PdfLexer, DictionaryLayoutGivesEveryTopLevelValueItsSpan) {
  const std::string dict = " << /Kids [1 0 R << /T (x) >>] /#41 12 0 R /B (a\\)b) /C << /D [ ] >> >> trailing";
  const auto layout = dictionaryLayout(dict);
  ASSERT_EQ(layout.entries.size(), 4u);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& e : layout.entries) seen.emplace_back(e.key, dict.substr(e.valueBegin, e.valueEnd - e.valueBegin));
  EXPECT_EQ(seen[0], std::make_pair(std::string("Kids"), std::string("[1 0 R << /T (x) >>]")));
  EXPECT_EQ(seen[1], std::make_pair(std::string("A"), std::string("12 0 R")));  // #41 decoded
  EXPECT_EQ(seen[2], std::make_pair(std::string("B"), std::string("(a\\)b)")));
  EXPECT_EQ(seen[3], std::make_pair(std::string("C"), std::string("<< /D [ ] >>")));
  EXPECT_EQ(dict.substr(layout.end), " trailing");
  EXPECT_THROW(dictionaryLayout("<< /A [1 2"), LexError);  // cut off: never a partial layout
  EXPECT_THROW(dictionaryLayout("[ /A ]"), LexError);
}

// The signature dictionary's one-pass reading answers as the look-ups it replaces did: the
// number of /ByteRange keys, then the /Contents values, and LexError wherever they threw.
std::string byLookups(std::string_view dict) {
  try {
    if (detail::findDictionaryValues(dict, "ByteRange", 2).size() > 1) return "2 byte ranges";
    std::string out = "contents";
    for (const std::size_t at : detail::findDictionaryValues(dict, "Contents", 2)) {
      out += " " + std::to_string(at) + "-" + std::to_string(skipValue(dict, at));
    }
    return out;
  } catch (const LexError&) {
    return "LexError";
  }
}
std::string byOnePass(std::string_view dict) {
  try {
    const detail::SignatureKeys keys = detail::signatureKeys(dict);
    if (keys.byteRanges > 1) return "2 byte ranges";
    std::string out = "contents";
    for (const auto& [begin, end] : keys.contents) out += " " + std::to_string(begin) + "-" + std::to_string(end);
    return out;
  } catch (const LexError&) {
    return "LexError";
  }
}

TEST(PdfLexer, SignatureKeys_OnePass_AnswersAsTheSeparateLookUps) {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  const std::string hex = "<" + std::string(4000, '0') + ">";
  const std::vector<std::string> dicts = {
      "<< /Type /Sig /ByteRange [0 10 30 40] /Contents " + hex + " /M (D:2026) >>",
      "<< /Contents " + hex + " /ByteRange [0 10 30 40] >>",
      "<< /ByteRange [0 1 2 3] /Contents <00> /ByteRange [0 1 2 3] >>",
      "<< /ByteRange [0 1 2 3] /Contents <00> /Contents <01> >>",
      "<< /ByteRange [0 1 2 3] /Contents <00> /Contents <01> /Contents <02> >>",
      "<< /ByteRange [0 1 2 3] >>",
      "<< /ByteRange [0 1 2 3] /Contents << /A 1 >> >>",
      "<< /ByteRange [0 1 2 3] /Contents (literal) >>",
      "<< /ByteRange [0 1 2 3] /Contents <0g> >>",
      "<< /ByteRange [0 1 2 3] /Contents <0000",
      "<< /Contents <00> /ByteRange [0 1 2 3] /ByteRange [ /Broken",
      "<< /ByteRange [0 1 2 3] /Contents <00> /X [ /Broken",
      "<< /B#79teRange [0 1 2 3] /Cont#65nts <00> >>",
      "<< /Contents <00> /Sub << /ByteRange [1] /Contents <01> >> >>",
      // The nesting limit: each look-up skips its own key one level less deep than the others.
      "<< /ByteRange " + nested(64) + " /Contents <00> >>",
      "<< /ByteRange " + nested(65) + " /Contents <00> >>",
      "<< /ByteRange " + nested(66) + " /Contents <00> >>",
      "<< /ByteRange " + nested(65) + " /Contents <00> /ByteRange [0] >>",
      "<< /ByteRange [0 1 2 3] /Contents <00> /X " + nested(65) + " >>",
      "<< /ByteRange [0 1 2 3] /Contents <00> /X " + nested(64) + " >>",
      "<< /ByteRange [0 1 2 3] /Contents " + nested(64) + " >>",
      "<< /ByteRange [0 1 2 3] /Contents " + nested(65) + " >>",
      "not a dictionary",
  };
  for (const std::string& dict : dicts) {
    EXPECT_EQ(byOnePass(dict), byLookups(dict)) << dict.substr(0, 120);
  }
  // The cases mean what they say.
  EXPECT_EQ(byOnePass(dicts[2]), "2 byte ranges");
  EXPECT_EQ(byOnePass(dicts[5]), "contents");
  EXPECT_EQ(byOnePass(dicts[9]), "LexError");
  EXPECT_EQ(byOnePass(dicts[12]), "contents 38-42");
  EXPECT_EQ(byOnePass(dicts[14]), "contents 153-157");
  EXPECT_EQ(byOnePass(dicts[15]), "LexError");
  EXPECT_EQ(byOnePass(dicts[16]), "LexError");
  EXPECT_EQ(byOnePass(dicts[17]), "2 byte ranges");
}

TEST(PdfLexer, ReferenceArraysOnlyHoldReferences) {
  const auto refs = referenceArray(" [3 0 R\n12 1 R 4294967295 65535 R]");
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0], std::make_pair(3u, std::uint16_t{0}));
  EXPECT_EQ(refs[1], std::make_pair(12u, std::uint16_t{1}));
  EXPECT_EQ(refs[2], std::make_pair(4294967295u, std::uint16_t{65535}));
  EXPECT_TRUE(referenceArray("[]").empty());
  EXPECT_THROW(referenceArray("[3 0 R << /Type /Page >>]"), LexError);  // a direct page object
  EXPECT_THROW(referenceArray("[3 0]"), LexError);
  EXPECT_THROW(referenceArray("[3 70000 R]"), LexError);
  EXPECT_THROW(referenceArray("[4294967296 0 R]"), LexError);
  EXPECT_THROW(referenceArray("[3 0 R"), LexError);
}

// The fast field-name scan must see names however they are written.
TEST(PdfLexer, FieldNamesInEveryEncodingAreAvoided) {
  auto objects = test::onePageObjects();
  objects[0] = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 7 0 R 8 0 R] >> >>";
  // "Signature1" as UTF-16BE hex, "Signature2" with an escaped name key, "Signature3" with escapes.
  objects.push_back("<< /FT /Sig /T <FEFF005300690067006E006100740075007200650031> >>");
  objects.push_back("<< /FT /Tx /#54 (Signature2) >>");
  objects.push_back("<< /FT /Tx /V (a\\)b) /T (Sig\\156ature3) >>");
  MemoryPdfOutput out;
  PdfSignatureFields fields;
  fields.signingTime = pki::SystemClock::instance().now();
  const std::string pdf = test::buildPdf(objects);
  const auto prepared = preparePdfSignature(PdfInput::fromMemory(pdf), out, fields, 4096);
  EXPECT_EQ(prepared.fieldName, "Signature4");
}

}  // namespace
}  // namespace kyso::signer
