#include "remote_signing_handlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "appearance_json.h"
#include "json_request.h"
#include "kyso/error.h"
#include "kyso/pki/viettel_mysign.h"
#include "kyso/pki/vnpt_smartca.h"

namespace kyso::api::detail {

namespace {

using Poco::JSON::Object;

// A partner's notification is small (a status and one or a few signature values).
constexpr std::uint64_t kWebhookBodyLimit = 256 * 1024;

std::uint64_t bodyLimit(const Settings& settings) {
  const std::uint64_t base64 = (settings.maxDocumentBytes + 2) / 3 * 4;
  return base64 + base64 / 76 * 2 + (4u << 20);
}

Object::Ptr sessionJson(const store::RemoteSigningRecord& r) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("status", r.status);
  o->set("partner", r.partner);
  o->set("user_id", r.userId);
  o->set("credential_id", r.credentialId);
  o->set("format", r.kind);
  o->set("transaction_id", r.transactionId);
  o->set("created_at", pki::formatIso8601(r.createdAt));
  o->set("updated_at", pki::formatIso8601(r.updatedAt));
  o->set("expires_at", pki::formatIso8601(r.expiresAt));
  o->set("digest_sha256", toBase64(r.digest));
  if (!r.errorCode.empty()) {
    Object::Ptr error = new Object;
    error->set("code", r.errorCode);
    error->set("message", r.errorMessage);
    o->set("error", error);
  }
  if (!r.documentSha256.empty()) o->set("document_sha256", r.documentSha256);
  if (const auto warnings = RemoteSigningService::warnings(r); !warnings.empty()) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& warning : warnings) list->add(warning);
    o->set("warnings", list);
  }
  Object::Ptr links = new Object;
  links->set("self", "/v1/remote-signing/" + r.id);
  if (r.status == "signed") links->set("document", "/v1/remote-signing/" + r.id + "/document");
  o->set("links", links);
  return o;
}

void createRemoteSigning(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const auto json = JsonRequest::parse(ex.readBody(bodyLimit(core.settings())),
                                       {"partner", "user_id", "credential_id", "format", "document", "description",
                                        "level", "reason", "location", "contact_info", "appearance", "xml"});
  RemoteSigningRequest request;
  request.partner = json.string("partner");
  request.userId = json.string("user_id");
  request.credentialId = json.optionalString("credential_id").value_or("");
  request.format = json.optionalString("format").value_or("pdf");
  request.description = json.optionalString("description").value_or("");
  request.document = json.base64("document");
  if (request.document.size() > core.settings().maxDocumentBytes) {
    throw InputError("body_too_large",
                     "the document is larger than " + std::to_string(core.settings().maxDocumentBytes) + " bytes",
                     ErrorKind::PayloadTooLarge);
  }
  if (request.format == "pdf") {
    if (json.has("xml")) throw InputError("invalid_field", "field 'xml' applies only to format xml");
    request.level = signer::parsePadesLevel(json.optionalString("level").value_or("B-B"));
    request.reason = json.optionalString("reason").value_or("");
    request.location = json.optionalString("location").value_or("");
    request.contactInfo = json.optionalString("contact_info").value_or("");
    request.visible = visibleSignatureFromJson(json);
  } else {
    for (const char* field : {"level", "reason", "location", "contact_info", "appearance"}) {
      if (json.has(field))
        throw InputError("invalid_field", std::string("field '") + field + "' applies only to format pdf");
    }
    if (!json.has("xml")) throw InputError("invalid_field", "field 'xml' is required for format xml");
    const auto xml = json.object("xml", {"signed_data_id", "signature_parent_id", "signature_id"});
    request.signedDataId = xml.string("signed_data_id");
    request.signatureParentId = xml.optionalString("signature_parent_id").value_or("");
    request.signatureId = xml.optionalString("signature_id").value_or(request.signatureId);
  }
  const auto created = core.remoteSigning().create(request, ex.principal->actor());
  ex.response().set("Location", "/v1/remote-signing/" + created.id);
  ex.sendJson(202, *sessionJson(created));
}

void remoteDocument(ServiceCore& core, Exchange& ex) {
  const std::string id = ex.pathParameters.at("id");
  const auto session = core.remoteSigning().get(id, ex.principal->actor());
  const std::string document = core.remoteSigning().document(id, ex.principal->actor());
  ex.response().set("X-Kyso-Document-Sha256", session.documentSha256);
  ex.sendBytes(200, session.kind == "pdf" ? "application/pdf" : "application/xml", document);
}

void notification(ServiceCore& core, Exchange& ex, const std::string& partner, std::string_view header) {
  ex.requireContentType({"application/json"});
  const std::string body = ex.readBody(kWebhookBodyLimit);
  const std::string signature = ex.request().get(std::string(header), "");
  const auto session = core.remoteSigning().notify(partner, body, signature);
  Object answer;
  answer.set("id", session.id);
  answer.set("status", session.status);
  ex.sendJson(200, answer);
}

}  // namespace

void registerRemoteSigningRoutes(Router& router, ServiceCore& core) {
  router.add({"POST", "/v1/remote-signing", {Role::Signer, Role::Backend}, [&core](Exchange& ex) {
                createRemoteSigning(core, ex);
              }});
  router.add({"GET", "/v1/remote-signing/{id}", {Role::Signer, Role::Backend}, [&core](Exchange& ex) {
                ex.sendJson(200,
                            *sessionJson(core.remoteSigning().get(ex.pathParameters.at("id"), ex.principal->actor())));
              }});
  router.add({"GET", "/v1/remote-signing/{id}/document", {Role::Signer, Role::Backend}, [&core](Exchange& ex) {
                remoteDocument(core, ex);
              }});
  router.add({"POST", "/v1/partners/vnpt-smartca/notifications", {}, [&core](Exchange& ex) {
                notification(core, ex, "vnpt-smartca", pki::VnptSmartCa::kWebhookSignatureHeader);
              }});
  router.add({"POST", "/v1/partners/viettel-mysign/notifications", {}, [&core](Exchange& ex) {
                notification(core, ex, "viettel-mysign", pki::ViettelMySign::kWebhookSignatureHeader);
              }});
}

}  // namespace kyso::api::detail
