// Events to the procedure system over HTTP: callback registration, and delivery from the outbox to
// a receiver started in the test, checked the way a receiver checks them (HMAC-SHA256 computed here
// with OpenSSL, the timestamp, the event id). Time is a FixedClock moved by hand; the outbox is
// driven pass by pass with deliverDue(), except where the worker itself is under test.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "callback_handlers.h"
#include "http_client.h"
#include "receipt_bodies.h"
#include "server_process.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using test::errorCode;
using test::http;
using test::HttpAnswer;
using test::json;
using namespace std::chrono_literals;
using test::receiptBody;
using test::receiptContent;
using test::seriesBody;
using test::symbolFor;

// --- A receiver, as the procedure system runs one ------------------------------------------

struct Received {
  std::string method, path, contentType, body;
  std::string eventId, eventType, timestamp, signature;
};

class Receiver {
 public:
  // Port 0: any free port. A given port is bound again (to bring a receiver back where it was).
  explicit Receiver(std::uint16_t port = 0) : socket_(Poco::Net::SocketAddress("127.0.0.1", port)) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket_, params);
    server_->start();
  }
  ~Receiver() { server_->stopAll(true); }

  std::uint16_t port() const { return socket_.address().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/kyso/events"; }
  // The statuses of the next answers, in order; 200 after them.
  void answerWith(std::vector<int> statuses) {
    std::lock_guard lock(state_->mutex);
    state_->statuses.assign(statuses.begin(), statuses.end());
  }
  // What arrived so far, waiting (at most 5 s) for at least `count` requests.
  std::vector<Received> waitFor(std::size_t count) {
    std::unique_lock lock(state_->mutex);
    state_->arrived.wait_for(lock, 5s, [&] { return state_->requests.size() >= count; });
    return state_->requests;
  }
  std::vector<Received> received() { return waitFor(0); }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable arrived;
    std::vector<Received> requests;
    std::deque<int> statuses;
  };
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      Received r;
      r.method = request.getMethod();
      r.path = request.getURI();
      r.contentType = request.getContentType();
      Poco::StreamCopier::copyToString(request.stream(), r.body);
      r.eventId = request.get("X-Kyso-Event-Id", "");
      r.eventType = request.get("X-Kyso-Event-Type", "");
      r.timestamp = request.get("X-Kyso-Timestamp", "");
      r.signature = request.get("X-Kyso-Signature", "");
      int status = 200;
      {
        std::lock_guard lock(state_->mutex);
        if (!state_->statuses.empty()) {
          status = state_->statuses.front();
          state_->statuses.pop_front();
        }
        state_->requests.push_back(std::move(r));
      }
      state_->arrived.notify_all();
      response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
      response.setContentLength(2);
      response.send() << "ok";
    }

   private:
    std::shared_ptr<State> state_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(state_);
    }

   private:
    std::shared_ptr<State> state_;
  };

  std::shared_ptr<State> state_ = std::make_shared<State>();
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// A port nothing listens on (bound once, then released), for a receiver that is down.
std::uint16_t freePort() {
  return Receiver().port();
}

// What a receiver computes to check an event, with OpenSSL and nothing of kyso's.
std::string expectedSignature(const std::string& secret, const std::string& timestamp, const std::string& body) {
  const std::string text = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                 reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size),
            nullptr);
  return "v1=" + toHex(ByteView(mac, size));
}

