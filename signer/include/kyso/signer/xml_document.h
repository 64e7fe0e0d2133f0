// XML documents for e-receipts and XML signatures: the one RAII vocabulary for libxml2 handles,
// the one hardened parser every XML that reaches kyso goes through, serialization, Canonical XML
// 1.0 of an element, and the few tree-building steps the receipt and signature builders need.
//
// libxml2 handles follow the OpenSSL vocabulary of kyso/pki/ossl.h: a deleter is declared once
// per type here, call sites write xml::Ptr<xmlDoc> and never name a free function. libxml2's
// tree functions that take a node (xmlAddChild, xmlAddNextSibling...) take ownership of it: the
// caller writes `.release()` with a short comment at each such hand-over.
//
// Nothing here prints to stderr: parser errors are collected from the parse's own context, and
// every other libxml2 call that can report an error runs with a per-thread collector installed.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/bytes.h"

// libxml2's own typedefs, repeated so this header stays free of libxml2 includes.
typedef struct _xmlDoc xmlDoc;
typedef struct _xmlNode xmlNode;
typedef struct _xmlNs xmlNs;
typedef struct _xmlParserCtxt xmlParserCtxt;
typedef struct _xmlOutputBuffer xmlOutputBuffer;
typedef unsigned char xmlChar;

namespace kyso::signer {

namespace xml {

template <typename T>
struct Deleter;

// clang-format off
template <> struct Deleter<xmlDoc> { void operator()(xmlDoc* p) const noexcept; };
// A node not (or no longer) linked into a document: xmlFreeNode frees it with its subtree.
template <> struct Deleter<xmlNode> { void operator()(xmlNode* p) const noexcept; };
template <> struct Deleter<xmlParserCtxt> { void operator()(xmlParserCtxt* p) const noexcept; };
// Closing flushes: callers that need to know whether the flush worked close it themselves.
template <> struct Deleter<xmlOutputBuffer> { void operator()(xmlOutputBuffer* p) const noexcept; };
// Strings and buffers libxml2 allocates (xmlGetProp, xmlNodeGetContent, xmlDocDumpMemory): xmlFree.
template <> struct Deleter<xmlChar> { void operator()(xmlChar* p) const noexcept; };
// clang-format on

template <typename T>
using Ptr = std::unique_ptr<T, Deleter<T>>;

}  // namespace xml

// An owned document. Nodes handed out (root(), findElementById()) are borrowed from it and live
// as long as it does.
class XmlDocument {
 public:
  // Takes ownership of `doc` (must not be null).
  explicit XmlDocument(xml::Ptr<xmlDoc> doc);

  xmlDoc* get() const { return doc_.get(); }
  xmlNode* root() const;

