// The index of certificates issued by the CAs kyso operates (the development PKI's issuing CA and
// root, the "local" CA connector): what the CRLs and the OCSP responder are made from.
//
// A certificate is identified by its issuer (the issuer's key id: hex SHA-1 of its public key, as
// pki::issuerKeyId computes it) and its serial number. Revocation is final and idempotent. Each
// issuer has its own CRL number counter, taken in a write transaction so that the server and the
// CLI never hand out the same number.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate_register.h"
#include "kyso/pki/clock.h"

namespace kyso::store {

struct CertificateRecord {
  std::string serial;       // upper-case hex, as pki::Certificate::serialHex
  std::string issuerKeyId;  // lower-case hex
  std::string issuer;       // RFC 2253, for people reading the table
  std::string subject;      // RFC 2253
  pki::TimePoint notBefore;
  pki::TimePoint notAfter;
  std::string status = "good";  // "good" or "revoked"
  std::optional<pki::TimePoint> revokedAt;
  int reason = 0;  // CRLReason (RFC 5280 §5.3.1) when revoked
  Bytes der;
};

// A certificate's revocation state: its row without the certificate and the names.
struct CertificateState {
  std::string serial;
  bool revoked = false;
  std::optional<pki::TimePoint> revokedAt;  // when revoked
  int reason = 0;                           // CRLReason when revoked
};

// A revoked certificate as a CRL lists it.
struct RevocationRecord {
  std::string serial;
  pki::TimePoint revokedAt;
  int reason = 0;
};

class CertificateIndex {
 public:
  virtual ~CertificateIndex() = default;

  // Stores a certificate. Returns false (and changes nothing) when the same certificate is stored
  // already; throws ConflictError("certificate_exists") when another one has its issuer and serial.
  virtual bool insert(const CertificateRecord& record) = 0;
  virtual std::optional<CertificateRecord> find(const std::string& issuerKeyId, const std::string& serial) = 0;
  // The same certificate's state only: what an OCSP answer is made of, read for every request.
  virtual std::optional<CertificateState> state(const std::string& issuerKeyId, const std::string& serial) = 0;
  // Every certificate with this serial, whichever CA issued it (serials are random: at most one in practice).
  virtual std::vector<CertificateRecord> findBySerial(const std::string& serial) = 0;
  // Marks a certificate revoked. Returns false when it was revoked already (the first revocation,
  // its time and reason stand); throws NotFoundError("certificate_not_found") when there is none.
  virtual bool revoke(const std::string& issuerKeyId, const std::string& serial, pki::TimePoint at, int reason) = 0;
  // The issuer's revoked certificates, ordered by serial.
  virtual std::vector<RevocationRecord> revoked(const std::string& issuerKeyId) = 0;
  // The issuer's next CRL number: 1 for its first CRL, then one more each call.
  virtual std::uint64_t nextCrlNumber(const std::string& issuerKeyId) = 0;
};

// The local CA's register (pki::CertificateRegister) kept in `index`: how pki reaches the store
// without depending on it.
std::unique_ptr<pki::CertificateRegister> certificateRegister(CertificateIndex& index);

}  // namespace kyso::store
