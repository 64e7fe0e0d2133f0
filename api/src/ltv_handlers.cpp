#include "ltv_handlers.h"

#include "kyso/error.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/pdf_ltv.h"

namespace kyso::api::detail {

namespace {

// The body is a signed PDF; the answer the same PDF with one or two incremental updates. The
// signatures' validation data comes from the sources the verifier uses (the service's own CA in
// process, others over HTTP), the document time-stamp from the configured TSA.
void extendPdf(ServiceCore& core, Exchange& ex) {
  const signer::LtvLevel level = signer::parseLtvLevel(ex.param("level", "B-LTA"));
  if (level == signer::LtvLevel::B_LTA && !core.ltv().canTimeStamp()) {
    throw UnavailableError("tsa_not_configured", "no time-stamping authority is configured");
  }
  ex.requireContentType({"application/pdf"});
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string body = ex.readBody(core.settings().maxDocumentBytes);
  signer::MemoryPdfOutput output;
  output.reserve(body.size() + 64 * 1024);
  const signer::LtvResult result = core.ltv().extend(signer::PdfInput::fromMemory(body), output, level);

  auto& response = ex.response();
  response.set("X-Kyso-Document-Sha256", output.sha256Hex());
  response.set("X-Kyso-Level", std::string(signer::ltvLevelName(level)));
  std::string fields;
  for (const std::string& name : result.signatures) fields += (fields.empty() ? "" : ",") + name;
  response.set("X-Kyso-Extended-Signatures", fields);
  if (!result.timeStampField.empty()) response.set("X-Kyso-Timestamp-Field", result.timeStampField);
  ex.sendBytes(200, "application/pdf", output.bytes());
}

}  // namespace

void registerLtvRoutes(Router& router, ServiceCore& core) {
  router.add({"POST", "/v1/extend/pdf", {Role::Signer}, [&core](Exchange& ex) { extendPdf(core, ex); }, {"level"}});
}

}  // namespace kyso::api::detail
