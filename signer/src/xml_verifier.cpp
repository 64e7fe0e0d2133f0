#include "kyso/signer/xml_verifier.h"

#include <libxml/tree.h>
#include <openssl/core_names.h>

#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "decoded_cache.h"
#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/signing_key.h"
#include "kyso/signer/xml_signature.h"
#include "revocation_check.h"
#include "signature_checks.h"

namespace kyso::signer {

namespace {

using detail::PathValidation;

// Beyond these a document is not evaluated further: each reference canonicalizes (a walk over)
// the whole document, so their number bounds the work an upload can cause.
constexpr std::size_t kMaxSignatures = 16;
constexpr std::size_t kMaxReferences = 64;  // in the whole document
constexpr std::size_t kMaxKeyInfoCertificates = 16;

constexpr std::string_view kDsig11Namespace = "http://www.w3.org/2009/xmldsig11#";
constexpr std::string_view kExcC14nNamespace = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kEnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

// XMLDSig 1.1 §6.2 and RFC 6931 §2.1.
struct DigestMethod {
  std::string_view uri;
  int nid;
};
constexpr DigestMethod kDigestMethods[] = {
    {"http://www.w3.org/2000/09/xmldsig#sha1", NID_sha1},
    {"http://www.w3.org/2001/04/xmldsig-more#sha224", NID_sha224},
    {"http://www.w3.org/2001/04/xmlenc#sha256", NID_sha256},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", NID_sha384},
    {"http://www.w3.org/2001/04/xmlenc#sha512", NID_sha512},
};

enum class KeyKind { Rsa, Ecdsa };

// XMLDSig 1.1 §6.4 and RFC 6931 §2.3: RSA PKCS#1 v1.5 and ECDSA (value r||s, RFC 4050 §3.3).
struct SignatureMethod {
  std::string_view uri;
  KeyKind key;
  int digestNid;
};
constexpr SignatureMethod kSignatureMethods[] = {
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", KeyKind::Rsa, NID_sha1},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224", KeyKind::Rsa, NID_sha224},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", KeyKind::Rsa, NID_sha256},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", KeyKind::Rsa, NID_sha384},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", KeyKind::Rsa, NID_sha512},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", KeyKind::Ecdsa, NID_sha1},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224", KeyKind::Ecdsa, NID_sha224},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", KeyKind::Ecdsa, NID_sha256},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", KeyKind::Ecdsa, NID_sha384},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", KeyKind::Ecdsa, NID_sha512},
};

// XMLDSig 1.1 §6.5.
struct C14nUri {
  std::string_view uri;
  C14nAlgorithm algorithm;
  bool withComments;
};
constexpr C14nUri kC14nMethods[] = {
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315", C14nAlgorithm::Inclusive10, false},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", C14nAlgorithm::Inclusive10, true},
    {"http://www.w3.org/2006/12/xml-c14n11", C14nAlgorithm::Inclusive11, false},
    {"http://www.w3.org/2006/12/xml-c14n11#WithComments", C14nAlgorithm::Inclusive11, true},
    {"http://www.w3.org/2001/10/xml-exc-c14n#", C14nAlgorithm::Exclusive10, false},
    {"http://www.w3.org/2001/10/xml-exc-c14n#WithComments", C14nAlgorithm::Exclusive10, true},
};

// --- Verdicts ------------------------------------------------------------------------------------

using detail::conclude;
using detail::failed;
using detail::indeterminate;

// The signature is not in the form accepted here: TOTAL_FAILED / FORMAT_FAILURE with this text.
// Thrown and caught within one signature's verification only.
class FormatProblem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- Tree reading --------------------------------------------------------------------------------

std::string_view namespaceOf(const xmlNode* node) {
  return node->ns != nullptr && node->ns->href != nullptr ? reinterpret_cast<const char*>(node->ns->href)
                                                          : std::string_view();
}

bool isElement(const xmlNode* node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && elementName(node) == name && namespaceOf(node) == ns;
}

