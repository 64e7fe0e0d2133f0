#include "kyso/pki/partner_enrollment.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "kyso/error.h"
#include "partner_rest.h"
#include "viettel_mysign_impl.h"
#include "vnpt_smartca_impl.h"

namespace kyso::pki {

namespace {

// The subject as both registration shapes carry it: the Vietnamese practice of
// enrollment_application.h (CN, UID=CCCD:/MST:, ST, C=VN).
Poco::JSON::Object::Ptr subjectJson(const CertificateSubject& subject) {
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  out->set("cn", subject.commonName);
  Poco::JSON::Array::Ptr uids = new Poco::JSON::Array;
  for (const auto& uid : subject.uids) uids->add(uid);
  out->set("uid", uids);
  out->set("st", subject.province);
  if (!subject.organization.empty()) out->set("o", subject.organization);
  out->set("c", "VN");
  return out;
}

void requireTransaction(const EnrollmentRequest& request) {
  if (request.transactionId.empty()) throw InternalError("an enrolment request without its transaction id");
}

// The certificate the partner delivered: the chain, leaf first, whose leaf must be the issued one.
EnrollmentStatus issued(const partner::Json& certificates, const std::string& requestId) {
  EnrollmentStatus out;
  out.state = EnrollmentState::Issued;
  out.partnerReference = requestId;
  out.chain = partner::decodeChain(certificates);
  return out;
}

EnrollmentStatus waiting(EnrollmentState state, const std::string& requestId) {
  EnrollmentStatus out;
  out.state = state;
  out.partnerReference = requestId;
  return out;
}

EnrollmentStatus rejected(const std::string& requestId, std::string reason) {
  EnrollmentStatus out;
  out.state = EnrollmentState::Rejected;
  out.partnerReference = requestId;
  out.reason = std::move(reason);
  return out;
}

// The partner's id of a registration it accepted.
std::string registrationId(const partner::Json& answer) {
  const auto requestId = answer["requestId"];
  std::string id = requestId.string();
  if (id.empty()) requestId.fail("is empty");
  return id;
}

// The registration an enrolment polls; a partner never given one cannot be asked about it.
const std::string& knownRegistration(const std::string& partnerReference, const std::string& peer) {
  if (partnerReference.empty()) {
    throw NotFoundError("partner_transaction_unknown", peer + " was never given this registration");
  }
  return partnerReference;
}

// The status codes of a registration, which each partner models on the codes of its signing API.
struct RegistrationCodes {
  long long issued;
  long long inProcess;
  long long waitingForApplicant;
  long long expired;
  long long refusedByApplicant;
  long long refusedByPartner;
  std::string refusedByPartnerText;  // "VNPT SmartCA refused the registration"
};

// A registration-status answer ({requestId, status, cert: {certificates}}) as an enrolment state;
// `words` is the partner's description, already scrubbed of secrets.
EnrollmentStatus registrationStatus(const partner::Json& answer, const std::string& requestId, const std::string& words,
                                    const RegistrationCodes& codes) {
  if (const auto id = answer.find("requestId"); id && id->string() != requestId) {
    id->fail("names another registration");
  }
  const auto code = answer["status"];
  const long long value = code.integer();
  const std::string because = words.empty() ? "" : ": " + words;
  if (value == codes.issued) return issued(answer["cert"]["certificates"], requestId);
  if (value == codes.inProcess) return waiting(EnrollmentState::Submitted, requestId);
  if (value == codes.waitingForApplicant) return waiting(EnrollmentState::AwaitingApplicant, requestId);
  if (value == codes.expired) return rejected(requestId, "the applicant did not confirm in time" + because);
  if (value == codes.refusedByApplicant) return rejected(requestId, "the applicant refused" + because);
  if (value == codes.refusedByPartner) return rejected(requestId, codes.refusedByPartnerText + because);
  code.fail("has an unknown value " + std::to_string(value));
}

}  // namespace

// --- VNPT SmartCA ------------------------------------------------------------------------------

VnptSmartCaEnrollment::VnptSmartCaEnrollment(VnptSmartCaSettings settings, const Clock& clock)
    : gateway_(std::make_unique<VnptSmartCa>(std::move(settings), clock)) {}

VnptSmartCaEnrollment::~VnptSmartCaEnrollment() = default;

EnrollmentStatus VnptSmartCaEnrollment::submit(const EnrollmentRequest& request) {
  requireTransaction(request);
  auto& impl = *gateway_->impl_;
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("refId", request.transactionId);
  body.set("subject", subjectJson(request.subject));
  body.set("email", request.applicant.email);
  body.set("phone", request.applicant.phone);
  if (!request.csrDer.empty()) body.set("csr", toBase64(request.csrDer));
  const std::string path = "/csc/credentials/register";
  const auto reply = impl.call(path, body);
  if (reply.code != smartca::kOk) {
    impl.refuse(reply, path, "partner_transaction_unknown", smartca::kPeer + " knows no such registration");
  }
  return status(registrationId(*reply.content));
}

EnrollmentStatus VnptSmartCaEnrollment::poll(const std::string& /*transactionId*/,
                                             const std::string& partnerReference) {
  return status(knownRegistration(partnerReference, smartca::kPeer));
}

EnrollmentStatus VnptSmartCaEnrollment::status(const std::string& requestId) {
  auto& impl = *gateway_->impl_;
  Poco::JSON::Object body;
  body.set("requestId", requestId);
  const std::string path = "/csc/credentials/registration-status";
  const auto reply = impl.call(path, body);
  if (reply.code != smartca::kOk) {
    impl.refuse(reply, path, "partner_transaction_unknown",
                smartca::kPeer + " knows no registration '" + requestId + "'");
  }
  std::string words;
  if (const auto desc = reply.content->find("statusDesc")) words = impl.http->scrub(desc->string(), reply.token);
  return registrationStatus(*reply.content, requestId, words,
                            {1, 0, 4000, 4001, 4002, 4005, smartca::kPeer + " refused the registration"});
}

void VnptSmartCaEnrollment::revoke(const Certificate& certificate, RevocationReason reason) {
  auto& impl = *gateway_->impl_;
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("serialNumber", certificate.serialHex());
  body.set("reason", std::string(revocationReasonName(reason)));
  const std::string path = "/csc/credentials/revoke";
  const auto reply = impl.call(path, body);
  if (reply.code != smartca::kOk) {
    impl.refuse(reply, path, "certificate_not_found", smartca::kPeer + " knows no such certificate");
  }
}

// --- Viettel MySign ----------------------------------------------------------------------------

ViettelMySignEnrollment::ViettelMySignEnrollment(ViettelMySignSettings settings, const Clock& clock)
    : service_(std::make_unique<ViettelMySign>(std::move(settings), clock)) {}

ViettelMySignEnrollment::~ViettelMySignEnrollment() = default;

EnrollmentStatus ViettelMySignEnrollment::submit(const EnrollmentRequest& request) {
  requireTransaction(request);
  auto& impl = *service_->impl_;
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("client_id", impl.settings.clientId);
  body.set("profile_id", impl.settings.profileId);
  body.set("request_id", request.transactionId);
  body.set("subject", subjectJson(request.subject));
  body.set("email", request.applicant.email);
  body.set("phone", request.applicant.phone);
  if (!request.csrDer.empty()) body.set("csr", toBase64(request.csrDer));
  const std::string path = "/ras/v1/certificates/request";
  const auto reply = impl.call({}, path, body);
  if (!mysign::success(reply.httpStatus)) {
    impl.refuse(reply, path, "partner_transaction_unknown", mysign::kPeer + " knows no such registration");
  }
  return status(registrationId(reply.json));
}

EnrollmentStatus ViettelMySignEnrollment::poll(const std::string& /*transactionId*/,
                                               const std::string& partnerReference) {
  return status(knownRegistration(partnerReference, mysign::kPeer));
}

EnrollmentStatus ViettelMySignEnrollment::status(const std::string& requestId) {
  auto& impl = *service_->impl_;
  Poco::JSON::Object body;
  body.set("requestId", requestId);
  const std::string path = "/ras/v1/certificates/requests/status";
  const auto reply = impl.call({}, path, body);
  if (!mysign::success(reply.httpStatus)) {
    impl.refuse(reply, path, "partner_transaction_unknown",
                mysign::kPeer + " knows no registration '" + requestId + "'");
  }
  std::string words;
  if (const auto desc = reply.json.find("error_description")) words = impl.http->scrub(desc->string(), reply.token);
  return registrationStatus(reply.json, requestId, words,
                            {1, 6000, 4000, 4001, 4002, 4004, mysign::kPeer + " could not issue"});
}

void ViettelMySignEnrollment::revoke(const Certificate& certificate, RevocationReason reason) {
  auto& impl = *service_->impl_;
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("client_id", impl.settings.clientId);
  body.set("serialNumber", certificate.serialHex());
  body.set("reason", std::string(revocationReasonName(reason)));
  const std::string path = "/ras/v1/certificates/revoke";
  const auto reply = impl.call({}, path, body);
  if (!mysign::success(reply.httpStatus)) {
    impl.refuse(reply, path, "certificate_not_found", mysign::kPeer + " knows no such certificate");
  }
}

}  // namespace kyso::pki
