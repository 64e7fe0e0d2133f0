// The CPU-heavy part of a request (parsing and signing a document) runs in one of a fixed number of
// slots, one per core by default. Connections are many and mostly idle (keep-alive); signing work
// is few and busy. Taking the slot before reading the body also bounds the memory that bodies in
// flight can take to slots × the body cap.
#pragma once

#include <chrono>
#include <semaphore>

namespace kyso::api {

class WorkSlots {
 public:
  explicit WorkSlots(unsigned slots) : semaphore_(static_cast<std::ptrdiff_t>(slots)) {}

  class Slot {
   public:
    explicit Slot(std::counting_semaphore<1024>& semaphore) : semaphore_(&semaphore) {}
    Slot(Slot&& other) noexcept : semaphore_(other.semaphore_) { other.semaphore_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (semaphore_ != nullptr) semaphore_->release();
    }

   private:
    std::counting_semaphore<1024>* semaphore_;
  };

  // Throws UnavailableError("server_busy") when no slot frees up within `wait`.
  Slot acquire(std::chrono::milliseconds wait);

 private:
  std::counting_semaphore<1024> semaphore_;
};

}  // namespace kyso::api
