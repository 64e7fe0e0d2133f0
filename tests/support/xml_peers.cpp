#include "xml_peers.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

namespace kyso::test {

namespace {

// IDs are what the signature's references point at: every Id attribute counts, as with xmlsec1's
// --id-attr for the elements kyso signs.
void registerIds(xmlDocPtr doc, xmlNodePtr node) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (xmlAttrPtr attr = xmlHasProp(node, reinterpret_cast<const xmlChar*>("Id")); attr != nullptr) {
      xmlChar* value = xmlNodeListGetString(doc, attr->children, 1);
      if (value != nullptr && xmlGetID(doc, value) == nullptr) xmlAddID(nullptr, doc, value, attr);
      xmlFree(value);
    }
    registerIds(doc, node->children);
  }
}

}  // namespace

ProcessResult runXmlsec1Verify(const std::filesystem::path& file, const std::filesystem::path& trustedPem,
                               const std::vector<std::filesystem::path>& untrustedPems,
                               const std::vector<std::string>& idElements) {
  std::vector<std::string> argv{"/usr/bin/xmlsec1", "--verify", "--enabled-reference-uris", "same-doc"};
  argv.insert(argv.end(), {"--trusted-pem", trustedPem.string()});
  for (const auto& pem : untrustedPems) argv.insert(argv.end(), {"--untrusted-pem", pem.string()});
  for (const auto& element : idElements) argv.insert(argv.end(), {"--id-attr:Id", element});
  argv.push_back(file.string());
  return run(argv);
}

bool xmlsec1SaysOk(const ProcessResult& result) {
  return result.exitCode == 0 && result.output.find("OK\n") != std::string::npos;
}

PeerCheck xmlsec1Verify(const std::filesystem::path& file, const pki::Certificate& root,
                        const pki::Certificate* issuing) {
  const auto dir = file.parent_path();
  writeFile(dir / "xmlsec-root.pem", root.pem());
  std::vector<std::filesystem::path> untrusted;
  if (issuing != nullptr) {
    writeFile(dir / "xmlsec-issuing.pem", issuing->pem());
    untrusted.push_back(dir / "xmlsec-issuing.pem");
  }
  const ProcessResult r =
      runXmlsec1Verify(file, dir / "xmlsec-root.pem", untrusted, {"DLBLai", "DLTBao", "DLBTHop", "Object"});
  return {xmlsec1SaysOk(r), r.output};
}

PeerCheck xmllintSchema(const std::filesystem::path& file) {
  const auto schema = std::filesystem::path(KYSO_SOURCE_DIR) / "docs" / "receipt.xsd";
  const ProcessResult r = run({"/usr/bin/xmllint", "--noout", "--nonet", "--schema", schema.string(), file.string()});
  return {r.exitCode == 0, r.output};
}

struct XmlVerifier::State {
  xmlSecKeysMngrPtr manager = nullptr;
};

XmlVerifier::XmlVerifier(const pki::Certificate& root, const pki::Certificate& intermediate)
    : state_(std::make_unique<State>()) {
  static const bool initialised = [] {
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    return xmlSecInit() == 0 && xmlSecCryptoAppInit(nullptr) == 0 && xmlSecCryptoInit() == 0;
  }();
  if (!initialised) throw std::runtime_error("xmlsec initialisation failed");
  state_->manager = xmlSecKeysMngrCreate();
  if (state_->manager == nullptr || xmlSecCryptoAppDefaultKeysMngrInit(state_->manager) < 0) {
    throw std::runtime_error("xmlsec keys manager");
  }
  const std::string rootPem = root.pem(), intermediatePem = intermediate.pem();
  if (xmlSecCryptoAppKeysMngrCertLoadMemory(state_->manager, reinterpret_cast<const xmlSecByte*>(rootPem.data()),
                                            static_cast<xmlSecSize>(rootPem.size()), xmlSecKeyDataFormatPem,
                                            xmlSecKeyDataTypeTrusted) < 0 ||
      xmlSecCryptoAppKeysMngrCertLoadMemory(
          state_->manager, reinterpret_cast<const xmlSecByte*>(intermediatePem.data()),
          static_cast<xmlSecSize>(intermediatePem.size()), xmlSecKeyDataFormatPem, xmlSecKeyDataTypeNone) < 0) {
    throw std::runtime_error("xmlsec certificates");
  }
}

XmlVerifier::~XmlVerifier() {
  if (state_->manager != nullptr) xmlSecKeysMngrDestroy(state_->manager);
}

bool XmlVerifier::verify(const std::string& xml) {
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "receipt.xml", nullptr, XML_PARSE_NONET), &xmlFreeDoc);
  if (!doc) return false;
  registerIds(doc.get(), xmlDocGetRootElement(doc.get()));
  xmlNodePtr signature = xmlSecFindNode(xmlDocGetRootElement(doc.get()), xmlSecNodeSignature, xmlSecDSigNs);
  if (signature == nullptr) return false;
  std::unique_ptr<xmlSecDSigCtx, decltype(&xmlSecDSigCtxDestroy)> ctx(xmlSecDSigCtxCreate(state_->manager),
                                                                      &xmlSecDSigCtxDestroy);
  if (!ctx) return false;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  return xmlSecDSigCtxVerify(ctx.get(), signature) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
}

}  // namespace kyso::test
