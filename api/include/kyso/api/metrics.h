// Counters and histograms in the Prometheus text exposition format (version 0.0.4). Label values
// come from bounded sets (route templates, levels, key ids, error codes), never from raw input.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace kyso::api {

class Metrics {
 public:
  void observeRequest(const std::string& method, const std::string& route, int status, double seconds);
  void countSignature(const std::string& format, const std::string& level, const std::string& key);
  void countError(const std::string& code);
  std::string render() const;

 private:
  static constexpr std::array<double, 11> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> durations_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> signatures_;
  std::map<std::string, std::uint64_t> errors_;
};

}  // namespace kyso::api
