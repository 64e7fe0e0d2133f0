#include "kyso/signer/xml_signature.h"

#include <libxml/tree.h>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/ossl.h"

namespace kyso::signer {
namespace {

// Algorithm identifiers: XMLDSig 1.1 §6.1 and RFC 6931 §2.1.3, §2.3.2, §2.3.6.
constexpr std::string_view kC14n10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
constexpr std::string_view kEnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr std::string_view kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
constexpr std::string_view kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr std::string_view kEcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
constexpr std::string_view kSignaturePropertiesType = "http://www.w3.org/2000/09/xmldsig#SignatureProperties";

bool isEcdsa(const pki::Certificate& certificate) {
  return pki::signatureSchemeName(certificate) == "ecdsa";  // throws unsupported_key for others
}

std::string_view signatureMethodFor(const pki::Certificate& certificate) {
  return isEcdsa(certificate) ? kEcdsaSha256 : kRsaSha256;
}

void requireNcName(std::string_view id, std::string_view what) {
  if (!isNcName(id)) {
    throw InputError("xml_invalid_id", std::string(what) + " '" + std::string(id) + "' is not an XML NCName");
  }
}

void requireUnused(const XmlDocument& document, std::string_view id) {
  if (findElementById(document, id) != nullptr) {
    throw DocumentError("xml_duplicate_id", "the document already has an element with Id=\"" + std::string(id) + "\"");
  }
}

xmlNode* appendAlgorithm(xmlNode* parent, std::string_view name, std::string_view algorithm) {
  xmlNode* element = appendElement(parent, name);
  setAttribute(element, "Algorithm", algorithm);
  return element;
}

// The ds:DigestValue of a Reference, after its DigestMethod.
xmlNode* appendDigest(xmlNode* reference) {
  appendAlgorithm(reference, "DigestMethod", kSha256);
  return appendElement(reference, "DigestValue");
}

// XMLDSig's ECDSA value is r||s, each as long as the group order (RFC 4050 §3.3, RFC 6931
// §2.3.6), where OpenSSL and CMS use the DER Ecdsa-Sig-Value.
Bytes ecdsaRawFromDer(const pki::Certificate& certificate, ByteView der) {
  const unsigned char* p = der.data();
  const auto signature = ossl::own(d2i_ECDSA_SIG(nullptr, &p, checkedCast<long>(der.size())), "d2i_ECDSA_SIG");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  const int half = (EVP_PKEY_get_bits(certificate.publicKey()) + 7) / 8;
  Bytes raw(2 * checkedCast<std::size_t>(half));
  ossl::check(BN_bn2binpad(r, raw.data(), half), "BN_bn2binpad");
  ossl::check(BN_bn2binpad(s, raw.data() + half, half), "BN_bn2binpad");
  return raw;
}

bool isDsigElement(const xmlNode* node, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && elementName(node) == name && node->ns != nullptr &&
         node->ns->href != nullptr && reinterpret_cast<const char*>(node->ns->href) == kXmlDsigNamespace;
}

xmlNode* requireDsigChild(const xmlNode* parent, std::string_view name) {
  xmlNode* child = childElement(parent, name);
  if (!isDsigElement(child, name)) {
    throw DocumentError("xml_signature_not_found", "the Signature has no " + std::string(name) + " element");
  }
  return child;
}

// Removes a Signature that could not be completed, so the caller's document is as it was.
void removeElement(xmlNode* element) {
  xmlUnlinkNode(element);
  xml::Ptr<xmlNode> unlinked(element);  // ours again once unlinked
}

}  // namespace

std::string formatSigningTime(pki::TimePoint t) {
  // "2026-11-27T09:15:00+07:00" without the offset: the authority's documents show local time.
  return pki::formatIso8601(t, pki::kVietnamUtcOffset).substr(0, 19);
}

Bytes prepareXmlSignature(XmlDocument& document, const XmlSignatureParameters& parameters,
                          const pki::CertificateChain& chain) {
  if (chain.empty()) throw InputError("invalid_certificate", "no signer certificate given");
  xmlNode* parent = parameters.signatureParent;
  if (parent == nullptr || parent->type != XML_ELEMENT_NODE || parent->doc != document.get()) {
    throw InternalError("the Signature's parent must be an element of the document being signed");
  }
  const pki::Certificate& certificate = chain.front();
  const std::string propertiesId =
      parameters.propertiesId.empty() ? "SigningTime-" + parameters.signatureId : parameters.propertiesId;
  requireNcName(parameters.signedDataId, "the signed element's Id");
  requireNcName(parameters.signatureId, "the signature Id");
  requireNcName(propertiesId, "the signature properties' Id");
  if (parameters.signatureId == propertiesId || parameters.signatureId == parameters.signedDataId ||
      propertiesId == parameters.signedDataId) {
    throw InputError("xml_invalid_id", "the signed element, the signature and its properties need distinct Ids");
  }
  pki::requireUsableForSigning(certificate, parameters.signingTime);
  const std::string_view signatureMethod = signatureMethodFor(certificate);

  xmlNode* signedData = findElementById(document, parameters.signedDataId);
  if (signedData == nullptr) {
    throw DocumentError("xml_id_not_found", "no element has Id=\"" + parameters.signedDataId + "\"");
  }
  requireUnused(document, parameters.signatureId);
  requireUnused(document, propertiesId);

  // Built apart from the document, then linked in whole.
  xml::Ptr<xmlNode> built(
      xmlNewDocNode(document.get(), nullptr, reinterpret_cast<const xmlChar*>("Signature"), nullptr));
  if (!built) throw InternalError("libxml2: xmlNewDocNode failed");
  xmlNode* signature = built.get();
  setDefaultNamespace(signature, kXmlDsigNamespace);
  setAttribute(signature, "Id", parameters.signatureId);

  xmlNode* signedInfo = appendElement(signature, "SignedInfo");
  appendAlgorithm(signedInfo, "CanonicalizationMethod", kC14n10);
  appendAlgorithm(signedInfo, "SignatureMethod", signatureMethod);

  xmlNode* dataReference = appendElement(signedInfo, "Reference");
  setAttribute(dataReference, "URI", "#" + parameters.signedDataId);
  xmlNode* transforms = appendElement(dataReference, "Transforms");
  appendAlgorithm(transforms, "Transform", kEnvelopedSignature);
  appendAlgorithm(transforms, "Transform", kC14n10);
  xmlNode* dataDigest = appendDigest(dataReference);

  // No transforms: a same-document node-set is turned into octets with C14N 1.0 (XMLDSig 1.1
  // §4.4.3.2), as in the authority's documents.
  xmlNode* propertiesReference = appendElement(signedInfo, "Reference");
  setAttribute(propertiesReference, "Type", kSignaturePropertiesType);
  setAttribute(propertiesReference, "URI", "#" + propertiesId);
  xmlNode* propertiesDigest = appendDigest(propertiesReference);

  appendElement(signature, "SignatureValue");

  xmlNode* x509Data = appendElement(appendElement(signature, "KeyInfo"), "X509Data");
  appendTextElement(x509Data, "X509SubjectName", certificate.subject());
  appendTextElement(x509Data, "X509Certificate", toBase64(certificate.der()));

  xmlNode* object = appendElement(signature, "Object");
  setAttribute(object, "Id", propertiesId);
  xmlNode* property = appendElement(appendElement(object, "SignatureProperties"), "SignatureProperty");
  setAttribute(property, "Target", "#" + parameters.signatureId);
  appendTextElement(property, "SigningTime", formatSigningTime(parameters.signingTime));

  // In place before anything is canonicalized: C14N 1.0 of an element includes the namespace
  // declarations in scope where it sits.
  if (xmlAddChild(parent, signature) == nullptr) throw InternalError("libxml2: xmlAddChild failed");
  built.release();  // owned by the document now
  try {
    // The enveloped-signature transform takes this Signature out of the signed element's
    // node-set, which matters when the Signature sits inside it.
    setText(dataDigest, toBase64(pki::sha256(asBytes(canonicalize(document, signedData, signature)))));
    setText(propertiesDigest, toBase64(pki::sha256(asBytes(canonicalize(document, object)))));
    return pki::sha256(asBytes(canonicalize(document, signedInfo)));
  } catch (...) {
    removeElement(signature);
    throw;
  }
}

void completeXmlSignature(XmlDocument& document, std::string_view signatureId, const pki::Certificate& certificate,
                          ByteView signatureValue) {
  xmlNode* signature = findElementById(document, signatureId);
  if (!isDsigElement(signature, "Signature")) {
    throw DocumentError("xml_signature_not_found", "no Signature has Id=\"" + std::string(signatureId) + "\"");
  }
  xmlNode* signedInfo = requireDsigChild(signature, "SignedInfo");
  xmlNode* valueElement = requireDsigChild(signature, "SignatureValue");
  if (valueElement->children != nullptr) {
    throw DocumentError("xml_signature_not_pending",
                        "the Signature \"" + std::string(signatureId) + "\" already has a signature value");
  }
  // The certificate verifiers will use is the one in KeyInfo; the value must verify with it.
  const xmlNode* x509Data = requireDsigChild(requireDsigChild(signature, "KeyInfo"), "X509Data");
  const Bytes keyInfoCertificate = fromBase64(textContent(requireDsigChild(x509Data, "X509Certificate")));
  const xmlNode* method = requireDsigChild(signedInfo, "SignatureMethod");
  const xml::Ptr<xmlChar> algorithm(xmlGetNoNsProp(method, reinterpret_cast<const xmlChar*>("Algorithm")));
  if (keyInfoCertificate != certificate.der() || !algorithm ||
      signatureMethodFor(certificate) != reinterpret_cast<const char*>(algorithm.get())) {
    throw InputError("certificate_mismatch", "the certificate is not the one the signature was prepared for");
  }

  const Bytes digest = pki::sha256(asBytes(canonicalize(document, signedInfo)));
  const Bytes der = pki::normalizeSignatureValue(certificate, signatureValue);
  if (!pki::verifyDigestSignature(certificate, pki::DigestAlgorithm::Sha256, digest, der)) {
    throw InputError("signature_invalid",
                     "the signature value does not verify with the signer's certificate over the prepared SignedInfo");
  }
  setText(valueElement, toBase64(isEcdsa(certificate) ? ecdsaRawFromDer(certificate, der) : der));
}

void signXml(XmlDocument& document, const XmlSignatureParameters& parameters,
             const pki::SigningCredential& credential) {
  if (!credential.key || credential.chain.empty()) throw InternalError("signing credential without key or chain");
  const Bytes digest = prepareXmlSignature(document, parameters, credential.chain);
  try {
    completeXmlSignature(document, parameters.signatureId, credential.certificate(),
                         credential.key->signDigest(pki::DigestAlgorithm::Sha256, digest));
  } catch (const InputError& e) {
    removeElement(findElementById(document, parameters.signatureId));
    // Our own key refused the digest or made a value its certificate does not verify.
    throw InternalError("signing key '" + credential.id + "' produced an invalid signature: " + e.what(),
                        "signing_key_failure");
  } catch (...) {
    removeElement(findElementById(document, parameters.signatureId));
    throw;
  }
}

}  // namespace kyso::signer
