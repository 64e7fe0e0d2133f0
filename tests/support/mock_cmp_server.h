// The CMP mock server of the openssl command (OpenSSL 3.0, `openssl cmp -port 0 ...`), started as
// a child process on a free port it reports. The mock answers every certificate request with its
// fixed -rsp_cert. Header-only: the test binary that includes it links Poco::Foundation.
#pragma once

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kyso::test {

// `openssl cmp -port 0 <options>`: the port is read from its "ACCEPT [::]:<port> PID=<pid>" line;
// the rest of its output is kept for failure messages. Killed when the test ends.
class MockCmpServer {
 public:
  explicit MockCmpServer(const std::vector<std::string>& options) {
    Poco::Process::Args args{"cmp", "-config", "", "-port", "0"};
    args.insert(args.end(), options.begin(), options.end());
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch("openssl", args, nullptr, &out_, &out_));
    stream_ = std::make_unique<Poco::PipeInputStream>(out_);
    std::string line;
    while (port_ == 0 && std::getline(*stream_, line)) {
      log_ += line + "\n";
      const auto at = line.find("ACCEPT ");
      if (at == std::string::npos) continue;
      const std::string address = line.substr(at + 7, line.find(' ', at + 7) - (at + 7));
      port_ = std::stoi(address.substr(address.rfind(':') + 1));
    }
    drain_ = std::thread([this] {
      std::string more;
      while (std::getline(*stream_, more)) {
        std::lock_guard lock(mutex_);
        log_ += more + "\n";
      }
    });
    if (port_ == 0) throw std::runtime_error("the mock CMP server did not start:\n" + log());
  }
  ~MockCmpServer() {
    Poco::Process::kill(*handle_);  // the child started above, by its id
    handle_->wait();
    if (drain_.joinable()) drain_.join();
  }
  MockCmpServer(const MockCmpServer&) = delete;
  MockCmpServer& operator=(const MockCmpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/pkix/"; }
  std::string log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  Poco::Pipe out_;
  std::unique_ptr<Poco::ProcessHandle> handle_;
  std::unique_ptr<Poco::PipeInputStream> stream_;
  std::thread drain_;
  std::mutex mutex_;
  std::string log_;
  int port_ = 0;
};

}  // namespace kyso::test
