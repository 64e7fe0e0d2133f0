// A certificate authority that issues citizens' and businesses' certificates for the Center, as
// enrolment sees it: one interface over kyso's own issuing CA ("local"), a CMP server ("cmp",
// RFC 4210 / RFC 9483) and the partners' REST services ("vnpt-smartca", "viettel-mysign").
//
// Enrolment is a durable state machine above this (received → submitted → awaiting_applicant →
// issued | rejected | failed) that survives restarts and retries; so a connector must be
// idempotent on kyso's transaction id: submitting the same transaction twice (after a timeout,
// after a restart) must never make the partner issue two certificates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/certificate_register.h"
#include "kyso/pki/local_ca.h"

namespace kyso::pki {

// Who the certificate is for, as the Center registered them.
struct Applicant {
  enum class Kind { Person, Organization };
  Kind kind = Kind::Person;
  std::string fullName;        // CN
  std::string cccd;            // a person's (or an organisation's representative's) CCCD
  std::string mst;             // an organisation's tax code (10 digits or 10+"-"+3), or a person's employer's
  std::string representative;  // an organisation's legal representative
  std::string email;
  std::string phone;
  std::string province;  // ST
};

struct EnrollmentRequest {
  std::string transactionId;  // kyso's, unique per enrolment: the connector's idempotency key
  Applicant applicant;
  CertificateSubject subject;  // the distinguished name to request (Vietnamese practice)
  Bytes csrDer;                // the applicant's or the HSM's PKCS#10; empty when the partner keeps the key
};

enum class EnrollmentState {
  Submitted,          // the partner has it and works on it
  AwaitingApplicant,  // the partner waits for the citizen (confirmation in its app, identity check)
  Issued,
  Rejected,  // final: the partner (or the citizen) refused
};

struct EnrollmentStatus {
  EnrollmentState state = EnrollmentState::Submitted;
  std::string partnerReference;  // the partner's id for the request, kept for polling
  CertificateChain chain;        // when issued: leaf first
  std::string reason;            // when rejected: the partner's words
};

class CaConnector {
 public:
  virtual ~CaConnector() = default;
  // "local", "cmp", "vnpt-smartca", "viettel-mysign"
  virtual std::string name() const = 0;
  // Whether the partner can make and keep the applicant's key itself (key mode "partner": no CSR
  // is sent; the partner's remote-signing service signs with it).
  virtual bool acceptsPartnerKeys() const { return false; }

  // Submits the request, or for a transaction it has seen, reports where it stands. Throws
  // UnavailableError("partner_unavailable") for timeouts, 5xx and malformed answers (the caller
  // retries later with backoff) and InputError("partner_refused_request") when the partner refuses
  // the input itself (retrying the same input cannot help).
  virtual EnrollmentStatus submit(const EnrollmentRequest& request) = 0;
  // Where a submitted request stands. Same errors as submit().
  virtual EnrollmentStatus poll(const std::string& transactionId, const std::string& partnerReference) = 0;
  // Revokes a certificate the partner issued. Revoking a revoked certificate is not an error.
  virtual void revoke(const Certificate& certificate, RevocationReason reason) = 0;
};

}  // namespace kyso::pki
