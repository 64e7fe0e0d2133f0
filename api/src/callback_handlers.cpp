#include "callback_handlers.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <chrono>

#include "json_request.h"
#include "kyso/error.h"
#include "kyso/pki/digest.h"

namespace kyso::api::detail {

namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::uint64_t kCallbackBodyLimit = 8 * 1024;
constexpr std::size_t kSecretBytes = 32;

[[noreturn]] void refuseUrl(const std::string& why) {
  throw InputError("invalid_callback_url", "field 'url' " + why);
}

void putCallback(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const auto json = JsonRequest::parse(ex.readBody(kCallbackBodyLimit), {"url"});
  store::CallbackRecord callback;
  callback.apiKeyId = ex.principal->keyId;
  callback.url = validCallbackUrl(json.string("url"));
  callback.secret = toHex(pki::randomBytes(kSecretBytes));
  callback.createdAt = std::chrono::floor<std::chrono::seconds>(core.clock().now());
  // A new secret every time: setting the callback again is also how a client rotates it.
  core.store().receipts().setCallback(callback);
  Poco::JSON::Object body;
  body.set("url", callback.url);
  body.set("secret", callback.secret);
  body.set("created_at", pki::formatIso8601(callback.createdAt));
  ex.sendJson(200, body);
}

void getCallback(ServiceCore& core, Exchange& ex) {
  const auto callback = core.store().receipts().callback(ex.principal->keyId);
  if (!callback) throw NotFoundError("callback_not_found", "this API key has no callback URL registered");
  Poco::JSON::Object body;
  body.set("url", callback->url);
  body.set("created_at", pki::formatIso8601(callback->createdAt));
  ex.sendJson(200, body);
}

// Removing is idempotent: 204 whether or not a callback was registered.
void deleteCallback(ServiceCore& core, Exchange& ex) {
  core.store().receipts().removeCallback(ex.principal->keyId);
  auto& response = ex.response();
  response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response.set("X-Request-Id", ex.requestId());
  response.set("Cache-Control", "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.send();  // a 204 has no body and no Content-Length (RFC 9110 §8.6)
}

}  // namespace

std::string validCallbackUrl(const std::string& url) {
  if (url.empty()) refuseUrl("must not be empty");
  if (url.size() > kMaxUrlLength) refuseUrl("is longer than " + std::to_string(kMaxUrlLength) + " characters");
  for (const char c : url) {
    if (c < 0x21 || c > 0x7e) refuseUrl("must be printable ASCII without spaces (percent-encode anything else)");
  }
  Poco::URI uri;
  try {
    uri = Poco::URI(url);  // lowercases the scheme, checks the port
  } catch (const Poco::Exception&) {
    refuseUrl("is not a valid URL");
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https") refuseUrl("must be an http:// or https:// URL");
  if (uri.getHost().empty()) refuseUrl("must name a host");
  if (uri.getPort() == 0) refuseUrl("must not name port 0");
  // Credentials in a URL end up in logs and error records; the events are signed instead. Look at
  // the raw authority too: "http://@host" has an empty user part that Poco does not report.
  const auto start = url.find("://");
  if (start == std::string::npos) refuseUrl("must be an absolute URL (scheme://host/...)");
  const std::string authority = url.substr(start + 3, url.find_first_of("/?#", start + 3) - (start + 3));
  if (!uri.getUserInfo().empty() || authority.find('@') != std::string::npos) {
    refuseUrl("must not carry credentials (user:password@); events are signed with the callback secret instead");
  }
  if (!uri.getFragment().empty() || url.find('#') != std::string::npos) refuseUrl("must not have a fragment");
  return url;
}

void registerCallbackRoutes(Router& router, ServiceCore& core) {
  router.add({"PUT", "/v1/callback", {Role::Backend}, [&core](Exchange& ex) { putCallback(core, ex); }});
  router.add({"GET", "/v1/callback", {Role::Backend}, [&core](Exchange& ex) { getCallback(core, ex); }});
  router.add({"DELETE", "/v1/callback", {Role::Backend}, [&core](Exchange& ex) { deleteCallback(core, ex); }});
}

}  // namespace kyso::api::detail
