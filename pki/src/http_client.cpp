#include "kyso/pki/http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>

#include <memory>

#include "http_session.h"
#include "kyso/error.h"

namespace kyso::pki {

namespace {

Poco::Net::Context::Ptr clientContext() {
  // Peers are verified against the system's CA certificates.
  static const Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                                        Poco::Net::Context::VERIFY_RELAXED, 9, true);
  return context;
}

}  // namespace

std::unique_ptr<Poco::Net::HTTPClientSession> openHttpSession(const Poco::URI& uri) {
  if (uri.getScheme() == "https") {
    return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), clientContext());
  }
  return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
}

HttpResult httpExchange(const HttpRequestSpec& spec, const std::string& errorCode, const std::string& peerName) {
  Poco::URI uri;
  try {
    uri = Poco::URI(spec.url);
  } catch (const Poco::Exception&) {
    throw InternalError("not a URL: " + spec.url, "invalid_url");
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https") {  // Poco lowercases the scheme
    throw InternalError("only http and https URLs are supported: " + spec.url, "invalid_url");
  }
  try {
    const auto session = openHttpSession(uri);
    session->setTimeout(Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(spec.timeout).count()));
    const std::string target = uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery();
    Poco::Net::HTTPRequest request(spec.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : spec.headers) request.set(name, value);
    if (!spec.contentType.empty()) request.setContentType(spec.contentType);
    if (spec.method != "GET" || !spec.body.empty()) {
      request.setContentLength(static_cast<std::streamsize>(spec.body.size()));
    }
    std::ostream& out = session->sendRequest(request);
    out.write(spec.body.data(), static_cast<std::streamsize>(spec.body.size()));

    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    result.contentType = response.getContentType();
    char buffer[16384];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      result.body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (result.body.size() > spec.maxResponseBytes) {
        throw UnavailableError(
            errorCode, peerName + " sent an oversized answer",
            uri.getHost() + " answered more than " + std::to_string(spec.maxResponseBytes) + " bytes");
      }
    }
    return result;
  } catch (const Poco::Exception& e) {
    throw UnavailableError(errorCode, peerName + " cannot be reached",
                           "cannot reach " + uri.getHost() + ": " + e.displayText());
  } catch (const std::ios_base::failure& e) {
    throw UnavailableError(errorCode, peerName + " cannot be reached",
                           "cannot reach " + uri.getHost() + ": " + e.what());
  }
}

}  // namespace kyso::pki
