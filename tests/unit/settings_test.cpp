#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

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

// Settings::load with `base` changed by `changes` and without the keys in `drop`: "ok", or the
// message of its config_invalid error.
std::string loadMessage(std::map<std::string, std::string> overrides, const std::map<std::string, std::string>& changes,
                        const std::vector<std::string>& drop) {
  for (const auto& name : drop) overrides.erase(name);
  for (const auto& [k, v] : changes) overrides[k] = v;
  try {
    Settings::load(std::nullopt, overrides, {});
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "config_invalid") << e.what();
    return e.what();
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

TEST(Settings, Pkcs11Key_ModuleTokenKeyAndPinFile_AreRead) {
  const Settings s = Settings::load(std::nullopt,
                                    {{"keys.seal.pkcs11_module", "/usr/lib/softhsm/libsofthsm2.so"},
                                     {"keys.seal.pkcs11_token", "agency"},
                                     {"keys.seal.pkcs11_key_label", "seal-2026"},
                                     {"keys.seal.pkcs11_pin_file", "/etc/kyso/hsm.pin"},
                                     {"keys.seal.pem_chain", "/etc/kyso/seal-chain.pem"},
                                     {"keys.officer.pkcs11_module", "/opt/hsm/libcs_pkcs11_R3.so"},
                                     {"keys.officer.pkcs11_token", "officers"},
                                     {"keys.officer.pkcs11_key_id", "0A1b2C"},
                                     {"keys.officer.pkcs11_pin_file", "/etc/kyso/officers.pin"},
                                     {"keys.officer.pem_chain", "/etc/kyso/officer-chain.pem"}},
                                    {});
  ASSERT_EQ(s.keys.size(), 2u);
  const KeySettings& officer = s.keys[0];
  EXPECT_EQ(officer.id, "officer");
  EXPECT_TRUE(officer.inPkcs11Token());
  EXPECT_EQ(officer.pkcs11KeyId, "0A1b2C");
  EXPECT_TRUE(officer.pkcs11KeyLabel.empty());
  const KeySettings& seal = s.keys[1];
  EXPECT_EQ(seal.pkcs11Module, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(seal.pkcs11Token, "agency");
  EXPECT_EQ(seal.pkcs11KeyLabel, "seal-2026");
  EXPECT_EQ(seal.pkcs11PinFile, "/etc/kyso/hsm.pin");
  EXPECT_EQ(seal.pemChain, "/etc/kyso/seal-chain.pem");
  EXPECT_TRUE(seal.pemKey.empty());
  EXPECT_FALSE(s.usesDevPki());
}

TEST(Settings, Pkcs11Key_IncompleteOrMixed_IsConfigInvalidNamingTheKey) {
  const std::map<std::string, std::string> complete = {{"keys.hsm.pkcs11_module", "/m.so"},
                                                       {"keys.hsm.pkcs11_token", "agency"},
                                                       {"keys.hsm.pkcs11_key_label", "seal"},
                                                       {"keys.hsm.pkcs11_pin_file", "/p"},
                                                       {"keys.hsm.pem_chain", "/c.pem"}};
  const auto messageWith = [&](const std::map<std::string, std::string>& changes,
                               const std::vector<std::string>& drop = {}) {
    return loadMessage(complete, changes, drop);
  };
  EXPECT_EQ(messageWith({}), "ok");
  for (const char* required : {"keys.hsm.pkcs11_token", "keys.hsm.pkcs11_pin_file", "keys.hsm.pem_chain"}) {
    const std::string message = messageWith({}, {required});
    EXPECT_NE(message.find("key 'hsm'"), std::string::npos) << message;
    EXPECT_NE(message.find(required), std::string::npos) << message;
  }
  // Exactly one of label and id.
  EXPECT_NE(messageWith({}, {"keys.hsm.pkcs11_key_label"}).find("exactly one of"), std::string::npos);
  EXPECT_NE(messageWith({{"keys.hsm.pkcs11_key_id", "01"}}).find("exactly one of"), std::string::npos);
  EXPECT_EQ(messageWith({{"keys.hsm.pkcs11_key_id", "0a1B"}}, {"keys.hsm.pkcs11_key_label"}), "ok");
  for (const char* id : {"abc", "0x01", "zz", "01:02"}) {
    const std::string message = messageWith({{"keys.hsm.pkcs11_key_id", id}}, {"keys.hsm.pkcs11_key_label"});
    EXPECT_NE(message.find("keys.hsm.pkcs11_key_id must be"), std::string::npos) << id << ": " << message;
  }
  // A token key has no key file, PKCS#12 or password besides it.
  for (const char* other : {"keys.hsm.pem_key", "keys.hsm.pkcs12", "keys.hsm.password_file"}) {
    const std::string message = messageWith({{other, "/x"}});
    EXPECT_NE(message.find("key 'hsm' is in a PKCS#11 token"), std::string::npos) << message;
    EXPECT_NE(message.find(other), std::string::npos) << message;
  }
  // pkcs11_* settings without a module.
  const std::string noModule = messageWith({}, {"keys.hsm.pkcs11_module"});
  EXPECT_NE(noModule.find("no keys.hsm.pkcs11_module"), std::string::npos) << noModule;
  // Misspelt settings are not ignored, and a PIN never goes into the configuration.
  EXPECT_NE(messageWith({{"keys.hsm.pkcs11_label", "seal"}}).find("unknown setting keys.hsm.pkcs11_label"),
            std::string::npos);
  EXPECT_NE(messageWith({{"keys.hsm.pkcs11_pin", "1234"}}).find("keys.hsm.pkcs11_pin_file"), std::string::npos);
}

TEST(Settings, Pkcs11Key_InAJsonFile_IsRead) {
  test::TempDir dir;
  test::writeFile(dir / "kyso.json", R"({"keys": {"default": "seal", "seal": {
      "pkcs11_module": "/usr/lib/softhsm/libsofthsm2.so", "pkcs11_token": "agency",
      "pkcs11_key_id": "c0ffee", "pkcs11_pin_file": "/etc/kyso/hsm.pin", "pem_chain": "/etc/kyso/seal.pem"}}})");
  const Settings s = Settings::load(dir / "kyso.json", {}, {});
  ASSERT_EQ(s.keys.size(), 1u);
  EXPECT_EQ(s.keys[0].pkcs11KeyId, "c0ffee");
  EXPECT_EQ(s.defaultKey, "seal");
}

