// kyso-http-floor: the floor of issue 4's benchmark on this stack. A Poco HTTP server set up as
// kyso-server sets up its own (a thread per keep-alive connection, the same keep-alive limits) that
// answers POST /v1/receipts with 201 and a small JSON body, doing the least a signing service can
// do per request: read the body, SHA-256 it, make one RSA-2048 signature (PKCS#1 v1.5, as an
// XMLDSig RSA-SHA256 signature is) and send the signature back in base64. No JSON parsing, no XML,
// no database, nothing durable.
//
// bench/receipts.sh loads it with the same kyso-receipt-load as kyso-server. Its rate over
// `openssl speed rsa2048` is then the most any service built on Poco's HTTP server can reach on
// this machine with one signature per request; kyso's rate over it is what the receipt itself
// (validation, numbering, XML, storage, durability) costs.
//
// --sign none leaves out the signature: Poco's HTTP exchange alone.
//
// Prints "listening on PORT" once it accepts connections; runs until SIGTERM or SIGINT.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <openssl/evp.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// One RSA-2048 PKCS#1 v1.5 signature over SHA-256 of `data`, base64-encoded.
std::string signBase64(EVP_PKEY* key, const std::string& data) {
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1) {
    throw std::runtime_error("EVP_DigestSign setup failed");
  }
  std::vector<unsigned char> signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  std::string encoded(4 * ((length + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), signature.data(), static_cast<int>(length));
  encoded.resize(static_cast<std::size_t>(n));
  return encoded;
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(EVP_PKEY* key) : key_(key) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST || request.getURI() != "/v1/receipts") {
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      response.setContentLength(0);
      response.send();
      return;
    }
    const std::string answer =
        R"({"id":"floor","status":"issued","signature":")" + (key_ ? signBase64(key_, body) : std::string()) + R"("})";
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_CREATED);
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(answer.size()));
    response.send() << answer;
  }

 private:
  EVP_PKEY* key_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(EVP_PKEY* key) : key_(key) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(key_);
  }

 private:
  EVP_PKEY* key_;
};

}  // namespace

int main(int argc, char** argv) {
  int connections = 64;
  bool sign = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--connections") == 0) {
      connections = std::stoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--sign") == 0 && std::strcmp(argv[i + 1], "none") == 0) {
      sign = false;
    } else {
      std::cerr << "Usage: kyso-http-floor [--connections N] [--sign none]\n";
      return 2;
    }
  }
  Pkey key(sign ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)) : nullptr);
  if (sign && !key) {
    std::cerr << "kyso-http-floor: RSA key generation failed\n";
    return 1;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // every thread started below inherits the mask

  // As kyso-server's HttpServer: a pool of `connections` threads, keep-alive 10 s, 1000 requests.
  Poco::ThreadPool pool(2, connections, 60);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(connections);
  params->setMaxQueued(64);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setMaxKeepAliveRequests(1000);
  params->setServerName("kyso-http-floor");
  Poco::Net::HTTPServer server(new Factory(key.get()), pool, socket, params);
  server.start();
  std::printf("listening on %u\n", static_cast<unsigned>(socket.address().port()));
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop, &received);
  server.stopAll(false);
  pool.joinAll();
  return 0;
}
