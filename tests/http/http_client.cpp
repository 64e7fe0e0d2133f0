#include "http_client.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

namespace kyso::test {

HttpAnswer http(int port, const std::string& method, const std::string& target, const std::string& body,
                const std::string& contentType, const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!contentType.empty()) request.setContentType(contentType);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (method == "POST" || method == "PUT" || !body.empty()) {
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  answer.reason = response.getReason();
  for (const auto& [name, value] : response) answer.headers[name] = value;
  Poco::StreamCopier::copyToString(in, answer.body);
  return answer;
}

std::string rawHttp(int port, const std::string& request) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string answer;
  char buffer[4096];
  try {
    for (;;) {
      const int n = socket.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) break;
      answer.append(buffer, static_cast<std::size_t>(n));
      if (answer.find("\r\n\r\n") != std::string::npos && answer.find("}}") != std::string::npos) break;
    }
  } catch (const Poco::Exception&) {
  }
  return answer;
}

Poco::JSON::Object::Ptr json(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "not a JSON object (" << e.displayText() << "): " << text.substr(0, 200);
    return new Poco::JSON::Object;
  }
}

std::string errorCode(const HttpAnswer& answer) {
  EXPECT_EQ(answer.header("Content-Type"), "application/json") << answer.body;
  const auto body = json(answer.body);
  EXPECT_EQ(body->size(), 1u);
  const auto error = body->getObject("error");
  EXPECT_TRUE(error);
  if (!error) return {};
  EXPECT_EQ(error->size(), 2u);
  EXPECT_FALSE(error->getValue<std::string>("message").empty());
  return error->getValue<std::string>("code");
}

}  // namespace kyso::test
