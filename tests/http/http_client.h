// A small HTTP client for the API tests.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <string>

namespace kyso::test {

struct HttpAnswer {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

HttpAnswer http(int port, const std::string& method, const std::string& target, const std::string& body = {},
                const std::string& contentType = {}, const std::map<std::string, std::string>& headers = {});

// The body as a JSON object (fails the test if it is not one).
Poco::JSON::Object::Ptr json(const std::string& text);
// The code of an error answer, checking its shape: JSON with exactly {"error": {"code", "message"}}.
std::string errorCode(const HttpAnswer& answer);

// Sends raw bytes and returns the raw answer (for requests a well-behaved client cannot make).
std::string rawHttp(int port, const std::string& request);

}  // namespace kyso::test