bool isDsig(const xmlNode* node, std::string_view name) {
  return isElement(node, kXmlDsigNamespace, name);
}

std::vector<xmlNode*> childElements(const xmlNode* parent) {
  std::vector<xmlNode*> out;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) out.push_back(child);
  }
  return out;
}

std::optional<std::string> attribute(const xmlNode* element, const char* name) {
  const xml::Ptr<xmlChar> value(xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(name)));
  if (!value) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(value.get()));
}

std::string algorithmOf(const xmlNode* element) {
  auto value = attribute(element, "Algorithm");
  if (!value) throw FormatProblem("the " + excerpt(elementName(element)) + " element has no Algorithm");
  return std::move(*value);
}

Bytes base64Of(const xmlNode* element) {
  try {
    return fromBase64(textContent(element));
  } catch (const InputError&) {
    throw FormatProblem("the " + excerpt(elementName(element)) + " element is not base64");
  }
}

bool isAncestorOrSelf(const xmlNode* ancestor, const xmlNode* node) {
  for (; node != nullptr; node = node->parent) {
    if (node == ancestor) return true;
  }
  return false;
}

// Every element that carries an identifier (Id, ID, id without a namespace, or xml:id), and
// every ds:Signature, in one walk over the document. A value carried by two elements makes a
// reference to it ambiguous — the opening signature wrapping uses — so such values are recorded.
class DocumentScan {
 public:
  explicit DocumentScan(const XmlDocument& document) {
    forEachElement(document, [&](xmlNode* element) { visit(document, element); });
  }

  xmlNode* element(const std::string& id) const {
    const auto found = ids_.find(id);
    return found == ids_.end() ? nullptr : found->second;
  }
  const std::set<std::string>& duplicates() const { return duplicates_; }
  const std::vector<xmlNode*>& signatures() const { return signatures_; }

 private:
  void visit(const XmlDocument& document, xmlNode* element) {
    if (isDsig(element, "Signature")) signatures_.push_back(element);
    for (xmlAttr* a = element->properties; a != nullptr; a = a->next) {
      const std::string_view name = a->name == nullptr ? "" : reinterpret_cast<const char*>(a->name);
      const std::string_view ns =
          a->ns != nullptr && a->ns->href != nullptr ? reinterpret_cast<const char*>(a->ns->href) : "";
      const bool identifier =
          (ns.empty() && (name == "Id" || name == "ID" || name == "id")) || (ns == kXmlNamespace && name == "id");
      if (!identifier) continue;
      const xml::Ptr<xmlChar> value(xmlNodeListGetString(document.get(), a->children, 1));
      const std::string text = value ? reinterpret_cast<const char*>(value.get()) : "";
      const auto [at, inserted] = ids_.emplace(text, element);
      if (!inserted && at->second != element) duplicates_.insert(text);
    }
  }

  std::map<std::string, xmlNode*> ids_;
  std::set<std::string> duplicates_;
  std::vector<xmlNode*> signatures_;
};

// --- Signature parts -----------------------------------------------------------------------------

C14nMethod c14nMethodOf(const xmlNode* element, std::string_view what) {
  const std::string uri = algorithmOf(element);
  for (const C14nUri& known : kC14nMethods) {
    if (known.uri != uri) continue;
    C14nMethod method{known.algorithm, known.withComments, {}};
    for (const xmlNode* child : childElements(element)) {
      if (known.algorithm != C14nAlgorithm::Exclusive10 ||
          !isElement(child, kExcC14nNamespace, "InclusiveNamespaces")) {
        throw FormatProblem(std::string(what) + " has an unexpected " + excerpt(elementName(child)) + " element");
      }
      const std::string list = attribute(child, "PrefixList").value_or("");
      std::size_t start = 0;
      while (start < list.size()) {
        const std::size_t end = std::min(list.find_first_of(" \t\r\n", start), list.size());
        if (end > start) method.inclusivePrefixes.push_back(list.substr(start, end - start));
        start = end + 1;
      }
    }
    return method;
  }
  throw FormatProblem(std::string(what) + " " + excerpt(uri) +
                      " is not accepted (C14N 1.0, C14N 1.1 or exclusive C14N)");
}

