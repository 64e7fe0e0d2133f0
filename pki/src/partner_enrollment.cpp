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
  const auto requestId = (*reply.content)["requestId"];
  const std::string id = requestId.string();
  if (id.empty()) requestId.fail("is empty");
  return status(id);
}

EnrollmentStatus VnptSmartCaEnrollment::poll(const std::string& /*transactionId*/,
                                             const std::string& partnerReference) {
  if (partnerReference.empty()) {
    throw NotFoundError("partner_transaction_unknown", smartca::kPeer + " was never given this registration");
  }
  return status(partnerReference);
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
  const partner::Json& content = *reply.content;
  if (const auto id = content.find("requestId"); id && id->string() != requestId) {
    id->fail("names another registration");
  }
  const auto code = content["status"];
  std::string words;
  if (const auto desc = content.find("statusDesc")) words = impl.http->scrub(desc->string(), reply.token);
  switch (code.integer()) {
    case 1:
      return issued(content["cert"]["certificates"], requestId);
    case 0:
      return waiting(EnrollmentState::Submitted, requestId);
    case 4000:
      return waiting(EnrollmentState::AwaitingApplicant, requestId);
    case 4001:
      return rejected(requestId, "the applicant did not confirm in time" + (words.empty() ? "" : ": " + words));
    case 4002:
      return rejected(requestId, "the applicant refused" + (words.empty() ? "" : ": " + words));
    case 4005:
      return rejected(requestId, smartca::kPeer + " refused the registration" + (words.empty() ? "" : ": " + words));
    default:
      code.fail("has an unknown value " + std::to_string(code.integer()));
  }
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
  const auto requestId = reply.json["requestId"];
  const std::string id = requestId.string();
  if (id.empty()) requestId.fail("is empty");
  return status(id);
}

EnrollmentStatus ViettelMySignEnrollment::poll(const std::string& /*transactionId*/,
                                               const std::string& partnerReference) {
  if (partnerReference.empty()) {
    throw NotFoundError("partner_transaction_unknown", mysign::kPeer + " was never given this registration");
  }
  return status(partnerReference);
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
  if (const auto id = reply.json.find("requestId"); id && id->string() != requestId) {
    id->fail("names another registration");
  }
  const auto code = reply.json["status"];
  std::string words;
  if (const auto desc = reply.json.find("error_description")) words = impl.http->scrub(desc->string(), reply.token);
  switch (code.integer()) {
    case 1:
      return issued(reply.json["cert"]["certificates"], requestId);
    case 6000:
      return waiting(EnrollmentState::Submitted, requestId);
    case 4000:
      return waiting(EnrollmentState::AwaitingApplicant, requestId);
    case 4001:
      return rejected(requestId, "the applicant did not confirm in time" + (words.empty() ? "" : ": " + words));
    case 4002:
      return rejected(requestId, "the applicant refused" + (words.empty() ? "" : ": " + words));
    case 4004:
      return rejected(requestId, mysign::kPeer + " could not issue" + (words.empty() ? "" : ": " + words));
    default:
      code.fail("has an unknown value " + std::to_string(code.integer()));
  }
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
