// Time is injected, never read from a global, so tests can pin it.
#pragma once

#include <chrono>
#include <string>

namespace kyso::pki {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance();
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint at) : at_(at) {}
  TimePoint now() const override { return at_; }
  void set(TimePoint at) { at_ = at; }

 private:
  TimePoint at_;
};

// Vietnam has used UTC+07:00 without daylight saving since 1975; documents show local time.
inline constexpr std::chrono::minutes kVietnamUtcOffset{7 * 60};

// "2026-11-27T09:15:00Z"
std::string formatIso8601Utc(TimePoint t);
// "2026-11-27T16:15:00+07:00"
std::string formatIso8601(TimePoint t, std::chrono::minutes utcOffset = kVietnamUtcOffset);
// Parses ISO 8601 / RFC 3339 with Z or ±hh:mm; throws InputError("invalid_time").
TimePoint parseIso8601(const std::string& text);

}  // namespace kyso::pki
