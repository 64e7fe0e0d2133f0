// kyso-receipt-load: issues e-receipts through POST /v1/receipts as fast as the server answers
// (closed loop) or at a fixed rate (open loop), over keep-alive connections, one per client thread.
//
// Every request has its own Idempotency-Key and payment transaction id: the same key would replay
// the same receipt (no signing, no commit), which is why `ab` cannot load this route.
//
// Open loop: request i is due at start + i / rate, whichever client is free takes it, and its latency
// is counted from when it was due, not from when it was sent. A server that falls behind therefore
// shows in the latency instead of slowing the load down (no "coordinated omission").
//
// Prints one line of key=value pairs for scripts: requests, errors, seconds, rate, p50_ms, p90_ms,
// p99_ms, max_ms, client_cpu_s, issued (every receipt issued, warm-up included). Closed loop counts
// the answers that arrived in the measured window (after the warm-up); open loop the requests that
// were due in it.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "Usage: kyso-receipt-load --port N --key BACKEND_KEY --symbol 26TAB [options]\n"
    "\n"
    "  --host ADDR        server address (default 127.0.0.1)\n"
    "  --clients N        client threads, one keep-alive connection each (default 32)\n"
    "  --rate R           open loop at R requests/s; without it, closed loop (each client sends\n"
    "                     its next request when the previous one is answered)\n"
    "  --seconds S        measured time (default 10)\n"
    "  --warmup S         time before measuring (default 2)\n"
    "  --run ID           makes idempotency keys and transaction ids unique across runs on the same\n"
    "                     data directory (default: the process id)\n";

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string key;
  std::string symbol;
  unsigned clients = 32;
  double rate = 0;  // 0: closed loop
  double seconds = 10;
  double warmup = 2;
  std::string run;
};

Options parse(int argc, char** argv) {
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) throw std::invalid_argument("bad argument " + name);
    values[name.substr(2)] = argv[++i];
  }
  Options o;
  for (const auto& [name, value] : values) {
    if (name == "host")
      o.host = value;
    else if (name == "port")
      o.port = static_cast<std::uint16_t>(std::stoul(value));
    else if (name == "key")
      o.key = value;
    else if (name == "symbol")
      o.symbol = value;
    else if (name == "clients")
      o.clients = static_cast<unsigned>(std::stoul(value));
    else if (name == "rate")
      o.rate = std::stod(value);
    else if (name == "seconds")
      o.seconds = std::stod(value);
    else if (name == "warmup")
      o.warmup = std::stod(value);
    else if (name == "run")
      o.run = value;
    else
      throw std::invalid_argument("unknown option --" + name);
  }
  if (o.port == 0 || o.key.empty() || o.symbol.empty() || o.clients == 0 || o.seconds <= 0 || o.rate < 0) {
    throw std::invalid_argument("--port, --key and --symbol are required; --clients and --seconds must be positive");
  }
  if (o.run.empty()) o.run = std::to_string(::getpid());
  return o;
}

// The request of the contract in issue 4 (tests/http/receipts_test.cpp, receiptBody), with its
// own payment transaction.
std::string receiptBody(const std::string& symbol, const std::string& transaction) {
  return R"({"template":"EBL01","symbol":")" + symbol +
         R"(","payer":{"name":"Nguyễn Văn A","id":"008085012345","address":"Tổ 5, phường Phan Thiết"},)"
         R"("items":[{"code":"LPHT01","name":"Lệ phí cấp bản sao trích lục hộ tịch","kind":"le_phi","amount":8000}],)"
         R"("payment":{"method":"online","transaction_id":")" +
         transaction +
         R"(","provider":"paygov","paid_at":"2026-11-27T09:15:00+07:00"},)"
         R"("dossier":{"code":"H59.22-261127-0001","procedure_code":"1.001193"}})";
}

struct ClientResult {
  std::vector<double> latenciesMs;
  std::uint64_t errors = 0;
  std::uint64_t issued = 0;  // every 201, warm-up included: each took a receipt number
  std::string firstError;
};

