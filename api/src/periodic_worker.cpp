#include "kyso/api/periodic_worker.h"

namespace kyso::api {

PeriodicWorker::PeriodicWorker(std::chrono::milliseconds interval, std::function<bool()> pass)
    : interval_(interval), pass_(std::move(pass)) {}

PeriodicWorker::~PeriodicWorker() {
  stop();
}

void PeriodicWorker::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void PeriodicWorker::stop() {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  wakeUp_.notify_all();
  if (thread.joinable()) thread.join();
}

void PeriodicWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeUp_.notify_all();
}

bool PeriodicWorker::stopRequested() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void PeriodicWorker::run() {
  while (!stopRequested()) {
    const bool moreDue = pass_();
    std::unique_lock lock(mutex_);
    if (!moreDue) wakeUp_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace kyso::api
