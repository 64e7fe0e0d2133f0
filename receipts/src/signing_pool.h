// Threads kept for the life of the receipt service to sign a group's receipts in parallel (instead
// of threads started for every group). The caller of run() signs too, so a pool of N uses N - 1
// helper threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kyso::receipts::detail {

class SigningPool {
 public:
  explicit SigningPool(std::size_t threads);
  ~SigningPool();
  SigningPool(const SigningPool&) = delete;
  SigningPool& operator=(const SigningPool&) = delete;

  // Runs job(0) … job(count - 1) on the pool and the calling thread, returns when all are done,
  // and rethrows the first exception (the jobs not started by then are skipped). One run at a time.
  void run(std::size_t count, const std::function<void(std::size_t)>& job);

 private:
  void helper();
  void pull(const std::function<void(std::size_t)>& job, std::size_t count);

  std::mutex runMutex_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t count_ = 0;
  std::size_t generation_ = 0;
  std::size_t busy_ = 0;
  bool stopping_ = false;
  std::atomic<std::size_t> next_{0};
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

}  // namespace kyso::receipts::detail