struct Reference {
  std::string uri;
  const xmlNode* target = nullptr;  // null: the whole document (URI="")
  bool enveloped = false;           // the enveloped-signature transform
  C14nMethod c14n;                  // C14N 1.0 unless a transform names another
  int digestNid = 0;
  Bytes digestValue;
};

Reference parseReference(const xmlNode* element, std::size_t index, const DocumentScan& scan) {
  Reference ref;
  const std::string which = "reference " + std::to_string(index + 1);
  const auto uri = attribute(element, "URI");
  // XMLDSig 1.1 §4.4.3.1 lets the application know what an absent URI means; kyso does not.
  if (!uri) throw FormatProblem(which + " has no URI");
  ref.uri = *uri;
  std::vector<xmlNode*> parts = childElements(element);
  std::size_t next = 0;
  if (next < parts.size() && isDsig(parts[next], "Transforms")) {
    bool canonicalized = false;
    for (const xmlNode* transform : childElements(parts[next])) {
      if (!isDsig(transform, "Transform")) throw FormatProblem(which + " has an unexpected element in Transforms");
      const std::string algorithm = algorithmOf(transform);
      if (canonicalized) {
        throw FormatProblem(which + ": no transform may follow the canonicalization (" + excerpt(algorithm) + ")");
      }
      if (algorithm == kEnvelopedSignature) {
        if (ref.enveloped || !childElements(transform).empty()) {
          throw FormatProblem(which + " has a repeated or malformed enveloped-signature transform");
        }
        ref.enveloped = true;
        continue;
      }
      bool known = false;
      for (const C14nUri& c14n : kC14nMethods) known = known || c14n.uri == algorithm;
      if (!known) {
        // XPath, XPath Filter 2.0, XSLT, base64, XPointer and anything else.
        throw FormatProblem(which + " uses the transform " + excerpt(algorithm) +
                            ", which is not accepted (enveloped-signature and C14N only)");
      }
      ref.c14n = c14nMethodOf(transform, which + "'s transform");
      canonicalized = true;
    }
    ++next;
  }
  // A same-document node-set has no comments (XMLDSig 1.1 §4.4.3.3), whatever the method says.
  ref.c14n.withComments = false;
  if (next >= parts.size() || !isDsig(parts[next], "DigestMethod")) {
    throw FormatProblem(which + " has no DigestMethod");
  }
  const std::string digestUri = algorithmOf(parts[next]);
  for (const DigestMethod& method : kDigestMethods) {
    if (method.uri == digestUri) ref.digestNid = method.nid;
  }
  if (ref.digestNid == 0)
    throw FormatProblem(which + " uses the digest " + excerpt(digestUri) + ", which is not accepted");
  ++next;
  if (next >= parts.size() || !isDsig(parts[next], "DigestValue")) throw FormatProblem(which + " has no DigestValue");
  ref.digestValue = base64Of(parts[next]);
  if (++next != parts.size()) throw FormatProblem(which + " has unexpected elements");

  // Only the document itself ("") or one of its elements by identifier ("#id"): no external
  // resources, no XPointer expressions (XMLDSig 1.1 §4.4.3.3).
  if (ref.uri.empty()) return ref;
  if (ref.uri.front() != '#' || !isNcName(std::string_view(ref.uri).substr(1))) {
    throw FormatProblem(which + " points to '" + excerpt(ref.uri) +
                        "'; only \"\" and \"#id\" in the same document are accepted");
  }
  ref.target = scan.element(ref.uri.substr(1));
  return ref;
}

Bytes digestOf(int nid, std::string_view data) {
  const EVP_MD* md = EVP_get_digestbynid(nid);
  if (md == nullptr) throw InternalError("OpenSSL lacks digest " + std::to_string(nid));
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  ossl::check(EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr), "EVP_Digest");
  out.resize(size);
  return out;
}

