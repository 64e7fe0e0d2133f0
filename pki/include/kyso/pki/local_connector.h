// The "local" CA connector: kyso's own issuing CA (the development PKI's by default) behind the
// CaConnector interface. It issues at once, so submit() answers Issued; the CA keeps its register
// (CRL, OCSP) and a TransactionRegister remembers which certificate each transaction got.
#pragma once

#include <mutex>
#include <string>

#include "kyso/pki/ca_connector.h"
#include "kyso/pki/enrollment_register.h"
#include "kyso/pki/local_ca.h"

namespace kyso::pki {

class LocalConnector final : public CaConnector {
 public:
  LocalConnector(LocalCertificateAuthority& ca, TransactionRegister& transactions, const Clock& clock,
                 std::string name = "local");

  std::string name() const override { return name_; }
  // Issues from request.csrDer with request.subject, or returns the certificate issued for the
  // transaction before. Chain: the leaf, then the issuing CA. A request the CA cannot use (a
  // weak key, a bad subject) is InputError("partner_refused_request").
  EnrollmentStatus submit(const EnrollmentRequest& request) override;
  // Issued for a known transaction; Rejected for one this CA never saw.
  EnrollmentStatus poll(const std::string& transactionId, const std::string& partnerReference) override;
  // Revokes at the CA (CRL and OCSP show it). NotFoundError("certificate_not_found") for a
  // certificate this CA did not issue.
  void revoke(const Certificate& certificate, RevocationReason reason) override;

 private:
  EnrollmentStatus issued(ByteView der) const;

  LocalCertificateAuthority& ca_;
  TransactionRegister& transactions_;
  const Clock& clock_;
  std::string name_;
  // One issue per transaction within this process: the look-up, the issue and the record happen
  // under it, so two submits of one transaction never both issue.
  std::mutex mutex_;
};

}  // namespace kyso::pki
