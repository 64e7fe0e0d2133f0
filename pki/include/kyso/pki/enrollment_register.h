// What enrolment remembers: one row per enrolment with its durable state, so that a restart resumes
// every enrolment where it stood. An interface so that pki stays below store in the build (like
// CertificateRegister): the store implements it (store::Store::enrollments()).
//
// States (docs/architecture.md, "Enrolment"):
//   received → submitted → awaiting_applicant → issued | rejected | failed
// received: stored, not yet accepted by the partner (submit() is due); submitted and
// awaiting_applicant: the partner has it (poll() is due); the last three are final.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/ca_connector.h"
#include "kyso/pki/certificate_register.h"
#include "kyso/pki/clock.h"

namespace kyso::pki {

enum class EnrollmentPhase { Received, Submitted, AwaitingApplicant, Issued, Rejected, Failed };

// "received", "submitted", "awaiting_applicant", "issued", "rejected", "failed"
std::string_view enrollmentPhaseName(EnrollmentPhase phase);
// Throws InternalError("database_corrupt") for any other text (only the store reads these back).
EnrollmentPhase parseEnrollmentPhase(std::string_view name);
bool isFinal(EnrollmentPhase phase);

// Where the applicant's key comes from: their own PKCS#10 request, a key kyso generates in an HSM,
// or a key the partner CA makes and keeps (its remote-signing service signs with it).
enum class KeyMode { Csr, Hsm, Partner };
std::string_view keyModeName(KeyMode mode);  // "csr", "hsm", "partner"

struct EnrollmentRecord {
  std::string id;             // "en_" + 32 hex digits
  std::string transactionId;  // what partners see: the connector's idempotency key (equal to id)
  std::string actor;          // who asked ("apikey:<id>")
  std::string idempotencyKey;
  std::string requestSha256;  // hex, of the canonical request (idempotency)
  std::string partner;        // the connector's name
  KeyMode keyMode = KeyMode::Csr;
  Applicant applicant;
  Bytes csrDer;
  TimePoint consentedAt{};  // when the Center recorded the applicant's consent
  TimePoint createdAt{};
  TimePoint updatedAt{};

  EnrollmentPhase phase = EnrollmentPhase::Received;
  int attempts = 0;                        // calls made to the partner (submit and poll)
  int failures = 0;                        // consecutive attempts the partner did not answer; drives the backoff
  std::optional<TimePoint> nextAttemptAt;  // none once final
  std::string lastError;                   // the last failure or the rejection, as a client may read it
  std::string partnerReference;
  std::string certificateSerial;  // upper-case hex, once issued
  std::string chainPem;           // once issued: leaf first
  std::optional<TimePoint> revokedAt;
  RevocationReason revocationReason = RevocationReason::Unspecified;

  std::int64_t version = 0;  // bumped by every update; an update names the version it read
};

// An event for the procedure system, queued in the transaction that changes the enrolment.
struct EnrollmentEvent {
  std::string type;  // "enrollment.issued", "enrollment.rejected", "enrollment.failed", "certificate.revoked"
  std::string body;  // JSON, as it will be signed and sent
  TimePoint at{};
};

class EnrollmentRegister {
 public:
  virtual ~EnrollmentRegister() = default;

  // Stores a new enrolment and returns nullopt; when the actor used the record's idempotency key
  // before, stores nothing and returns the enrolment stored then.
  virtual std::optional<EnrollmentRecord> insert(const EnrollmentRecord& record) = 0;
  virtual std::optional<EnrollmentRecord> find(const std::string& id) = 0;
  // The enrolment whose certificate has this serial (upper-case hex); the latest if several.
  virtual std::optional<EnrollmentRecord> findByCertificate(const std::string& serialHex) = 0;
  // Enrolments not final whose next attempt is at or before `now`, the longest waiting first.
  virtual std::vector<EnrollmentRecord> due(TimePoint now, std::size_t limit) = 0;
  // Writes the record's state (phase, attempts, failures, next attempt, last error, partner
  // reference, certificate, revocation, updatedAt) if the stored version is still record.version,
  // and queues each event once for every registered callback (the receipts' outbox), all in one
  // transaction. Returns false, writing nothing, when the enrolment changed since it was read.
  virtual bool update(const EnrollmentRecord& record, const std::vector<EnrollmentEvent>& events) = 0;
};

// What a connector that issues by itself (the local CA) remembers per transaction, so that a
// second submit of the same transaction returns the certificate issued the first time.
class TransactionRegister {
 public:
  virtual ~TransactionRegister() = default;
  // The certificate (DER) `connector` issued for the transaction, if any.
  virtual std::optional<Bytes> issuedFor(const std::string& connector, const std::string& transactionId) = 0;
  // Records it; when a certificate is recorded for the transaction already, keeps that one and
  // returns it, else returns `der`.
  virtual Bytes recordIssued(const std::string& connector, const std::string& transactionId, ByteView der,
                             TimePoint at) = 0;
};

}  // namespace kyso::pki