std::int64_t unixSeconds(pki::TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// --- Requests as the procedure system makes them --------------------------------------------

class Callbacks : public ::testing::Test {
 protected:
  static inline std::unique_ptr<test::TestService> service;
  static inline std::string adminKey, signerKey;
  static inline std::string symbol;

  static void SetUpTestSuite() {
    service = std::make_unique<test::TestService>();
    adminKey = service->key(Role::Admin, "operator");
    signerKey = service->key(Role::Signer, "desktop helper");
    symbol = symbolFor(service->clock().now(), "EV");
    const auto created = service->call("POST", "/v1/series", adminKey, seriesBody(symbol));
    ASSERT_EQ(created.status, 201) << created.body;
  }
  static void TearDownTestSuite() { service.reset(); }

  // Every test is its own API client; its callback goes when the test ends, so that receipts
  // issued by later tests queue nothing for it.
  void SetUp() override {
    const auto created = service->core().apiKeys().create(Role::Backend, "procedure system");
    backendKey = created.key;
    backendId = created.id;
  }
  void TearDown() override { service->core().store().receipts().removeCallback(backendId); }

  static std::string unique(const std::string& prefix) {
    static std::atomic<int> n{0};
    return prefix + std::to_string(++n);
  }

  // Registers `url` and returns the secret.
  std::string registerCallback(const std::string& url) {
    const auto answer = service->call("PUT", "/v1/callback", backendKey, R"({"url": ")" + url + "\"}");
    EXPECT_EQ(answer.status, 200) << answer.body;
    return json(answer.body)->getValue<std::string>("secret");
  }
  // Issues a receipt and returns its id.
  std::string issue() {
    const auto answer = service->call("POST", "/v1/receipts", backendKey, receiptBody(symbol, unique("PG-EV-")),
                                      {{"Idempotency-Key", unique("ev-key-")}});
    EXPECT_EQ(answer.status, 201) << answer.body;
    return json(answer.body)->getValue<std::string>("id");
  }
  // This client's undelivered events that are due at `at`.
  std::vector<store::OutboxEvent> pending(pki::TimePoint at) {
    std::vector<store::OutboxEvent> mine;
    for (auto& e : service->core().store().receipts().dueEvents(at, 1000)) {
      if (e.subscriber == backendId) mine.push_back(std::move(e));
    }
    return mine;
  }
  static void deliverDue() { service->core().eventDelivery().deliverDue(); }

  std::string backendKey, backendId;
};

// A delivered event as the receiver checks it: signature, timestamp, id, type, receipt.
void expectSignedEvent(const Received& r, const std::string& secret, const std::string& type,
                       const std::string& receiptId, pki::TimePoint sentAt) {
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/kyso/events");
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.signature, expectedSignature(secret, r.timestamp, r.body)) << r.body;
  EXPECT_EQ(r.timestamp, std::to_string(unixSeconds(sentAt)));
  EXPECT_EQ(r.eventType, type);
  const auto event = json(r.body);
  EXPECT_EQ(event->getValue<std::string>("event_id"), r.eventId);
  EXPECT_FALSE(r.eventId.empty());
  EXPECT_EQ(event->getValue<std::string>("type"), type);
  EXPECT_EQ(event->getObject("receipt")->getValue<std::string>("id"), receiptId);
}

