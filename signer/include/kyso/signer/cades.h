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
#include <string>
#include <vector>

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

  // A CMS SignedData signed elsewhere as a whole, over signed attributes of its own (a
  // remote-signing partner that answers a CMS over the document digest it was given), checked
  // and taken as it is, ready for addSignatureTimeStamp() and der(): DER (or BER) SignedData,
  // detached, exactly one SignerInfo whose signer identifier names `chain`'s leaf (a carried
  // certificate with that identifier must be the leaf), `digest` as its digest algorithm, signed
  // attributes with one content-type id-data and one message-digest equal to `contentDigest`, an
  // ESS signing-certificate(-v2) attribute (when present) naming the leaf, and a signature value
  // that verifies over the attributes with the leaf's key (RFC 5652 §5.4, §5.6). The certificates
  // of `chain` it lacks are added (a self-signed root is left out). Throws InputError with:
  //   cms_invalid           not a SignedData, not one SignerInfo, no signed attributes, content type
  //                         or digest algorithm not the expected ones, a malformed attribute
  //   cms_content_attached  the SignedData encapsulates its content
  //   cms_signer_mismatch   the signer is not the leaf (identifier, carried certificate or ESS
  //                         signing-certificate attribute)
  //   cms_digest_mismatch   the message-digest is not `contentDigest`
  //   signature_invalid     the signature value does not verify
  static CadesSignature fromSigned(ByteView cmsDer, const pki::CertificateChain& chain, pki::DigestAlgorithm digest,
                                   ByteView contentDigest);

  // Why a signature from fromSigned() is not a CAdES/PAdES baseline signature, in words (empty for
  // kyso's own): no ESS signing-certificate-v2 (EN 319 122-1 §5.2.2.3), a signing-time attribute
  // (EN 319 142-1 §6.3, table 1).
  const std::vector<std::string>& baselineDeviations() const { return deviations_; }

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
  pki::DigestAlgorithm digest_ = pki::DigestAlgorithm::Sha256;
  Bytes signedAttributes_;
  bool signed_ = false;
  std::vector<std::string> deviations_;

  CadesSignature() = default;
};

}  // namespace kyso::signer
