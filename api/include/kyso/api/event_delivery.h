// Events to the procedure system: a background worker that reads the durable outbox and POSTs each
// due event to its subscriber's callback URL, signed with HMAC-SHA256 under the subscriber's secret.
//
// Delivery is at least once: an event is marked delivered only after a 2xx answer, so a crash
// between the answer and the mark sends it again; receivers deduplicate by `event_id`. Every
// failure (a non-2xx answer, no answer, no registered callback) is kept on the event with the next
// attempt time, so undelivered events wait in the database across restarts.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "kyso/api/periodic_worker.h"
#include "kyso/pki/clock.h"
#include "kyso/store/receipts.h"

namespace kyso::api {

struct EventDeliveryOptions {
  std::chrono::milliseconds pollInterval{500};
  std::chrono::milliseconds timeout{10'000};  // per delivery: connect, send, answer
  std::size_t batch = 100;                    // events read per poll
  std::string userAgent = "kyso";
};

// The headers that sign an event (docs/architecture.md, "Event delivery").
struct EventSignature {
  std::string timestamp;  // unix seconds, decimal
  std::string signature;  // "v1=" + hex HMAC-SHA256(secret, timestamp + "." + body)
};
// `secret` is the callback secret as shown to the client (its hex text is the HMAC key).
EventSignature signEvent(const std::string& secret, const std::string& body, pki::TimePoint at);

// The wait before the next attempt after `attempts` failed ones (0 for the first failure):
// 5 s · 2^attempts, at most one hour.
std::chrono::seconds retryDelay(int attempts);

class EventDelivery {
 public:
  EventDelivery(store::ReceiptRepository& repository, const pki::Clock& clock, EventDeliveryOptions options);
  ~EventDelivery();
  EventDelivery(const EventDelivery&) = delete;
  EventDelivery& operator=(const EventDelivery&) = delete;

  // Starts the worker thread (the server does; the CLI never does). Idempotent.
  void start();
  // Wakes the worker and waits for it: at once when it is idle, after the delivery in flight (at
  // most the timeout) when it is sending. Idempotent.
  void stop();
  // Makes the worker poll now rather than at the end of its interval.
  void wake();

  // One pass over the due events, in the calling thread: what the worker does each interval.
  // Returns the number of events marked delivered or failed. Never throws; failures are logged
  // and kept on the events.
  std::size_t deliverDue();

 private:
  std::string send(const store::OutboxEvent& event, const store::CallbackRecord& callback);

  store::ReceiptRepository& repository_;
  const pki::Clock& clock_;
  EventDeliveryOptions options_;
  std::mutex passMutex_;   // one pass at a time (the worker and a direct caller)
  PeriodicWorker worker_;  // last: its thread stops before the members it uses go
};

}  // namespace kyso::api
