#include "kyso/signer/cades.h"

#include <openssl/pkcs7.h>

#include <algorithm>
#include <vector>

#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"

namespace kyso::signer {

using pki::Certificate;
using pki::CertificateChain;
using pki::DigestAlgorithm;

namespace {

// RFC 5652 §5.4: the signature covers the DER encoding of the signed attributes, a SET OF sorted
// into DER order. OpenSSL keeps them in insertion (or received) order in memory and verifies in
// the order it holds them (CMS_Attributes_Verify), while it writes them sorted; so put them in DER
// order in memory too: encode a borrowed copy of the list (the encoder sorts that list), then
// re-insert the attributes in its order. Returns that encoding.
Bytes sortSignedAttributes(CMS_SignerInfo* signerInfo) {
  std::unique_ptr<STACK_OF(X509_ATTRIBUTE), void (*)(STACK_OF(X509_ATTRIBUTE)*)> sorted(
      ossl::check(sk_X509_ATTRIBUTE_new_null(), "sk_X509_ATTRIBUTE_new_null"),
      [](STACK_OF(X509_ATTRIBUTE) * list) { sk_X509_ATTRIBUTE_free(list); });  // borrowed elements
  for (int i = 0; i < CMS_signed_get_attr_count(signerInfo); ++i) {
    ossl::check(sk_X509_ATTRIBUTE_push(sorted.get(), CMS_signed_get_attr(signerInfo, i)), "sk_push");
  }
  unsigned char* der = nullptr;
  const int size = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(sorted.get()), &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
  ossl::check(size, "encoding the signed attributes");
  ossl::Buffer owned(der);
  Bytes encoded(der, der + size);

  std::vector<ossl::Ptr<X509_ATTRIBUTE>> removed;
  while (CMS_signed_get_attr_count(signerInfo) > 0) {
    removed.emplace_back(ossl::check(CMS_signed_delete_attr(signerInfo, 0), "CMS_signed_delete_attr"));
  }
  for (int i = 0; i < sk_X509_ATTRIBUTE_num(sorted.get()); ++i) {
    // The sorted list still points at the removed (now owned) attributes; add1 copies them.
    ossl::check(CMS_signed_add1_attr(signerInfo, sk_X509_ATTRIBUTE_value(sorted.get(), i)), "CMS_signed_add1_attr");
  }
  return encoded;
}

}  // namespace

CadesSignature::CadesSignature(const CertificateChain& chain, DigestAlgorithm digest, ByteView contentDigest)
    : digest_(digest) {
  if (chain.empty()) throw InternalError("a CMS signature needs the signer's certificate");
  if (contentDigest.size() != pki::digestSize(digest)) throw InternalError("content digest has the wrong length");
  const Certificate& signer = chain.front();

  cms_.reset(
      ossl::check(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY), "CMS_sign"));
  ossl::check(CMS_set_detached(cms_.get(), 1), "CMS_set_detached");
  // The chain goes in so verifiers can build the path (ETSI EN 319 142-1 §5.1); roots stay out.
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (!chain[i].isSelfSigned()) ossl::check(CMS_add1_cert(cms_.get(), chain[i].get()), "CMS_add1_cert");
  }
  // CMS_PARTIAL: set up the SignerInfo, sign nothing. The certificate's own public key stands in
  // for the private key, which may live in a token or at a partner. CMS_CADES adds the ESS
  // signing-certificate-v2 attribute; CMS_NOSMIMECAP leaves out SMIMECapabilities.
  signerInfo_ = ossl::check(CMS_add1_signer(cms_.get(), signer.get(), signer.publicKey(), pki::evpMd(digest),
                                            CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES),
                            "CMS_add1_signer");
  // OpenSSL 3.0 fills in the signature algorithm only when it signs itself; name it here
  // (RFC 3370 §3.2 / RFC 5754 §3.3 for RSA, RFC 5753 §2.1.1 for ECDSA).
  X509_ALGOR* signatureAlgorithm = nullptr;
  CMS_SignerInfo_get0_algs(signerInfo_, nullptr, nullptr, nullptr, &signatureAlgorithm);
  if (EVP_PKEY_get_base_id(signer.publicKey()) == EVP_PKEY_RSA) {
    ossl::check(X509_ALGOR_set0(signatureAlgorithm, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr),
                "X509_ALGOR_set0");
  } else {
    int nid = NID_undef;
    ossl::check(OBJ_find_sigid_by_algs(&nid, EVP_MD_get_type(pki::evpMd(digest)), NID_X9_62_id_ecPublicKey),
                "OBJ_find_sigid_by_algs");
    ossl::check(X509_ALGOR_set0(signatureAlgorithm, OBJ_nid2obj(nid), V_ASN1_UNDEF, nullptr), "X509_ALGOR_set0");
  }
  ossl::check(
      CMS_signed_add1_attr_by_NID(signerInfo_, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1),
      "content-type attribute");
  ossl::check(CMS_signed_add1_attr_by_NID(signerInfo_, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                          contentDigest.data(), checkedCast<int>(contentDigest.size())),
              "message-digest attribute");

  signedAttributes_ = sortSignedAttributes(signerInfo_);
}

