// A small outbound HTTP(S) client for the PKI's peers: time-stamping authorities, OCSP responders,
// CRL distribution points and partner CAs. Every call has a timeout and a cap on the answer size.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace kyso::pki {

struct HttpRequestSpec {
  std::string method = "GET";
  std::string url;
  std::string contentType;
  std::string body;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{10'000};
  std::size_t maxResponseBytes = 4u << 20;
};

struct HttpResult {
  int status = 0;
  std::string contentType;
  std::string body;
};

// Throws UnavailableError(`errorCode`, "<peerName> cannot be reached" ...) when the peer cannot be
// reached, times out or answers more than maxResponseBytes; any HTTP status is returned to the
// caller to judge. A URL that is not http(s) is a configuration defect (InternalError).
HttpResult httpExchange(const HttpRequestSpec& request, const std::string& errorCode, const std::string& peerName);

}  // namespace kyso::pki
