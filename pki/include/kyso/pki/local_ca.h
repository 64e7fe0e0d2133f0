// A CA kyso operates itself (the "local" connector; the development PKI's issuing CA by default):
// issues end-entity certificates from PKCS#10 requests, keeps its register, revokes and publishes
// CRLs. OcspResponder (ocsp_responder.h) answers OCSP for it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/certificate_register.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/software_key.h"

namespace kyso::pki {

// The subject of a citizen's or an organisation's certificate, as Vietnamese CAs write it:
// C=VN, ST=<province>, [O=<organisation>], CN=<full name>, UID=CCCD:<12 digits> and/or
// UID=MST:<tax code> (an organisation's employee may carry both). All values UTF-8.
struct CertificateSubject {
  std::string commonName;
  std::vector<std::string> uids;  // "CCCD:001085012345", "MST:0101234565", "MST:0101234565-001"
  std::string province;
  std::string organization;  // may be empty
};

// The distinguished name in the order above. Checks the form only (non-empty name, at least one
// UID, CCCD of 12 digits, MST of 10 digits or 10+"-"+3); check digits and province codes are the
// enrolment's business. Throws InputError("invalid_subject").
DistinguishedName vietnameseSubjectName(const CertificateSubject& subject);

// A PKCS#10 request (DER, or PEM "CERTIFICATE REQUEST") whose self-signature verifies and whose
// key is RSA of at least 2048 bits or ECDSA P-256. Only its public key is used: the subject comes
// from the caller. Throws InputError: invalid_csr, csr_signature_invalid, csr_key_unsupported.
class CertificateRequest {
 public:
  static CertificateRequest parse(ByteView derOrPem);

  // Borrowed; valid as long as this request lives.
  EVP_PKEY* publicKey() const { return key_.get(); }

 private:
  explicit CertificateRequest(ossl::Ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  ossl::Ptr<EVP_PKEY> key_;
};

struct LocalCaOptions {
  // Written into every certificate issued (RFC 5280 §4.2.1.13, §4.2.2.1); empty leaves one out.
  std::string crlUrl;
  std::string ocspUrl;
  std::string caIssuersUrl;
  // An issued certificate never outlives its CA: the lifetime is cut at the CA's notAfter.
  std::chrono::seconds certificateLifetime{std::chrono::hours(24 * 365)};
  // nextUpdate - thisUpdate of every CRL (RFC 5280 §5.1.2.5).
  std::chrono::seconds crlValidity{std::chrono::hours(24)};
  // A CRL is signed anew (with the next CRL number) when the revocations changed or when it is this
  // old; otherwise every fetch gets the same CRL.
  std::chrono::seconds crlRefresh{std::chrono::hours(1)};
};

// A signed CRL and what it says about itself.
struct SignedCrl {
  Bytes der;
  std::uint64_t number = 0;
  TimePoint thisUpdate;
  TimePoint nextUpdate;
  std::size_t revokedCount = 0;
};

// The CA's key, loaded when first needed (the development PKI reads key files lazily).
using CaKeySource = std::function<std::shared_ptr<const SoftwareKey>()>;

// Thread-safe. The register may be shared with other processes (the CLI and the server): CRL
// numbers and revocations come from it, never from this object's memory.
class LocalCertificateAuthority {
 public:
  LocalCertificateAuthority(Certificate certificate, CaKeySource key, CertificateRegister& index, const Clock& clock,
                            LocalCaOptions options = {});

  const Certificate& certificate() const { return certificate_; }
  // issuerKeyId(certificate()): what the register files this CA's certificates under.
  const std::string& keyId() const { return keyId_; }
  const LocalCaOptions& options() const { return options_; }

  // Issues an end-entity certificate for the request's key: key usage digitalSignature +
  // nonRepudiation (critical), EKU clientAuth + emailProtection, the configured CDP and AIA
  // (OCSP, caIssuers), a random 128-bit serial, SHA-256. The certificate is in the register before
  // it is returned.
  Certificate issue(const CertificateRequest& request, const CertificateSubject& subject);

  // Files a certificate this CA issued some other way (the development PKI's own leaves). Returns
  // whether it was new. Throws InputError("not_issued_here") for a certificate of another issuer.
  bool record(const Certificate& certificate);

  // Revokes at the current time. Revocation is final: certificateHold and removeFromCRL are
  // refused (InputError("invalid_revocation_reason")). Returns false when it was revoked already.
  // Throws InputError("invalid_serial"), NotFoundError("certificate_not_found").
  bool revoke(const std::string& serialHex, RevocationReason reason);

  // The certificate's state; nullopt for a serial this CA never issued. Throws InputError("invalid_serial").
  std::optional<CertificateStatus> status(const std::string& serialHex) const;

  // The current CRL (v2, authority key identifier, CRL number, reason codes), re-signed as
  // LocalCaOptions::crlRefresh says.
  SignedCrl currentCrl();

 private:
  std::shared_ptr<const SoftwareKey> key() const;

  Certificate certificate_;
  CaKeySource keySource_;
  CertificateRegister& register_;
  const Clock& clock_;
  LocalCaOptions options_;
  std::string keyId_;

  std::mutex crlMutex_;
  std::optional<SignedCrl> crl_;
  std::vector<RevokedCertificate> crlRevoked_;  // what crl_ lists
};

// Upper-case hex of a serial number, as Certificate::serialHex writes it (leading zero bytes
// dropped, an even number of digits). Throws InputError("invalid_serial").
std::string normalizeSerialHex(const std::string& serialHex);

}  // namespace kyso::pki
