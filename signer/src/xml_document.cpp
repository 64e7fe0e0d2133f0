#include "kyso/signer/xml_document.h"

#include <libxml/SAX2.h>
#include <libxml/c14n.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>

#include <mutex>
#include <new>

#include "kyso/error.h"
#include "kyso/numeric.h"

namespace kyso::signer {

namespace xml {

void Deleter<xmlDoc>::operator()(xmlDoc* p) const noexcept {
  xmlFreeDoc(p);
}
void Deleter<xmlNode>::operator()(xmlNode* p) const noexcept {
  xmlFreeNode(p);
}
void Deleter<xmlParserCtxt>::operator()(xmlParserCtxt* p) const noexcept {
  xmlFreeParserCtxt(p);
}
void Deleter<xmlOutputBuffer>::operator()(xmlOutputBuffer* p) const noexcept {
  xmlOutputBufferClose(p);
}
void Deleter<xmlChar>::operator()(xmlChar* p) const noexcept {
  xmlFree(p);
}

}  // namespace xml

namespace {

const xmlChar* xmlText(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}

std::string fromXmlText(const xmlChar* s) {
  return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s));
}

// libxml2 keeps global tables that must be set up once, before any thread parses.
void initLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// libxml2 returns null only when it runs out of memory (or on a defect of ours).
template <typename T>
T* check(T* p, std::string_view what) {
  if (p == nullptr) throw InternalError("libxml2: " + std::string(what) + " failed");
  return p;
}

std::string describe(const xmlError* error) {
  std::string message = error != nullptr && error->message != nullptr ? error->message : "unknown error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

// Collects what libxml2 reports on this thread while it is alive, instead of letting the default
// handler print it to stderr. libxml2 keeps the structured handler per thread (it is built with
// threads), so this affects no other thread; the previous handler comes back on destruction.
class ErrorTrap {
 public:
  ErrorTrap() : previous_(xmlStructuredError), previousContext_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(this, &ErrorTrap::collect);
  }
  ~ErrorTrap() { xmlSetStructuredErrorFunc(previousContext_, previous_); }
  ErrorTrap(const ErrorTrap&) = delete;
  ErrorTrap& operator=(const ErrorTrap&) = delete;

  // The first error reported, for the log.
  const std::string& first() const { return first_; }

 private:
  static void collect(void* self, xmlErrorPtr error) {
    auto* trap = static_cast<ErrorTrap*>(self);
    if (trap->first_.empty() && error != nullptr && error->level >= XML_ERR_ERROR) {
      try {
        trap->first_ = describe(error);
      } catch (...) {  // no exception may cross libxml2's C frames
      }
    }
  }

  xmlStructuredErrorFunc previous_;
  void* previousContext_;
  std::string first_;
};

// --- The hardened parser ---------------------------------------------------------------------

// What one parse found, reached from libxml2's callbacks through the parser context's _private.
struct ParseState {
  int maxDepth = 0;
  bool doctype = false;
  bool tooDeep = false;
  bool failed = false;
  int errorLine = 0;
  std::string errorMessage;
};

ParseState* stateOf(void* parserContext) {
  auto* ctxt = static_cast<xmlParserCtxt*>(parserContext);
  return ctxt == nullptr ? nullptr : static_cast<ParseState*>(ctxt->_private);
}

// The parse's own structured error handler (ctxt->sax->serror): libxml2 hands every parser,
// namespace and I/O error of this parse here and prints nothing. Keeps the first error.
void onParseError(void* /*userData*/, xmlErrorPtr error) {
  if (error == nullptr || error->level < XML_ERR_ERROR) return;
  ParseState* state = stateOf(error->ctxt);
  if (state == nullptr || state->failed) return;
  state->failed = true;
  state->errorLine = error->line;
  try {
    state->errorMessage = describe(error);
  } catch (...) {  // no exception may cross libxml2's C frames
  }
}

