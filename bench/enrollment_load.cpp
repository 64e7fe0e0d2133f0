// kyso-enrollment-load: certificate enrolments per second through the HTTP API, to "issued".
//
// `--clients` threads, each on its own keep-alive connection, POST /v1/enrollments (its own
// Idempotency-Key each, the same applicant and CSR: the local CA issues a certificate per
// enrolment) until `--count` are accepted, then poll GET /v1/enrollments/{id} until every one is
// issued. The server's worker does the partner work (here the local CA) in the background, so the
// rate counts from the first POST to the last enrolment seen issued.
//
// Prints one line of key=value pairs for scripts: enrollments, accepted_s (all POSTs answered),
// issued_s, rate (issued per second), accept_rate, errors, sample (an enrolment id, for checks).
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "Usage: kyso-enrollment-load --port N --key BACKEND_KEY --csr FILE.pem [--count N] [--clients N]\n";

struct Options {
  std::uint16_t port = 0;
  std::string key;
  std::string csr;
  unsigned count = 200;
  unsigned clients = 8;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument("bad argument " + name);
    const std::string value = argv[++i];
    if (name == "--port") {
      o.port = static_cast<std::uint16_t>(std::stoul(value));
    } else if (name == "--key") {
      o.key = value;
    } else if (name == "--csr") {
      std::ifstream in(value);
      std::stringstream text;
      text << in.rdbuf();
      o.csr = text.str();
    } else if (name == "--count") {
      o.count = static_cast<unsigned>(std::stoul(value));
    } else if (name == "--clients") {
      o.clients = static_cast<unsigned>(std::stoul(value));
    } else {
      throw std::invalid_argument("unknown option " + name);
    }
  }
  if (o.port == 0 || o.key.empty() || o.csr.empty() || o.count == 0 || o.clients == 0) {
    throw std::invalid_argument(kUsage);
  }
  return o;
}

std::string body(const std::string& csr) {
  Poco::JSON::Object applicant;
  applicant.set("kind", "person");
  applicant.set("full_name", "Nguyễn Văn An");
  applicant.set("cccd", "001085012345");
  applicant.set("email", "an.nguyen@example.vn");
  applicant.set("phone", "0912345678");
  applicant.set("province", "Hà Nội");
  Poco::JSON::Object key;
  key.set("mode", "csr");
  key.set("csr", csr);
  Poco::JSON::Object o;
  o.set("applicant", applicant);
  o.set("partner", "local");
  o.set("key", key);
  o.set("consent", true);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

// One exchange on the client's connection: status and body.
std::pair<int, std::string> call(Poco::Net::HTTPClientSession& session, const std::string& method,
                                 const std::string& path, const std::string& key, const std::string& payload,
                                 const std::string& idempotencyKey) {
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  request.set("Authorization", "Bearer " + key);
  if (!idempotencyKey.empty()) request.set("Idempotency-Key", idempotencyKey);
  if (!payload.empty()) {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(payload.size()));
  }
  session.sendRequest(request) << payload;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::string text;
  Poco::StreamCopier::copyToString(in, text);
  return {static_cast<int>(response.getStatus()), text};
}

std::string field(const std::string& json, const std::string& name) {
  return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>(name);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const std::string payload = body(o.csr);
    const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    std::atomic<unsigned> next{0};
    std::atomic<unsigned> errors{0};
    std::vector<std::vector<std::string>> ids(o.clients);
    const auto started = Clock::now();
    std::vector<Clock::time_point> accepted(o.clients), issued(o.clients);
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < o.clients; ++c) {
      threads.emplace_back([&, c] {
        Poco::Net::HTTPClientSession session("127.0.0.1", o.port);
        session.setKeepAlive(true);
        for (unsigned i = next++; i < o.count; i = next++) {
          const auto [status, text] =
              call(session, "POST", "/v1/enrollments", o.key, payload, "bench-" + run + "-" + std::to_string(i));
          if (status != 202) {
            ++errors;
            continue;
          }
          ids[c].push_back(field(text, "id"));
        }
        accepted[c] = Clock::now();
        // Each client waits for its own enrolments, oldest first.
        for (const auto& id : ids[c]) {
          for (;;) {
            const auto [status, text] = call(session, "GET", "/v1/enrollments/" + id, o.key, "", "");
            const std::string state = status == 200 ? field(text, "status") : "error";
            if (state == "issued") break;
            if (state == "rejected" || state == "failed" || state == "error") {
              ++errors;
              break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }
        issued[c] = Clock::now();
      });
    }
    for (auto& t : threads) t.join();
    const auto seconds = [&](const std::vector<Clock::time_point>& ends) {
      Clock::time_point last = started;
      for (const auto& t : ends) last = std::max(last, t);
      return std::chrono::duration<double>(last - started).count();
    };
    const double acceptedS = seconds(accepted), issuedS = seconds(issued);
    const unsigned done = o.count - errors.load();
    std::string sample;
    for (const auto& list : ids) {
      if (!list.empty()) sample = list.back();
    }
    std::printf("enrollments=%u errors=%u accepted_s=%.3f issued_s=%.3f accept_rate=%.1f rate=%.1f sample=%s\n", done,
                errors.load(), acceptedS, issuedS, static_cast<double>(done) / acceptedS,
                static_cast<double>(done) / issuedS, sample.c_str());
    return errors.load() == 0 ? 0 : 1;
  } catch (const Poco::Exception& e) {
    std::cerr << e.displayText() << "\n";
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
  }
  return 2;
}
