// kyso-server as a child process, as an operator starts it: its port read from its first line,
// its stderr kept, stopped with SIGTERM, or killed (SIGKILL) to test what survives a crash.
#pragma once

#include <gtest/gtest.h>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace kyso::test {

class ServerProcess {
 public:
  explicit ServerProcess(const std::vector<std::string>& args) {
    Poco::Process::Args argv(args.begin(), args.end());
    handle_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch((test::binDir() / "kyso-server").string(), argv, nullptr, &out_, &err_));
    drain_ = std::thread([this] {
      Poco::PipeInputStream errors(err_);
      std::string line;
      while (std::getline(errors, line)) log_ += line + "\n";
    });
    Poco::PipeInputStream stream(out_);
    std::string line;
    while (std::getline(stream, line)) {
      const auto at = line.rfind(':');
      if (line.starts_with("listening on http://") && at != std::string::npos) {
        port_ = std::stoi(line.substr(at + 1));
        break;
      }
    }
  }
  ~ServerProcess() {
    if (running_) {
      Poco::Process::kill(*handle_);
      handle_->wait();
    }
    if (drain_.joinable()) drain_.join();
  }
  int port() const { return port_; }
  int terminate() {
    Poco::Process::requestTermination(handle_->id());
    const int code = handle_->wait();
    running_ = false;
    return code;
  }
  // SIGKILL: no shutdown code runs, as in a crash or an OOM kill.
  void kill() {
    Poco::Process::kill(*handle_);
    handle_->wait();
    running_ = false;
  }
  int wait() {
    const int code = handle_->wait();
    running_ = false;
    return code;
  }
  std::string log() {
    if (drain_.joinable()) drain_.join();
    return log_;
  }

 private:
  Poco::Pipe out_, err_;
  std::unique_ptr<Poco::ProcessHandle> handle_;
  std::thread drain_;
  std::string log_;
  int port_ = 0;
  bool running_ = true;
};

// A key made by `kyso apikey create --role <role>` on the data directory of a stopped or running
// kyso-server, as its operator makes one.
inline std::string createdKey(const std::filesystem::path& dataDir, const std::string& role) {
  const auto created =
      run({(binDir() / "kyso").string(), "--data-dir", dataDir.string(), "apikey", "create", "--role", role});
  EXPECT_EQ(created.exitCode, 0) << created.output;
  const auto at = created.output.find("kyso_");
  return created.output.substr(at, created.output.find('\n', at) - at);
}

}  // namespace kyso::test
