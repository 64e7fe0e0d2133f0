// The edge of the HTTP server, on the real server: what leaves when a handler fails in a way no
// client should learn about (the error boundary of api/src/http_server.cpp), and the body caps
// of api/src/http_exchange.cpp where no Content-Length announces the size.
#include <gtest/gtest.h>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <stdexcept>

#include "http_client.h"
#include "kyso/api/http_server.h"
#include "kyso/api/service_core.h"
#include "kyso/error.h"
#include "router.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using test::errorCode;
using test::http;
using test::HttpAnswer;
using test::json;

constexpr std::uint64_t kCap = 64 * 1024;
// Text a failing handler carries that must stay in the server's log.
constexpr const char* kSecret = "/var/lib/kyso/pki/seal.key.pem: error:1E08010C:DECODER routines";

class HttpBoundary : public ::testing::Test {
 protected:
  struct Server {
    test::TempDir dir;
    std::unique_ptr<ServiceCore> core;
    std::unique_ptr<HttpServer> server;
    int port = 0;
    std::string signerKey;
  };
  static inline std::unique_ptr<Server> s;

  static void SetUpTestSuite() {
    s = std::make_unique<Server>();
    Settings settings = Settings::load(std::nullopt,
                                       {{"data_dir", s->dir.path().string()},
                                        {"server.threads", "2"},
                                        {"limits.max_document_bytes", std::to_string(kCap)},
                                        {"log.level", "none"}},
                                       {});
    auto listener = HttpListener::bind(settings.host, 0);
    settings.bindPort(listener.port());
    s->core = std::make_unique<ServiceCore>(settings);
    // Handlers that fail as a bug, a library or the system might, behind the service's wrapper.
    const auto failing = [](detail::Router& router) {
      const auto route = [&router](const std::string& path, std::function<void()> fail) {
        router.add({"GET", path, {}, [fail](detail::Exchange&) { fail(); }});
      };
      route("/test/internal", [] { throw InternalError(std::string("cannot read ") + kSecret, "key_unavailable"); });
      route("/test/poco", [] { throw Poco::FileNotFoundException(kSecret); });
      route("/test/std", [] { throw std::runtime_error(kSecret); });
      route("/test/other", [] { throw 42; });
      route("/test/input", [] { throw InputError("invalid_parameter", "a client's mistake is told as it is"); });
    };
    s->server = std::make_unique<HttpServer>(*s->core, std::move(listener), failing);
    s->server->start();
    s->port = s->server->port();
    s->signerKey = s->core->apiKeys().create(Role::Signer, "one-stop shop").key;
  }
  static void TearDownTestSuite() {
    s->server->stop();
    s.reset();
  }
};

TEST_F(HttpBoundary, InternalFailuresAreA500WithTheRequestIdAndNothingElse) {
  const std::map<std::string, std::string> expected = {{"/test/internal", "key_unavailable"},
                                                       {"/test/poco", "internal"},
                                                       {"/test/std", "internal"},
                                                       {"/test/other", "internal"}};
  for (const auto& [path, code] : expected) {
    SCOPED_TRACE(path);
    const HttpAnswer answer = http(s->port, "GET", path, {}, {}, {{"X-Request-Id", "trace-" + code}});
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.reason, "Internal Server Error");
    EXPECT_EQ(answer.header("Content-Type"), "application/json");
    EXPECT_EQ(errorCode(answer), code);
    const std::string message = json(answer.body)->getObject("error")->getValue<std::string>("message");
    EXPECT_EQ(message, "internal error; quote request id trace-" + code);
    EXPECT_EQ(answer.header("X-Request-Id"), "trace-" + code);
    EXPECT_EQ(answer.body.find("seal.key.pem"), std::string::npos) << answer.body;
    EXPECT_EQ(answer.body.find("DECODER"), std::string::npos) << answer.body;
  }
  // Other errors keep their message: it is meant for the client.
  const HttpAnswer input = http(s->port, "GET", "/test/input");
  EXPECT_EQ(input.status, 400);
  EXPECT_EQ(errorCode(input), "invalid_parameter");
  EXPECT_EQ(json(input.body)->getObject("error")->getValue<std::string>("message"),
            "a client's mistake is told as it is");
  // The server goes on answering, and counted each failure by its code.
  EXPECT_EQ(http(s->port, "GET", "/healthz").status, 200);
  const std::string metrics = http(s->port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("kyso_errors_total{code=\"internal\"} 3"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace kyso::api
