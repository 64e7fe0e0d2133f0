// kyso-server as an operator starts it: the binary, its flags, its shutdown.
#include <gtest/gtest.h>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <thread>

#include "http_client.h"
#include "server_process.h"
#include "test_support.h"

namespace kyso {
namespace {

using test::ServerProcess;

TEST(ServerBinary, StartsOnAnEphemeralPortServesAndStopsOnSigterm) {
  test::TempDir dir;
  ServerProcess server({"--port", "0", "--data-dir", (dir / "var").string()});
  ASSERT_GT(server.port(), 0) << server.log();
  EXPECT_EQ(test::http(server.port(), "GET", "/healthz").status, 200);

  // The CLI shares the data directory: a key it creates works against the running server.
  const auto created = test::run({(test::binDir() / "kyso").string(), "--data-dir", (dir / "var").string(), "apikey",
                                  "create", "--role", "signer"});
  ASSERT_EQ(created.exitCode, 0) << created.output;
  const auto at = created.output.find("kyso_");
  const std::string key = created.output.substr(at, created.output.find('\n', at) - at);
  const auto signedPdf = test::http(server.port(), "POST", "/v1/sign/pdf?level=B-T",
                                    test::readFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf")), "application/pdf",
                                    {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(signedPdf.status, 200) << signedPdf.body;

  // The audit log the CLI reads has the server's entry.
  const auto audit =
      test::run({(test::binDir() / "kyso").string(), "--data-dir", (dir / "var").string(), "audit", "verify"});
  EXPECT_NE(audit.output.find("intact: 1 entries"), std::string::npos) << audit.output;

  EXPECT_EQ(server.terminate(), 0);
  const std::string log = server.log();
  EXPECT_NE(log.find("POST /v1/sign/pdf 200"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  EXPECT_EQ(log.find(key.substr(22)), std::string::npos);  // secrets never logged
}

TEST(ServerBinary, BadConfigurationStopsItWithAMessage) {
  test::TempDir dir;
  test::writeFile(dir / "kyso.properties", "server.port = eighty\n");
  ServerProcess bad({"--config", (dir / "kyso.properties").string(), "--data-dir", (dir / "var").string()});
  EXPECT_EQ(bad.wait(), 1);
  EXPECT_NE(bad.log().find("server.port must be a whole number"), std::string::npos) << bad.log();

  ServerProcess usage({"--prot", "8080"});
  EXPECT_EQ(usage.wait(), 2);
  EXPECT_NE(usage.log().find("unknown option --prot"), std::string::npos);
}

TEST(ServerBinary, APortInUseIsReported) {
  test::TempDir dir;
  ServerProcess first({"--port", "0", "--data-dir", (dir / "a").string()});
  ASSERT_GT(first.port(), 0);
  ServerProcess second({"--port", std::to_string(first.port()), "--data-dir", (dir / "b").string()});
  EXPECT_EQ(second.wait(), 1);
  EXPECT_NE(second.log().find("listen_failed"), std::string::npos) << second.log();
  EXPECT_EQ(first.terminate(), 0);
}

}  // namespace
}  // namespace kyso
