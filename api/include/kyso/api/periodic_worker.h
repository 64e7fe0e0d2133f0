// A background thread that runs a pass at an interval, or at once when woken, until stopped: the
// loop under EventDelivery and EnrollmentWorker. Callers (tests, the CLI) may also run the pass in
// their own thread without starting this one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace kyso::api {

class PeriodicWorker {
 public:
  // `pass` returns true when more work is already due, so that the next pass runs without waiting.
  PeriodicWorker(std::chrono::milliseconds interval, std::function<bool()> pass);
  ~PeriodicWorker();
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  // Starts the thread. Idempotent.
  void start();
  // Wakes the thread and waits for the pass in progress to end. Idempotent.
  void stop();
  // Makes the thread run a pass now rather than at the end of its interval.
  void wake();
  // True from stop() until the next start(): a long pass checks it to end early.
  bool stopRequested() const;

 private:
  void run();

  std::chrono::milliseconds interval_;
  std::function<bool()> pass_;
  mutable std::mutex mutex_;
  std::condition_variable wakeUp_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace kyso::api
