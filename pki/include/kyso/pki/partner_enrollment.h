// The CA connectors "vnpt-smartca" and "viettel-mysign": certificate enrolment at the partners
// whose remote-signing services kyso already speaks to (vnpt_smartca.h, viettel_mysign.h), through
// the same session (OAuth2 / login, HTTP, the partners' JSON and error answers).
//
// The partners' registration APIs are not public. These connectors are modelled on the shapes of
// their published signing APIs (docs/architecture.md, "Enrolment at the partners"):
//
// VNPT SmartCA (envelope {code, codeDesc, message, content}, service token):
//   POST /csc/credentials/register             {refId, subject: {cn, uid: [..], st, c}, email, phone,
//                                               csr?} → content {requestId}; a refId seen before
//                                               answers the request made then (never a second one)
//   POST /csc/credentials/registration-status  {requestId} → content {requestId, refId, status,
//                                               statusDesc, credentialId?, cert?: {certificates}}
//   POST /csc/credentials/revoke               {serialNumber, reason} → code 0 (also when revoked)
//   status: 1 issued, 0 in process, 4000 waiting for the citizen, 4001 expired (the citizen did
//   not confirm), 4002 rejected by the citizen, 4005 refused by the CA. Codes as the signer's:
//   30000 bad input, 50000 the partner's failure, 60000 unknown (request or certificate).
//
// Viettel MySign ({error, error_description} with an HTTP status; a login without user_id gives
// the service's own token for these calls):
//   POST /ras/v1/certificates/request          {client_id, profile_id, request_id, subject, email,
//                                               phone, csr?} → {requestId}; idempotent on request_id
//   POST /ras/v1/certificates/requests/status  {requestId} → {requestId, status, error_description?,
//                                               credential_id?, cert?: {certificates}}
//   POST /ras/v1/certificates/revoke           {serialNumber, reason} → {status: 1}
//   status: 1 issued, 6000 in process, 4000 waiting for the citizen, 4001 timed out, 4002
//   rejected, 4004 failed.
//
// Idempotency: kyso's transaction id is the refId / request_id, so a resubmission (after a
// timeout, a 5xx, a restart) names the request the partner already has. The key: with a CSR
// (key mode "csr") the partner certifies that key; without one (key mode "partner") it makes the
// citizen's key in its HSM, where the remote signer later uses it.
//
// Errors: UnavailableError("partner_unavailable") for timeouts, 5xx and unreadable answers,
// UnavailableError("partner_unauthorized") when kyso's credentials are refused,
// InputError("partner_refused_request") for bad input, NotFoundError("partner_transaction_unknown")
// when polling a request the partner does not know (EnrollmentService then submits again with the
// same transaction id), NotFoundError("certificate_not_found") when revoking an unknown certificate.
#pragma once

#include <memory>
#include <string>

#include "kyso/pki/ca_connector.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/viettel_mysign.h"
#include "kyso/pki/vnpt_smartca.h"

namespace kyso::pki {

class VnptSmartCaEnrollment final : public CaConnector {
 public:
  // The settings of the remote signer (partners.vnpt_smartca.*); throws as VnptSmartCa.
  explicit VnptSmartCaEnrollment(VnptSmartCaSettings settings, const Clock& clock = SystemClock::instance());
  ~VnptSmartCaEnrollment() override;

  std::string name() const override { return "vnpt-smartca"; }
  bool acceptsPartnerKeys() const override { return true; }
  EnrollmentStatus submit(const EnrollmentRequest& request) override;
  EnrollmentStatus poll(const std::string& transactionId, const std::string& partnerReference) override;
  void revoke(const Certificate& certificate, RevocationReason reason) override;

 private:
  EnrollmentStatus status(const std::string& requestId);
  std::unique_ptr<VnptSmartCa> gateway_;
};

class ViettelMySignEnrollment final : public CaConnector {
 public:
  // The settings of the remote signer (partners.viettel_mysign.*); throws as ViettelMySign.
  explicit ViettelMySignEnrollment(ViettelMySignSettings settings, const Clock& clock = SystemClock::instance());
  ~ViettelMySignEnrollment() override;

  std::string name() const override { return "viettel-mysign"; }
  bool acceptsPartnerKeys() const override { return true; }
  EnrollmentStatus submit(const EnrollmentRequest& request) override;
  EnrollmentStatus poll(const std::string& transactionId, const std::string& partnerReference) override;
  void revoke(const Certificate& certificate, RevocationReason reason) override;

 private:
  EnrollmentStatus status(const std::string& requestId);
  std::unique_ptr<ViettelMySign> service_;
};

}  // namespace kyso::pki