CadesSignature CadesSignature::fromSigned(ByteView cmsDer, const CertificateChain& chain, DigestAlgorithm digest,
                                          ByteView contentDigest) {
  if (chain.empty()) throw InternalError("a CMS signature needs the signer's certificate");
  const auto refuse = [](const char* code, const std::string& why) {
    ossl::clearErrors();
    return InputError(code, "the CMS cannot be used: " + why, ErrorKind::UnprocessableContent);
  };
  const Certificate& leaf = chain.front();
  CadesSignature out;
  out.digest_ = digest;
  const unsigned char* p = cmsDer.data();
  out.cms_.reset(d2i_CMS_ContentInfo(nullptr, &p, checkedCast<long>(cmsDer.size())));
  if (!out.cms_ || p != cmsDer.data() + cmsDer.size() ||
      OBJ_obj2nid(CMS_get0_type(out.cms_.get())) != NID_pkcs7_signed) {
    throw refuse("cms_invalid", "it is not a CMS SignedData");
  }
  // RFC 5652 §5.2: a detached signature has no eContent; a PDF signature signs the byte range,
  // which is not inside the CMS (ISO 32000-1 §12.8.3.3).
  ASN1_OCTET_STRING** content = CMS_get0_content(out.cms_.get());  // borrowed
  if (content != nullptr && *content != nullptr) {
    throw refuse("cms_content_attached", "it encapsulates its content, where a PDF signature is detached");
  }
  if (OBJ_obj2nid(CMS_get0_eContentType(out.cms_.get())) != NID_pkcs7_data) {
    throw refuse("cms_invalid", "its content type is not id-data");
  }
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(out.cms_.get());  // borrowed
  if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1) {
    throw refuse("cms_invalid", "it has not exactly one SignerInfo");
  }
  CMS_SignerInfo* si = out.signerInfo_ = sk_CMS_SignerInfo_value(signers, 0);  // owned by cms_

  // The signer: its identifier (issuer and serial, or key identifier) names the leaf, and a
  // certificate carried under that identifier is the leaf itself.
  if (CMS_SignerInfo_cert_cmp(si, leaf.get()) != 0) {
    throw refuse("cms_signer_mismatch", "its signer is not the credential's certificate");
  }
  ossl::Ptr<STACK_OF(X509)> carried(CMS_get1_certs(out.cms_.get()));
  ossl::clearErrors();  // no certificates at all is not an error
  std::vector<Certificate> carriedCertificates;
  for (int i = 0; carried && i < sk_X509_num(carried.get()); ++i) {
    X509* candidate = sk_X509_value(carried.get(), i);  // borrowed
    if (CMS_SignerInfo_cert_cmp(si, candidate) == 0 && X509_cmp(candidate, leaf.get()) != 0) {
      throw refuse("cms_signer_mismatch", "it carries another certificate under its signer's identifier");
    }
    ossl::check(X509_up_ref(candidate), "X509_up_ref");
    carriedCertificates.emplace_back(candidate);  // takes the reference just made
  }

  X509_ALGOR* digestAlgorithm = nullptr;  // borrowed
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digestAlgorithm, nullptr);
  const ASN1_OBJECT* digestOid = nullptr;
  if (digestAlgorithm != nullptr) X509_ALGOR_get0(&digestOid, nullptr, nullptr, digestAlgorithm);
  if (digestOid == nullptr || OBJ_obj2nid(digestOid) != EVP_MD_get_type(pki::evpMd(digest))) {
    throw refuse("cms_invalid", "its digest algorithm is not " + std::string(pki::digestName(digest)));
  }

  // The signature algorithm fits the leaf's key and the digest: rsaEncryption (RFC 3370 §3.2), or a
  // combined identifier such as sha256WithRSAEncryption or ecdsa-with-SHA256 naming both. OpenSSL
  // would accept any RSA identifier (MD5 and SHA-1 ones too) for an RSA key.
  X509_ALGOR* signatureAlgorithm = nullptr;  // borrowed
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &signatureAlgorithm);
  const ASN1_OBJECT* signatureOid = nullptr;
  if (signatureAlgorithm != nullptr) X509_ALGOR_get0(&signatureOid, nullptr, nullptr, signatureAlgorithm);
  const int signatureNid = signatureOid != nullptr ? OBJ_obj2nid(signatureOid) : NID_undef;
  const int keyType = EVP_PKEY_get_base_id(X509_get0_pubkey(leaf.get()));
  int digestNid = NID_undef;
  int keyNid = NID_undef;
  const bool fits = (signatureNid == NID_rsaEncryption && keyType == EVP_PKEY_RSA) ||
                    (OBJ_find_sigid_algs(signatureNid, &digestNid, &keyNid) == 1 &&
                     digestNid == EVP_MD_get_type(pki::evpMd(digest)) && keyNid == keyType);
  if (!fits) {
    char name[80] = "none";
    if (signatureOid != nullptr) OBJ_obj2txt(name, sizeof name, signatureOid, 0);
    throw refuse("cms_invalid", std::string("its signature algorithm (") + name + ") is not " +
                                    std::string(pki::digestName(digest)) + " with the certificate's key type");
  }

  // RFC 5652 §5.3, §11.1, §11.2: signed attributes with exactly one content-type (id-data) and one
  // message-digest, the digest of the document kyso sent.
  if (CMS_signed_get_attr_count(si) <= 0) throw refuse("cms_invalid", "its SignerInfo has no signed attributes");
  // Only attributes whose meaning kyso checks or reports: another signed attribute (a content
  // time-stamp, a signature policy, an archive of revocation data) would be embedded unexamined.
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    const ASN1_OBJECT* type = X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i));
    switch (OBJ_obj2nid(type)) {
      case NID_pkcs9_contentType:
      case NID_pkcs9_messageDigest:
      case NID_pkcs9_signingTime:
      case NID_id_smime_aa_signingCertificate:
      case NID_id_smime_aa_signingCertificateV2:
        break;
      default: {
        char name[80] = "?";
        OBJ_obj2txt(name, sizeof name, type, 1);
        // id-aa-CMSAlgorithmProtection (RFC 6211): OpenSSL 3.0 has no NID for it.
        if (std::string_view(name) == "1.2.840.113549.1.9.52") break;
        throw refuse("cms_invalid", std::string("it has a signed attribute kyso does not check (") + name + ")");
      }
    }
  }
  // lastpos -3: the attribute occurs once, with one value.
  const auto* contentType = static_cast<const ASN1_OBJECT*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
  if (contentType == nullptr || OBJ_obj2nid(contentType) != NID_pkcs7_data) {
    throw refuse("cms_invalid", "its signed attributes have not one content-type id-data");
  }
  const auto* messageDigest = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (messageDigest == nullptr) throw refuse("cms_invalid", "its signed attributes have not one message-digest");
  const unsigned char* digestData = ASN1_STRING_get0_data(messageDigest);
  if (!std::equal(contentDigest.begin(), contentDigest.end(), digestData,
                  digestData + ASN1_STRING_length(messageDigest))) {
    throw refuse("cms_digest_mismatch", "its message-digest is not the digest of the document that was sent");
  }

  // RFC 5035: an ESS signing-certificate(-v2) attribute must name the leaf (its first ESSCertID).
  ossl::Ptr<ESS_SIGNING_CERT_V2> essV2;
  ossl::Ptr<ESS_SIGNING_CERT> essV1;
  for (const int nid : {NID_id_smime_aa_signingCertificateV2, NID_id_smime_aa_signingCertificate}) {
    if (CMS_signed_get_attr_by_NID(si, nid, -1) < 0) continue;
    const auto* sequence =
        static_cast<const ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nid), -3, V_ASN1_SEQUENCE));
    const unsigned char* at = sequence != nullptr ? ASN1_STRING_get0_data(sequence) : nullptr;
    const long length = sequence != nullptr ? ASN1_STRING_length(sequence) : 0;
    if (nid == NID_id_smime_aa_signingCertificateV2) {
      if (at != nullptr) essV2.reset(d2i_ESS_SIGNING_CERT_V2(nullptr, &at, length));
      if (!essV2) throw refuse("cms_invalid", "its signing-certificate-v2 attribute is malformed");
    } else {
      if (at != nullptr) essV1.reset(d2i_ESS_SIGNING_CERT(nullptr, &at, length));
      if (!essV1) throw refuse("cms_invalid", "its signing-certificate attribute is malformed");
    }
  }
  if (essV1 || essV2) {
    std::vector<Certificate> known(chain.begin(), chain.end());
    known.insert(known.end(), carriedCertificates.begin(), carriedCertificates.end());
    auto stack = pki::newX509Stack(known);
    const int rc = OSSL_ESS_check_signing_certs(essV1.get(), essV2.get(), stack.get(), 0);
    // The attribute decoded above; OpenSSL answers -1 too when its first entry names another
    // certificate of the chain than the leaf (or a hash it does not know).
    if (rc <= 0) {
      throw refuse("cms_signer_mismatch",
                   "its signing-certificate attribute does not name the credential's certificate first");
    }
  }
  if (!essV2 && essV1) {
    out.deviations_.push_back(
        "the CMS has only the ESS signing-certificate attribute (SHA-1), not signing-certificate-v2: not a PAdES "
        "baseline signature (ETSI EN 319 122-1 §5.2.2.3)");
  } else if (!essV2) {
    out.deviations_.push_back(
        "the CMS has no ESS signing-certificate-v2 attribute: not a PAdES baseline signature (ETSI EN 319 122-1 "
        "§5.2.2.3), and PAdES validators, kyso's own among them, fail an ETSI.CAdES.detached signature without one");
  }
  if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0) {
    out.deviations_.push_back(
        "the CMS has a signing-time attribute, which PAdES baseline forbids (ETSI EN 319 142-1 §6.3); its time is "
        "the partner's claim");
  }

  // What the partner added outside its signature (time-stamps, revocation values, countersignatures)
  // is not embedded: none of it was asked for or checked, and a verifier would take it at its word.
  // kyso adds its own signature time-stamp for B-T.
  while (CMS_unsigned_get_attr_count(si) > 0) {
    const ossl::Ptr<X509_ATTRIBUTE> removed(ossl::check(CMS_unsigned_delete_attr(si, 0), "CMS_unsigned_delete_attr"));
  }

  // The value over the attributes in DER order (as they are written out) with the leaf's key.
  out.signedAttributes_ = sortSignedAttributes(si);
  CMS_SignerInfo_set1_signer_cert(si, leaf.get());
  if (CMS_SignerInfo_verify(si) != 1) {
    throw refuse("signature_invalid", "its signature does not verify with the credential's certificate");
  }
  // The path for verifiers (ETSI EN 319 142-1 §5.1): the leaf and its CAs where missing, roots out.
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (i != 0 && chain[i].isSelfSigned()) continue;
    const bool present = std::any_of(carriedCertificates.begin(), carriedCertificates.end(),
                                     [&](const Certificate& c) { return c == chain[i]; });
    if (!present) ossl::check(CMS_add1_cert(out.cms_.get(), chain[i].get()), "CMS_add1_cert");
  }
  out.signed_ = true;
  return out;
}

