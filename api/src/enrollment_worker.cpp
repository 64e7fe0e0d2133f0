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
    : service_(service), eventsQueued_(std::move(eventsQueued)), worker_(interval, [this] {
        advanceDue();
        return false;
      }) {}

EnrollmentWorker::~EnrollmentWorker() {
  worker_.stop();
}

void EnrollmentWorker::start() {
  worker_.start();
}

void EnrollmentWorker::stop() {
  worker_.stop();
}

void EnrollmentWorker::wake() {
  worker_.wake();
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
