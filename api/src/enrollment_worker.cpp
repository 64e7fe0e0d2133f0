#include "kyso/api/enrollment_worker.h"

#include <Poco/Logger.h>

#include "kyso/pki/enrollment_register.h"

namespace kyso::api {

namespace {

Poco::Logger& log() {
  return Poco::Logger::get("kyso.enrollments");
}

}  // namespace

EnrollmentWorker::EnrollmentWorker(pki::EnrollmentService& service, std::chrono::milliseconds interval,
                                   std::function<void()> eventsQueued)
    : service_(service), interval_(interval), eventsQueued_(std::move(eventsQueued)) {}

EnrollmentWorker::~EnrollmentWorker() {
  stop();
}

void EnrollmentWorker::start() {
  std::lock_guard lock(mutex_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { run(); });
}

void EnrollmentWorker::stop() {
  std::thread worker;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    worker = std::move(worker_);
  }
  wakeUp_.notify_all();
  if (worker.joinable()) worker.join();
}

void EnrollmentWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeUp_.notify_all();
}

void EnrollmentWorker::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    advanceDue();
    std::unique_lock lock(mutex_);
    wakeUp_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

std::size_t EnrollmentWorker::advanceDue() {
  std::size_t stepped = 0;
  bool finished = false;
  try {
    for (const pki::EnrollmentStep& step : service_.advanceDue()) {
      if (step.id.empty()) {
        log().error("enrolments: %s", step.error);
        continue;
      }
      ++stepped;
      const std::string from(pki::enrollmentPhaseName(step.from)), to(pki::enrollmentPhaseName(step.to));
      if (pki::isFinal(step.to)) finished = true;
      if (step.error.empty()) {
        log().information("enrolment %s: %s -> %s", step.id, from, to);
      } else {
        log().warning("enrolment %s: %s -> %s: %s", step.id, from, to, step.error);
      }
    }
    if (finished && eventsQueued_) eventsQueued_();
  } catch (const std::exception& e) {
    log().error("enrolment pass: %s", std::string(e.what()));
  } catch (...) {
    log().error("enrolment pass: unknown exception");
  }
  return stepped;
}

}  // namespace kyso::api
