// Enveloped XML signatures in the layout of the Vietnamese tax authority (GDT) for e-invoices and,
// by analogy, e-receipts (see ../shared/DOMAIN.md, "XML conventions of the tax authority"):
//
//   <Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="NBan">
//     <SignedInfo>
//       <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
//       <SignatureMethod Algorithm="...xmldsig-more#rsa-sha256 | #ecdsa-sha256"/>
//       <Reference URI="#<data Id>">   enveloped-signature + C14N 1.0 transforms, SHA-256
//       <Reference URI="#<object Id>" Type="http://www.w3.org/2000/09/xmldsig#SignatureProperties">
//     </SignedInfo>
//     <SignatureValue>, <KeyInfo><X509Data><X509SubjectName/><X509Certificate/> (leaf only)
//     <Object Id="<object Id>"><SignatureProperties><SignatureProperty Target="#NBan">
//       <SigningTime>2026-11-27T09:15:00</SigningTime>   Vietnam local time, no offset, as in
//                                                        the authority's real documents
//
// XMLDSig 1.1 (W3C REC 2013) with the algorithm identifiers of RFC 6931. The signer never holds
// the key: it hands out the SHA-256 digest of the canonical SignedInfo and takes back a signature
// value, so a file key, a token or a partner's remote key all work, in one step (signXml) or two
// (prepareXmlSignature, then completeXmlSignature, possibly on the serialized form read back).
#pragma once

#include <string>
#include <string_view>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/signing_key.h"
#include "kyso/signer/xml_document.h"

namespace kyso::signer {

inline constexpr std::string_view kXmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

struct XmlSignatureParameters {
  // The Id attribute value of the element the signature covers (the first Reference).
  std::string signedDataId;
  // The element the <Signature> is appended to (e.g. DSCKS/NBan); must belong to the document.
  xmlNode* signatureParent = nullptr;
  // The Signature's Id, which the signing-time property targets ("NBan" for the issuer).
  std::string signatureId = "NBan";
  // The Id of the <Object> holding the signing time; empty: "SigningTime-<signatureId>".
  std::string propertiesId;
  pki::TimePoint signingTime;
};

// Step one: appends the Signature with every value but SignatureValue filled in, and returns
// what the key must sign: the SHA-256 digest of the canonical SignedInfo. `chain` is the signer's
// certificate first; only the leaf goes into KeyInfo, as in the authority's documents.
// Throws InputError: xml_invalid_id (an Id that is not an NCName), certificate_expired /
// certificate_not_yet_valid / certificate_key_usage (at the signing time), unsupported_key;
// DocumentError: xml_id_not_found (no element with signedDataId), xml_duplicate_id (that Id,
// the signature Id or the object Id already in use).
Bytes prepareXmlSignature(XmlDocument& document, const XmlSignatureParameters& parameters,
                          const pki::CertificateChain& chain);

// Step two: verifies `signatureValue` over the canonical SignedInfo of the Signature with Id
// `signatureId` with `certificate`, which must be the one in its KeyInfo, and writes it in.
// RSA: the PKCS#1 v1.5 value. ECDSA: DER or raw r||s; written as r||s (RFC 4050 §3.3, RFC 6931
// §2.3.6). Works on the document prepareXmlSignature changed or on its serialize()d form parsed
// back. Throws InputError("signature_invalid"), InputError("invalid_signature_encoding"),
// DocumentError("xml_signature_not_found"), DocumentError("xml_signature_not_pending") (already
// has a value), InputError("certificate_mismatch").
void completeXmlSignature(XmlDocument& document, std::string_view signatureId, const pki::Certificate& certificate,
                          ByteView signatureValue);

// Both steps with a key that signs synchronously.
void signXml(XmlDocument& document, const XmlSignatureParameters& parameters, const pki::SigningCredential& credential);

// "2026-11-27T09:15:00": Vietnam local time without offset, the SigningTime form.
std::string formatSigningTime(pki::TimePoint t);

}  // namespace kyso::signer
