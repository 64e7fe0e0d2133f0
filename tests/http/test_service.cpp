#include "test_service.h"

#include <chrono>
#include <optional>
#include <utility>

namespace kyso::test {

TestService::TestService(TestServiceOptions options) {
  if (options.clock == nullptr) {
    ownClock_ =
        std::make_unique<pki::FixedClock>(std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now()));
    options.clock = ownClock_.get();
  }
  clock_ = options.clock;
  auto listener = api::HttpListener::bind("127.0.0.1", 0);
  port_ = listener.port();
  std::map<std::string, std::string> settings = {
      {"data_dir", dataDir().string()}, {"server.threads", "2"}, {"log.level", "none"}};
  if (options.publicUrlIsThisServer) settings["public_url"] = url();
  for (const auto& [name, value] : options.settings) settings[name] = value;
  api::Settings loaded = api::Settings::load(std::nullopt, settings, {});
  loaded.bindPort(port_);
  core_ = std::make_unique<api::ServiceCore>(loaded, *clock_);
  server_ = std::make_unique<api::HttpServer>(*core_, std::move(listener));
  server_->start();
}

TestService::~TestService() {
  stopServer();
  core_.reset();
}

void TestService::stopServer() {
  if (server_) server_->stop();
  server_.reset();
}

std::string TestService::url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

std::string TestService::key(api::Role role, const std::string& name) {
  return core_->apiKeys().create(role, name).key;
}

HttpAnswer TestService::call(const std::string& method, const std::string& path, const std::string& key,
                             const std::string& body, std::map<std::string, std::string> headers) const {
  if (!key.empty()) headers["Authorization"] = "Bearer " + key;
  return http(port_, method, path, body, body.empty() ? "" : "application/json", headers);
}

}  // namespace kyso::test