CadesSignature::~CadesSignature() = default;
CadesSignature::CadesSignature(CadesSignature&&) noexcept = default;
CadesSignature& CadesSignature::operator=(CadesSignature&&) noexcept = default;

Bytes CadesSignature::toBeSignedDigest() const {
  return pki::digest(digest_, signedAttributes_);
}

void CadesSignature::setSignature(ByteView signature) {
  ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(signerInfo_);
  const Bytes previous(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value));
  ossl::check(ASN1_STRING_set(value, signature.data(), checkedCast<int>(signature.size())), "ASN1_STRING_set");
  // CMS_SignerInfo_verify re-encodes the signed attributes itself: a pass also proves that our
  // encoding is the one verifiers will hash.
  if (CMS_SignerInfo_verify(signerInfo_) != 1) {
    ossl::clearErrors();
    ASN1_STRING_set(value, previous.data(), checkedCast<int>(previous.size()));
    throw InputError("signature_invalid",
                     "the signature value does not verify with the signer's certificate over the prepared data");
  }
  signed_ = true;
}

Bytes CadesSignature::signature() const {
  const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(signerInfo_);
  return Bytes(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value));
}

void CadesSignature::addSignatureTimeStamp(ByteView tokenDer) {
  if (!signed_) throw InternalError("time-stamp requested before the signature value is set");
  // A SEQUENCE-typed ASN1_TYPE carries its complete DER encoding.
  ossl::check(CMS_unsigned_add1_attr_by_NID(signerInfo_, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                            tokenDer.data(), checkedCast<int>(tokenDer.size())),
              "signature-time-stamp attribute");
}

Bytes CadesSignature::der() const {
  unsigned char* out = nullptr;
  const int size = i2d_CMS_ContentInfo(cms_.get(), &out);
  ossl::check(size, "i2d_CMS_ContentInfo");
  ossl::Buffer owned(out);
  return Bytes(out, out + size);
}

std::size_t CadesSignature::sizeWith(const CertificateChain& chain, DigestAlgorithm digest,
                                     std::size_t maxSignatureSize) {
  const Bytes dummyDigest(pki::digestSize(digest), 0);
  CadesSignature probe(chain, digest, dummyDigest);
  const Bytes dummySignature(maxSignatureSize, 0xff);
  ossl::check(ASN1_STRING_set(CMS_SignerInfo_get0_signature(probe.signerInfo_), dummySignature.data(),
                              checkedCast<int>(dummySignature.size())),
              "ASN1_STRING_set");
  return probe.der().size();
}

}  // namespace kyso::signer
