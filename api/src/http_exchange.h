// One request/response exchange as the handlers see it: parameters, body with a cap, principal,
// and the ways to answer.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "kyso/api/api_keys.h"
#include "kyso/error.h"

namespace kyso::api::detail {

class Exchange {
 public:
  Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::string requestId);

  Poco::Net::HTTPServerRequest& request() { return request_; }
  Poco::Net::HTTPServerResponse& response() { return response_; }
  const std::string& requestId() const { return requestId_; }
  const std::string& path() const { return path_; }

  static const std::string& empty() {
    static const std::string none;
    return none;
  }
  // Query parameters; any name outside `allowed` (or given twice) is an InputError.
  std::map<std::string, std::string> query(const std::set<std::string>& allowed) const;
  // The request's media type, lower case, without parameters ("application/json").
  std::string mediaType() const;
  // Throws InputError("unsupported_media_type", 415) unless the media type is one of `accepted`.
  void requireContentType(const std::set<std::string>& accepted) const;
  // The whole body: 411 without Content-Length or chunked framing, 413 beyond `maxBytes`, 400 when
  // shorter than announced or cut off.
  std::string readBody(std::uint64_t maxBytes);

  void sendJson(int status, const Poco::JSON::Object& body);
  void sendBytes(int status, const std::string& contentType, std::string_view body);
  void sendError(int status, const std::string& code, const std::string& message);
  bool responded() const { return response_.sent(); }
  int status() const { return static_cast<int>(response_.getStatus()); }

  // A query parameter the route declared, or `fallback`.
  const std::string& param(const std::string& name, const std::string& fallback = empty()) const;
  bool hasParam(const std::string& name) const { return queryParameters.contains(name); }

  std::map<std::string, std::string> pathParameters;
  std::map<std::string, std::string> queryParameters;
  std::optional<Principal> principal;
  std::string route = "unmatched";
  bool bodyConsumed = false;

 private:
  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
  std::string requestId_;
  std::string path_;
  std::string rawQuery_;
};

int statusFor(ErrorKind kind);

}  // namespace kyso::api::detail
