#include "kyso/signer/xml_document.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <unistd.h>

#include <cstdio>

#include "kyso/error.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

// Runs `f` expecting an exception of type E with `code`; returns its message.
template <typename E, typename F>
std::string expectError(const std::string& code, F&& f) {
  try {
    f();
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error, expected " << code;
  return {};
}

// Counts what libxml2 would load from outside (DTDs, external entities) while a test runs.
class ExternalLoads {
 public:
  ExternalLoads() : previous_(xmlGetExternalEntityLoader()) {
    count_ = 0;
    xmlSetExternalEntityLoader(&record);
  }
  ~ExternalLoads() { xmlSetExternalEntityLoader(previous_); }
  int count() const { return count_; }

 private:
  static xmlParserInputPtr record(const char* /*url*/, const char* /*id*/, xmlParserCtxtPtr ctxt) {
    ++count_;
    return xmlNewStringInputStream(ctxt, reinterpret_cast<const xmlChar*>("<!ENTITY leak \"LEAKED\">"));
  }
  static inline int count_ = 0;
  xmlExternalEntityLoader previous_;
};

// Whatever the process writes to stderr while `f` runs.
template <typename F>
std::string stderrOf(F&& f) {
  test::TempDir dir;
  const auto path = dir / "stderr";
  std::fflush(stderr);
  const int saved = ::dup(2);
  FILE* file = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(file), 2);
  try {
    f();
  } catch (...) {
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(file);
  return test::readFile(path);
}

TEST(XmlParser, BillionLaughs_Refused_BeforeAnyExpansion) {
  const std::string bomb =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE lolz [\n"
      " <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
      " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
      " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
      " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
      " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
      " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
      " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
      "]>\n"
      "<lolz>&lol9;</lolz>\n";
  expectError<DocumentError>("xml_dtd_refused", [&] { parseXml(bomb); });
}

TEST(XmlParser, ExternalEntity_Refused_NothingFetched) {
  ExternalLoads loads;
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<r>&xxe;</r>";
  const std::string message = expectError<DocumentError>("xml_dtd_refused", [&] { parseXml(xxe); });
  EXPECT_EQ(message.find("root:"), std::string::npos);
  const std::string parameterEntity =
      "<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n"
      "<r/>";
  expectError<DocumentError>("xml_dtd_refused", [&] { parseXml(parameterEntity); });
  EXPECT_EQ(loads.count(), 0);
}

TEST(XmlParser, ExternalDtd_Refused_NothingFetched) {
  ExternalLoads loads;
  test::TempDir dir;
  test::writeFile(dir / "evil.dtd", "<!ENTITY leak \"LEAKED\">");
  for (const std::string& systemId :
       {"file://" + (dir / "evil.dtd").string(), std::string("http://127.0.0.1:9/x.dtd")}) {
    expectError<DocumentError>("xml_dtd_refused",
                               [&] { parseXml("<!DOCTYPE r SYSTEM \"" + systemId + "\">\n<r>&leak;</r>"); });
  }
  // Even a bare declaration without any subset.
  expectError<DocumentError>("xml_dtd_refused", [&] { parseXml("<!DOCTYPE r><r/>"); });
  EXPECT_EQ(loads.count(), 0);
}

TEST(XmlParser, EntityReferenceWithoutDtd_Malformed) {
  ExternalLoads loads;
  expectError<DocumentError>("xml_malformed", [&] { parseXml("<r>&xxe;</r>"); });
  EXPECT_EQ(loads.count(), 0);
  // The five predefined entities and character references are ordinary XML.
  const XmlDocument doc = parseXml("<r>&lt;&amp;&gt;&quot;&apos;&#x1EA1;</r>");
  EXPECT_EQ(textContent(doc.root()), "<&>\"'ạ");
}

TEST(XmlParser, Malformed_NamesTheLine_PrintsNothing) {
  std::string message;
  const std::string printed =
      stderrOf([&] { message = expectError<DocumentError>("xml_malformed", [] { parseXml("<a>\n<b>\n</a>\n"); }); });
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
  EXPECT_EQ(printed, "");
  expectError<DocumentError>("xml_malformed", [] { parseXml(""); });
  expectError<DocumentError>("xml_malformed", [] { parseXml("not xml at all"); });
  expectError<DocumentError>("xml_malformed", [] { parseXml("<a></a><b></b>"); });
  EXPECT_EQ(stderrOf([] { parseXml("<!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>"); }), "");
}

TEST(XmlParser, Limits_SizeAndDepth_Refused) {
  const std::string big = "<r>" + std::string(2000, 'x') + "</r>";
  try {
    parseXml(big, XmlParseLimits{.maxBytes = 1000});
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "xml_too_large");
    EXPECT_EQ(e.kind(), ErrorKind::PayloadTooLarge);
  }
  auto nested = [](int depth) {
    std::string xml;
    for (int i = 0; i < depth; ++i) xml += "<e>";
    for (int i = 0; i < depth; ++i) xml += "</e>";
    return xml;
  };
  EXPECT_NO_THROW(parseXml(nested(64)));
  expectError<DocumentError>("xml_too_deep", [&] { parseXml(nested(65)); });
  expectError<DocumentError>("xml_too_deep", [&] { parseXml(nested(100000)); });
}

TEST(XmlDocument, VietnameseText_RoundTrip_Unchanged) {
  const std::string text = "Trung tâm Phục vụ hành chính công tỉnh Mẫu — Nguyễn Văn Ấn, Cà Mau, Đắk Lắk";
  const std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r a=\"Hà Nội\">" + text + "</r>\n";
  const std::string out = serialize(parseXml(xml));
  EXPECT_EQ(out, xml);
  EXPECT_EQ(textContent(parseXml(out).root()), text);

  // Another declared encoding comes out as UTF-8.
  const std::string latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf\xe9</r>";
  const std::string converted = serialize(parseXml(latin1));
  EXPECT_NE(converted.find("encoding=\"UTF-8\""), std::string::npos) << converted;
  EXPECT_NE(converted.find("café"), std::string::npos) << converted;
}

TEST(XmlDocument, Build_EscapesText_RefusesControlCharacters) {
  XmlDocument doc = newXmlDocument("BLai");
  xmlNode* item = appendTextElement(doc.root(), "Ten", "A & B <C> \"D\" Lệ phí");
  setAttribute(item, "Id", "a\"b&c");
  const std::string out = serialize(doc);
  EXPECT_EQ(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<BLai><Ten Id=\"a&quot;b&amp;c\">A &amp; B &lt;C&gt; \"D\" Lệ phí</Ten></BLai>\n");
  EXPECT_EQ(textContent(childElement(parseXml(out).root(), "Ten")), "A & B <C> \"D\" Lệ phí");

  expectError<InputError>("xml_invalid_text", [&] { appendTextElement(doc.root(), "X", "bell\a"); });
  expectError<InputError>("xml_invalid_text", [&] { appendTextElement(doc.root(), "X", "\xc3\x28"); });
  expectError<InputError>("xml_invalid_text", [&] { appendTextElement(doc.root(), "X", std::string("a\0b", 3)); });
  expectError<InputError>("xml_invalid_text", [&] { setAttribute(doc.root(), "X", "\x01"); });
  EXPECT_NO_THROW(appendTextElement(doc.root(), "X", "tab\tline\nreturn\r"));
}

TEST(XmlDocument, Canonicalize_Subtree_InheritsNamespacesSortsAttributes) {
  const XmlDocument doc = parseXml(
      "<a xmlns=\"urn:a\" xmlns:p=\"urn:p\" xml:lang=\"vi\"><!-- c --><b p:x=\"1\"   y='2'/><c>t&amp;</c></a>");
  xmlNode* b = childElement(doc.root(), "b");
  EXPECT_EQ(canonicalize(doc, b), "<b xmlns=\"urn:a\" xmlns:p=\"urn:p\" y=\"2\" xml:lang=\"vi\" p:x=\"1\"></b>");
  EXPECT_EQ(canonicalize(doc, doc.root(), b), "<a xmlns=\"urn:a\" xmlns:p=\"urn:p\" xml:lang=\"vi\"><c>t&amp;</c></a>");
}

TEST(XmlDocument, FindElementById_Unique_DuplicateRefused) {
  const XmlDocument doc = parseXml("<r><a Id=\"x\"/><b><c Id=\"y\"/></b><d Id=\"z\"/><d Id=\"z\"/></r>");
  EXPECT_EQ(elementName(findElementById(doc, "x")), "a");
  EXPECT_EQ(elementName(findElementById(doc, "y")), "c");
  EXPECT_EQ(findElementById(doc, "none"), nullptr);
  expectError<DocumentError>("xml_duplicate_id", [&] { findElementById(doc, "z"); });
  EXPECT_TRUE(isNcName("DLBLai_rc_01"));
  EXPECT_FALSE(isNcName("1abc"));
  EXPECT_FALSE(isNcName("a:b"));
  EXPECT_FALSE(isNcName(""));
}

}  // namespace
}  // namespace kyso::signer
