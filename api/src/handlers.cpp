#include "handlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/URI.h>

#include "appearance_json.h"
#include "callback_handlers.h"
#include "enrollment_handlers.h"
#include "json_request.h"
#include "kyso/error.h"
#include "kyso/pki/crl.h"
#include "kyso/pki/ocsp_responder.h"
#include "kyso/signer/pdf_io.h"
#include "ltv_handlers.h"
#include "receipt_handlers.h"
#include "remote_signing_handlers.h"
#include "sign_pdf_upload.h"
#include "verify_handlers.h"
#include "web_handlers.h"

namespace kyso::embedded {
extern const std::string_view openapiJson;
}

namespace kyso::api::detail {

namespace {

constexpr std::uint64_t kMaxTimeStampRequestBytes = 64 * 1024;
// An OCSP request names a few certificates in a few hundred bytes; 16 KiB leaves room for a signed one.
constexpr std::uint64_t kMaxOcspRequestBytes = 16 * 1024;

void health(ServiceCore& core, Exchange& ex) {
  Poco::JSON::Object body;
  body.set("version", KYSO_VERSION);
  try {
    core.store().checkHealth();
    body.set("database", "ok");
  } catch (const Error&) {
    body.set("status", "unavailable");
    body.set("database", "unavailable");
    ex.sendJson(503, body);
    return;
  }
  body.set("status", "ok");
  Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
  for (const auto& id : core.keys().ids()) keys->add(id);
  body.set("keys", keys);
  body.set("default_key", core.keys().defaultId());
  body.set("timestamping", !core.settings().tsaUrl.empty() ? "remote" : core.devPki() ? "embedded" : "none");
  body.set("development_pki", core.devPki().has_value());
  ex.sendJson(200, body);
}

void timeStamp(ServiceCore& core, Exchange& ex) {
  const auto tsa = core.embeddedTsa();
  if (!tsa) throw NotFoundError("tsa_not_available", "this service runs no time-stamping authority");
  ex.requireContentType({"application/timestamp-query"});
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string request = ex.readBody(kMaxTimeStampRequestBytes);
  const Bytes response = tsa->respond(asBytes(request));
  ex.sendBytes(200, "application/timestamp-reply", asChars(response));
}

const pki::DevPki& devPkiOr404(ServiceCore& core) {
  if (!core.devPki()) throw NotFoundError("not_found", "this service does not operate a CA");
  return *core.devPki();
}

void caCertificate(ServiceCore& core, Exchange& ex, bool root) {
  const pki::DevPki& pki = devPkiOr404(core);
  const Bytes der = (root ? pki.rootCa() : pki.issuingCa()).der();
  ex.sendBytes(200, "application/pkix-cert", asChars(der));
}

void crl(ServiceCore& core, Exchange& ex, bool root) {
  devPkiOr404(core);
  // From the certificate index: the revoked certificates, and a CRL number kept per CA.
  const pki::SignedCrl crl = (root ? core.rootCa() : core.issuingCa())->currentCrl();
  ex.sendBytes(200, "application/pkix-crl", asChars(crl.der));
}

const pki::OcspResponder& ocspResponderOr404(ServiceCore& core) {
  if (!core.ocspResponder()) throw NotFoundError("not_found", "this service does not operate a CA");
  return *core.ocspResponder();
}

// RFC 6960 appendix A.1: the DER OCSPRequest as the body of a POST.
void ocspPost(ServiceCore& core, Exchange& ex) {
  const pki::OcspResponder& responder = ocspResponderOr404(core);
  ex.requireContentType({"application/ocsp-request"});
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string request = ex.readBody(kMaxOcspRequestBytes);
  ex.sendBytes(200, "application/ocsp-response", asChars(responder.respond(asBytes(request))));
}

// RFC 6960 appendix A.1: GET {url}/{url-encoding of the base64 of the DER OCSPRequest}. A path
// that does not decode is a malformed request, and gets the answer an OCSP client understands.
void ocspGet(ServiceCore& core, Exchange& ex) {
  const pki::OcspResponder& responder = ocspResponderOr404(core);
  Bytes request;
  try {
    std::string base64;
    Poco::URI::decode(ex.pathParameters.at("request"), base64);
    request = fromBase64(base64);
  } catch (const Poco::Exception&) {
    request.clear();
  } catch (const InputError&) {
    request.clear();
  }
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const Bytes response = request.empty() || request.size() > kMaxOcspRequestBytes
                             ? pki::OcspResponder::malformedRequest()
                             : responder.respond(request);
  ex.sendBytes(200, "application/ocsp-response", asChars(response));
}

std::set<std::string> signPdfParameters() {
  std::set<std::string> names = {"level", "key", "reason", "location", "contact_info"};
  names.insert(appearanceParameters().begin(), appearanceParameters().end());
  return names;
}

void signPdf(ServiceCore& core, Exchange& ex) {
  SignPdfRequest request;
  request.level = signer::parsePadesLevel(ex.param("level", "B-B"));
  request.keyId = ex.param("key");
  request.reason = ex.param("reason");
  request.location = ex.param("location");
  request.contactInfo = ex.param("contact_info");
  std::map<std::string, std::string> appearance;
  for (const auto& name : appearanceParameters()) {
    if (ex.hasParam(name)) appearance[name] = ex.param(name);
  }
  request.visible = visibleSignatureFrom(appearance);
  if (!request.keyId.empty()) core.keys().get(request.keyId);  // 404 before reading a large body
  if (ex.mediaType() != "application/pdf") ex.requireContentType({"application/pdf", "multipart/form-data"});

  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  SignPdfUpload upload = readSignPdfUpload(ex, core.settings().maxDocumentBytes);
  if (upload.image) attachAppearanceImage(request.visible, std::move(*upload.image));
  const std::string& body = upload.document;
  const auto input = signer::PdfInput::fromMemory(body);
  signer::MemoryPdfOutput output;
  output.reserve(body.size() + 64 * 1024);
  const SignPdfOutcome outcome = core.signing().signPdf(input, output, request, ex.principal->actor());

  auto& response = ex.response();
  response.set("X-Kyso-Document-Sha256", outcome.documentSha256);
  response.set("X-Kyso-Signature-Field", outcome.fieldName);
  response.set("X-Kyso-Level", outcome.level);
  response.set("X-Kyso-Key", outcome.keyId);
  response.set("X-Kyso-Audit-Sequence", std::to_string(outcome.auditSequence));
  ex.sendBytes(200, "application/pdf", output.bytes());
}

// --- Two-step signing -------------------------------------------------------------------------

// A JSON body carrying a document in base64: 4/3 of the document cap, line breaks every 76
// characters (MIME style, which the decoder accepts), and 1 MiB for the rest (a signature image).
std::uint64_t sessionBodyLimit(const Settings& settings) {
  const std::uint64_t base64 = (settings.maxDocumentBytes + 2) / 3 * 4;
  return base64 + base64 / 76 * 2 + (4u << 20);
}

pki::CertificateChain parseChain(const std::vector<std::string>& entries) {
  pki::CertificateChain chain;
  for (const std::string& entry : entries) {
    // PEM (one or more certificates), or one base64 DER certificate.
    if (entry.find("-----BEGIN") != std::string::npos) {
      for (auto& cert : pki::Certificate::allFromPem(entry)) chain.push_back(std::move(cert));
    } else {
      Bytes der;
      try {
        der = fromBase64(entry);
      } catch (const InputError&) {
        throw InputError("invalid_certificate", "certificate_chain entries must be PEM or base64 DER certificates");
      }
      chain.push_back(pki::Certificate::fromDer(der));
    }
  }
  return chain;
}

Poco::JSON::Object sessionJson(const SessionView& v) {
  Poco::JSON::Object o;
  o.set("id", v.id);
  o.set("status", v.status);
  o.set("level", v.level);
  o.set("field_name", v.fieldName);
  o.set("signing_time", pki::formatIso8601(v.signingTime));
  o.set("created_at", pki::formatIso8601(v.createdAt));
  o.set("expires_at", pki::formatIso8601(v.expiresAt));
  if (v.completedAt) o.set("completed_at", pki::formatIso8601(*v.completedAt));
  o.set("signer", v.signer);
  o.set("signature_algorithm", v.signatureScheme);
  o.set("digest_algorithm", std::string(pki::digestName(v.digestAlgorithm)));
  o.set("to_be_signed", toBase64(v.toBeSigned));
  o.set("digest", toBase64(v.digest));
  if (!v.digestInfo.empty()) o.set("digest_info", toBase64(v.digestInfo));
  if (!v.documentSha256.empty()) o.set("document_sha256", v.documentSha256);
  if (v.auditSequence != 0) o.set("audit_sequence", static_cast<Poco::Int64>(v.auditSequence));
  return o;
}

void createSession(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string body = ex.readBody(sessionBodyLimit(core.settings()));
  const auto json = JsonRequest::parse(
      body, {"document", "certificate_chain", "level", "reason", "location", "contact_info", "appearance"});
  CreateSessionRequest request;
  request.level = signer::parsePadesLevel(json.optionalString("level").value_or("B-B"));
  request.reason = json.optionalString("reason").value_or("");
  request.location = json.optionalString("location").value_or("");
  request.contactInfo = json.optionalString("contact_info").value_or("");
  const Bytes document = json.base64("document");
  if (document.size() > core.settings().maxDocumentBytes) {
    throw InputError("body_too_large",
                     "the document is larger than " + std::to_string(core.settings().maxDocumentBytes) + " bytes",
                     ErrorKind::PayloadTooLarge);
  }
  request.chain = parseChain(json.stringArray("certificate_chain"));
  request.visible = visibleSignatureFromJson(json);
  const auto input = signer::PdfInput::fromMemory(asChars(document));
  const SessionView view = core.sessions().create(input, request, ex.principal->actor());
  ex.response().set("Location", "/v1/signing-sessions/" + view.id);
  ex.sendJson(201, sessionJson(view));
}

void completeSession(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json", "application/octet-stream"});
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string body = ex.readBody(64 * 1024);
  Bytes signature;
  if (ex.mediaType() == "application/json") {
    signature = JsonRequest::parse(body, {"signature"}).base64("signature");
  } else {
    signature.assign(body.begin(), body.end());
  }
  const CompletedSession done = core.sessions().complete(ex.pathParameters.at("id"), signature, ex.principal->actor());
  auto& response = ex.response();
  response.set("X-Kyso-Document-Sha256", done.view.documentSha256);
  response.set("X-Kyso-Signature-Field", done.view.fieldName);
  response.set("X-Kyso-Level", done.view.level);
  response.set("X-Kyso-Audit-Sequence", std::to_string(done.view.auditSequence));
  ex.sendBytes(200, "application/pdf", done.document);
}

void sessionDocument(ServiceCore& core, Exchange& ex) {
  // Rebuilding a document of up to limits.max_document_bytes is signing-sized work.
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string document = core.sessions().document(ex.pathParameters.at("id"), ex.principal->actor());
  ex.sendBytes(200, "application/pdf", document);
}

}  // namespace

void registerRoutes(Router& router, ServiceCore& core) {
  router.add({"GET", "/healthz", {}, [&core](Exchange& ex) { health(core, ex); }});
  router.add({"GET", "/metrics", {}, [&core](Exchange& ex) {
                ex.sendBytes(200, "text/plain; version=0.0.4; charset=utf-8", core.metrics().render());
              }});
  router.add({"GET", "/openapi.json", {}, [](Exchange& ex) {
                ex.sendBytes(200, "application/json", kyso::embedded::openapiJson);
              }});
  router.add({"POST", "/tsa", {}, [&core](Exchange& ex) { timeStamp(core, ex); }});
  router.add({"GET", "/pki/ca/root.crt", {}, [&core](Exchange& ex) { caCertificate(core, ex, true); }});
  router.add({"GET", "/pki/ca/issuing.crt", {}, [&core](Exchange& ex) { caCertificate(core, ex, false); }});
  router.add({"GET", "/pki/crl", {}, [&core](Exchange& ex) { crl(core, ex, false); }});
  router.add({"GET", "/pki/crl/root", {}, [&core](Exchange& ex) { crl(core, ex, true); }});
  router.add({"POST", "/pki/ocsp", {}, [&core](Exchange& ex) { ocspPost(core, ex); }});
  router.add({"GET", "/pki/ocsp/{request}", {}, [&core](Exchange& ex) { ocspGet(core, ex); }});
  router.add(
      {"POST", "/v1/sign/pdf", {Role::Signer}, [&core](Exchange& ex) { signPdf(core, ex); }, signPdfParameters()});
  router.add({"POST", "/v1/signing-sessions", {Role::Signer}, [&core](Exchange& ex) { createSession(core, ex); }});
  router.add({"GET", "/v1/signing-sessions/{id}", {Role::Signer}, [&core](Exchange& ex) {
                ex.sendJson(200, sessionJson(core.sessions().get(ex.pathParameters.at("id"), ex.principal->actor())));
              }});
  router.add({"POST", "/v1/signing-sessions/{id}/signature", {Role::Signer}, [&core](Exchange& ex) {
                completeSession(core, ex);
              }});
  router.add({"GET", "/v1/signing-sessions/{id}/document", {Role::Signer}, [&core](Exchange& ex) {
                sessionDocument(core, ex);
              }});
  registerReceiptRoutes(router, core);
  registerCallbackRoutes(router, core);
  registerEnrollmentRoutes(router, core);
  registerRemoteSigningRoutes(router, core);
  registerVerifyRoutes(router, core);
  registerWebRoutes(router);
  registerLtvRoutes(router, core);
}

}  // namespace kyso::api::detail