// SAX internalSubset: called as soon as <!DOCTYPE name ...> has been read, before the internal
// subset's declarations or any external subset are looked at. Stopping here means no entity is
// declared, expanded or fetched.
void onDoctype(void* ctx, const xmlChar* /*name*/, const xmlChar* /*externalId*/, const xmlChar* /*systemId*/) {
  if (ParseState* state = stateOf(ctx)) state->doctype = true;
  xmlStopParser(static_cast<xmlParserCtxt*>(ctx));
}

// SAX startElementNs: enforces the depth limit, then builds the tree as libxml2 would.
void onStartElement(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri, int nbNamespaces,
                    const xmlChar** namespaces, int nbAttributes, int nbDefaulted, const xmlChar** attributes) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  ParseState* state = stateOf(ctx);
  // nameNr counts the open ancestors of the element starting here.
  if (state != nullptr && ctxt->nameNr + 1 > state->maxDepth) {
    state->tooDeep = true;
    xmlStopParser(ctxt);
    return;
  }
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes);
}

}  // namespace

XmlDocument::XmlDocument(xml::Ptr<xmlDoc> doc) : doc_(std::move(doc)) {
  if (!doc_) throw InternalError("XmlDocument without a document");
}

xmlNode* XmlDocument::root() const {
  return xmlDocGetRootElement(doc_.get());
}

XmlDocument parseXml(std::string_view bytes, const XmlParseLimits& limits) {
  if (bytes.size() > limits.maxBytes) {
    throw InputError("xml_too_large", "the XML document is larger than " + std::to_string(limits.maxBytes) + " bytes",
                     ErrorKind::PayloadTooLarge);
  }
  if (bytes.empty()) throw DocumentError("xml_malformed", "the XML document is empty");
  initLibxml();

  auto ctxt = xml::Ptr<xmlParserCtxt>(check(xmlNewParserCtxt(), "xmlNewParserCtxt"));
  ParseState state;
  state.maxDepth = limits.maxDepth;
  ctxt->_private = &state;
  ctxt->sax->serror = &onParseError;
  ctxt->sax->internalSubset = &onDoctype;
  ctxt->sax->startElementNs = &onStartElement;

  // NONET: no network even if something asked for it. Deliberately absent: NOENT (entity
  // substitution), DTDLOAD/DTDATTR/DTDVALID, XINCLUDE, HUGE (keeps libxml2's size limits).
  const int options = XML_PARSE_NONET;
  xml::Ptr<xmlDoc> doc(
      xmlCtxtReadMemory(ctxt.get(), bytes.data(), checkedCast<int>(bytes.size()), nullptr, nullptr, options));

  if (state.doctype || (doc && (doc->intSubset != nullptr || doc->extSubset != nullptr))) {
    throw DocumentError("xml_dtd_refused",
                        "the XML document has a document type declaration (<!DOCTYPE>); documents with a DTD are "
                        "not accepted");
  }
  if (state.tooDeep) {
    throw DocumentError("xml_too_deep",
                        "the XML document nests elements deeper than " + std::to_string(limits.maxDepth) + " levels");
  }
  if (!doc || xmlDocGetRootElement(doc.get()) == nullptr) {
    int line = state.errorLine;
    std::string message = state.errorMessage;
    if (message.empty()) {
      const xmlError* last = &ctxt->lastError;
      line = last->line;
      message = last->code != XML_ERR_OK ? describe(last) : "no root element";
    }
    throw DocumentError("xml_malformed",
                        "the XML document is not well-formed: line " + std::to_string(line) + ": " + message);
  }
  return XmlDocument(std::move(doc));
}

std::string serialize(const XmlDocument& document) {
  ErrorTrap trap;
  xmlChar* memory = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(document.get(), &memory, &size, "UTF-8");
  const xml::Ptr<xmlChar> owned(memory);
  if (memory == nullptr || size <= 0) throw InternalError("libxml2: serializing the document failed: " + trap.first());
  return std::string(reinterpret_cast<const char*>(memory), checkedCast<std::size_t>(size));
}

