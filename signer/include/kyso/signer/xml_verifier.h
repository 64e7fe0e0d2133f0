// Verification of the XML signatures in a document (W3C XMLDSig 1.1, validated after ETSI EN
// 319 102-1): every ds:Signature is checked for its form, the digest of each Reference, its
// signature value with the key of a certificate kyso validated against the configured trust
// anchors (never a bare key from KeyInfo), that certificate's path and revocation. The result is a
// VerificationReport — a verdict is a value.
//
// What is accepted is deliberately narrow, to close signature wrapping and the XML attack surface:
//  - references to "" (the whole document) or "#id" (an element whose Id, ID, id or xml:id has
//    that value) in the same document; nothing external, no XPointer;
//  - a document in which two elements carry the same identifier is not evaluated as signed:
//    every signature is TOTAL_FAILED / FORMAT_FAILURE;
//  - transforms: the enveloped-signature transform, then at most one canonicalization (C14N 1.0,
//    C14N 1.1, exclusive C14N 1.0, with or without comments); no XPath, XPath Filter 2, XSLT, base64
//    or other transforms;
//  - digests SHA-1, SHA-224, SHA-256, SHA-384, SHA-512; signatures RSA PKCS#1 v1.5 and ECDSA with
//    those digests (RFC 6931). SHA-1 and SHA-224 verify but are INDETERMINATE /
//    CRYPTO_CONSTRAINTS_FAILURE_NO_POE (TS 119 312); anything else (DSA, HMAC, RSA-PSS, EdDSA,
//    GOST...) is TOTAL_FAILED / FORMAT_FAILURE.
// The signing certificate is one of KeyInfo's X509Certificate elements, or — when KeyInfo carries
// none — one of the policy's trust anchors and intermediates (matched by KeyInfo's KeyValue when
// present): the one whose key verifies the SignatureValue.
//
// XMLDSig has no baseline levels (those are XAdES's, ETSI EN 319 132-1): every result has level
// SignatureLevel::None ("none"). kyso's receipts are plain XMLDSig in the tax authority's layout;
// XAdES is not produced nor evaluated.
#pragma once

#include <cstdint>
#include <string_view>

#include "kyso/signer/pdf_verifier.h"
#include "kyso/signer/verification.h"
#include "kyso/signer/xml_document.h"

namespace kyso::signer {

// Parses `xml` with the hardened parser (parseXml: no DTD, no entities, no network) and verifies
// every signature in document order. Throws what parseXml throws (xml_too_large,
// xml_dtd_refused, xml_too_deep, xml_malformed) for a document that cannot be evaluated at all.
VerificationReport verifyXml(std::string_view xml, const VerificationPolicy& policy);

// The same for a document already parsed with parseXml; `documentSize` is reported as is.
VerificationReport verifyXml(const XmlDocument& document, std::uint64_t documentSize, const VerificationPolicy& policy);

// The first Reference of the signature element `signature`: its URI attribute as written, or
// empty when it has none. For callers that check what a signature covers (the receipt check).
std::string firstReferenceUri(const xmlNode* signature);

// True for a ds:Signature element (XMLDSig namespace).
bool isXmlSignatureElement(const xmlNode* node);

}  // namespace kyso::signer
