// kyso-server: the HTTP service.
#include <Poco/Logger.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "command_line.h"
#include "kyso/api/http_server.h"
#include "kyso/api/service_core.h"
#include "kyso/error.h"

namespace {

constexpr const char* kUsage =
    "Usage: kyso-server [--port N] [--host ADDR] [--data-dir DIR] [--config FILE]\n"
    "\n"
    "Runs the kyso HTTP service. With no arguments it listens on 127.0.0.1:8080 and keeps its\n"
    "state under ./var; on first start without configured keys it creates a development PKI there.\n"
    "\n"
    "  --port N         TCP port (0: any free port; the chosen one is printed)\n"
    "  --host ADDR      address to listen on (default 127.0.0.1)\n"
    "  --data-dir DIR   state directory (default ./var)\n"
    "  --config FILE    configuration file (.properties, .conf, .ini or .json; docs/configuration.md)\n"
    "  --help           this text\n"
    "  --version        print the version\n"
    "\n"
    "Environment: KYSO_PORT, KYSO_HOST, KYSO_DATA_DIR, KYSO_CONFIG and the others in docs/configuration.md.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace kyso;
  using namespace kyso::api;
  try {
    const auto cli =
        detail::parseCommandLine({argv + 1, argv + argc}, {"port", "host", "data-dir", "config"}, {"help", "version"});
    if (cli.flags.contains("help")) {
      std::cout << kUsage;
      return 0;
    }
    if (cli.flags.contains("version")) {
      std::cout << "kyso-server " << KYSO_VERSION << "\n";
      return 0;
    }
    if (!cli.positional.empty()) throw detail::UsageError("unexpected argument " + cli.positional.front());

    std::map<std::string, std::string> overrides;
    if (cli.has("port")) overrides["server.port"] = cli.get("port");
    if (cli.has("host")) overrides["server.host"] = cli.get("host");
    if (cli.has("data-dir")) overrides["data_dir"] = cli.get("data-dir");
    const auto environment = Settings::processEnvironment();
    std::optional<std::filesystem::path> config;
    if (cli.has("config")) {
      config = cli.get("config");
    } else if (auto it = environment.find("KYSO_CONFIG"); it != environment.end()) {
      config = it->second;
    }
    Settings settings = Settings::load(config, overrides, environment);
    detail::configureLogging(settings.logLevel);

    // Signals are taken by sigwait below, not by whichever worker thread happens to run.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    HttpListener listener = HttpListener::bind(settings.host, settings.port);
    settings.bindPort(listener.port());
    ServiceCore core(settings);
    HttpServer server(core, std::move(listener));
    server.start();
    core.eventDelivery().start();
    core.enrollmentWorker().start();  // resumes the enrolments a previous run left due
    core.remoteSigning().startWorker(core.settings().remoteSigning.pollInterval);  // and the waiting signatures
    auto& log = Poco::Logger::get("kyso");
    log.information("kyso-server %s listening on http://%s:%hu, data in %s%s", std::string(KYSO_VERSION), settings.host,
                    server.port(), settings.dataDir.string(), std::string(core.devPki() ? " (development PKI)" : ""));
    // A line for scripts and tests that start us with --port 0.
    std::printf("listening on http://%s:%u\n", settings.host.c_str(), static_cast<unsigned>(server.port()));
    std::fflush(stdout);

    int received = 0;
    sigwait(&signals, &received);
    log.information("signal %d: stopping", received);
    server.stop();
    // Its last pass may queue events for the delivery below.
    core.enrollmentWorker().stop();
    core.remoteSigning().stopWorker();
    core.eventDelivery().stop();  // after the server: a request in progress may still queue events
    log.information("stopped");
    return 0;
  } catch (const detail::UsageError& e) {
    std::cerr << "kyso-server: " << e.what() << "\n\n" << kUsage;
    return 2;
  } catch (const Error& e) {
    std::cerr << "kyso-server: " << e.what() << " (" << e.code() << ")" << (e.detail().empty() ? "" : ": " + e.detail())
              << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kyso-server: " << e.what() << "\n";
    return 1;
  }
}