bool hasKeyKind(const pki::Certificate& certificate, KeyKind kind) {
  const int id = EVP_PKEY_get_base_id(certificate.publicKey());
  return (kind == KeyKind::Rsa && id == EVP_PKEY_RSA) || (kind == KeyKind::Ecdsa && id == EVP_PKEY_EC);
}

// Decoding a certificate is the dearest step of verifying a small document with OpenSSL 3, and an
// issuer signs thousands of documents with one certificate: KeyInfo certificates are decoded once
// per process (decoded_cache.h).
pki::Certificate decodeKeyInfoCertificate(ByteView der) {
  pki::Certificate certificate = detail::decodeCertificate(der);  // throws InputError for non-certificates
  try {
    certificate.publicKey();  // a key OpenSSL cannot read is the document's fault
  } catch (const CryptoError&) {
    ossl::clearErrors();
    throw InputError("invalid_certificate", "the certificate's public key cannot be read");
  }
  return certificate;
}

// The signature value over the canonical SignedInfo, with `certificate`'s key.
bool signatureVerifies(const pki::Certificate& certificate, const SignatureMethod& method, std::string_view signedInfo,
                       ByteView value) {
  if (!hasKeyKind(certificate, method.key)) return false;
  Bytes der;
  if (method.key == KeyKind::Ecdsa) {
    try {
      der = pki::normalizeSignatureValue(certificate, value);  // r||s (RFC 4050) → DER
    } catch (const InputError&) {
      ossl::clearErrors();
      return false;
    }
    value = der;
  }
  auto ctx = ossl::own(EVP_MD_CTX_new(), "EVP_MD_CTX_new");
  const EVP_MD* md = EVP_get_digestbynid(method.digestNid);
  const bool ok = md != nullptr &&
                  EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, certificate.publicKey()) == 1 &&
                  EVP_DigestVerify(ctx.get(), value.data(), value.size(),
                                   reinterpret_cast<const unsigned char*>(signedInfo.data()), signedInfo.size()) == 1;
  ossl::clearErrors();
  return ok;
}

// KeyInfo's KeyValue (XMLDSig 1.1 §4.5.2): RSAKeyValue or dsig11:ECKeyValue with a PublicKey.
// Nullopt when there is none kyso reads; else whether `certificate` holds that key.
std::optional<bool> matchesKeyValue(const xmlNode* keyInfo, const pki::Certificate& certificate) {
  const xmlNode* keyValue = nullptr;
  for (const xmlNode* child : childElements(keyInfo)) {
    if (isDsig(child, "KeyValue")) keyValue = child;
  }
  if (keyValue == nullptr) return std::nullopt;
  EVP_PKEY* key = certificate.publicKey();
  for (const xmlNode* value : childElements(keyValue)) {
    if (isDsig(value, "RSAKeyValue")) {
      const xmlNode* modulus = childElement(value, "Modulus");
      const xmlNode* exponent = childElement(value, "Exponent");
      if (modulus == nullptr || exponent == nullptr) return std::nullopt;
      if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
      BIGNUM* n = nullptr;
      BIGNUM* e = nullptr;
      const bool read = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
                        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1;
      const ossl::Ptr<BIGNUM> ownedN(n), ownedE(e);
      ossl::clearErrors();
      if (!read) return false;
      const Bytes m = base64Of(modulus), x = base64Of(exponent);
      const ossl::Ptr<BIGNUM> wantN(BN_bin2bn(m.data(), checkedCast<int>(m.size()), nullptr));
      const ossl::Ptr<BIGNUM> wantE(BN_bin2bn(x.data(), checkedCast<int>(x.size()), nullptr));
      return wantN && wantE && BN_cmp(n, wantN.get()) == 0 && BN_cmp(e, wantE.get()) == 0;
    }
    if (isElement(value, kDsig11Namespace, "ECKeyValue")) {
      const xmlNode* publicKey = childElement(value, "PublicKey");
      if (publicKey == nullptr) return std::nullopt;
      if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
      Bytes point(256);
      std::size_t size = 0;
      const bool read = EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                                        point.size(), &size) == 1;
      ossl::clearErrors();
      if (!read) return false;
      point.resize(size);
      return constantTimeEquals(point, base64Of(publicKey));
    }
  }
  return std::nullopt;
}

