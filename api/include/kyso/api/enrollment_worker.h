// The background worker that moves certificate enrolments forward (pki::EnrollmentService::
// advanceDue) and logs what each step did. Like EventDelivery: a thread that polls at an interval
// or when woken, and a pass callers (tests) can run in their own thread instead.
//
// Nothing is kept in memory: every due enrolment is read from the database at each pass, so the
// worker started after a restart resumes the enrolments where they stood.
#pragma once

#include <chrono>
#include <functional>

#include "kyso/api/periodic_worker.h"
#include "kyso/pki/enrollment_service.h"

namespace kyso::api {

class EnrollmentWorker {
 public:
  // `eventsQueued` runs after a pass that finished an enrolment (to wake event delivery).
  EnrollmentWorker(pki::EnrollmentService& service, std::chrono::milliseconds interval,
                   std::function<void()> eventsQueued = {});
  ~EnrollmentWorker();
  EnrollmentWorker(const EnrollmentWorker&) = delete;
  EnrollmentWorker& operator=(const EnrollmentWorker&) = delete;

  // Starts the thread (the server does; the CLI never does). Idempotent.
  void start();
  // Wakes the thread and waits for the pass in progress to end. Idempotent.
  void stop();
  // Makes the thread run a pass now (a new enrolment is waiting).
  void wake();

  // One pass in the calling thread; returns the number of enrolments it stepped. Never throws.
  std::size_t advanceDue();

 private:
  pki::EnrollmentService& service_;
  std::function<void()> eventsQueued_;
  PeriodicWorker worker_;  // last: its thread stops before the members it uses go
};

}  // namespace kyso::api