TEST_F(Callbacks, Registration_SetReadRotateRemove) {
  const auto set =
      service->call("PUT", "/v1/callback", backendKey, R"({"url": "https://dvc.example.vn/kyso/events?src=1"})");
  ASSERT_EQ(set.status, 200) << set.body;
  const auto created = json(set.body);
  EXPECT_EQ(created->getValue<std::string>("url"), "https://dvc.example.vn/kyso/events?src=1");
  const std::string secret = created->getValue<std::string>("secret");
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos) << secret;
  EXPECT_EQ(pki::parseIso8601(created->getValue<std::string>("created_at")), service->clock().now());

  // Read back without the secret; set again: a new secret (rotation).
  const auto read = service->call("GET", "/v1/callback", backendKey);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(json(read.body)->getValue<std::string>("url"), "https://dvc.example.vn/kyso/events?src=1");
  EXPECT_FALSE(json(read.body)->has("secret"));
  EXPECT_EQ(read.body.find(secret), std::string::npos);
  EXPECT_NE(registerCallback("http://10.0.0.5:8081/events"), secret);
  EXPECT_EQ(json(service->call("GET", "/v1/callback", backendKey).body)->getValue<std::string>("url"),
            "http://10.0.0.5:8081/events");

  // Removed (and removing again is no error); other roles have no callback.
  const auto removed = service->call("DELETE", "/v1/callback", backendKey);
  EXPECT_EQ(removed.status, 204);
  EXPECT_TRUE(removed.body.empty());
  const auto gone = service->call("GET", "/v1/callback", backendKey);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(errorCode(gone), "callback_not_found");
  EXPECT_EQ(service->call("DELETE", "/v1/callback", backendKey).status, 204);
  EXPECT_EQ(service->call("PUT", "/v1/callback", signerKey, R"({"url": "http://a.example/"})").status, 403);
  EXPECT_EQ(service->call("GET", "/v1/callback", adminKey).status, 403);
  EXPECT_EQ(service->call("GET", "/v1/callback", "").status, 401);
}

TEST_F(Callbacks, Registration_RefusesUnusableUrls) {
  for (const std::string& url : std::vector<std::string>{
           "", "ftp://dvc.example.vn/events", "dvc.example.vn/events", "http:///events",
           "http://user:pw@dvc.example.vn/", "http://@dvc.example.vn/", "https://dvc.example.vn/events#part",
           "http://dvc.example.vn/a b", "http://dvc.example.vn:0/", "http://dvc.example.vn:99999/",
           "mailto:a@dvc.example.vn", "http://dvc.example.vn/" + std::string(2048, 'a')}) {
    const auto answer = service->call("PUT", "/v1/callback", backendKey, R"({"url": ")" + url + "\"}");
    EXPECT_EQ(answer.status, 400) << url;
    EXPECT_EQ(errorCode(answer), "invalid_callback_url") << url << ": " << answer.body;
  }
  EXPECT_NO_THROW(detail::validCallbackUrl("http://dvc.example.vn/" + std::string(2048 - 22, 'a')));
  EXPECT_EQ(errorCode(service->call("PUT", "/v1/callback", backendKey, R"({"url": 5})")), "invalid_field");
  EXPECT_EQ(
      errorCode(service->call("PUT", "/v1/callback", backendKey, R"({"url": "http://a.example/", "secret": "x"})")),
      "invalid_field");
  EXPECT_EQ(errorCode(service->call("PUT", "/v1/callback", backendKey, "not json")), "invalid_json");
  EXPECT_EQ(service->call("GET", "/v1/callback", backendKey).status, 404);  // nothing was stored
}

TEST_F(Callbacks, Issue_DeliversASignedEvent_Once) {
  Receiver receiver;
  const std::string secret = registerCallback(receiver.url());
  const std::string id = issue();
  ASSERT_EQ(pending(service->clock().now()).size(), 1u);

  deliverDue();
  const auto got = receiver.waitFor(1);
  ASSERT_EQ(got.size(), 1u);
  expectSignedEvent(got[0], secret, "receipt.issued", id, service->clock().now());
  const auto receipt = json(got[0].body)->getObject("receipt");
  EXPECT_EQ(receipt->getValue<std::string>("symbol"), symbol);
  EXPECT_EQ(receipt->getValue<std::string>("dossier_code"), "H59.22-261127-0001");
  EXPECT_EQ(receipt->getValue<std::string>("status"), "issued");

  // Delivered: nothing is due any more, now or later, and nothing is sent again.
  EXPECT_TRUE(pending(service->clock().now() + 24h).empty());
  deliverDue();
  EXPECT_EQ(receiver.received().size(), 1u);

  // A tampered body no longer matches (what the receiver's check is for).
  EXPECT_NE(got[0].signature, expectedSignature(secret, got[0].timestamp, got[0].body + " "));
  EXPECT_NE(got[0].signature,
            expectedSignature(secret, std::to_string(unixSeconds(service->clock().now()) + 1), got[0].body));
}

TEST_F(Callbacks, ReceiverFails_RetriedWithBackoff_UntilItAccepts) {
  Receiver receiver;
  receiver.answerWith({500, 503});
  const std::string secret = registerCallback(receiver.url());
  const std::string id = issue();

  deliverDue();
  ASSERT_EQ(receiver.waitFor(1).size(), 1u);
  // Not due again before the backoff (5 s after the first failure, then 10 s).
  EXPECT_TRUE(pending(service->clock().now() + 4s).empty());
  const auto failed = pending(service->clock().now() + 5s);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].attempts, 1);
  EXPECT_EQ(failed[0].lastError, "HTTP 500");
  deliverDue();
  EXPECT_EQ(receiver.received().size(), 1u);

  service->clock().set(service->clock().now() + 5s);
  deliverDue();
  ASSERT_EQ(receiver.waitFor(2).size(), 2u);
  EXPECT_TRUE(pending(service->clock().now() + 9s).empty());
  ASSERT_EQ(pending(service->clock().now() + 10s).size(), 1u);
  EXPECT_EQ(pending(service->clock().now() + 10s)[0].lastError, "HTTP 503");

  service->clock().set(service->clock().now() + 10s);
  deliverDue();
  const auto got = receiver.waitFor(3);
  ASSERT_EQ(got.size(), 3u);
  // The same event every time (one id to deduplicate by), signed afresh at each attempt.
  EXPECT_EQ(got[0].eventId, got[2].eventId);
  EXPECT_EQ(got[0].body, got[2].body);
  EXPECT_NE(got[0].timestamp, got[2].timestamp);
  expectSignedEvent(got[2], secret, "receipt.issued", id, service->clock().now());
  EXPECT_TRUE(pending(service->clock().now() + 24h).empty());
}

TEST_F(Callbacks, ReceiverDown_EventWaits_ThenArrives) {
  const std::uint16_t port = freePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/kyso/events";
  const std::string secret = registerCallback(url);
  const std::string id = issue();

  deliverDue();
  const auto waiting = pending(service->clock().now() + 5s);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].attempts, 1);
  EXPECT_FALSE(waiting[0].lastError.empty());
  EXPECT_EQ(waiting[0].lastError.find(secret), std::string::npos);

  Receiver receiver(port);
  deliverDue();  // not due yet
  EXPECT_TRUE(receiver.received().empty());
  service->clock().set(service->clock().now() + 5s);
  deliverDue();
  const auto got = receiver.waitFor(1);
  ASSERT_EQ(got.size(), 1u);
  expectSignedEvent(got[0], secret, "receipt.issued", id, service->clock().now());
}