// "2026-11-27T09:15:00" (Vietnam local time, the tax authority's form) or with Z / ±hh:mm.
std::optional<pki::TimePoint> parseSigningTime(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t')) {
    text.pop_back();
  }
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::nullopt;
  text.erase(0, start);
  if (text.size() == 19) text += "+07:00";
  try {
    return pki::parseIso8601(text);
  } catch (const InputError&) {
    return std::nullopt;
  }
}

// --- One signature -------------------------------------------------------------------------------

class XmlSignatureVerifier {
 public:
  XmlSignatureVerifier(const XmlDocument& document, const DocumentScan& scan, const VerificationPolicy& policy,
                       pki::TimePoint now, detail::RevocationChecker& revocation)
      : document_(document), scan_(scan), policy_(policy), now_(now), revocation_(revocation) {
    pool_ = policy.trustAnchors;
    pool_.insert(pool_.end(), policy.intermediates.begin(), policy.intermediates.end());
  }

  // `references` counts the references evaluated so far in the document.
  void verify(const xmlNode* signature, SignatureResult& result, std::size_t& references) const {
    try {
      verifyOrThrow(signature, result, references);
    } catch (const FormatProblem& e) {
      failed(result, SubIndication::FormatFailure, e.what());
    } catch (const DocumentError& e) {
      // The document holds something canonicalization refuses.
      failed(result, SubIndication::FormatFailure, e.what());
    }
    if (policy_.revocation == RevocationCheck::Skip) result.warnings.push_back("revocation not checked (policy)");
  }

