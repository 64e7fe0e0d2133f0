#include "handlers.h"

#include <Poco/JSON/Array.h>

#include "kyso/error.h"
#include "kyso/pki/crl.h"
#include "kyso/signer/pdf_io.h"

namespace kyso::embedded {
extern const std::string_view openapiJson;
}

namespace kyso::api::detail {

namespace {

constexpr std::uint64_t kMaxTimeStampRequestBytes = 64 * 1024;

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
  const pki::DevPki& pki = devPkiOr404(core);
  const auto now = core.clock().now();
  // The CRL number grows with time, so successive CRLs are ordered without shared state.
  const auto number = static_cast<std::uint64_t>(std::chrono::system_clock::to_time_t(now));
  const Bytes der =
      root ? pki::buildCrl(pki.rootCa(), *pki.rootKey(), {}, now, now + std::chrono::hours(24 * 7), number)
           : pki::buildCrl(pki.issuingCa(), *pki.issuingCaKey(), {}, now, now + std::chrono::hours(24), number);
  ex.sendBytes(200, "application/pkix-crl", asChars(der));
}

void signPdf(ServiceCore& core, Exchange& ex) {
  SignPdfRequest request;
  request.level = signer::parsePadesLevel(ex.param("level", "B-B"));
  request.keyId = ex.param("key");
  request.reason = ex.param("reason");
  request.location = ex.param("location");
  request.contactInfo = ex.param("contact_info");
  if (!request.keyId.empty()) core.keys().get(request.keyId);  // 404 before reading a large body
  ex.requireContentType({"application/pdf"});

  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string body = ex.readBody(core.settings().maxDocumentBytes);
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
  router.add({"POST",
              "/v1/sign/pdf",
              {Role::Signer},
              [&core](Exchange& ex) { signPdf(core, ex); },
              {"level", "key", "reason", "location", "contact_info"}});
}

}  // namespace kyso::api::detail