namespace {

struct Subset {
  const xmlNode* element;
  const xmlNode* excluded;
};

// xmlC14NIsVisibleCallback. libxml2 passes attributes as xmlAttr and namespace nodes as xmlNs
// (with the element that carries them as `parent`), each cast to xmlNode: the shared `type`
// member tells which.
int isInSubset(void* data, xmlNode* node, xmlNode* parent) {
  const auto* subset = static_cast<const Subset*>(data);
  if (node == nullptr) return 0;
  const xmlNode* n = node;
  if (node->type == XML_NAMESPACE_DECL) {
    n = parent;
  } else if (node->type == XML_ATTRIBUTE_NODE) {
    n = reinterpret_cast<const xmlAttr*>(node)->parent;
  }
  // In the subset: below `element` (anywhere when it is null: the whole document) and not below
  // `excluded`, even when `excluded` encloses `element` (the enveloped-signature transform then
  // leaves nothing, XMLDSig 1.1 §6.6.4).
  bool inElement = subset->element == nullptr;
  for (; n != nullptr; n = n->parent) {
    if (n == subset->excluded) return 0;
    if (n == subset->element) inElement = true;
  }
  return inElement ? 1 : 0;
}

int appendToString(void* context, const char* buffer, int length) {
  try {
    static_cast<std::string*>(context)->append(buffer, static_cast<std::size_t>(length));
    return length;
  } catch (...) {  // no exception may cross libxml2's C frames
    return -1;
  }
}

}  // namespace

std::string canonicalize(const XmlDocument& document, const xmlNode* element, const xmlNode* excluded) {
  if (element == nullptr) throw InternalError("canonicalize: no element");
  return canonicalize(document, element, excluded, C14nMethod{});
}

std::string canonicalize(const XmlDocument& document, const xmlNode* element, const xmlNode* excluded,
                         const C14nMethod& method) {
  if (element != nullptr && (element->type != XML_ELEMENT_NODE || element->doc != document.get())) {
    throw InternalError("canonicalize: not an element of this document");
  }
  int mode = XML_C14N_1_0;
  if (method.algorithm == C14nAlgorithm::Inclusive11) mode = XML_C14N_1_1;
  if (method.algorithm == C14nAlgorithm::Exclusive10) mode = XML_C14N_EXCLUSIVE_1_0;
  // xmlC14NExecute takes the prefix list as a null-terminated array of C strings.
  std::vector<xmlChar*> prefixes;
  if (method.algorithm == C14nAlgorithm::Exclusive10 && !method.inclusivePrefixes.empty()) {
    for (const std::string& prefix : method.inclusivePrefixes) {
      prefixes.push_back(const_cast<xmlChar*>(xmlText(prefix)));  // libxml2 only reads them
    }
    prefixes.push_back(nullptr);
  }
  ErrorTrap trap;
  std::string out;
  xml::Ptr<xmlOutputBuffer> buffer(
      check(xmlOutputBufferCreateIO(&appendToString, nullptr, &out, nullptr), "xmlOutputBufferCreateIO"));
  Subset subset{element, excluded};
  const int written =
      xmlC14NExecute(document.get(), &isInSubset, &subset, mode, prefixes.empty() ? nullptr : prefixes.data(),
                     method.withComments ? 1 : 0, buffer.get());
  const int closed = xmlOutputBufferClose(buffer.release());  // flushes into `out`
  if (written < 0 || closed < 0) {
    // Parsed documents can hold what C14N refuses (C14N 1.0 and relative namespace URIs).
    throw DocumentError("xml_c14n_failed", "the XML cannot be canonicalized: " + trap.first());
  }
  return out;
}

void forEachElement(const XmlDocument& document, const std::function<void(xmlNode*)>& visit) {
  xmlNode* node = document.root();
  while (node != nullptr) {
    if (node->type == XML_ELEMENT_NODE) {
      visit(node);
      if (node->children != nullptr) {
        node = node->children;
        continue;
      }
    }
    while (node != nullptr && node->next == nullptr) {
      node = node->parent;
      if (node != nullptr && node->type != XML_ELEMENT_NODE) node = nullptr;  // back at the document
    }
    if (node != nullptr) node = node->next;
  }
}