TEST_F(Callbacks, Replacement_SendsReceiptReplaced) {
  Receiver receiver;
  const std::string secret = registerCallback(receiver.url());
  const std::string original = issue();
  const auto replaced =
      service->call("POST", "/v1/receipts/" + original + "/replacement", backendKey,
                    "{" + receiptContent("ignored", 10000) + "}", {{"Idempotency-Key", unique("ev-replace-")}});
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  const std::string replacement = json(replaced.body)->getValue<std::string>("id");

  deliverDue();
  const auto got = receiver.waitFor(2);
  ASSERT_EQ(got.size(), 2u);
  expectSignedEvent(got[0], secret, "receipt.issued", original, service->clock().now());
  expectSignedEvent(got[1], secret, "receipt.replaced", replacement, service->clock().now());
  EXPECT_EQ(json(got[1].body)->getObject("receipt")->getValue<std::string>("replaces"), original);
  EXPECT_NE(got[0].eventId, got[1].eventId);
}

TEST_F(Callbacks, Notice_SendsReceiptNotice_SignedAndNamingTheReceipt) {
  Receiver receiver;
  const std::string secret = registerCallback(receiver.url());
  const std::string receipt = issue();
  const auto made = service->call(
      "POST", "/v1/receipts/" + receipt + "/notices", backendKey,
      R"({"reason": "Sai tên người nộp", "corrections": [{"field": "payer.name", "new": "Nguyễn Văn Anh"}]})",
      {{"Idempotency-Key", unique("ev-notice-")}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string notice = json(made.body)->getValue<std::string>("id");
  ASSERT_EQ(pending(service->clock().now()).size(), 2u);

  deliverDue();
  const auto got = receiver.waitFor(2);
  ASSERT_EQ(got.size(), 2u);
  const Received& r = got[1];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/kyso/events");
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.signature, expectedSignature(secret, r.timestamp, r.body)) << r.body;
  EXPECT_EQ(r.timestamp, std::to_string(unixSeconds(service->clock().now())));
  EXPECT_EQ(r.eventType, "receipt.notice");
  const auto event = json(r.body);
  EXPECT_EQ(event->getValue<std::string>("type"), "receipt.notice");
  EXPECT_EQ(event->getValue<std::string>("event_id"), r.eventId);
  EXPECT_NE(r.eventId, got[0].eventId);
  const auto body = event->getObject("notice");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->getValue<std::string>("id"), notice);
  EXPECT_EQ(body->getValue<std::string>("receipt_id"), receipt);
  EXPECT_EQ(body->getValue<std::string>("reason"), "Sai tên người nộp");
  const auto correction = body->getArray("corrections")->getObject(0);
  EXPECT_EQ(correction->getValue<std::string>("field"), "payer.name");
  EXPECT_EQ(correction->getValue<std::string>("new"), "Nguyễn Văn Anh");
  // The receipt.issued before it is the receipt's own event.
  expectSignedEvent(got[0], secret, "receipt.issued", receipt, service->clock().now());
  EXPECT_TRUE(pending(service->clock().now() + 24h).empty());
}

TEST_F(Callbacks, RemovedCallback_EventsWaitHourly_ForANewOne) {
  Receiver first;
  registerCallback(first.url());
  const std::string id = issue();
  EXPECT_EQ(service->call("DELETE", "/v1/callback", backendKey).status, 204);

  deliverDue();
  EXPECT_TRUE(first.received().empty());
  EXPECT_TRUE(pending(service->clock().now() + 59min).empty());
  const auto waiting = pending(service->clock().now() + 1h);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].lastError, "no callback registered");

  // Registered again (elsewhere): the owed event goes there, signed with the new secret.
  Receiver second;
  const std::string secret = registerCallback(second.url());
  service->clock().set(service->clock().now() + 1h);
  deliverDue();
  const auto got = second.waitFor(1);
  ASSERT_EQ(got.size(), 1u);
  expectSignedEvent(got[0], secret, "receipt.issued", id, service->clock().now());
  EXPECT_TRUE(first.received().empty());
}

