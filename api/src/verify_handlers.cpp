#include "verify_handlers.h"

#include <memory>

#include "document_verification.h"
#include "kyso/error.h"
#include "kyso/signer/pdf_io.h"
#include "rate_limiter.h"

namespace kyso::api::detail {

namespace {

// The verdict is the answer: 200 whatever the indication. Only input that cannot be evaluated at
// all is a 4xx (not_a_pdf, pdf_encrypted, pdf_damaged, pdf_malformed, xml_malformed,
// xml_dtd_refused, xml_too_deep: 422; xml_too_large: 413).
void verify(ServiceCore& core, RateLimiter& limiter, Exchange& ex) {
  // The peer's address: a reverse proxy in front makes every client one (docs/configuration.md).
  const std::string client = ex.request().clientAddress().host().toString();
  if (const auto wait = limiter.take(client)) {
    ex.response().set("Retry-After", std::to_string(wait->count()));
    throw Error(ErrorKind::TooManyRequests, "rate_limited",
                "too many verifications from this address; try again in " + std::to_string(wait->count()) + " s");
  }
  ex.requireContentType({"application/pdf", "application/xml", "text/xml"});
  const bool xml = ex.mediaType() != "application/pdf";
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const std::string body = ex.readBody(core.settings().verify.maxBytes);
  const DocumentVerification verification =
      xml ? verifyXmlDocument(core, body) : verifyPdfDocument(core, signer::PdfInput::fromMemory(body));
  ex.sendBytes(200, "application/json", documentVerificationJson(verification));
}

}  // namespace

void registerVerifyRoutes(Router& router, ServiceCore& core) {
  // One bucket set per server: it lives as long as the route.
  auto limiter = std::make_shared<RateLimiter>(core.settings().verify.rateLimitPerMinute, core.clock());
  router.add({"POST", "/v1/verify", {}, [&core, limiter](Exchange& ex) { verify(core, *limiter, ex); }});
}

}  // namespace kyso::api::detail
