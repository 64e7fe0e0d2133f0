// Enrolment: the Center registers an applicant, kyso asks a partner CA (a CaConnector) for their
// certificate and follows the request to its end, durably.
//
// - create() checks the application (enrollment_application.h) and stores it as "received" with
//   its transaction id, due at once. Nothing reaches a partner during the request.
// - advanceDue() (the worker's pass) takes every due enrolment one step: received → submit();
//   submitted / awaiting_applicant → poll(). Before the call the attempt is recorded and the next
//   attempt moved out (a lease), so a crash during the call resumes after the lease, with the same
//   transaction id, which the connector is idempotent on: a partner never issues twice for one
//   enrolment. A partner that does not answer (UnavailableError) is tried again after
//   firstRetry · 2^(failures-1), at most longestRetry; after maxFailures such answers in a row, or
//   once the enrolment is older than maxAge, it is failed. A refusal (InputError, typically
//   partner_refused_request) rejects it. A partner that no longer knows a transaction it was
//   working on (NotFoundError from poll) gets it submitted again (same transaction id); one that
//   has it but cannot tell its outcome (ConflictError, CMP transactionIdInUse) fails it for an
//   operator to look up.
// - The final transitions and revocations queue their events ("enrollment.issued", "...rejected",
//   "...failed", "certificate.revoked") in the same transaction that records them.
//
// Thread-safe: handlers create and read while the worker advances; passes do not overlap.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kyso/pki/applicant_keys.h"
#include "kyso/pki/ca_connector.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/enrollment_application.h"
#include "kyso/pki/enrollment_register.h"

namespace kyso::pki {

struct EnrollmentOptions {
  std::chrono::seconds firstRetry{30};
  std::chrono::seconds longestRetry{3600};
  int maxFailures = 10;  // unanswered attempts in a row (about 3 hours with the delays above)
  std::chrono::seconds maxAge{std::chrono::hours(24 * 7)};
  std::chrono::seconds pollInterval{60};  // while the partner works or waits for the citizen
  std::size_t batch = 50;                 // enrolments read per pass
};

// What one step did, for the worker's log. `error` may hold detail for the log only.
struct EnrollmentStep {
  std::string id;
  EnrollmentPhase from = EnrollmentPhase::Received;
  EnrollmentPhase to = EnrollmentPhase::Received;
  std::string error;
};

// The certificate of an issued enrolment.
struct IssuedCertificate {
  EnrollmentRecord enrollment;
  CertificateChain chain;  // leaf first
};

class EnrollmentService {
 public:
  EnrollmentService(EnrollmentRegister& records, const Clock& clock, EnrollmentOptions options = {});

  // Makes `connector` the one for its name() (replacing an earlier one of that name).
  void addConnector(std::shared_ptr<CaConnector> connector);
  std::shared_ptr<CaConnector> connector(const std::string& name) const;

  struct Created {
    EnrollmentRecord record;
    bool replayed = false;  // the idempotency key named an earlier enrolment of the same request
  };
  // Applicants' keys for key mode "hsm" (applicant_keys.h); without them "hsm" is refused.
  void setApplicantKeys(std::shared_ptr<ApplicantKeys> keys);
  const std::shared_ptr<ApplicantKeys>& applicantKeys() const { return applicantKeys_; }

  // Throws the InputErrors of enrollment_application.h, InputError("unknown_partner"),
  // InputError("key_mode_unavailable") for "hsm" without applicant keys or "partner" at a partner
  // that does not keep keys, InputError("consent_required"),
  // ConflictError("idempotency_key_reused") for a key used with another request.
  Created create(const EnrollmentApplication& application);

  // NotFoundError("enrollment_not_found").
  EnrollmentRecord get(const std::string& id);
  // The certificate of an issued enrolment by serial; InputError("invalid_serial"),
  // NotFoundError("certificate_not_found").
  IssuedCertificate certificate(const std::string& serialHex);
  // Revokes at the partner (connector.revoke) and records it with the event; a revoked
  // certificate is returned as it is (the first revocation's time and reason stand). Throws as
  // certificate(), InputError("invalid_revocation_reason") for certificateHold / removeFromCRL,
  // and the connector's UnavailableError.
  IssuedCertificate revoke(const std::string& serialHex, RevocationReason reason);

  // One pass over the due enrolments (what the worker does each interval). Never throws: a step
  // that fails is reported in its EnrollmentStep and left due.
  std::vector<EnrollmentStep> advanceDue();

  // The wait after `failures` unanswered attempts in a row (1 for the first).
  std::chrono::seconds retryDelay(int failures) const;

 private:
  EnrollmentStep advance(EnrollmentRecord record);
  // What the connector is sent; for key mode "hsm" the key is made (once) and the CSR built here.
  EnrollmentRequest requestFor(const EnrollmentRecord& record);
  // A partner's certificate is delivered only for the key that was asked for.
  bool carriesRequestedKey(const EnrollmentRecord& record, const Certificate& leaf) const;
  std::vector<EnrollmentEvent> finish(EnrollmentRecord& record, EnrollmentPhase phase, const std::string& error,
                                      TimePoint now);

  EnrollmentRegister& records_;
  const Clock& clock_;
  EnrollmentOptions options_;
  mutable std::mutex connectorsMutex_;
  std::map<std::string, std::shared_ptr<CaConnector>> connectors_;
  std::shared_ptr<ApplicantKeys> applicantKeys_;
  std::mutex passMutex_;
};

}  // namespace kyso::pki
