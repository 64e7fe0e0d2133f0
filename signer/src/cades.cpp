#include "kyso/signer/cades.h"

#include <openssl/pkcs7.h>

#include <vector>

#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"

namespace kyso::signer {

using pki::Certificate;
using pki::CertificateChain;
using pki::DigestAlgorithm;

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

  // RFC 5652 §5.4: the signature covers the DER encoding of the attributes, a SET OF sorted into
  // DER order. OpenSSL keeps them in insertion order in memory and verifies in the order it holds
  // them (CMS_Attributes_Verify), so put them in DER order in memory too: encode a borrowed copy
  // of the list (the encoder sorts that list), then re-insert the attributes in its order.
  std::unique_ptr<STACK_OF(X509_ATTRIBUTE), void (*)(STACK_OF(X509_ATTRIBUTE)*)> sorted(
      ossl::check(sk_X509_ATTRIBUTE_new_null(), "sk_X509_ATTRIBUTE_new_null"),
      [](STACK_OF(X509_ATTRIBUTE) * list) { sk_X509_ATTRIBUTE_free(list); });  // borrowed elements
  for (int i = 0; i < CMS_signed_get_attr_count(signerInfo_); ++i) {
    ossl::check(sk_X509_ATTRIBUTE_push(sorted.get(), CMS_signed_get_attr(signerInfo_, i)), "sk_push");
  }
  unsigned char* der = nullptr;
  const int size = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(sorted.get()), &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
  ossl::check(size, "encoding the signed attributes");
  ossl::Buffer owned(der);
  signedAttributes_.assign(der, der + size);

  std::vector<ossl::Ptr<X509_ATTRIBUTE>> removed;
  while (CMS_signed_get_attr_count(signerInfo_) > 0) {
    removed.emplace_back(ossl::check(CMS_signed_delete_attr(signerInfo_, 0), "CMS_signed_delete_attr"));
  }
  for (int i = 0; i < sk_X509_ATTRIBUTE_num(sorted.get()); ++i) {
    // The sorted list still points at the removed (now owned) attributes; add1 copies them.
    ossl::check(CMS_signed_add1_attr(signerInfo_, sk_X509_ATTRIBUTE_value(sorted.get(), i)), "CMS_signed_add1_attr");
  }
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
