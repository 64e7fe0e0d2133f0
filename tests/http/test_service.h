// kyso in the test process: a ServiceCore and its HttpServer on an ephemeral port of 127.0.0.1,
// over a data directory in a fresh TempDir, on a FixedClock the tests move by hand. Stopped and
// removed when it goes. HTTP suites keep one per suite; `kyso_test_service` links it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "http_client.h"
#include "kyso/api/api_keys.h"
#include "kyso/api/http_server.h"
#include "kyso/api/service_core.h"
#include "kyso/pki/clock.h"
#include "test_support.h"

namespace kyso::test {

struct TestServiceOptions {
  // Settings over the defaults of the tests: data_dir (dataDir()), server.threads 2, log.level none.
  std::map<std::string, std::string> settings;
  // public_url names this server (http://127.0.0.1:<port>), so URLs kyso writes lead back to it.
  bool publicUrlIsThisServer = false;
  // The service's clock, owned by the caller; without one the service has its own, set to now
  // (whole seconds).
  pki::FixedClock* clock = nullptr;
};

class TestService {
 public:
  explicit TestService(TestServiceOptions options = {});
  ~TestService();
  TestService(const TestService&) = delete;
  TestService& operator=(const TestService&) = delete;

  int port() const { return port_; }
  // http://127.0.0.1:<port> followed by `target`.
  std::string url(const std::string& target = {}) const;
  api::ServiceCore& core() { return *core_; }
  pki::FixedClock& clock() { return *clock_; }
  const TempDir& dir() const { return dir_; }
  std::filesystem::path dataDir() const { return dir_ / "var"; }

  // Stops and removes the HTTP server, keeping the core: the port then refuses connections.
  void stopServer();

  // A new API key with `role`, made through the service as the operator would.
  std::string key(api::Role role, const std::string& name);
  // A request with `key` as the bearer token (none when empty); a body is sent as JSON.
  HttpAnswer call(const std::string& method, const std::string& path, const std::string& key,
                  const std::string& body = {}, std::map<std::string, std::string> headers = {}) const;

 private:
  TempDir dir_;
  std::unique_ptr<pki::FixedClock> ownClock_;
  pki::FixedClock* clock_ = nullptr;
  int port_ = 0;
  std::unique_ptr<api::ServiceCore> core_;
  std::unique_ptr<api::HttpServer> server_;
};

}  // namespace kyso::test
