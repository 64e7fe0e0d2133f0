#include "enrollment_handlers.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "json_request.h"
#include "kyso/error.h"

namespace kyso::api::detail {

namespace {

using Poco::JSON::Object;

// A CSR of an RSA-4096 key in PEM is under 2 KiB; the rest of the request is a few hundred bytes.
constexpr std::uint64_t kEnrollmentBodyLimit = 64 * 1024;

const std::set<std::string>& applicantFields() {
  static const std::set<std::string> fields = {"kind",           "full_name", "cccd",  "mst",
                                               "representative", "email",     "phone", "province"};
  return fields;
}

// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header), as POST /v1/receipts takes it: a
// retry with the same key and body answers with the same enrolment.
std::string idempotencyKey(Exchange& ex) {
  const std::string key = ex.request().get("Idempotency-Key", "");
  if (key.empty()) {
    throw InputError("idempotency_key_required",
                     "an Idempotency-Key header is required: retries with the same key return the same enrolment");
  }
  if (key.size() > 255) throw InputError("invalid_idempotency_key", "the Idempotency-Key is longer than 255 bytes");
  for (const char c : key) {
    if (c < 0x21 || c > 0x7e) {
      throw InputError("invalid_idempotency_key", "the Idempotency-Key must be printable ASCII without spaces");
    }
  }
  return key;
}

// JsonRequest reads strings, numbers and objects; the consent flag is the one boolean.
bool consentOf(const std::string& body) {
  Poco::JSON::Parser parser;
  const auto object = parser.parse(body).extract<Object::Ptr>();  // JsonRequest::parse accepted it already
  if (!object->has("consent") || object->isNull("consent")) {
    throw InputError("consent_required", "field 'consent' is required: true when the applicant consented");
  }
  const Poco::Dynamic::Var value = object->get("consent");
  if (value.type() != typeid(bool)) throw InputError("invalid_field", "field 'consent' must be true or false");
  return value.extract<bool>();
}

pki::EnrollmentApplication applicationFrom(const std::string& body) {
  const auto json = JsonRequest::parse(body, {"applicant", "partner", "key", "consent"});
  pki::EnrollmentApplication a;
  const auto applicant = json.object("applicant", applicantFields());
  const std::string kind = applicant.string("kind");
  if (kind != "person" && kind != "organization") {
    throw InputError("invalid_field", "field 'applicant.kind' must be 'person' or 'organization'");
  }
  a.applicant.kind = kind == "person" ? pki::Applicant::Kind::Person : pki::Applicant::Kind::Organization;
  a.applicant.fullName = applicant.optionalString("full_name").value_or("");
  a.applicant.cccd = applicant.optionalString("cccd").value_or("");
  a.applicant.mst = applicant.optionalString("mst").value_or("");
  a.applicant.representative = applicant.optionalString("representative").value_or("");
  a.applicant.email = applicant.optionalString("email").value_or("");
  a.applicant.phone = applicant.optionalString("phone").value_or("");
  a.applicant.province = applicant.optionalString("province").value_or("");
  a.partner = json.string("partner");
  const auto key = json.object("key", {"mode", "csr"});
  a.keyMode = key.string("mode");
  a.csr = key.optionalString("csr").value_or("");
  a.consent = consentOf(body);
  return a;
}

Object::Ptr applicantJson(const pki::Applicant& a) {
  Object::Ptr o = new Object;
  o->set("kind", a.kind == pki::Applicant::Kind::Person ? "person" : "organization");
  o->set("full_name", a.fullName);
  if (!a.cccd.empty()) o->set("cccd", a.cccd);
  if (!a.mst.empty()) o->set("mst", a.mst);
  if (!a.representative.empty()) o->set("representative", a.representative);
  o->set("email", a.email);
  o->set("phone", a.phone);
  o->set("province", a.province);
  return o;
}

Poco::Dynamic::Var timeOrNull(const std::optional<pki::TimePoint>& t) {
  return t ? Poco::Dynamic::Var(pki::formatIso8601(*t)) : Poco::Dynamic::Var();
}

Object::Ptr enrollmentJson(const pki::EnrollmentRecord& r) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("status", std::string(pki::enrollmentPhaseName(r.phase)));
  o->set("partner", r.partner);
  o->set("transaction_id", r.transactionId);
  o->set("key_mode", std::string(pki::keyModeName(r.keyMode)));
  // Key mode "hsm": the applicant's key in the token of enrollment.hsm.* carries this label.
  if (r.keyMode == pki::KeyMode::Hsm) o->set("key_label", r.id);
  o->set("applicant", applicantJson(r.applicant));
  o->set("created_at", pki::formatIso8601(r.createdAt));
  o->set("updated_at", pki::formatIso8601(r.updatedAt));
  o->set("attempts", r.attempts);
  o->set("next_attempt_at", timeOrNull(r.nextAttemptAt));
  o->set("last_error", r.lastError.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.lastError));
  if (!r.partnerReference.empty()) o->set("partner_reference", r.partnerReference);
  Object::Ptr links = new Object;
  links->set("self", "/v1/enrollments/" + r.id);
  if (!r.certificateSerial.empty()) {
    o->set("certificate_serial", r.certificateSerial);
    links->set("certificate", "/v1/certificates/" + r.certificateSerial);
  }
  o->set("links", links);
  return o;
}