// A secret file for partners.cmp.secret_file, with `perms` as its mode.
std::string secretFile(const test::TempDir& dir, std::filesystem::perms perms) {
  const auto path = dir / "cmp-secret";
  test::writeFile(path, "the shared secret\n");
  std::filesystem::permissions(path, perms);
  return path.string();
}

TEST(Settings, CmpPartner_NotConfiguredByDefault_ReadWhenUrlIsSet) {
  EXPECT_FALSE(Settings::load(std::nullopt, {}, {}).cmp.configured());
  test::TempDir dir;
  const std::string secret = secretFile(dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const Settings pbm = Settings::load(std::nullopt,
                                      {{"partners.cmp.url", "http://ca.example.vn:8080/pkix/"},
                                       {"partners.cmp.reference", "kyso-ra"},
                                       {"partners.cmp.secret_file", secret}},
                                      {});
  ASSERT_TRUE(pbm.cmp.configured());
  EXPECT_EQ(pbm.cmp.url, "http://ca.example.vn:8080/pkix/");
  EXPECT_EQ(pbm.cmp.reference, "kyso-ra");
  EXPECT_EQ(pbm.cmp.secretFile, secret);
  EXPECT_EQ(pbm.cmp.timeout, std::chrono::seconds(30));
  EXPECT_EQ(Settings::readSecretFile(secret, "partners.cmp.secret_file"), "the shared secret");

  const Settings signature = Settings::load(std::nullopt,
                                            {{"partners.cmp.url", "http://ca.example.vn/pkix/"},
                                             {"partners.cmp.protection_cert_file", "/etc/kyso/cmp.pem"},
                                             {"partners.cmp.protection_key_file", "/etc/kyso/cmp.key"},
                                             {"partners.cmp.trusted_ca_file", "/etc/kyso/ca-root.pem"},
                                             {"partners.cmp.expected_sender", "/C=VN/O=Partner CA/CN=CMP RA"},
                                             {"partners.cmp.timeout_seconds", "5"}},
                                            {});
  EXPECT_EQ(signature.cmp.protectionCertificateFile, "/etc/kyso/cmp.pem");
  EXPECT_EQ(signature.cmp.trustedCaFile, "/etc/kyso/ca-root.pem");
  ASSERT_EQ(signature.cmp.expectedSender.size(), 3u);
  EXPECT_EQ(signature.cmp.expectedSender[1].type, "O");
  EXPECT_EQ(signature.cmp.expectedSender[1].value, "Partner CA");
  EXPECT_EQ(signature.cmp.timeout, std::chrono::seconds(5));
}

TEST(Settings, CmpPartner_BadCombinations_ConfigInvalidNamingTheKey) {
  test::TempDir dir;
  const std::string secret = secretFile(dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::map<std::string, std::string> pbm = {{"partners.cmp.url", "http://ca.example.vn/pkix/"},
                                                  {"partners.cmp.reference", "kyso-ra"},
                                                  {"partners.cmp.secret_file", secret}};
  const std::map<std::string, std::string> signature = {{"partners.cmp.url", "http://ca.example.vn/pkix/"},
                                                        {"partners.cmp.protection_cert_file", "/etc/kyso/cmp.pem"},
                                                        {"partners.cmp.protection_key_file", "/etc/kyso/cmp.key"},
                                                        {"partners.cmp.server_cert_file", "/etc/kyso/ca-ra.pem"}};
  const auto messageWith = [](const std::map<std::string, std::string>& base,
                              const std::map<std::string, std::string>& changes,
                              const std::vector<std::string>& drop = {}) { return loadMessage(base, changes, drop); };
  const auto expectMention = [](const std::string& message, const std::string& key) {
    EXPECT_NE(message.find(key), std::string::npos) << "'" << key << "' not in: " << message;
  };
  EXPECT_EQ(messageWith(pbm, {}), "ok");
  EXPECT_EQ(messageWith(signature, {}), "ok");

  // The URL: plain HTTP with a host (CMP protects its messages; the connector has no TLS).
  for (const char* url : {"https://ca.example.vn/pkix/", "ftp://ca.example.vn/", "ca.example.vn", "http:///pkix"}) {
    expectMention(messageWith(pbm, {{"partners.cmp.url", url}}), "partners.cmp.url");
  }
  // Settings without the URL that enables them, misspelt ones, a secret in place.
  expectMention(messageWith(pbm, {}, {"partners.cmp.url"}), "applies only with partners.cmp.url");
  expectMention(messageWith(pbm, {{"partners.cmp.secret_fle", "/x"}}), "unknown setting partners.cmp.secret_fle");
  expectMention(messageWith(pbm, {{"partners.vnpt.url", "http://x/"}}), "unknown setting partners.vnpt");
  const std::string inPlace = messageWith(pbm, {{"partners.cmp.secret", "the shared secret"}});
  expectMention(inPlace, "partners.cmp.secret_file");
  EXPECT_EQ(inPlace.find("the shared secret"), std::string::npos) << inPlace;
  // Exactly one protection, complete.
  expectMention(messageWith(pbm, {}, {"partners.cmp.secret_file"}), "partners.cmp.secret_file");
  expectMention(messageWith(pbm, {{"partners.cmp.protection_cert_file", "/c.pem"},
                                  {"partners.cmp.protection_key_file", "/c.key"},
                                  {"partners.cmp.server_cert_file", "/s.pem"}}),
                "exactly one protection");
  expectMention(messageWith(pbm, {}, {"partners.cmp.reference"}), "partners.cmp.reference");
  expectMention(messageWith(signature, {}, {"partners.cmp.protection_key_file"}), "partners.cmp.protection_key_file");
  // Who may sign the answers: a pin or anchors with the sender's name, not both, not neither.
  expectMention(messageWith(signature, {}, {"partners.cmp.server_cert_file"}), "partners.cmp.server_cert_file");
  expectMention(messageWith(signature, {{"partners.cmp.trusted_ca_file", "/a.pem"}}), "exclude each other");
  expectMention(messageWith(signature, {{"partners.cmp.trusted_ca_file", "/a.pem"}}, {"partners.cmp.server_cert_file"}),
                "partners.cmp.expected_sender");
  expectMention(messageWith(pbm, {{"partners.cmp.expected_sender", "/CN=RA"}}), "partners.cmp.expected_sender");
  for (const char* name : {"CN=RA", "/CN", "/CN=", "//CN=RA", "/C N=RA"}) {
    expectMention(messageWith(signature, {{"partners.cmp.expected_sender", name}}), "partners.cmp.expected_sender");
  }
  // The timeout: whole seconds, 1 to 300.
  for (const char* timeout : {"0", "301", "5s"}) {
    expectMention(messageWith(pbm, {{"partners.cmp.timeout_seconds", timeout}}), "partners.cmp.timeout_seconds");
  }
}

TEST(Settings, CmpPartner_SecretFileOthersCanReadOrMissing_ConfigInvalidWithoutTheSecret) {
  test::TempDir dir;
  const std::map<std::string, std::string> pbm = {{"partners.cmp.url", "http://ca.example.vn/pkix/"},
                                                  {"partners.cmp.reference", "kyso-ra"}};
  for (const auto perms : {std::filesystem::perms::owner_read | std::filesystem::perms::group_read,
                           std::filesystem::perms::owner_read | std::filesystem::perms::others_read}) {
    auto overrides = pbm;
    overrides["partners.cmp.secret_file"] = secretFile(dir, perms);
    try {
      Settings::load(std::nullopt, overrides, {});
      ADD_FAILURE() << "a secret file others can read was accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), "config_invalid");
      EXPECT_NE(std::string(e.what()).find("partners.cmp.secret_file"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("the shared secret"), std::string::npos) << e.what();
    }
    EXPECT_EQ(codeOf([&] { Settings::readSecretFile(overrides["partners.cmp.secret_file"], "s"); }), "config_invalid");
  }
  auto missing = pbm;
  missing["partners.cmp.secret_file"] = (dir / "none").string();
  EXPECT_EQ(codeOf([&] { Settings::load(std::nullopt, missing, {}); }), "config_invalid");
}

}  // namespace
}  // namespace kyso::api
