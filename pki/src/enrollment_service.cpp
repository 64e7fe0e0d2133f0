#include "kyso/pki/enrollment_service.h"

#include <Poco/JSON/Object.h>
#include <openssl/evp.h>

#include <algorithm>
#include <sstream>

#include "kyso/error.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/vietnam_identifiers.h"

namespace kyso::pki {

namespace {

using std::chrono::floor;
using std::chrono::seconds;

std::string randomId(std::string_view prefix) {
  return std::string(prefix) + toHex(randomBytes(16));
}

// The request as the idempotency check compares it: every field that shapes the certificate,
// each length-prefixed so that no two requests write the same text. The CSR counts by its DER,
// so PEM and base64 of one request are the same request.
std::string requestSha256(const EnrollmentApplication& a, ByteView csrDer) {
  std::string canonical;
  const auto field = [&](std::string_view value) {
    canonical += std::to_string(value.size()) + ":";
    canonical += value;
  };
  field(a.applicant.kind == Applicant::Kind::Person ? "person" : "organization");
  for (const std::string* value :
       {&a.applicant.fullName, &a.applicant.cccd, &a.applicant.mst, &a.applicant.representative, &a.applicant.email,
        &a.applicant.phone, &a.applicant.province, &a.partner, &a.keyMode}) {
    field(*value);
  }
  field(toHex(sha256(csrDer)));
  return toHex(sha256(asBytes(canonical)));
}

std::string stringify(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

EnrollmentEvent enrollmentEvent(const EnrollmentRecord& r, TimePoint at) {
  EnrollmentEvent event;
  event.type = "enrollment." + std::string(enrollmentPhaseName(r.phase));
  event.at = at;
  Poco::JSON::Object::Ptr enrollment = new Poco::JSON::Object;
  enrollment->set("id", r.id);
  enrollment->set("status", std::string(enrollmentPhaseName(r.phase)));
  enrollment->set("partner", r.partner);
  enrollment->set("transaction_id", r.transactionId);
  if (!r.certificateSerial.empty()) enrollment->set("certificate_serial", r.certificateSerial);
  if (r.phase != EnrollmentPhase::Issued && !r.lastError.empty()) enrollment->set("reason", r.lastError);
  Poco::JSON::Object o;
  o.set("event_id", randomId("ev_"));
  o.set("type", event.type);
  o.set("created_at", formatIso8601(at));
  o.set("enrollment", enrollment);
  event.body = stringify(o);
  return event;
}

EnrollmentEvent revocationEvent(const EnrollmentRecord& r) {
  EnrollmentEvent event;
  event.type = "certificate.revoked";
  event.at = *r.revokedAt;
  Poco::JSON::Object::Ptr certificate = new Poco::JSON::Object;
  certificate->set("serial", r.certificateSerial);
  certificate->set("enrollment_id", r.id);
  certificate->set("partner", r.partner);
  certificate->set("revoked_at", formatIso8601(*r.revokedAt));
  certificate->set("reason", std::string(revocationReasonName(r.revocationReason)));
  Poco::JSON::Object o;
  o.set("event_id", randomId("ev_"));
  o.set("type", event.type);
  o.set("created_at", formatIso8601(*r.revokedAt));
  o.set("certificate", certificate);
  event.body = stringify(o);
  return event;
}

// What a client may read about a failure: the code and the message of our error vocabulary;
// details (host names, partner answers) only go to the log.
std::string shown(const Error& e) {
  if (e.kind() == ErrorKind::Internal) return "internal error";
  return e.code() + ": " + e.what();
}

std::string logged(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  if (error == nullptr) return e.what();
  std::string text = error->code() + ": " + e.what();
  if (!error->detail().empty()) text += " (" + error->detail() + ")";
  return text;
}

}  // namespace

EnrollmentService::EnrollmentService(EnrollmentRegister& records, const Clock& clock, EnrollmentOptions options)
    : records_(records), clock_(clock), options_(std::move(options)) {
  if (options_.firstRetry <= seconds(0) || options_.longestRetry < options_.firstRetry || options_.maxFailures < 1 ||
      options_.pollInterval <= seconds(0) || options_.maxAge <= seconds(0) || options_.batch == 0) {
    throw InternalError("unusable enrolment options");
  }
}

void EnrollmentService::setApplicantKeys(std::shared_ptr<ApplicantKeys> keys) {
  applicantKeys_ = std::move(keys);
}

EnrollmentRequest EnrollmentService::requestFor(const EnrollmentRecord& r) {
  EnrollmentRequest request;
  request.transactionId = r.transactionId;
  request.applicant = r.applicant;
  request.subject = subjectFor(r.applicant);
  request.csrDer = r.csrDer;
  if (r.keyMode == KeyMode::Hsm) {
    if (!applicantKeys_) {
      throw UnavailableError("hsm_unavailable", "no HSM for applicants' keys is configured",
                             "enrolment " + r.id + " is in key mode hsm and enrollment.hsm.* is not set");
    }
    // The key is labelled with the enrolment id: found again after a restart, never made twice.
    const auto key = applicantKeys_->keyFor(r.id);
    request.csrDer = buildCertificateRequest(vietnameseSubjectName(request.subject), key->publicKey(), *key);
  }
  return request;
}

bool EnrollmentService::carriesRequestedKey(const EnrollmentRecord& r, const Certificate& leaf) const {
  bool same = true;
  if (r.keyMode == KeyMode::Hsm) {
    if (!applicantKeys_) return false;
    same = EVP_PKEY_eq(leaf.publicKey(), applicantKeys_->find(r.id)->publicKey()) == 1;
  } else if (!r.csrDer.empty()) {
    const CertificateRequest request = CertificateRequest::parse(r.csrDer);
    same = EVP_PKEY_eq(leaf.publicKey(), request.publicKey()) == 1;
  }
  ossl::clearErrors();
  return same;
}

void EnrollmentService::addConnector(std::shared_ptr<CaConnector> connector) {
  if (!connector) throw InternalError("a null CA connector");
  std::lock_guard lock(connectorsMutex_);
  connectors_[connector->name()] = std::move(connector);
}

std::shared_ptr<CaConnector> EnrollmentService::connector(const std::string& name) const {
  std::lock_guard lock(connectorsMutex_);
  const auto it = connectors_.find(name);
  return it == connectors_.end() ? nullptr : it->second;
}

std::chrono::seconds EnrollmentService::retryDelay(int failures) const {
  const int doublings = std::clamp(failures - 1, 0, 30);
  if (doublings >= 20) return options_.longestRetry;  // past any sensible cap; and no overflow
  return std::min(options_.longestRetry, options_.firstRetry * (std::int64_t{1} << doublings));
}

EnrollmentService::Created EnrollmentService::create(const EnrollmentApplication& a) {
  validateApplicant(a.applicant);
  if (!connector(a.partner)) {
    std::string offered;
    {
      std::lock_guard lock(connectorsMutex_);
      for (const auto& [name, _] : connectors_) offered += (offered.empty() ? "" : ", ") + name;
    }
    throw InputError("unknown_partner", "field 'partner': no partner CA " + shownIdentifier(a.partner) +
                                            " is configured (offered: " + (offered.empty() ? "none" : offered) + ")");
  }
  const CertificateSubject subject = subjectFor(a.applicant);
  Bytes csrDer;
  if (a.keyMode == "csr") {
    csrDer = checkCertificateRequest(a.csr, subject);
  } else if (a.keyMode == "hsm") {
    if (!applicantKeys_) {
      throw InputError("key_mode_unavailable",
                       "field 'key.mode': 'hsm' is not offered by this service (no HSM is configured for applicants' "
                       "keys); send the applicant's CSR with 'csr'");
    }
    // The key is made inside the token when the enrolment is submitted (applicant_keys.h).
    if (!a.csr.empty()) throw InputError("invalid_field", "field 'key.csr' applies only to key mode 'csr'");
  } else if (a.keyMode == "partner") {
    // The partner makes the key in its HSM and keeps it (partner_enrollment.h): no CSR.
    if (!connector(a.partner)->acceptsPartnerKeys()) {
      throw InputError("key_mode_unavailable", "field 'key.mode': partner " + shownIdentifier(a.partner) +
                                                   " does not keep applicants' keys; send a CSR with 'csr'");
    }
    if (!a.csr.empty()) throw InputError("invalid_field", "field 'key.csr' applies only to key mode 'csr'");
  } else {
    throw InputError("invalid_field", "field 'key.mode' must be 'csr', 'hsm' or 'partner'");
  }
  if (!a.consent) {
    throw InputError("consent_required",
                     "field 'consent' must be true: the applicant's consent to the processing of their personal "
                     "data for the certificate is required");
  }

  EnrollmentRecord r;
  r.id = randomId("en_");
  r.transactionId = r.id;
  r.actor = a.actor;
  r.idempotencyKey = a.idempotencyKey;
  r.requestSha256 = requestSha256(a, csrDer);
  r.partner = a.partner;
  r.keyMode = a.keyMode == "hsm" ? KeyMode::Hsm : a.keyMode == "partner" ? KeyMode::Partner : KeyMode::Csr;
  r.applicant = a.applicant;
  r.csrDer = std::move(csrDer);
  const TimePoint now = floor<seconds>(clock_.now());
  r.consentedAt = now;
  r.createdAt = now;
  r.updatedAt = now;
  r.nextAttemptAt = now;
  if (auto earlier = records_.insert(r)) {
    if (earlier->requestSha256 != r.requestSha256) {
      throw ConflictError("idempotency_key_reused",
                          "this Idempotency-Key was used for a different request (enrolment " + earlier->id + ")");
    }
    return {std::move(*earlier), true};
  }
  return {std::move(r), false};
}

EnrollmentRecord EnrollmentService::get(const std::string& id) {
  auto found = records_.find(id);
  if (!found) throw NotFoundError("enrollment_not_found", "no enrolment has this id");
  return std::move(*found);
}

IssuedCertificate EnrollmentService::certificate(const std::string& serialHex) {
  const std::string serial = normalizeSerialHex(serialHex);
  auto found = records_.findByCertificate(serial);
  if (!found || found->phase != EnrollmentPhase::Issued) {
    throw NotFoundError("certificate_not_found", "no enrolment issued a certificate with this serial number");
  }
  IssuedCertificate out;
  out.chain = Certificate::allFromPem(found->chainPem);
  if (out.chain.empty()) throw InternalError("an issued enrolment without its certificate", "database_corrupt");
  out.enrollment = std::move(*found);
  return out;
}

IssuedCertificate EnrollmentService::revoke(const std::string& serialHex, RevocationReason reason) {
  if (reason == RevocationReason::CertificateHold || reason == RevocationReason::RemoveFromCrl) {
    throw InputError("invalid_revocation_reason",
                     "field 'reason': revocation is final; certificateHold and removeFromCRL are not used");
  }
  for (int tries = 0; tries < 3; ++tries) {
    IssuedCertificate issued = certificate(serialHex);
    EnrollmentRecord& r = issued.enrollment;
    if (r.revokedAt) return issued;
    const auto partner = connector(r.partner);
    if (!partner) {
      throw UnavailableError("partner_unavailable", "the partner CA that issued this certificate is not configured",
                             "no connector named " + r.partner);
    }
    // At the partner first: a revocation recorded here must hold there. Revoking again is fine.
    partner->revoke(issued.chain.front(), reason);
    const TimePoint now = floor<seconds>(clock_.now());
    r.revokedAt = now;
    r.revocationReason = reason;
    r.updatedAt = now;
    if (records_.update(r, {revocationEvent(r)})) {
      ++r.version;
      return issued;
    }
    // Changed meanwhile (another revocation): read again.
  }
  throw UnavailableError("enrollment_busy", "the enrolment is being changed; try again");
}

std::vector<EnrollmentEvent> EnrollmentService::finish(EnrollmentRecord& r, EnrollmentPhase phase,
                                                       const std::string& error, TimePoint now) {
  r.phase = phase;
  r.nextAttemptAt.reset();
  r.lastError = error;
  r.updatedAt = now;
  return {enrollmentEvent(r, now)};
}

std::vector<EnrollmentStep> EnrollmentService::advanceDue() {
  std::lock_guard pass(passMutex_);
  std::vector<EnrollmentStep> steps;
  std::vector<EnrollmentRecord> due;
  try {
    due = records_.due(floor<seconds>(clock_.now()), options_.batch);
  } catch (const std::exception& e) {
    steps.push_back({"", EnrollmentPhase::Received, EnrollmentPhase::Received, "reading due enrolments: " + logged(e)});
    return steps;
  }
  for (EnrollmentRecord& r : due) {
    const EnrollmentPhase from = r.phase;
    try {
      steps.push_back(advance(std::move(r)));
    } catch (const std::exception& e) {
      // The database failed (the lease, if written, makes it due again later).
      steps.push_back({r.id, from, from, logged(e)});
    }
  }
  return steps;
}

EnrollmentStep EnrollmentService::advance(EnrollmentRecord r) {
  EnrollmentStep step{r.id, r.phase, r.phase, {}};
  TimePoint now = floor<seconds>(clock_.now());
  if (now - r.createdAt >= options_.maxAge) {
    const auto hours = std::chrono::duration_cast<std::chrono::hours>(options_.maxAge).count();
    const auto events =
        finish(r, EnrollmentPhase::Failed,
               "enrollment_expired: the partner did not issue within " + std::to_string(hours) + " hours", now);
    if (records_.update(r, events)) step.to = r.phase;
    step.error = r.lastError;
    return step;
  }

  // The lease: the attempt counts, and the enrolment is not due again before the retry delay,
  // whatever happens to this process during the call.
  ++r.attempts;
  r.nextAttemptAt = now + retryDelay(r.failures + 1);
  r.updatedAt = now;
  if (!records_.update(r, {})) {
    step.error = "changed by another worker; skipped";
    return step;
  }
  ++r.version;

  std::vector<EnrollmentEvent> events;
  const auto unanswered = [&](const std::string& error, const std::string& detail) {
    ++r.failures;
    step.error = detail;
    if (r.failures >= options_.maxFailures) {
      events = finish(r, EnrollmentPhase::Failed,
                      error + " (" + std::to_string(r.failures) + " attempts without an answer)", now);
    } else {
      r.lastError = error;
      r.nextAttemptAt = now + retryDelay(r.failures);
      r.updatedAt = now;
    }
  };
  const auto partner = connector(r.partner);
  if (!partner) {
    unanswered("partner_unavailable: the partner CA is not configured", "no connector named " + r.partner);
  } else {
    try {
      const EnrollmentStatus status = r.phase == EnrollmentPhase::Received
                                          ? partner->submit(requestFor(r))
                                          : partner->poll(r.transactionId, r.partnerReference);
      now = floor<seconds>(clock_.now());
      if (!status.partnerReference.empty()) r.partnerReference = status.partnerReference;
      switch (status.state) {
        case EnrollmentState::Issued:
          if (status.chain.empty()) {
            unanswered("partner_unavailable: the partner reported the certificate issued without it",
                       "issued without a certificate");
          } else if (!carriesRequestedKey(r, status.chain.front())) {
            events =
                finish(r, EnrollmentPhase::Failed,
                       "partner_certificate_mismatch: the partner's certificate is not for the requested key", now);
            step.error = r.lastError;
          } else {
            r.failures = 0;
            r.certificateSerial = status.chain.front().serialHex();
            r.chainPem = toPem(status.chain);
            events = finish(r, EnrollmentPhase::Issued, "", now);
          }
          break;
        case EnrollmentState::Rejected:
          events = finish(
              r, EnrollmentPhase::Rejected,
              "partner_rejected: " + (status.reason.empty() ? std::string("no reason given") : status.reason), now);
          break;
        case EnrollmentState::Submitted:
        case EnrollmentState::AwaitingApplicant:
          r.phase = status.state == EnrollmentState::Submitted ? EnrollmentPhase::Submitted
                                                               : EnrollmentPhase::AwaitingApplicant;
          r.failures = 0;
          r.lastError.clear();
          r.nextAttemptAt = now + options_.pollInterval;
          r.updatedAt = now;
          break;
      }
    } catch (const InputError& e) {
      now = floor<seconds>(clock_.now());
      events = finish(r, EnrollmentPhase::Rejected, shown(e), now);
      step.error = logged(e);
    } catch (const NotFoundError& e) {
      // The partner does not know the transaction it had (a CMP exchange that lived in a process
      // now gone): submitted again at the next attempt, with the same transaction id.
      now = floor<seconds>(clock_.now());
      unanswered(shown(e), logged(e));
      if (!isFinal(r.phase)) r.phase = EnrollmentPhase::Received;
    } catch (const ConflictError& e) {
      // The partner has this transaction but cannot say how it ended (CMP transactionIdInUse):
      // asking again cannot help; an operator looks the certificate up at the partner.
      now = floor<seconds>(clock_.now());
      events = finish(r, EnrollmentPhase::Failed, shown(e), now);
      step.error = logged(e);
    } catch (const Error& e) {
      now = floor<seconds>(clock_.now());
      unanswered(shown(e), logged(e));
    } catch (const std::exception& e) {
      now = floor<seconds>(clock_.now());
      unanswered("internal error", e.what());
    }
  }
  if (!records_.update(r, events)) {
    step.error += (step.error.empty() ? "" : "; ") + std::string("changed by another worker; result not recorded");
    return step;
  }
  step.to = r.phase;
  return step;
}

}  // namespace kyso::pki
