#include <gtest/gtest.h>

#include "kyso/signer/pdf_signature.h"
#include "pdf_builder.h"
#include "pdf_lexer.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using detail::findDictionaryValue;
using detail::LexError;
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
