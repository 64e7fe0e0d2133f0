// The HTTP JSON API on Poco's HTTPServer: a route table, one wrapper that authenticates, catches
// every exception and answers {"error": {"code", "message"}}, request ids, caps and metrics.
#pragma once

#include <cstdint>
#include <memory>

#include "kyso/api/service_core.h"

namespace kyso::api {

class HttpServer {
 public:
  // Binds to settings().host:settings().port (port 0: an ephemeral port, see port()).
  explicit HttpServer(ServiceCore& core);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting, lets requests in progress finish, and waits for the workers.
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kyso::api
