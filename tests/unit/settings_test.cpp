#include <gtest/gtest.h>

#include "kyso/api/settings.h"
#include "kyso/error.h"
#include "test_support.h"

namespace kyso::api {
namespace {

std::string codeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "ok";
}

TEST(Settings, DefaultsMatchTheDocumentedEmbeddedSetup) {
  const Settings s = Settings::load(std::nullopt, {}, {});
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 8080);
  EXPECT_EQ(s.dataDir, "var");
  EXPECT_EQ(s.publicUrl, "http://127.0.0.1:8080");
  EXPECT_TRUE(s.usesDevPki());
  EXPECT_EQ(s.defaultKey, "seal");
  EXPECT_TRUE(s.tsaUrl.empty());
  EXPECT_GE(s.threads, 1u);
  EXPECT_EQ(s.databaseFile(), std::filesystem::path("var") / "kyso.db");
}

TEST(Settings, FlagsBeatEnvironmentBeatFile) {
  test::TempDir dir;
  test::writeFile(dir / "kyso.properties",
                  "server.port = 9001\ndata_dir = /srv/file\nlog.level = debug\npki.dev.tax_code = 5000123459\n");
  const Settings fileOnly = Settings::load(dir / "kyso.properties", {}, {});
  EXPECT_EQ(fileOnly.port, 9001);
  EXPECT_EQ(fileOnly.dataDir, "/srv/file");
  EXPECT_EQ(fileOnly.devPki.taxCode, "5000123459");

  const Settings withEnv =
      Settings::load(dir / "kyso.properties", {}, {{"KYSO_PORT", "9002"}, {"KYSO_DATA_DIR", "/srv/env"}});
  EXPECT_EQ(withEnv.port, 9002);
  EXPECT_EQ(withEnv.dataDir, "/srv/env");
  EXPECT_EQ(withEnv.logLevel, "debug");

  const Settings withFlag = Settings::load(dir / "kyso.properties", {{"server.port", "9003"}}, {{"KYSO_PORT", "9002"}});
  EXPECT_EQ(withFlag.port, 9003);
  EXPECT_EQ(withFlag.publicUrl, "http://127.0.0.1:9003");
}

TEST(Settings, JsonFilesWork) {
  test::TempDir dir;
  test::writeFile(dir / "kyso.json", R"({"server": {"port": 7000}, "limits": {"max_document_bytes": 2048}})");
  const Settings s = Settings::load(dir / "kyso.json", {}, {});
  EXPECT_EQ(s.port, 7000);
  EXPECT_EQ(s.maxDocumentBytes, 2048u);
}

TEST(Settings, BadValuesNameTheKey) {
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"server.port", "80a"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"server.port", "70000"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"pki.dev.algorithm", "dsa"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load("/nonexistent/kyso.properties", {}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"keys.seal.pem_key", "/k.pem"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] {
              Settings::load(std::nullopt, {{"keys.a.pkcs12", "/a.p12"}, {"tsa.url", "https://tsa"}}, {});
            }),
            "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"log.level", "chatty"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"public_url", "kyso.example.vn"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] {
              Settings::load(std::nullopt, {{"tsa.url", "ftp://tsa"}, {"tsa.trust_file", "/t"}}, {});
            }),
            "config_invalid");
  EXPECT_EQ(codeOf([] { Settings::load(std::nullopt, {{"tsa.trust_file", "/t.pem"}}, {}); }), "config_invalid");
  EXPECT_EQ(codeOf([] {
              Settings::load(std::nullopt, {{"tsa.url", "HTTPS://tsa.example.vn/tsr"}, {"tsa.trust_file", "/t"}}, {});
            }),
            "ok");
}

TEST(Settings, ThePublicUrlFollowsTheBoundPortUnlessConfigured) {
  Settings derived = Settings::load(std::nullopt, {{"server.port", "0"}}, {});
  // Port 0 is not an address the development PKI could write into its certificates.
  EXPECT_EQ(codeOf([&] { derived.requireDevPkiUrlUsable(); }), "config_invalid");
  derived.bindPort(41234);
  EXPECT_EQ(codeOf([&] { derived.requireDevPkiUrlUsable(); }), "ok");
  EXPECT_EQ(derived.publicUrl, "http://127.0.0.1:41234");
  EXPECT_EQ(derived.devPki.publicBaseUrl, "http://127.0.0.1:41234");
  Settings fixed = Settings::load(std::nullopt, {{"server.port", "0"}, {"public_url", "https://kyso.example.vn/"}}, {});
  fixed.bindPort(41234);
  EXPECT_EQ(fixed.publicUrl, "https://kyso.example.vn");
  EXPECT_EQ(codeOf([&] { fixed.requireDevPkiUrlUsable(); }), "ok");
  const Settings ipv6 = Settings::load(std::nullopt, {{"server.host", "::1"}}, {});
  EXPECT_EQ(ipv6.publicUrl, "http://[::1]:8080");
  EXPECT_EQ(codeOf([&] { ipv6.requireDevPkiUrlUsable(); }), "ok");
}

TEST(Settings, ConfiguredKeysReplaceTheDevelopmentPki) {
  const Settings s = Settings::load(std::nullopt,
                                    {{"keys.agency.pkcs12", "/etc/kyso/agency.p12"},
                                     {"keys.agency.password_file", "/etc/kyso/agency.pass"},
                                     {"keys.officer.pem_key", "/k.pem"},
                                     {"keys.officer.pem_chain", "/c.pem"}},
                                    {});
  EXPECT_FALSE(s.usesDevPki());
  ASSERT_EQ(s.keys.size(), 2u);
  EXPECT_EQ(s.keys[0].id, "agency");
  EXPECT_EQ(s.keys[0].pkcs12, "/etc/kyso/agency.p12");
  EXPECT_EQ(s.keys[1].id, "officer");
  EXPECT_EQ(s.defaultKey, "agency");
}

}  // namespace
}  // namespace kyso::api
