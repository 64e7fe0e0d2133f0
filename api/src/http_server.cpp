#include "kyso/api/http_server.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <openssl/rand.h>

#include <chrono>

#include "handlers.h"
#include "http_exchange.h"
#include "kyso/error.h"
#include "router.h"

namespace kyso::api {

namespace {

using detail::Exchange;

std::string newRequestId(const std::string& offered) {
  // Keep a caller's id when it is short and plain, so a request can be traced across systems.
  const bool plain =
      !offered.empty() && offered.size() <= 64 && std::all_of(offered.begin(), offered.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
      });
  if (plain) return offered;
  unsigned char random[8];
  if (RAND_bytes(random, sizeof random) != 1) return "unknown";
  return toHex(ByteView(random, sizeof random));
}

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(const detail::Router& router, ServiceCore& core) : router_(router), core_(core) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    Exchange ex(request, response, newRequestId(request.get("X-Request-Id", "")));
    std::string errorCode;
    try {
      dispatch(ex);
    } catch (const Error& e) {
      errorCode = e.code();
      const int status = detail::statusFor(e.kind());
      if (status >= 500) {
        log().error("%s %s: %s (%s)%s", ex.requestId(), ex.path(), std::string(e.what()), e.code(),
                    e.detail().empty() ? std::string() : ": " + e.detail());
      }
      // Internal details (OpenSSL queues, file paths) stay in the log.
      const std::string message = e.kind() == ErrorKind::Internal ? "internal error; quote request id " + ex.requestId()
                                                                  : std::string(e.what());
      if (e.code() == "server_busy") response.set("Retry-After", "1");
      answerError(ex, status, e.code(), message);
    } catch (const Poco::TimeoutException&) {
      errorCode = "request_timeout";
      answerError(ex, 408, errorCode, "the request was not received in time");
    } catch (const Poco::Net::NetException& e) {
      errorCode = "connection_failed";
      log().warning("%s %s: connection failed: %s", ex.requestId(), ex.path(), e.displayText());
    } catch (const Poco::Exception& e) {
      errorCode = "internal";
      log().error("%s %s: %s", ex.requestId(), ex.path(), e.displayText());
      answerError(ex, 500, errorCode, "internal error; quote request id " + ex.requestId());
    } catch (const std::exception& e) {
      errorCode = "internal";
      log().error("%s %s: %s", ex.requestId(), ex.path(), std::string(e.what()));
      answerError(ex, 500, errorCode, "internal error; quote request id " + ex.requestId());
    } catch (...) {
      errorCode = "internal";
      log().error("%s %s: unknown exception", ex.requestId(), ex.path());
      answerError(ex, 500, errorCode, "internal error; quote request id " + ex.requestId());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int status = ex.responded() ? ex.status() : 0;
    if (!errorCode.empty()) core_.metrics().countError(errorCode);
    core_.metrics().observeRequest(request.getMethod(), ex.route, status, seconds);
    // Poco formats a message before it looks at the level: ask first.
    if (log().information()) {
      log().information("%s %s %s %d %.1fms %s", ex.requestId(), request.getMethod(), ex.path(), status, seconds * 1000,
                        ex.principal ? ex.principal->actor() : std::string("-"));
    }
  }

 private:
  static Poco::Logger& log() { return Poco::Logger::get("kyso.http"); }

  void dispatch(Exchange& ex) {
    const auto match = router_.match(ex.request().getMethod(), ex.path());
    if (match.route == nullptr) {
      if (!match.allowedMethods.empty()) {
        std::string allow;
        for (const auto& m : match.allowedMethods) allow += (allow.empty() ? "" : ", ") + m;
        ex.response().set("Allow", allow);
        throw Error(ErrorKind::MethodNotAllowed, "method_not_allowed",
                    ex.request().getMethod() + " is not allowed here (" + allow + ")");
      }
      throw NotFoundError("not_found", "no such endpoint: " + ex.path());
    }
    ex.route = match.route->pattern;
    ex.pathParameters = match.parameters;
    if (!match.route->roles.empty()) authorize(ex, match.route->roles);
    ex.queryParameters = ex.query(match.route->query);
    match.route->handle(ex);
  }

