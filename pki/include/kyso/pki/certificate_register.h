// What a CA kyso operates remembers about the certificates it issued: enough to publish CRLs and
// answer OCSP. The register is an interface so that pki stays at the bottom of the build: the
// store implements it (store::certificateRegister), pki never names the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/crl.h"

namespace kyso::pki {

// CRLReason (RFC 5280 §5.3.1); the same numbers are OCSP's revocationReason (RFC 6960 §4.2.1).
enum class RevocationReason : int {
  Unspecified = 0,
  KeyCompromise = 1,
  CaCompromise = 2,
  AffiliationChanged = 3,
  Superseded = 4,
  CessationOfOperation = 5,
  CertificateHold = 6,
  RemoveFromCrl = 8,
  PrivilegeWithdrawn = 9,
  AaCompromise = 10,
};

// RFC 5280's ASN.1 names: "keyCompromise", "cessationOfOperation"...
std::string_view revocationReasonName(RevocationReason reason);
// Parses an RFC 5280 name (case-insensitive); throws InputError("invalid_revocation_reason").
RevocationReason parseRevocationReason(std::string_view name);

// A certificate's state in its issuer's register.
struct CertificateStatus {
  std::string serialHex;  // upper-case, as Certificate::serialHex
  bool revoked = false;
  TimePoint revokedAt{};
  RevocationReason reason = RevocationReason::Unspecified;
};

// The key identifier kyso files a CA's certificates under: lower-case hex SHA-1 of the CA's
// subjectPublicKey BIT STRING, which is also OCSP's issuerKeyHash (RFC 6960 §4.1.1) and RFC 5280
// §4.2.1.2 method (1) for key identifiers.
std::string issuerKeyId(const Certificate& ca);

class CertificateRegister {
 public:
  virtual ~CertificateRegister() = default;

  // Records a certificate the CA with `issuerKeyId` issued. Recording the same certificate again
  // changes nothing (returns false); another certificate with the same serial number is a
  // ConflictError("certificate_exists").
  virtual bool record(const std::string& issuerKeyId, const Certificate& certificate) = 0;
  virtual std::optional<CertificateStatus> status(const std::string& issuerKeyId, const std::string& serialHex) = 0;
  // Marks a certificate revoked at `at`. Returns false when it was revoked already (the first
  // revocation stands); throws NotFoundError("certificate_not_found") for a serial never recorded.
  virtual bool revoke(const std::string& issuerKeyId, const std::string& serialHex, TimePoint at,
                      RevocationReason reason) = 0;
  // Every revoked certificate of the issuer, ordered by serial number.
  virtual std::vector<RevokedCertificate> revoked(const std::string& issuerKeyId) = 0;
  // The issuer's next CRL number (RFC 5280 §5.2.3): 1, 2, 3..., never handed out twice, shared by
  // every process that uses the same register.
  virtual std::uint64_t nextCrlNumber(const std::string& issuerKeyId) = 0;
};

}  // namespace kyso::pki