xmlNode* findElementById(const XmlDocument& document, std::string_view id) {
  const std::string wanted(id);
  xmlNode* found = nullptr;
  forEachElement(document, [&](xmlNode* node) {
    const xml::Ptr<xmlChar> value(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>("Id")));
    if (value && wanted == reinterpret_cast<const char*>(value.get())) {
      if (found != nullptr) {
        throw DocumentError("xml_duplicate_id", "more than one element has Id=\"" + wanted + "\"");
      }
      found = node;
    }
  });
  return found;
}

xmlNode* childElement(const xmlNode* parent, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && elementName(child) == name) return child;
  }
  return nullptr;
}

std::string textContent(const xmlNode* node) {
  const xml::Ptr<xmlChar> content(xmlNodeGetContent(node));
  return fromXmlText(content.get());
}

std::string_view elementName(const xmlNode* element) {
  return element == nullptr || element->name == nullptr ? std::string_view()
                                                        : reinterpret_cast<const char*>(element->name);
}

std::string excerpt(std::string_view text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return std::string(text);
  std::size_t cut = maxBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

bool isNcName(std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) return false;
  const std::string copy(name);
  return xmlValidateNCName(xmlText(copy), 0) == 0;
}

namespace {

// XML 1.0 §2.2: below U+0020 only tab, line feed and carriage return are characters.
std::string checkedText(std::string_view text, std::string_view what) {
  bool ok = text.find('\0') == std::string_view::npos;
  for (std::size_t i = 0; ok && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ok = false;
  }
  std::string copy(text);
  if (ok && xmlCheckUTF8(reinterpret_cast<const unsigned char*>(copy.c_str())) == 0) ok = false;
  if (!ok) {
    throw InputError("xml_invalid_text",
                     std::string(what) + " is not UTF-8 text that XML can carry (control characters are not allowed)");
  }
  return copy;
}

std::string checkedName(std::string_view name) {
  if (!isNcName(name)) throw InternalError("not an XML name: " + std::string(name));
  return std::string(name);
}

}  // namespace

XmlDocument newXmlDocument(std::string_view rootName) {
  initLibxml();
  const std::string name = checkedName(rootName);
  xml::Ptr<xmlDoc> doc(check(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")), "xmlNewDoc"));
  xml::Ptr<xmlNode> root(check(xmlNewDocNode(doc.get(), nullptr, xmlText(name), nullptr), "xmlNewDocNode"));
  xmlDocSetRootElement(doc.get(), root.release());  // the document owns the root now
  return XmlDocument(std::move(doc));
}

xmlNode* appendElement(xmlNode* parent, std::string_view name) {
  const std::string checked = checkedName(name);
  // A null namespace makes xmlNewChild use the parent's.
  return check(xmlNewChild(parent, nullptr, xmlText(checked), nullptr), "xmlNewChild");
}

xmlNode* appendTextElement(xmlNode* parent, std::string_view name, std::string_view text) {
  const std::string checkedValue = checkedText(text, "the value of " + std::string(name));
  const std::string checked = checkedName(name);
  // xmlNewTextChild stores the text as it is; it is escaped when written.
  return check(xmlNewTextChild(parent, nullptr, xmlText(checked), xmlText(checkedValue)), "xmlNewTextChild");
}

void setText(xmlNode* element, std::string_view text) {
  const std::string checked = checkedText(text, "the value of " + std::string(elementName(element)));
  // Unlike xmlNodeSetContent, this does not interpret '&' as the start of an entity reference.
  xmlNodeAddContentLen(element, xmlText(checked), checkedCast<int>(checked.size()));
}

void setAttribute(xmlNode* element, std::string_view name, std::string_view value) {
  const std::string checkedValue = checkedText(value, "the attribute " + std::string(name));
  const std::string checked = checkedName(name);
  check(xmlSetProp(element, xmlText(checked), xmlText(checkedValue)), "xmlSetProp");
}

void setDefaultNamespace(xmlNode* element, std::string_view uri) {
  const std::string checked(uri);
  xmlNs* ns = check(xmlNewNs(element, xmlText(checked), nullptr), "xmlNewNs");
  xmlSetNs(element, ns);
}

}  // namespace kyso::signer
