// The HTTP JSON API on Poco's HTTPServer: a route table, one wrapper that authenticates, catches
// every exception and answers {"error": {"code", "message"}}, request ids, caps and metrics.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "kyso/api/service_core.h"

namespace kyso::api {

namespace detail {
class Router;
}  // namespace detail

// A bound listening socket. Binding comes first so that the port the system picked for port 0 is
// known before the rest starts (the development PKI writes the public URL into certificates).
class HttpListener {
 public:
  static HttpListener bind(const std::string& host, int port, int backlog = 64);
  ~HttpListener();
  HttpListener(HttpListener&&) noexcept;
  HttpListener& operator=(HttpListener&&) noexcept;
  std::uint16_t port() const;

 private:
  friend class HttpServer;
  struct Socket;
  explicit HttpListener(std::unique_ptr<Socket> socket);
  std::unique_ptr<Socket> socket_;
};

class HttpServer {
 public:
  HttpServer(ServiceCore& core, HttpListener listener);
  // With routes of the caller's after the service's, behind the same wrapper (authentication,
  // error answers, metrics): for tests of that wrapper with handlers that fail on demand.
  HttpServer(ServiceCore& core, HttpListener listener, const std::function<void(detail::Router&)>& moreRoutes);
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