 private:
  xml::Ptr<xmlDoc> doc_;
};

// Limits applied before and during parsing. The defaults fit e-receipts and XML signature
// documents by a wide margin.
struct XmlParseLimits {
  std::size_t maxBytes = 4 * 1024 * 1024;
  // Element nesting; libxml2's own limit (256 without XML_PARSE_HUGE) stays in force as well.
  int maxDepth = 64;
};

// The one way kyso reads XML it did not build itself.
//  - no network (XML_PARSE_NONET), no DTD loading, no entity substitution (no XML_PARSE_NOENT),
//    no XInclude, libxml2's built-in limits kept (no XML_PARSE_HUGE);
//  - a document with a document type declaration is refused outright, when the parser meets
//    <!DOCTYPE — before any of its declarations is read, so no entity is expanded and no
//    external subset or entity is fetched (libxml2 2.9 has no XML_PARSE_NO_XXE; this is
//    stricter). E-receipts and XMLDSig documents never need one.
// Throws InputError("xml_too_large", 413), DocumentError("xml_dtd_refused"),
// DocumentError("xml_too_deep"), DocumentError("xml_malformed") naming the line.
XmlDocument parseXml(std::string_view bytes, const XmlParseLimits& limits = {});
inline XmlDocument parseXml(ByteView bytes, const XmlParseLimits& limits = {}) {
  return parseXml(asChars(bytes), limits);
}

// UTF-8 with an XML declaration (<?xml version="1.0" encoding="UTF-8"?>), no indentation added,
// so the text that was signed is the text that is written.
std::string serialize(const XmlDocument& document);

// Canonical XML 1.0 without comments (http://www.w3.org/TR/2001/REC-xml-c14n-20010315) of the
// document subset made of `element` and its descendants, as XMLDSig computes it for a
// same-document reference (XMLDSig 1.1 §4.4.3.3): namespace declarations and xml:* attributes
// in scope from the ancestors are included. When `excluded` is given, it and its subtree are left
// out — the enveloped-signature transform (XMLDSig 1.1 §6.6.4) for a Signature inside `element`.
// Throws DocumentError("xml_c14n_failed") for a document C14N refuses (relative namespace URIs).
std::string canonicalize(const XmlDocument& document, const xmlNode* element, const xmlNode* excluded = nullptr);

// The canonicalization algorithms XMLDSig 1.1 §6.5 names (all but XSLT/XPath-based transforms):
// Canonical XML 1.0 and 1.1 and Exclusive XML Canonicalization 1.0, each with or without comments.
enum class C14nAlgorithm { Inclusive10, Inclusive11, Exclusive10 };
struct C14nMethod {
  C14nAlgorithm algorithm = C14nAlgorithm::Inclusive10;
  bool withComments = false;
  // Exclusive C14N only: the InclusiveNamespaces PrefixList ("#default" for the default namespace).
  std::vector<std::string> inclusivePrefixes;
};

// The document subset made of `element` and its descendants — or the whole document when
// `element` is null (XMLDSig's URI="") — less `excluded` and its subtree, canonicalized by `method`.
// Comments are output only when `method.withComments` (a same-document reference's node-set has
// none, XMLDSig 1.1 §4.4.3.3, so verifiers pass false there).
std::string canonicalize(const XmlDocument& document, const xmlNode* element, const xmlNode* excluded,
                         const C14nMethod& method);

// Calls `visit` for every element of the document in document order (depth first, parents before
// their children), without recursion, so a deeply nested upload cannot exhaust the stack.
void forEachElement(const XmlDocument& document, const std::function<void(xmlNode*)>& visit);

// The element whose attribute `Id` (no namespace) has the value `id`, or null. Throws
// DocumentError("xml_duplicate_id") when more than one element carries it: a signature reference
// to an ambiguous Id is the classic signature-wrapping opening.
xmlNode* findElementById(const XmlDocument& document, std::string_view id);

// The first child element named `name` (local name, any namespace), or null.
xmlNode* childElement(const xmlNode* parent, std::string_view name);
// The element's text content (all descendant text), UTF-8.
std::string textContent(const xmlNode* node);
// The element's local name.
std::string_view elementName(const xmlNode* element);

// Text from a document for a message or report (names, URIs, identifiers): at most `maxBytes`,
// cut at a UTF-8 character boundary and marked with "…", so an upload cannot make a report as
// large as itself.
std::string excerpt(std::string_view text, std::size_t maxBytes = 80);

// True for an XML NCName, the form of an Id value (xs:ID).
bool isNcName(std::string_view name);

// --- Building documents ------------------------------------------------------------------------
// Text and attribute values must be UTF-8 without the control characters XML 1.0 cannot carry
// (only tab, line feed and carriage return are allowed below U+0020); otherwise these throw
// InputError("xml_invalid_text"), since a receipt's text comes from the caller.

// A new document whose root element is `rootName` (no namespace).
XmlDocument newXmlDocument(std::string_view rootName);
// Appends an element named `name` to `parent`, in `parent`'s namespace.
xmlNode* appendElement(xmlNode* parent, std::string_view name);
// Appends an element with text content.
xmlNode* appendTextElement(xmlNode* parent, std::string_view name, std::string_view text);
// Sets the text content of an element that has none yet.
void setText(xmlNode* element, std::string_view text);
void setAttribute(xmlNode* element, std::string_view name, std::string_view value);
// Declares `uri` as the default namespace on `element` and puts `element` in it; children
// appended later inherit it.
void setDefaultNamespace(xmlNode* element, std::string_view uri);

}  // namespace kyso::signer