 private:
  void verifyOrThrow(const xmlNode* signature, SignatureResult& result, std::size_t& referenceCount) const {
    if (!scan_.duplicates().empty()) {
      throw FormatProblem("more than one element has the identifier \"" + excerpt(*scan_.duplicates().begin()) +
                          "\": references to it would be ambiguous (signature wrapping)");
    }
    // XMLDSig 1.1 §4.1: SignedInfo, SignatureValue, KeyInfo?, Object*.
    const std::vector<xmlNode*> parts = childElements(signature);
    if (parts.size() < 2 || !isDsig(parts[0], "SignedInfo") || !isDsig(parts[1], "SignatureValue")) {
      throw FormatProblem("the Signature does not begin with SignedInfo and SignatureValue");
    }
    const xmlNode* signedInfo = parts[0];
    const xmlNode* keyInfo = nullptr;
    for (std::size_t i = 2; i < parts.size(); ++i) {
      if (i == 2 && isDsig(parts[i], "KeyInfo")) {
        keyInfo = parts[i];
      } else if (!isDsig(parts[i], "Object")) {
        throw FormatProblem("the Signature has an unexpected " + excerpt(elementName(parts[i])) + " element");
      }
    }

    // SignedInfo: CanonicalizationMethod, SignatureMethod, Reference+.
    const std::vector<xmlNode*> info = childElements(signedInfo);
    if (info.size() < 3 || !isDsig(info[0], "CanonicalizationMethod") || !isDsig(info[1], "SignatureMethod")) {
      throw FormatProblem("SignedInfo does not hold CanonicalizationMethod, SignatureMethod and a Reference");
    }
    const C14nMethod c14n = c14nMethodOf(info[0], "the CanonicalizationMethod");
    const SignatureMethod method = signatureMethodOf(info[1]);
    std::vector<Reference> references;
    for (std::size_t i = 2; i < info.size(); ++i) {
      if (!isDsig(info[i], "Reference")) {
        throw FormatProblem("SignedInfo has an unexpected " + excerpt(elementName(info[i])) + " element");
      }
      if (++referenceCount > kMaxReferences) {
        throw FormatProblem("the document has more than " + std::to_string(kMaxReferences) +
                            " references; it is not evaluated further");
      }
      references.push_back(parseReference(info[i], i - 2, scan_));
    }
    const Bytes value = base64Of(parts[1]);
    result.digestAlgorithm = detail::digestName(method.digestNid);

    // EN 319 102-1 §5.2.3 (identification of the signing certificate), then §5.2.7: the data
    // digests, then the signature value.
    const std::string canonicalSignedInfo = canonicalize(document_, signedInfo, nullptr, c14n);
    std::vector<pki::Certificate> keyInfoCertificates;
    bool verified = false;
    const std::optional<pki::Certificate> signer =
        signingCertificate(keyInfo, method, canonicalSignedInfo, value, keyInfoCertificates, verified);
    if (signer) {
      result.signer = SignerIdentity{signer->subject(), signer->commonName(),
                                     signer->subjectAttribute("UID").value_or(""), signer->serialHex()};
      result.chain = {detail::summaryOf(*signer)};
    }
    for (std::size_t i = 0; i < references.size(); ++i) {
      const Reference& ref = references[i];
      if (!ref.uri.empty() && ref.target == nullptr) {
        indeterminate(result, SubIndication::SignedDataNotFound,
                      "reference " + std::to_string(i + 1) + ": no element has the identifier " + excerpt(ref.uri));
        return;
      }
      const std::string data = canonicalize(document_, ref.target, ref.enveloped ? signature : nullptr, ref.c14n);
      if (!constantTimeEquals(digestOf(ref.digestNid, data), ref.digestValue)) {
        failed(result, SubIndication::HashFailure,
               "reference " + std::to_string(i + 1) + " (URI \"" + excerpt(ref.uri) +
                   "\"): the signed data does not match its digest");
        return;
      }
    }
    if (!signer) {
      indeterminate(result, SubIndication::NoSigningCertificateFound,
                    "KeyInfo holds no certificate, and no trusted certificate's key verifies the signature");
      return;
    }
    if (!verified) {
      failed(result, SubIndication::SigCryptoFailure, "the signature value does not verify with the signer's key");
      return;
    }
    claimedSigningTime(signature, references, result);

    // Cryptographic constraints (TS 119 312): without proof that the signature existed while the
    // algorithm was still fit, CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
    for (const int nid : referenceDigests(references, method)) {
      if (!detail::acceptableDigest(nid)) {
        indeterminate(result, SubIndication::CryptoConstraintsFailureNoPoe,
                      "the digest algorithm " + detail::digestName(nid) + " is no longer acceptable");
        return;
      }
    }
    if (const auto problem = detail::keyConstraintProblem(signer->publicKey())) {
      indeterminate(result, SubIndication::CryptoConstraintsFailureNoPoe, *problem);
      return;
    }

    std::vector<pki::Certificate> untrusted = keyInfoCertificates;
    untrusted.insert(untrusted.end(), policy_.intermediates.begin(), policy_.intermediates.end());
    std::vector<pki::Certificate> path;
    if (!validateCertificate(*signer, untrusted, result, path)) return;
    if (policy_.revocation == RevocationCheck::Require) {
      result.revocation = revocation_.check(path, untrusted);
      // No time-stamp: nothing proves the signature existed before a revocation.
      detail::RevocationVerdict verdict = detail::judgeRevocation(result.revocation, path, std::nullopt, now_);
      for (std::string& warning : verdict.warnings) result.warnings.push_back(std::move(warning));
      conclude(result, verdict.indication, verdict.subIndication, std::move(verdict.detail));
      return;
    }
    conclude(result, Indication::TotalPassed, SubIndication::None, {});
  }

