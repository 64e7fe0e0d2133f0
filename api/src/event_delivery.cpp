#include "kyso/api/event_delivery.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <map>
#include <optional>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/http_client.h"

namespace kyso::api {

namespace {

constexpr std::chrono::seconds kFirstRetry{5};
constexpr std::chrono::seconds kLongestRetry{3600};
// The receiver's answer is not used; it is read (so the connection ends cleanly) up to this size.
constexpr std::size_t kMaxAnswerBytes = 1u << 20;

Poco::Logger& log() {
  return Poco::Logger::get("kyso.events");
}

std::string describe(const std::exception& e) {
  if (const auto* error = dynamic_cast<const Error*>(&e); error != nullptr && !error->detail().empty()) {
    return std::string(e.what()) + ": " + error->detail();
  }
  return e.what();
}

// The event's own id, from its body (receipts' eventJson writes it); the outbox row as a fallback.
std::string eventIdOf(const store::OutboxEvent& event) {
  try {
    Poco::JSON::Parser parser;
    const auto object = parser.parse(event.body).extract<Poco::JSON::Object::Ptr>();
    if (object && object->has("event_id")) return object->getValue<std::string>("event_id");
  } catch (const std::exception&) {
  }
  return "outbox-" + std::to_string(event.id);
}

}  // namespace

EventSignature signEvent(const std::string& secret, const std::string& body, pki::TimePoint at) {
  EventSignature out;
  out.timestamp = std::to_string(std::chrono::floor<std::chrono::seconds>(at.time_since_epoch()).count());
  // The timestamp is signed with the body so that a captured request cannot be replayed later
  // under a fresh timestamp.
  const std::string signedText = out.timestamp + "." + body;
  out.signature = "v1=" + toHex(pki::hmacSha256(asBytes(secret), asBytes(signedText)));
  return out;
}

std::chrono::seconds retryDelay(int attempts) {
  if (attempts >= 10) return kLongestRetry;  // 5 s · 2^10 is past the cap already
  return std::min(kLongestRetry, kFirstRetry * (1 << std::max(0, attempts)));
}

EventDelivery::EventDelivery(store::ReceiptRepository& repository, const pki::Clock& clock,
                             EventDeliveryOptions options)
    : repository_(repository),
      clock_(clock),
      options_(std::move(options)),
      // A full batch means more may be due: read again at once.
      worker_(options_.pollInterval, [this] { return deliverDue() >= options_.batch; }) {}

EventDelivery::~EventDelivery() {
  worker_.stop();
}

void EventDelivery::start() {
  worker_.start();
}

void EventDelivery::stop() {
  worker_.stop();
}

void EventDelivery::wake() {
  worker_.wake();
}

std::size_t EventDelivery::deliverDue() {
  std::lock_guard pass(passMutex_);
  std::size_t handled = 0;
  try {
    const auto due = repository_.dueEvents(clock_.now(), options_.batch);
    // Read once per pass; a subscriber that failed once in this pass is not tried again in it (its
    // other events wait as long), so one unreachable receiver costs one timeout per pass.
    std::map<std::string, std::optional<store::CallbackRecord>> callbacks;
    std::map<std::string, std::string> failed;
    for (const store::OutboxEvent& event : due) {
      if (worker_.stopRequested()) break;
      try {
        auto known = callbacks.find(event.subscriber);
        if (known == callbacks.end()) {
          known = callbacks.emplace(event.subscriber, repository_.callback(event.subscriber)).first;
        }
        if (!known->second) {
          // The client removed its callback: keep the event (it is owed) and look again hourly; a
          // callback set again receives it, signed with the new secret.
          repository_.markFailed(event.id, clock_.now() + kLongestRetry, "no callback registered");
          ++handled;
          continue;
        }
        if (const auto earlier = failed.find(event.subscriber); earlier != failed.end()) {
          repository_.markFailed(event.id, clock_.now() + retryDelay(event.attempts), earlier->second);
          ++handled;
          continue;
        }
        const std::string error = send(event, *known->second);
        if (error.empty()) {
          repository_.markDelivered(event.id, clock_.now());
          log().debug("event %s (%s) delivered to %s", eventIdOf(event), event.type, event.subscriber);
        } else {
          const auto next = clock_.now() + retryDelay(event.attempts);
          repository_.markFailed(event.id, next, error);
          failed.emplace(event.subscriber, error);
          log().warning("event %s (%s) to %s not delivered (attempt %d): %s; next attempt %s", eventIdOf(event),
                        event.type, event.subscriber, event.attempts + 1, error, pki::formatIso8601Utc(next));
        }
        ++handled;
      } catch (const std::exception& e) {
        log().error("event %s: %s", std::to_string(event.id), describe(e));
      }
    }
  } catch (const std::exception& e) {
    log().error("reading the event outbox: %s", describe(e));
  } catch (...) {
    log().error("reading the event outbox: unknown exception");
  }
  return handled;  // only events marked: a database failure leaves the rest due and ends the burst
}

// POSTs one event; returns an empty string when the receiver took it (2xx), else what went wrong.
// The error is stored on the event: it names the status or the network failure, never the secret.
std::string EventDelivery::send(const store::OutboxEvent& event, const store::CallbackRecord& callback) {
  const EventSignature signature = signEvent(callback.secret, event.body, clock_.now());
  pki::HttpRequestSpec request;
  request.method = "POST";
  request.url = callback.url;
  request.contentType = "application/json";
  request.body = event.body;
  request.headers = {{"X-Kyso-Event-Id", eventIdOf(event)},
                     {"X-Kyso-Event-Type", event.type},
                     {"X-Kyso-Timestamp", signature.timestamp},
                     {"X-Kyso-Signature", signature.signature},
                     {"User-Agent", options_.userAgent}};
  request.timeout = options_.timeout;
  request.maxResponseBytes = kMaxAnswerBytes;
  try {
    const pki::HttpResult answer = pki::httpExchange(request, "callback_unreachable", "the callback URL");
    if (answer.status >= 200 && answer.status < 300) return {};
    return "HTTP " + std::to_string(answer.status);
  } catch (const Error& e) {
    // Validated at registration; an unusable URL here is a defect, reported without the URL.
    if (e.kind() == ErrorKind::Internal) return "the callback URL cannot be used (" + e.code() + ")";
    return e.detail().empty() ? std::string(e.what()) : e.detail();
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace kyso::api
