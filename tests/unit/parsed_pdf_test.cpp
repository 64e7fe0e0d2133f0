// ParsedPdf's two readings: what signing builds of a large catalog and a flat page tree must find
// the same pages, keep what it does not parse byte for byte, and judge broken trees alike.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <map>

#include "kyso/error.h"
#include "kyso/signer/pdf_verifier.h"
#include "parsed_pdf.h"
#include "pdf_builder.h"
#include "revision_analysis.h"
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

// --- Object streams (ISO 32000-1 §7.5.7) with hostile headers -----------------------------------

std::string deflated(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uLong>(data.size()), 9) != Z_OK) {
    throw std::runtime_error("compress2 failed");
  }
  out.resize(size);
  return out;
}

std::string streamObject(const std::string& entries, const std::string& data) {
  return "<< " + entries + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

// The one-page document with object 6 an object stream of `entries` and `data`: named by the xref
// table as an ordinary object, it is read by the verifier's scan of the revision's body.
std::string withObjectStream(const std::string& entries, const std::string& data) {
  std::vector<std::string> objects = test::onePageObjects();
  objects.push_back(streamObject("/Type /ObjStm " + entries, data));
  return test::buildPdf(objects);
}

// The message of the DocumentError("pdf_damaged") verifying `pdf` throws; fails the test for any
// other outcome.
std::string damagedBecause(const std::string& pdf) {
  try {
    verifyPdf(PdfInput::fromMemory(pdf), VerificationPolicy{});
  } catch (const DocumentError& e) {
    EXPECT_EQ(e.code(), "pdf_damaged") << e.what();
    return e.what();
  }
  ADD_FAILURE() << "verified without a DocumentError";
  return "";
}

// The shape of the cases below, sound: a Flate object stream holding object 7 passes the body scan.
TEST(ObjectStreamLimits, SoundObjectStream_PassesTheBodyScan) {
  const std::string header = "7 0 ";
  const std::string pdf =
      withObjectStream("/N 1 /First 4 /Filter /FlateDecode", deflated(header + "<< /Note (kept) >>"));
  const PdfInput input = PdfInput::fromMemory(pdf);
  const ParsedPdf parsed(input);
  EXPECT_NO_THROW(detail::checkRevisionBodies(parsed));
  EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(pdf), VerificationPolicy{}));
}

// A 30-byte stream claiming a header of 10^18 bytes: refused before anything is sized to it (it
// was a buffer of /First bytes: gigabytes, or std::length_error).
TEST(ObjectStreamLimits, HugeFirst_IsDamagedWithoutInflatingIt) {
  for (const char* first : {"4000000000", "1000000000000000000"}) {
    const std::string reason = damagedBecause(withObjectStream(
        "/N 1 /First " + std::string(first) + " /Filter /FlateDecode", deflated("7 0 << /Note (x) >>")));
    EXPECT_NE(reason.find("has a /First of " + std::string(first) + ", too large for a header of 1 objects"),
              std::string::npos)
        << reason;
  }
  // The bound leaves room for white space: a padded header is read.
  const std::string padded = "7 0" + std::string(500, ' ');
  const std::string pdf = withObjectStream("/N 1 /First " + std::to_string(padded.size()) + " /Filter /FlateDecode",
                                           deflated(padded + "<< /Note (x) >>"));
  EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(pdf), VerificationPolicy{}));
}

// Chained FlateDecode is read stage by stage: the outer 40 KB inflate to 40 MB of empty deflate
// blocks (which inflate to nothing) before the header. Decoded whole (as PoDoFo did) that is 40
// MB in memory, and a deeper chain more; kyso stops past its limit between the filters.
TEST(ObjectStreamLimits, ChainedFlateBomb_IsDamaged) {
  const std::string data = "7 0 << /Note (x) >>";
  const std::string sound = deflated(data);
  std::string inner = sound.substr(0, 2);  // the zlib header, then 8 M empty stored blocks
  for (int i = 0; i < (8 << 20); ++i) inner.append("\x00\x00\x00\xff\xff", 5);
  inner += sound.substr(2);  // the deflate data and the Adler-32 of `data`
  const std::string reason =
      damagedBecause(withObjectStream("/N 1 /First 4 /Filter [/FlateDecode /FlateDecode]", deflated(inner)));
  EXPECT_NE(reason.find("inflates to more than 32 MiB between its filters"), std::string::npos) << reason;

  // Chained FlateDecode that is not a bomb, and another filter on small data, are read.
  for (const auto& [filter, encoded] :
       {std::pair<std::string, std::string>{"[/FlateDecode /FlateDecode]", deflated(deflated(data))},
        {"/ASCIIHexDecode", "372030203C3C202F4E6F746520287829203E3E"}}) {
    const std::string pdf = withObjectStream("/N 1 /First 4 /Filter " + filter, encoded);
    EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(pdf), VerificationPolicy{})) << filter;
  }
}