  static SignatureMethod signatureMethodOf(const xmlNode* element) {
    const std::string uri = algorithmOf(element);
    if (!childElements(element).empty()) throw FormatProblem("the SignatureMethod has unexpected parameters");
    for (const SignatureMethod& method : kSignatureMethods) {
      if (method.uri == uri) return method;
    }
    throw FormatProblem("the signature method " + excerpt(uri) +
                        " is not accepted (RSA PKCS#1 v1.5 or ECDSA with SHA-2)");
  }

  static std::vector<int> referenceDigests(const std::vector<Reference>& references, const SignatureMethod& method) {
    std::vector<int> out{method.digestNid};
    for (const Reference& ref : references) out.push_back(ref.digestNid);
    return out;
  }

  // The certificate whose key verifies the signature: among KeyInfo's X509Certificate elements,
  // or when there are none among the policy's certificates (those matching KeyInfo's KeyValue when
  // it has one). `verified` says whether the returned one verified; a certificate is still
  // returned when KeyInfo named it (or the KeyValue singled one out) but the value does not verify.
  std::optional<pki::Certificate> signingCertificate(const xmlNode* keyInfo, const SignatureMethod& method,
                                                     std::string_view signedInfo, ByteView value,
                                                     std::vector<pki::Certificate>& keyInfoCertificates,
                                                     bool& verified) const {
    verified = false;
    if (keyInfo != nullptr) {
      for (const xmlNode* data : childElements(keyInfo)) {
        if (!isDsig(data, "X509Data")) continue;
        for (const xmlNode* entry : childElements(data)) {
          if (!isDsig(entry, "X509Certificate")) continue;
          if (keyInfoCertificates.size() == kMaxKeyInfoCertificates) {
            throw FormatProblem("KeyInfo holds more than " + std::to_string(kMaxKeyInfoCertificates) + " certificates");
          }
          try {
            keyInfoCertificates.push_back(decodeKeyInfoCertificate(base64Of(entry)));
          } catch (const InputError&) {
            ossl::clearErrors();
            throw FormatProblem("an X509Certificate in KeyInfo is not a certificate");
          }
        }
      }
    }
    std::vector<pki::Certificate> candidates;
    if (!keyInfoCertificates.empty()) {
      candidates = keyInfoCertificates;
    } else {
      for (const pki::Certificate& cert : pool_) {
        const std::optional<bool> match = keyInfo != nullptr ? matchesKeyValue(keyInfo, cert) : std::nullopt;
        if (match.value_or(true)) candidates.push_back(cert);
      }
    }
    for (const pki::Certificate& cert : candidates) {
      if (signatureVerifies(cert, method, signedInfo, value)) {
        verified = true;
        return cert;
      }
    }
    if (!keyInfoCertificates.empty()) {
      // The certificate KeyInfo puts first for this kind of key is the one the signer named.
      for (const pki::Certificate& cert : keyInfoCertificates) {
        if (hasKeyKind(cert, method.key)) return cert;
      }
      return keyInfoCertificates.front();
    }
    const bool singledOut = keyInfo != nullptr && !pool_.empty() && candidates.size() == 1 &&
                            matchesKeyValue(keyInfo, candidates.front()).value_or(false);
    if (singledOut) return candidates.front();
    return std::nullopt;
  }

  // The GDT layout's SigningTime (xml_signature.h): Object/SignatureProperties/SignatureProperty
  // with Target "#<signature Id>", taken only when a reference of this signature covers it.
  void claimedSigningTime(const xmlNode* signature, const std::vector<Reference>& references,
                          SignatureResult& result) const {
    const std::optional<std::string> id = attribute(signature, "Id");
    for (const xmlNode* object : childElements(signature)) {
      if (!isDsig(object, "Object")) continue;
      for (const xmlNode* properties : childElements(object)) {
        if (!isDsig(properties, "SignatureProperties")) continue;
        for (const xmlNode* property : childElements(properties)) {
          if (!isDsig(property, "SignatureProperty")) continue;
          const xmlNode* time = childElement(property, "SigningTime");
          if (time == nullptr) continue;
          if (!id || attribute(property, "Target") != "#" + *id) continue;
          bool covered = false;
          for (const Reference& ref : references) {
            // URI="" covers the Object unless the enveloped transform took the Signature out.
            covered = covered || (ref.target == nullptr ? !ref.enveloped : isAncestorOrSelf(ref.target, time));
          }
          if (!covered) {
            result.warnings.push_back("the SigningTime property is not signed; ignored");
            return;
          }
          result.claimedSigningTime = parseSigningTime(textContent(time));
          if (!result.claimedSigningTime) result.warnings.push_back("the SigningTime property is not a time");
          return;
        }
      }
    }
  }