class Client {
 public:
  Client(const Options& o, unsigned index) : options_(o), index_(index), session_(o.host, o.port) {
    session_.setKeepAlive(true);
    session_.setTimeout(Poco::Timespan(60, 0));
  }

  // Issues one receipt; false (and the reason in `error`) unless the server answered 201.
  bool issue(std::uint64_t n, std::string& error) {
    const std::string id = options_.run + "-" + std::to_string(index_) + "-" + std::to_string(n);
    const std::string body = receiptBody(options_.symbol, "PG-" + id);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/v1/receipts", Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("Authorization", "Bearer " + options_.key);
    request.set("Idempotency-Key", "bench-" + id);
    try {
      session_.sendRequest(request) << body;
      Poco::Net::HTTPResponse response;
      std::istream& in = session_.receiveResponse(response);
      std::string answer;
      Poco::StreamCopier::copyToString(in, answer);
      if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_CREATED || response.has("Idempotent-Replayed")) {
        error = std::to_string(static_cast<int>(response.getStatus())) + " " + answer.substr(0, 200);
        return false;
      }
      return true;
    } catch (const Poco::Exception& e) {
      error = e.displayText();
      session_.reset();
      return false;
    }
  }

 private:
  const Options& options_;
  unsigned index_;
  Poco::Net::HTTPClientSession session_;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "kyso-receipt-load: " << e.what() << "\n\n" << kUsage;
    return 2;
  }
  const auto toDuration = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(100);  // all threads ready
  const Clock::time_point measureFrom = start + toDuration(o.warmup);
  const Clock::time_point end = measureFrom + toDuration(o.seconds);
  std::atomic<std::uint64_t> next{0};  // open loop: the next request due
  std::vector<ClientResult> results(o.clients);
  std::vector<std::thread> threads;
  const double cpuBefore = cpuSeconds();

  for (unsigned c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      Client client(o, c);
      ClientResult& result = results[c];
      std::string error;
      std::this_thread::sleep_until(start);
      for (std::uint64_t n = 0;; ++n) {
        Clock::time_point due;
        if (o.rate > 0) {
          const std::uint64_t i = next.fetch_add(1);
          due = start + toDuration(static_cast<double>(i) / o.rate);
          if (due >= end) break;
          std::this_thread::sleep_until(due);
        } else {
          due = Clock::now();
          if (due >= end) break;
        }
        const bool ok = client.issue(n, error);
        const Clock::time_point done = Clock::now();
        if (ok) ++result.issued;
        // Closed loop: what finished in the window. Open loop: what was due in the window, however
        // late it finished (dropping the late ones would hide exactly the slow answers).
        if (o.rate > 0 ? due < measureFrom : (done < measureFrom || done > end)) continue;
        if (ok) {
          result.latenciesMs.push_back(std::chrono::duration<double, std::milli>(done - due).count());
        } else {
          if (result.errors++ == 0) result.firstError = error;
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  std::vector<double> all;
  std::uint64_t errors = 0;
  std::uint64_t issued = 0;
  std::string firstError;
  for (const auto& r : results) {
    all.insert(all.end(), r.latenciesMs.begin(), r.latenciesMs.end());
    errors += r.errors;
    issued += r.issued;
    if (firstError.empty()) firstError = r.firstError;
  }
  std::sort(all.begin(), all.end());
  if (!firstError.empty()) std::cerr << "kyso-receipt-load: first error: " << firstError << "\n";
  std::printf(
      "requests=%zu errors=%llu seconds=%.3f rate=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "client_cpu_s=%.2f issued=%llu\n",
      all.size(), static_cast<unsigned long long>(errors), o.seconds, static_cast<double>(all.size()) / o.seconds,
      percentile(all, 50), percentile(all, 90), percentile(all, 99), all.empty() ? 0.0 : all.back(),
      cpuSeconds() - cpuBefore, static_cast<unsigned long long>(issued));
  return errors == 0 && !all.empty() ? 0 : 1;
}