// Filters kyso does not stream are decoded by PoDoFo, in full, only when their worst expansion is
// small: five FlateDecode could expand 1032^5 times.
TEST(ObjectStreamLimits, FilterChainWithoutBoundedExpansion_IsDamaged) {
  std::string encoded = "7 0 << /Note (x) >>";
  for (int i = 0; i < 5; ++i) encoded = deflated(encoded);
  const std::string reason = damagedBecause(withObjectStream(
      "/N 1 /First 4 /Filter [/FlateDecode /FlateDecode /FlateDecode /FlateDecode /FlateDecode]", encoded));
  EXPECT_NE(reason.find("could inflate past 64 MiB"), std::string::npos) << reason;
}

// /N is bounded by the document's /Size (it was by 8 388 608 alone).
TEST(ObjectStreamLimits, MoreMembersThanTheDocumentHasNumbers_IsDamaged) {
  const std::string reason =
      damagedBecause(withObjectStream("/N 1000 /First 4 /Filter /FlateDecode", deflated("7 0 null")));
  EXPECT_NE(reason.find("claims 1000 objects, more than the document's /Size of 7"), std::string::npos) << reason;
}

// Each stream within its own limits, together past the document's budget (2^16 members and 16 a
// number of /Size): 40 object streams of 4 000 distinct members each in a document of /Size 4000.
TEST(ObjectStreamLimits, ObjectStreamsPastTheDocumentBudget_AreDamaged) {
  constexpr int kMembers = 4000;
  std::vector<std::string> objects = test::onePageObjects();
  const auto streams = [&](int count) {
    std::vector<std::string> out = objects;
    for (int k = 0; k < count; ++k) {
      std::string header;
      for (int i = 0; i < kMembers; ++i) header += std::to_string(100000 + k * kMembers + i) + " 0 ";
      out.push_back(streamObject("/Type /ObjStm /N " + std::to_string(kMembers) + " /First " +
                                     std::to_string(header.size()) + " /Filter /FlateDecode",
                                 deflated(header + "null")));
    }
    std::string pdf = test::buildPdf(out);
    const std::string size = "/Size " + std::to_string(out.size() + 1) + " ";
    pdf.replace(pdf.rfind(size), size.size(), "/Size " + std::to_string(kMembers) + " ");  // after the xref
    return pdf;
  };
  // Within the budget the streams are read (their members are unused numbers: no harm).
  EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(streams(30)), VerificationPolicy{}));
  const std::string reason = damagedBecause(streams(40));
  EXPECT_NE(reason.find("the PDF's object streams hold more than kyso reads for a document of 4000 objects"),
            std::string::npos)
      << reason;
}

// An object stream holding the font (object 5) in the revision that also writes it as "5 0 obj",
// its /Type hidden from a text search for "stream" or "endobj", or past 64 KB of dictionary: the
// body scan lexes every dictionary to its end and still finds the object stream.
TEST(ObjectStreamLimits, ObjectStreamHiddenFromATextSearch_IsStillChecked) {
  const std::string font = "5 0 << /Type /Font /Subtype /Type1 /BaseFont /Courier >>";
  for (const std::string& before :
       {std::string("/Note (stream)"), std::string("/Note (endobj)"), std::string("/Note 1 % stream\n"),
        std::string("/Upstream 1"), "/Pad (" + std::string(70000, 'x') + ")"}) {
    std::vector<std::string> objects = test::onePageObjects();
    objects.push_back(streamObject(before + " /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", deflated(font)));
    const std::string reason = damagedBecause(test::buildPdf(objects));
    EXPECT_NE(reason.find("object 5 is defined twice in revision 1 (in an object stream and on its own)"),
              std::string::npos)
        << before.substr(0, 20) << ": " << reason;
  }
}