TEST_F(Callbacks, Worker_DeliversInTheBackground_AndStopsPromptly) {
  Receiver receiver;
  const std::string secret = registerCallback(receiver.url());
  EventDeliveryOptions options;
  options.pollInterval = 10min;  // only a wake-up makes it look before the test ends
  EventDelivery worker(service->core().store().receipts(), service->clock(), options);
  worker.start();
  const std::string id = issue();
  worker.wake();
  const auto got = receiver.waitFor(1);
  ASSERT_EQ(got.size(), 1u);
  expectSignedEvent(got[0], secret, "receipt.issued", id, service->clock().now());

  const auto started = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  worker.stop();  // again: nothing to do
}

TEST(EventSigning, RetryDelayDoublesFromFiveSecondsUpToAnHour) {
  EXPECT_EQ(retryDelay(0), 5s);
  EXPECT_EQ(retryDelay(1), 10s);
  EXPECT_EQ(retryDelay(4), 80s);
  EXPECT_EQ(retryDelay(9), 2560s);
  EXPECT_EQ(retryDelay(10), 1h);
  EXPECT_EQ(retryDelay(1000), 1h);
  const auto at = pki::parseIso8601("2026-11-27T09:15:00+07:00");
  const EventSignature s = signEvent("secret", "{}", at);
  EXPECT_EQ(s.timestamp, "1795745700");
  EXPECT_EQ(s.signature, expectedSignature("secret", "1795745700", "{}"));
}

}  // namespace
}  // namespace kyso::api

namespace kyso::test {
namespace {

// The event of a receipt issued while its receiver is down survives a SIGKILL of the server and
// is delivered by the next server on the same data directory. The first server polls rarely, so
// the event is still untried when it dies; the second polls often.
TEST(CallbacksRestart, EventQueuedBeforeAKill_IsDeliveredAfterTheRestart) {
  TempDir dir;
  const auto dataDir = dir / "var";
  writeFile(dir / "slow.properties", "callbacks.poll_interval_ms = 60000\n");
  writeFile(dir / "fast.properties", "callbacks.poll_interval_ms = 20\n");
  const auto start = [&](const std::string& config) {
    return std::make_unique<ServerProcess>(
        std::vector<std::string>{"--port", "0", "--data-dir", dataDir.string(), "--config", (dir / config).string()});
  };
  auto server = start("slow.properties");
  ASSERT_GT(server->port(), 0) << server->log();
  const std::string admin = createdKey(dataDir, "admin"), backend = createdKey(dataDir, "backend");
  const auto call = [&](const std::string& method, const std::string& path, const std::string& key,
                        const std::string& body, std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + key;
    return http(server->port(), method, path, body, "application/json", headers);
  };
  const std::string symbol = symbolFor(pki::SystemClock::instance().now(), "RS");
  ASSERT_EQ(call("POST", "/v1/series", admin, seriesBody(symbol)).status, 201);

  const std::uint16_t port = api::freePort();
  const auto registered = call("PUT", "/v1/callback", backend,
                               R"({"url": "http://127.0.0.1:)" + std::to_string(port) + R"(/kyso/events"})");
  ASSERT_EQ(registered.status, 200) << registered.body;
  const std::string secret = json(registered.body)->getValue<std::string>("secret");
  const auto issued =
      call("POST", "/v1/receipts", backend, receiptBody(symbol, "PG-RESTART-1"), {{"Idempotency-Key", "r-1"}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string id = json(issued.body)->getValue<std::string>("id");
  server->kill();

  api::Receiver receiver(port);
  server = start("fast.properties");
  ASSERT_GT(server->port(), 0) << server->log();
  const auto got = receiver.waitFor(1);
  ASSERT_EQ(got.size(), 1u) << server->log();
  EXPECT_EQ(got[0].signature, api::expectedSignature(secret, got[0].timestamp, got[0].body));
  EXPECT_LE(std::abs(std::stoll(got[0].timestamp) - api::unixSeconds(pki::SystemClock::instance().now())), 60);
  EXPECT_EQ(got[0].eventType, "receipt.issued");
  EXPECT_EQ(json(got[0].body)->getObject("receipt")->getValue<std::string>("id"), id);
  EXPECT_EQ(server->terminate(), 0);  // SIGTERM stops the worker with the server
  EXPECT_EQ(receiver.received().size(), 1u);
}

}  // namespace
}  // namespace kyso::test
