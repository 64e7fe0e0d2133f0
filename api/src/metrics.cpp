#include "kyso/api/metrics.h"

#include <sstream>

namespace kyso::api {

namespace {
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

void Metrics::observeRequest(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  Histogram& h = durations_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::countSignature(const std::string& format, const std::string& level, const std::string& key) {
  std::lock_guard lock(mutex_);
  ++signatures_[{format, level, key}];
}

void Metrics::countError(const std::string& code) {
  std::lock_guard lock(mutex_);
  ++errors_[code];
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP kyso_http_requests_total HTTP requests by method, route and status.\n"
         "# TYPE kyso_http_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    out << "kyso_http_requests_total{method=\"" << label(std::get<0>(k)) << "\",route=\"" << label(std::get<1>(k))
        << "\",status=\"" << std::get<2>(k) << "\"} " << n << "\n";
  }
  out << "# HELP kyso_http_request_duration_seconds Time to answer an HTTP request.\n"
         "# TYPE kyso_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations_) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "kyso_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"" << kBuckets[i] << "\"} "
          << h.buckets[i] << "\n";
    }
    out << "kyso_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"+Inf\"} " << h.count
        << "\n";
    out << "kyso_http_request_duration_seconds_sum{route=\"" << label(route) << "\"} " << h.sum << "\n";
    out << "kyso_http_request_duration_seconds_count{route=\"" << label(route) << "\"} " << h.count << "\n";
  }
  out << "# HELP kyso_signatures_total Signatures made, by document format, level and key.\n"
         "# TYPE kyso_signatures_total counter\n";
  for (const auto& [k, n] : signatures_) {
    out << "kyso_signatures_total{format=\"" << label(std::get<0>(k)) << "\",level=\"" << label(std::get<1>(k))
        << "\",key=\"" << label(std::get<2>(k)) << "\"} " << n << "\n";
  }
  out << "# HELP kyso_errors_total Errors answered to clients, by error code.\n"
         "# TYPE kyso_errors_total counter\n";
  for (const auto& [code, n] : errors_) out << "kyso_errors_total{code=\"" << label(code) << "\"} " << n << "\n";
  return out.str();
}

}  // namespace kyso::api