// An incremental update of `pdf` (ISO 32000-1 §7.5.6) writing `objects` (number → value), with an
// xref table for them and a trailer of /Size `size` linked to the previous one.
std::string appendRevision(const std::string& pdf, const std::map<std::uint32_t, std::string>& objects,
                           std::uint32_t size) {
  const auto startxref = pdf.rfind("startxref\n") + 10;
  const std::string previous = pdf.substr(startxref, pdf.find('\n', startxref) - startxref);
  std::string out = pdf;
  std::string table = "xref\n";
  for (const auto& [number, value] : objects) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n\r\n", out.size());
    table += std::to_string(number) + " 1\n" + entry;
    out += std::to_string(number) + " 0 obj\n" + value + "\nendobj\n";
  }
  const std::size_t xref = out.size();
  return out + table + "trailer\n<< /Size " + std::to_string(size) + " /Root 1 0 R /Prev " + previous +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
}

// An object stream of revision 1 whose /Length is object 7; revision 2 gives object 7 another
// value (as a writer reusing the number may). The body scan reads revision 1's stream by its own
// bytes, not by the latest /Length: the update is sound.
TEST(ObjectStreamLimits, ObjectStreamWhoseIndirectLengthALaterRevisionChanged_IsRead) {
  const std::string data = deflated("8 0 << /Note (in revision 1) >>");
  std::vector<std::string> objects = test::onePageObjects();
  objects.push_back("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 7 0 R >>\nstream\n" + data +
                    "\nendstream");
  objects.push_back(std::to_string(data.size()));
  const std::string original = test::buildPdf(objects);
  EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(original), VerificationPolicy{}));
  const std::string updated = appendRevision(original, {{7, "3"}}, 8);
  EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(updated), VerificationPolicy{}));
  // The stream is still read: the same update with revision 1's stream holding the font too is
  // refused.
  objects[5].replace(objects[5].find("stream\n") + 7, data.size(), deflated("5 0 << /Type /Font >>"));
  objects[6] = std::to_string(deflated("5 0 << /Type /Font >>").size());
  const std::string reason = damagedBecause(appendRevision(test::buildPdf(objects), {{7, "3"}}, 8));
  EXPECT_NE(reason.find("object 5 is defined twice in revision 1"), std::string::npos) << reason;
}

// The one-page document with its font (object 5) in a Flate object stream (6), listed by a
// cross-reference stream (7, ISO 32000-1 §7.5.8): the object stream is live.
std::string withLiveObjectStream() {
  std::vector<std::string> objects = test::onePageObjects();
  objects[4] = streamObject("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode",
                            deflated("5 0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"));
  std::string pdf = "%PDF-1.5\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i == 4 ? 6 : i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  offsets.push_back(pdf.size());  // the cross-reference stream
  // Objects 0..7, each: type (1 byte), offset or stream number (4), generation or index (2).
  const auto entry = [](int type, std::size_t field2, int field3) {
    std::string e(1, static_cast<char>(type));
    for (int shift = 24; shift >= 0; shift -= 8) e += static_cast<char>((field2 >> shift) & 0xff);
    return e + static_cast<char>((field3 >> 8) & 0xff) + static_cast<char>(field3 & 0xff);
  };
  std::string table = entry(0, 0, 0xffff);
  for (std::size_t i = 0; i < 4; ++i) table += entry(1, offsets[i], 0);
  table += entry(2, 6, 0) + entry(1, offsets[4], 0) + entry(1, offsets[5], 0);
  pdf += "7 0 obj\n" + streamObject("/Type /XRef /Size 8 /Root 1 0 R /W [1 4 2]", table) + "\nendobj\nstartxref\n" +
         std::to_string(offsets[5]) + "\n%%EOF\n";
  return pdf;
}

// Each object stream's header is inflated once per verification: the check of the live ones when
// the document is opened and the scan of the revision bodies share it.
TEST(ObjectStreamLimits, LiveObjectStreamHeader_IsReadOncePerDocument) {
  const std::string pdf = withLiveObjectStream();
  const PdfInput input = PdfInput::fromMemory(pdf);
  const ParsedPdf parsed(input);
  EXPECT_EQ(parsed.objectStreamHeadersRead(), 1u);
  detail::checkRevisionBodies(parsed);
  EXPECT_EQ(parsed.objectStreamHeadersRead(), 1u);
  const PoDoFo::PdfObject* font = parsed.object(PoDoFo::PdfReference(5, 0));
  ASSERT_NE(font, nullptr);
  EXPECT_EQ(font->GetDictionary().GetKey("BaseFont")->GetName().GetName(), "Helvetica");
  EXPECT_NO_THROW(verifyPdf(PdfInput::fromMemory(pdf), VerificationPolicy{}));
}

}  // namespace
}  // namespace kyso::signer
