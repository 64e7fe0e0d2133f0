// ParsedPdf's two readings: what signing builds of a large catalog and a flat page tree must find
// the same pages, keep what it does not parse byte for byte, and judge broken trees alike.
#include <gtest/gtest.h>

#include "kyso/error.h"
#include "parsed_pdf.h"
#include "pdf_builder.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using detail::ParsedPdf;

TEST(ParsedPdf, SigningReadingFindsTheSamePagesAndKeepsLargeValuesAsText) {
  const test::LargeDocument doc = test::largeDocument(700);
  const PdfInput input = PdfInput::fromMemory(doc.pdf);
  const ParsedPdf full(input);
  const ParsedPdf signing(input, ParsedPdf::Reading::ForSigning);

  ASSERT_EQ(full.pageCount(), 700u);
  EXPECT_EQ(signing.pageCount(), 700u);
  for (std::size_t index : {0u, 1u, 377u, 699u}) {
    EXPECT_EQ(signing.page(index).ref, full.page(index).ref) << index;
    EXPECT_EQ(signing.geometry(signing.page(index).object).mediaBox.right,
              full.geometry(full.page(index).object).mediaBox.right);
  }
  EXPECT_THROW(signing.page(700), InputError);

  // Full reading parses everything; signing keeps the 28 KB /PageLabels and the 5 KB /Kids as
  // their source text, and the keys signing reads (and small values) parsed.
  const PoDoFo::PdfReference root = full.catalog().GetDictionary().GetKey("Pages")->GetReference();
  EXPECT_TRUE(full.object(root)->GetDictionary().GetKey("Kids")->IsArray());
  EXPECT_TRUE(signing.object(root)->GetDictionary().GetKey("Kids")->IsRawData());
  EXPECT_TRUE(signing.object(root)->GetDictionary().GetKey("Count")->IsNumber());
  EXPECT_TRUE(full.catalog().GetDictionary().GetKey("PageLabels")->IsDictionary());
  const PoDoFo::PdfObject* labels = signing.catalog().GetDictionary().GetKey("PageLabels");
  ASSERT_TRUE(labels->IsRawData());
  EXPECT_EQ(labels->GetRawData().data(), " " + doc.pageLabels);
  EXPECT_TRUE(signing.catalog().GetDictionary().GetKey("Pages")->IsReference());
  EXPECT_TRUE(signing.catalog().GetDictionary().GetKey("Lang")->IsString());
  EXPECT_FALSE(signing.catalog().GetDictionary().HasKey("AcroForm"));
}

TEST(ParsedPdf, SmallObjectsAreParsedWholeInBothReadings) {
  const std::string pdf = test::buildPdf(test::onePageObjects());
  const ParsedPdf signing(PdfInput::fromMemory(pdf), ParsedPdf::Reading::ForSigning);
  EXPECT_EQ(signing.pageCount(), 1u);
  for (const auto& [key, value] : signing.catalog().GetDictionary().GetKeys()) {
    EXPECT_FALSE(value->IsRawData()) << key.GetName();
  }
}

TEST(ParsedPdf, BrokenFlatPageTreesAreRefusedAlikeInBothReadings) {
  test::LargeDocument doc = test::largeDocument(700);
  // A direct page object among the kids, and a count the kids do not hold.
  std::string direct = doc.pdf;
  const std::size_t kidsAt = direct.find("/Kids [3 0 R 6 0 R");
  ASSERT_NE(kidsAt, std::string::npos);
  direct.replace(kidsAt, 18, "/Kids [3 0 R << >>");  // same length: the xref stays right
  std::string shortCount = doc.pdf;
  const std::size_t countAt = shortCount.find("/Count 700");
  ASSERT_NE(countAt, std::string::npos);
  shortCount.replace(countAt, 10, "/Count 705");
  for (const std::string* pdf : {&direct, &shortCount}) {
    for (const auto reading : {ParsedPdf::Reading::Full, ParsedPdf::Reading::ForSigning}) {
      const PdfInput input = PdfInput::fromMemory(*pdf);
      const ParsedPdf parsed(input, reading);
      try {
        (void)parsed.page(parsed.pageCount() - 1);
        ADD_FAILURE() << "a broken page tree was walked";
      } catch (const DocumentError& e) {
        EXPECT_EQ(e.code(), "pdf_malformed");
      }
    }
  }
}

}  // namespace
}  // namespace kyso::signer
