#include "web_handlers.h"

#include <Poco/URI.h>

#include "kyso/error.h"
#include "kyso/web/assets.h"

namespace kyso::api::detail {

namespace {

// Conditional GET (RFC 9110 §13.1.2): a cached copy with the same entity tag is still good.
void sendAsset(Exchange& ex, const web::Asset& asset) {
  auto& response = ex.response();
  response.set("ETag", std::string(asset.etag));
  response.set("Cache-Control", std::string(web::cacheControl(asset)));
  if (web::ifNoneMatchMatches(ex.request().get("If-None-Match", ""), asset.etag)) {
    // No content, and no Content-Length (RFC 9110 §8.6: only the 200's length would be allowed).
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
    response.set("X-Request-Id", ex.requestId());
    response.set("X-Content-Type-Options", "nosniff");
    response.send();
    return;
  }
  ex.sendBytes(200, std::string(asset.contentType), asset.body);
}

void page(Exchange& ex) {
  auto& response = ex.response();
  response.set("Content-Security-Policy", std::string(web::pageSecurityPolicy()));
  // The lookup code is in the page's URL: it must not leak to other sites.
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
  sendAsset(ex, web::verifyPage());
}

void asset(Exchange& ex) {
  const web::Asset* found = web::assetByServedName(ex.pathParameters.at("name"));
  if (found == nullptr) throw NotFoundError("not_found", "no such file: " + ex.path());
  sendAsset(ex, *found);
}

// The QR code on every receipt printed so far encodes <public_url>/v/<code>: it lands on the page,
// which looks the code up. A temporary redirect, so the page may move without breaking old links.
void qrLink(Exchange& ex) {
  std::string code, encoded;
  try {
    Poco::URI::decode(ex.pathParameters.at("code"), code);
  } catch (const Poco::Exception&) {
    throw InputError("invalid_parameter", "the lookup code in the path is not validly percent-encoded");
  }
  Poco::URI::encode(code, "!#$&'()*+,/:;=?@[]", encoded);
  ex.response().set("Location", "/verify?code=" + encoded);
  ex.sendBytes(302, "text/plain; charset=utf-8", {});
}

}  // namespace

void registerWebRoutes(Router& router) {
  router.add({"GET", "/verify", {}, [](Exchange& ex) { page(ex); }, {"code", "lang"}});
  router.add({"GET", std::string(web::assetPathPrefix()) + "{name}", {}, [](Exchange& ex) { asset(ex); }});
  router.add({"GET", "/v/{code}", {}, [](Exchange& ex) { qrLink(ex); }});
}

}  // namespace kyso::api::detail