  void authorize(Exchange& ex, const std::vector<Role>& roles) {
    const std::string header = ex.request().get("Authorization", "");
    constexpr std::string_view bearer = "Bearer ";
    if (!header.starts_with(bearer)) {
      throw AccessError(ErrorKind::Unauthenticated, "unauthenticated",
                        "an API key is required (Authorization: Bearer)");
    }
    ex.principal = core_.apiKeys().authenticate(header.substr(bearer.size()));
    if (std::find(roles.begin(), roles.end(), ex.principal->role) == roles.end()) {
      std::string allowed;
      for (Role r : roles) allowed += (allowed.empty() ? "" : ", ") + std::string(roleName(r));
      throw AccessError(
          ErrorKind::Forbidden, "forbidden",
          "this endpoint needs an API key with role " + allowed + ", not " + std::string(roleName(ex.principal->role)));
    }
  }

  static void answerError(Exchange& ex, int status, const std::string& code, const std::string& message) {
    if (ex.responded()) return;  // the failure came after the answer started: nothing to add
    try {
      ex.sendError(status, code, message);
    } catch (const std::exception& e) {
      log().warning("%s: could not send the error answer: %s", ex.requestId(), std::string(e.what()));
    }
  }

  const detail::Router& router_;
  ServiceCore& core_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(const detail::Router& router, ServiceCore& core) : router_(router), core_(core) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(router_, core_);
  }

 private:
  const detail::Router& router_;
  ServiceCore& core_;
};

}  // namespace

struct HttpListener::Socket {
  Poco::Net::ServerSocket socket;
};

HttpListener::HttpListener(std::unique_ptr<Socket> socket) : socket_(std::move(socket)) {}
HttpListener::~HttpListener() = default;
HttpListener::HttpListener(HttpListener&&) noexcept = default;
HttpListener& HttpListener::operator=(HttpListener&&) noexcept = default;

HttpListener HttpListener::bind(const std::string& host, int port, int backlog) {
  try {
    auto socket = std::make_unique<Socket>();
    // SO_REUSEADDR for quick restarts, but never SO_REUSEPORT: a second server must not share the port.
    socket->socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true, false);
    socket->socket.listen(backlog);
    return HttpListener(std::move(socket));
  } catch (const Poco::Exception& e) {
    throw InputError("listen_failed", "cannot listen on " + host + ":" + std::to_string(port) + ": " + e.displayText());
  }
}

std::uint16_t HttpListener::port() const {
  return socket_->socket.address().port();
}

struct HttpServer::Impl {
  ServiceCore& core;
  detail::Router router;
  Poco::ThreadPool pool;
  Poco::Net::ServerSocket socket;
  std::unique_ptr<Poco::Net::HTTPServer> server;

  Impl(ServiceCore& c, Poco::Net::ServerSocket bound, const std::function<void(detail::Router&)>& moreRoutes)
      : core(c),
        pool(std::min(2, static_cast<int>(c.settings().connections)), static_cast<int>(c.settings().connections), 60),
        socket(std::move(bound)) {
    detail::registerRoutes(router, core);
    if (moreRoutes) moreRoutes(router);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(c.settings().connections));
    params->setMaxQueued(static_cast<int>(c.settings().queue));
    params->setTimeout(Poco::Timespan(c.settings().timeout.count(), 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    params->setMaxKeepAliveRequests(1000);
    params->setServerName("kyso");
    params->setSoftwareVersion(std::string("kyso/") + KYSO_VERSION);
    server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(router, core), pool, socket, params);
  }
};

HttpServer::HttpServer(ServiceCore& core, HttpListener listener) : HttpServer(core, std::move(listener), {}) {}

HttpServer::HttpServer(ServiceCore& core, HttpListener listener, const std::function<void(detail::Router&)>& moreRoutes)
    : impl_(std::make_unique<Impl>(core, listener.socket_->socket, moreRoutes)) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  impl_->server->start();
}

void HttpServer::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stopAll(false);
  impl_->pool.joinAll();
  impl_->server.reset();
}

std::uint16_t HttpServer::port() const {
  return impl_->socket.address().port();
}

}  // namespace kyso::api