  // EN 319 102-1 §5.2.6 at the validation time. XMLDSig carries no time-stamp, so nothing proves
  // the signature existed while an expired certificate was valid.
  bool validateCertificate(const pki::Certificate& signer, const std::vector<pki::Certificate>& untrusted,
                           SignatureResult& result, std::vector<pki::Certificate>& validatedPath) const {
    if (now_ < signer.notBefore()) {
      failed(result, SubIndication::NotYetValid,
             "the signing certificate is valid only from " + pki::formatIso8601Utc(signer.notBefore()));
      return false;
    }
    const PathValidation path = detail::validatePath(signer, untrusted, policy_.trustAnchors, now_);
    result.chain.clear();
    for (const auto& cert : path.chain) result.chain.push_back(detail::summaryOf(cert));
    if (!path.ok && detail::isExpiryError(path.error)) {
      indeterminate(result, SubIndication::OutOfBoundsNoPoe,
                    std::string(signer.notAfter() < now_ ? "the signing certificate" : "a certificate of the path") +
                        " has expired and no time-stamp proves the signature existed before");
      return false;
    }
    return detail::acceptPath(path, signer, result, validatedPath);
  }

  const XmlDocument& document_;
  const DocumentScan& scan_;
  const VerificationPolicy& policy_;
  pki::TimePoint now_;
  detail::RevocationChecker& revocation_;
  std::vector<pki::Certificate> pool_;  // trust anchors and intermediates
};

}  // namespace

bool isXmlSignatureElement(const xmlNode* node) {
  return isDsig(node, "Signature");
}

std::string firstReferenceUri(const xmlNode* signature) {
  const xmlNode* signedInfo = signature == nullptr ? nullptr : childElement(signature, "SignedInfo");
  const xmlNode* reference = signedInfo == nullptr ? nullptr : childElement(signedInfo, "Reference");
  if (!isDsig(reference, "Reference")) return {};
  return attribute(reference, "URI").value_or("");
}

VerificationReport verifyXml(const XmlDocument& document, std::uint64_t documentSize,
                             const VerificationPolicy& policy) {
  if (policy.clock == nullptr) throw InternalError("verification policy without a clock");
  VerificationReport report;
  report.validationTime = policy.clock->now();
  report.documentSize = documentSize;
  report.revisions = 1;

  const DocumentScan scan(document);
  detail::RevocationChecker revocation(policy, report.validationTime);
  const XmlSignatureVerifier verifier(document, scan, policy, report.validationTime, revocation);
  std::size_t references = 0;
  for (std::size_t i = 0; i < scan.signatures().size(); ++i) {
    const xmlNode* signature = scan.signatures()[i];
    SignatureResult result;
    result.fieldName = attribute(signature, "Id").value_or("Signature " + std::to_string(i + 1));
    if (i >= kMaxSignatures) {
      failed(result, SubIndication::FormatFailure,
             "the document has more than " + std::to_string(kMaxSignatures) + " signatures; not evaluated");
    } else {
      verifier.verify(signature, result, references);
    }
    report.signatures.push_back(std::move(result));
  }
  if (report.signatures.empty()) report.warnings.push_back("the document has no signatures");
  summarize(report);
  return report;
}

VerificationReport verifyXml(std::string_view xml, const VerificationPolicy& policy) {
  const XmlDocument document = parseXml(xml);
  return verifyXml(document, xml.size(), policy);
}

}  // namespace kyso::signer
