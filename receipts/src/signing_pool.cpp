#include "signing_pool.h"

namespace kyso::receipts::detail {

SigningPool::SigningPool(std::size_t threads) {
  for (std::size_t i = 1; i < threads; ++i) threads_.emplace_back([this] { helper(); });
}

SigningPool::~SigningPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void SigningPool::pull(const std::function<void(std::size_t)>& job, std::size_t count) {
  for (std::size_t i = next_++; i < count; i = next_++) {
    try {
      job(i);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      next_ = count;  // skip the rest: the group is issued again without them
    }
  }
}

void SigningPool::helper() {
  std::size_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    if (job_ == nullptr) continue;  // woke after that run was over
    const auto* job = job_;
    const std::size_t count = count_;
    ++busy_;
    lock.unlock();
    pull(*job, count);
    lock.lock();
    if (--busy_ == 0) finished_.notify_all();
  }
}

void SigningPool::run(std::size_t count, const std::function<void(std::size_t)>& job) {
  std::lock_guard one(runMutex_);
  {
    std::lock_guard lock(mutex_);
    job_ = &job;
    count_ = count;
    next_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  if (count > 1) wake_.notify_all();
  pull(job, count);
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [&] { return busy_ == 0; });
    job_ = nullptr;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace kyso::receipts::detail
