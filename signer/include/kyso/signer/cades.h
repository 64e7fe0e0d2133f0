// CMS SignedData for PAdES / CAdES baseline signatures (ETSI EN 319 122-1, RFC 5652).
//
// The signed attributes are exactly content-type, message-digest and signing-certificate-v2
// (RFC 5035). There is deliberately no signing-time: PAdES baseline (ETSI EN 319 142-1 §6.3,
// table 1) forbids it — the time is in the PDF's /M and, from B-T on, in a time-stamp. OpenSSL's
// CMS_final/CMS_SignerInfo_sign would add one, so the attributes are encoded and signed here,
// through any SigningKey — or by a key we never see (two-step signing): the digest of the signed
// attributes goes out, the signature value comes back.
#pragma once

#include <memory>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/ossl_ptr.h"

typedef struct CMS_ContentInfo_st CMS_ContentInfo;
typedef struct CMS_SignerInfo_st CMS_SignerInfo;

namespace kyso::signer {

class CadesSignature {
 public:
  // `chain` is the signer's certificate first, then its CAs (a self-signed root is left out).
  // `contentDigest` is the digest of the signed content (the PDF byte range) under `digest`.
  CadesSignature(const pki::CertificateChain& chain, pki::DigestAlgorithm digest, ByteView contentDigest);
  ~CadesSignature();
  CadesSignature(CadesSignature&&) noexcept;
  CadesSignature& operator=(CadesSignature&&) noexcept;

  pki::DigestAlgorithm digestAlgorithm() const { return digest_; }
  // DER of the signed attributes as signed (RFC 5652 §5.4: the SET OF encoding).
  const Bytes& signedAttributes() const { return signedAttributes_; }
  // What the key must sign: the digest of signedAttributes().
  Bytes toBeSignedDigest() const;

  // Installs the signature value after verifying it with the signer certificate's public key.
  // Throws InputError("signature_invalid") if it does not verify (the state is then unchanged).
  void setSignature(ByteView signature);
  Bytes signature() const;

  // Adds the RFC 3161 token over the signature value as the unsigned attribute
  // id-aa-signatureTimeStampToken (RFC 3161 appendix A; ETSI EN 319 122-1 §5.3).
  void addSignatureTimeStamp(ByteView tokenDer);

  // The DER ContentInfo (detached: no encapsulated content).
  Bytes der() const;

  // Size of der() for a signature value of `maxSignatureSize` bytes, without a time-stamp.
  static std::size_t sizeWith(const pki::CertificateChain& chain, pki::DigestAlgorithm digest,
                              std::size_t maxSignatureSize);

 private:
  ossl::Ptr<CMS_ContentInfo> cms_;
  CMS_SignerInfo* signerInfo_ = nullptr;  // owned by cms_
  pki::DigestAlgorithm digest_;
  Bytes signedAttributes_;
  bool signed_ = false;
};

}  // namespace kyso::signer
