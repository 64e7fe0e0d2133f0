#include "kyso/api/work_slots.h"

#include "kyso/error.h"

namespace kyso::api {

WorkSlots::Slot WorkSlots::acquire(std::chrono::milliseconds wait) {
  if (!semaphore_.try_acquire_for(wait)) {
    throw UnavailableError("server_busy", "the server is busy; try again shortly");
  }
  return Slot(semaphore_);
}

}  // namespace kyso::api
