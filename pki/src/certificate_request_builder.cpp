#include "kyso/pki/certificate_request_builder.h"

#include <openssl/pem.h>

#include "distinguished_name.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

namespace {

// The AlgorithmIdentifier of the signature: sha*WithRSAEncryption with NULL parameters
// (RFC 4055 §5), ecdsa-with-SHA* with absent parameters (RFC 5758 §3.2).
ossl::Ptr<X509_ALGOR> signatureAlgorithm(EVP_PKEY* publicKey, DigestAlgorithm digest) {
  const int keyType = EVP_PKEY_get_base_id(publicKey);
  int signatureNid = NID_undef;
  if (OBJ_find_sigid_by_algs(&signatureNid, EVP_MD_get_type(evpMd(digest)), keyType) != 1) {
    throw InputError("unsupported_key", "no signature algorithm for this key with " + std::string(digestName(digest)));
  }
  auto algorithm = ossl::own(X509_ALGOR_new(), "X509_ALGOR_new");
  // OBJ_nid2obj returns a static table entry; set0 takes it without copying or freeing it.
  ossl::check(X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(signatureNid),
                              keyType == EVP_PKEY_RSA ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr),
              "X509_ALGOR_set0");
  return algorithm;
}

}  // namespace

Bytes buildCertificateRequest(const DistinguishedName& subject, EVP_PKEY* publicKey, const SigningKey& key,
                              DigestAlgorithm digest) {
  const int keyType = EVP_PKEY_get_base_id(publicKey);
  if (keyType != EVP_PKEY_RSA && keyType != EVP_PKEY_EC) {
    throw InputError("unsupported_key", "only RSA and EC keys can request a certificate");
  }
  if ((keyType == EVP_PKEY_RSA) != (key.algorithm() == KeyAlgorithm::Rsa)) {
    throw InputError("key_public_key_mismatch", "the signing key and the public key are of different types");
  }
  auto request = ossl::own(X509_REQ_new(), "X509_REQ_new");
  ossl::check(X509_REQ_set_version(request.get(), X509_REQ_VERSION_1), "X509_REQ_set_version");
  auto name = toX509Name(subject);
  ossl::check(X509_REQ_set_subject_name(request.get(), name.get()), "X509_REQ_set_subject_name");
  ossl::check(X509_REQ_set_pubkey(request.get(), publicKey), "X509_REQ_set_pubkey");
  auto algorithm = signatureAlgorithm(publicKey, digest);
  ossl::check(X509_REQ_set1_signature_algo(request.get(), algorithm.get()), "X509_REQ_set1_signature_algo");

  // RFC 2986 §4.2: the signature is over the DER of certificationRequestInfo.
  unsigned char* tbs = nullptr;
  const int tbsLength = i2d_re_X509_REQ_tbs(request.get(), &tbs);
  ossl::check(tbsLength, "i2d_re_X509_REQ_tbs");
  ossl::Buffer ownedTbs(tbs);
  const Bytes signature =
      key.signDigest(digest, pki::digest(digest, ByteView(tbs, checkedCast<std::size_t>(tbsLength))));

  auto bits = ossl::own(ASN1_BIT_STRING_new(), "ASN1_BIT_STRING_new");
  ossl::check(
      ASN1_BIT_STRING_set(bits.get(), const_cast<unsigned char*>(signature.data()), checkedCast<int>(signature.size())),
      "ASN1_BIT_STRING_set");
  // A signature is whole octets: say "0 unused bits" explicitly, or the encoder derives the count
  // from trailing zero bits of the last octet.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(request.get(), bits.release());  // the request owns it now

  if (X509_REQ_verify(request.get(), publicKey) != 1) {
    ossl::clearErrors();
    throw InputError("key_public_key_mismatch", "the signing key is not the private half of the request's public key");
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(request.get(), &der);
  ossl::check(length, "i2d_X509_REQ");
  ossl::Buffer owned(der);
  return Bytes(der, der + length);
}

std::string certificateRequestPem(ByteView der) {
  const unsigned char* p = der.data();
  ossl::Ptr<X509_REQ> request(d2i_X509_REQ(nullptr, &p, checkedCast<long>(der.size())));
  if (!request || p != der.data() + der.size()) {
    ossl::clearErrors();
    throw InputError("invalid_csr", "not a DER certification request");
  }
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  ossl::check(PEM_write_bio_X509_REQ(bio.get(), request.get()), "PEM_write_bio_X509_REQ");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, checkedCast<std::size_t>(size));
}

}  // namespace kyso::pki
