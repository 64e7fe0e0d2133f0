#include "kyso/pki/clock.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>

#include <cstdio>
#include <ctime>

#include "kyso/error.h"

namespace kyso::pki {

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

namespace {
std::tm utcFields(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}
}  // namespace

std::string formatIso8601Utc(TimePoint t) {
  const std::tm f = utcFields(t);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", f.tm_year + 1900, f.tm_mon + 1, f.tm_mday,
                f.tm_hour, f.tm_min, f.tm_sec);
  return buffer;
}

std::string formatIso8601(TimePoint t, std::chrono::minutes utcOffset) {
  const std::tm f = utcFields(t + utcOffset);
  const long offset = utcOffset.count();
  const long magnitude = offset < 0 ? -offset : offset;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", f.tm_year + 1900, f.tm_mon + 1,
                f.tm_mday, f.tm_hour, f.tm_min, f.tm_sec, offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
  return buffer;
}

TimePoint parseIso8601(const std::string& text) {
  Poco::DateTime parsed;
  int tzd = 0;
  const bool ok = Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, parsed, tzd);
  if (!ok || text.size() < 20) {
    throw InputError("invalid_time", "not an ISO 8601 time with a time zone: " + text);
  }
  parsed.makeUTC(tzd);
  const auto micros = parsed.timestamp().epochMicroseconds();
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

}  // namespace kyso::pki