Object::Ptr certificateJson(const pki::IssuedCertificate& issued) {
  const pki::Certificate& leaf = issued.chain.front();
  const pki::EnrollmentRecord& r = issued.enrollment;
  Object::Ptr o = new Object;
  o->set("serial", leaf.serialHex());
  o->set("subject", leaf.subject());
  o->set("issuer", leaf.issuer());
  o->set("not_before", pki::formatIso8601(leaf.notBefore()));
  o->set("not_after", pki::formatIso8601(leaf.notAfter()));
  o->set("status", r.revokedAt ? "revoked" : "good");
  if (r.revokedAt) {
    o->set("revoked_at", pki::formatIso8601(*r.revokedAt));
    o->set("revocation_reason", std::string(pki::revocationReasonName(r.revocationReason)));
  }
  o->set("enrollment_id", r.id);
  o->set("partner", r.partner);
  o->set("pem", leaf.pem());
  o->set("chain_pem", pki::toPem(issued.chain));
  Object::Ptr links = new Object;
  links->set("self", "/v1/certificates/" + leaf.serialHex());
  links->set("pem", "/v1/certificates/" + leaf.serialHex() + "?format=pem");
  links->set("enrollment", "/v1/enrollments/" + r.id);
  o->set("links", links);
  return o;
}

void createEnrollment(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const std::string key = idempotencyKey(ex);
  pki::EnrollmentApplication application = applicationFrom(ex.readBody(kEnrollmentBodyLimit));
  application.actor = ex.principal->actor();
  application.idempotencyKey = key;
  const auto created = core.enrollments().create(application);
  if (!created.replayed) core.enrollmentWorker().wake();
  ex.response().set("Location", "/v1/enrollments/" + created.record.id);
  if (created.replayed) ex.response().set("Idempotent-Replayed", "true");
  ex.sendJson(202, *enrollmentJson(created.record));
}

void getCertificate(ServiceCore& core, Exchange& ex) {
  const std::string format = ex.param("format", "json");
  if (format != "json" && format != "pem") {
    throw InputError("invalid_parameter", "query parameter 'format' must be json or pem");
  }
  const auto issued = core.enrollments().certificate(ex.pathParameters.at("serial"));
  if (format == "pem") {
    // RFC 8555 §9.1: the certificate, then the chain to its CA.
    ex.sendBytes(200, "application/pem-certificate-chain", pki::toPem(issued.chain));
    return;
  }
  ex.sendJson(200, *certificateJson(issued));
}

void revokeCertificate(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const auto json = JsonRequest::parse(ex.readBody(8 * 1024), {"reason"});
  pki::RevocationReason reason{};
  try {
    reason = pki::parseRevocationReason(json.string("reason"));
  } catch (const InputError& e) {
    if (e.code() != "invalid_revocation_reason") throw;
    throw InputError(e.code(),
                     "field 'reason' must be an RFC 5280 CRLReason name (keyCompromise, affiliationChanged, "
                     "superseded, cessationOfOperation, privilegeWithdrawn, unspecified...)");
  }
  const auto issued = core.enrollments().revoke(ex.pathParameters.at("serial"), reason);
  core.eventDelivery().wake();
  ex.sendJson(200, *certificateJson(issued));
}

}  // namespace

void registerEnrollmentRoutes(Router& router, ServiceCore& core) {
  router.add({"POST", "/v1/enrollments", {Role::Backend}, [&core](Exchange& ex) { createEnrollment(core, ex); }});
  router.add({"GET", "/v1/enrollments/{id}", {Role::Backend, Role::Admin}, [&core](Exchange& ex) {
                ex.sendJson(200, *enrollmentJson(core.enrollments().get(ex.pathParameters.at("id"))));
              }});
  router.add({"GET",
              "/v1/certificates/{serial}",
              {Role::Backend, Role::Admin},
              [&core](Exchange& ex) { getCertificate(core, ex); },
              {"format"}});
  router.add({"POST", "/v1/certificates/{serial}/revocation", {Role::Backend, Role::Admin}, [&core](Exchange& ex) {
                revokeCertificate(core, ex);
              }});
}

}  // namespace kyso::api::detail
