#include "kyso/api/settings.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/JSONConfiguration.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "kyso/error.h"

extern char** environ;

namespace kyso::api {

namespace {

using Poco::AutoPtr;
using Poco::Util::AbstractConfiguration;

// KYSO_* variables and the keys they set.
const std::map<std::string, std::string>& environmentKeys() {
  static const std::map<std::string, std::string> keys = {
      {"KYSO_HOST", "server.host"},
      {"KYSO_PORT", "server.port"},
      {"KYSO_DATA_DIR", "data_dir"},
      {"KYSO_PUBLIC_URL", "public_url"},
      {"KYSO_MAX_DOCUMENT_BYTES", "limits.max_document_bytes"},
      {"KYSO_THREADS", "server.threads"},
      {"KYSO_TSA_URL", "tsa.url"},
      {"KYSO_TSA_TRUST_FILE", "tsa.trust_file"},
      {"KYSO_LOG_LEVEL", "log.level"},
      {"KYSO_DEV_PKI_ALGORITHM", "pki.dev.algorithm"},
  };
  return keys;
}

AutoPtr<AbstractConfiguration> loadFile(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    throw InputError("config_invalid", "configuration file not found: " + file.string());
  }
  const std::string ext = file.extension().string();
  try {
    if (ext == ".json") return new Poco::Util::JSONConfiguration(file.string());
    if (ext == ".ini") return new Poco::Util::IniFileConfiguration(file.string());
    if (ext == ".properties" || ext == ".conf") return new Poco::Util::PropertyFileConfiguration(file.string());
  } catch (const Poco::Exception& e) {
    throw InputError("config_invalid", "cannot read " + file.string() + ": " + e.displayText());
  }
  throw InputError("config_invalid", "configuration files must end in .properties, .conf, .ini or .json");
}

template <typename T>
T number(const AbstractConfiguration& c, const std::string& key, T fallback, T min, T max) {
  if (!c.hasProperty(key)) return fallback;
  const std::string text = c.getString(key);
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used != text.size() || value < static_cast<long long>(min) || value > static_cast<long long>(max)) {
      throw std::out_of_range("range");
    }
    return static_cast<T>(value);
  } catch (const std::exception&) {
    throw InputError("config_invalid", key + " must be a whole number between " + std::to_string(min) + " and " +
                                           std::to_string(max) + ", not '" + text + "'");
  }
}

void requireHttpUrl(const std::string& url, const std::string& key) {
  try {
    const Poco::URI uri(url);  // lowercases the scheme and checks the port
    if ((uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty()) return;
  } catch (const Poco::Exception&) {
  }
  throw InputError("config_invalid", key + " must be an http:// or https:// URL with a host, not '" + url + "'");
}

// http://<host>:<port>, with an IPv6 literal in brackets.
std::string derivedPublicUrl(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos && !host.starts_with("[");
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// keys.<id>.*: PEM key and chain, a PKCS#12 file, or a key in a PKCS#11 token with its chain.
KeySettings keySettings(const AbstractConfiguration& c, const std::string& id) {
  const std::string prefix = "keys." + id + ".";
  AbstractConfiguration::Keys names;
  c.keys("keys." + id, names);
  static const std::set<std::string> known = {"pem_key",       "pem_chain",        "pkcs12",
                                              "password_file", "pkcs11_module",    "pkcs11_token",
                                              "pkcs11_key_id", "pkcs11_key_label", "pkcs11_pin_file"};
  for (const auto& name : names) {
    // A PIN written into the configuration would be read by everyone who can read the file.
    if (name == "pkcs11_pin") {
      throw InputError("config_invalid", "a PIN is not configured in place: put it in a file named by " + prefix +
                                             "pkcs11_pin_file (readable by its owner only)");
    }
    if (!known.contains(name)) throw InputError("config_invalid", "unknown setting " + prefix + name);
  }
  KeySettings k;
  k.id = id;
  k.pemKey = c.getString(prefix + "pem_key", "");
  k.pemChain = c.getString(prefix + "pem_chain", "");
  k.pkcs12 = c.getString(prefix + "pkcs12", "");
  k.passwordFile = c.getString(prefix + "password_file", "");
  k.pkcs11Module = c.getString(prefix + "pkcs11_module", "");
  k.pkcs11Token = c.getString(prefix + "pkcs11_token", "");
  k.pkcs11KeyLabel = c.getString(prefix + "pkcs11_key_label", "");
  k.pkcs11KeyId = c.getString(prefix + "pkcs11_key_id", "");
  k.pkcs11PinFile = c.getString(prefix + "pkcs11_pin_file", "");

  if (!k.inPkcs11Token()) {
    for (const char* name : {"pkcs11_token", "pkcs11_key_label", "pkcs11_key_id", "pkcs11_pin_file"}) {
      if (!c.getString(prefix + name, "").empty()) {
        throw InputError("config_invalid", "key '" + id + "' sets " + prefix + name + " but no " + prefix +
                                               "pkcs11_module (the PKCS#11 library of the token)");
      }
    }
    const bool pem = !k.pemKey.empty() && !k.pemChain.empty();
    if (pem == !k.pkcs12.empty()) {
      throw InputError("config_invalid",
                       "key '" + id + "' needs either pem_key and pem_chain, or pkcs12, or pkcs11_module");
    }
    return k;
  }

  // A key in a PKCS#11 token: the token holds the key, pem_chain its certificates.
  for (const char* name : {"pem_key", "pkcs12", "password_file"}) {
    if (!c.getString(prefix + name, "").empty()) {
      throw InputError("config_invalid", "key '" + id + "' is in a PKCS#11 token (pkcs11_module): " + prefix + name +
                                             " does not apply (the PIN comes from pkcs11_pin_file)");
    }
  }
  std::string missing;
  const auto require = [&](const std::string& value, const char* name) {
    if (value.empty()) missing += (missing.empty() ? "" : ", ") + prefix + name;
  };
  require(k.pkcs11Token, "pkcs11_token");
  require(k.pkcs11PinFile, "pkcs11_pin_file");
  require(k.pemChain, "pem_chain");
  if (!missing.empty()) {
    throw InputError("config_invalid", "key '" + id + "' in a PKCS#11 token also needs " + missing);
  }
  if (k.pkcs11KeyLabel.empty() == k.pkcs11KeyId.empty()) {
    throw InputError("config_invalid", "key '" + id + "' in a PKCS#11 token needs exactly one of " + prefix +
                                           "pkcs11_key_label and " + prefix + "pkcs11_key_id");
  }
  if (!k.pkcs11KeyId.empty()) {
    const bool hex = k.pkcs11KeyId.size() % 2 == 0 &&
                     std::all_of(k.pkcs11KeyId.begin(), k.pkcs11KeyId.end(),
                                 [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
    if (!hex) {
      throw InputError("config_invalid",
                       prefix + "pkcs11_key_id must be the key's CKA_ID as an even number of hex digits, not '" +
                           k.pkcs11KeyId + "'");
    }
  }
  return k;
}

// A secret file others may read (or replace) holds no secret: the same rule as ssh's for private
// keys, and as keys.<id>.pkcs11_pin_file's.
void requireOwnerOnly(const std::filesystem::path& path, const std::string& setting) {
  struct ::stat status {};
  if (::stat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
    throw InputError("config_invalid", setting + ": cannot read the file " + path.string());
  }
  if ((status.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", status.st_mode & 07777);
    throw InputError("config_invalid", setting + ": the file " + path.string() + " has mode " + mode +
                                           "; it must be accessible to its owner only (chmod 600)");
  }
}

// "/C=VN/O=Partner CA/CN=CMP RA", as openssl cmp -expect_sender writes a name: the attributes in
// order, by their OpenSSL short names. A value cannot contain '/'.
pki::DistinguishedName distinguishedName(const std::string& text, const std::string& setting) {
  const auto invalid = [&] {
    return InputError("config_invalid",
                      setting + " must be a name like /C=VN/O=Partner CA/CN=CMP RA, not '" + text + "'");
  };
  if (!text.starts_with("/")) throw invalid();
  pki::DistinguishedName dn;
  std::size_t at = 1;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find('/', at), text.size());
    const std::string part = text.substr(at, end - at);
    const auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) throw invalid();
    const std::string type = part.substr(0, eq);
    if (!std::all_of(type.begin(), type.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); })) {
      throw invalid();
    }
    dn.push_back({type, part.substr(eq + 1)});
    at = end + 1;
  }
  return dn;
}

// partners.cmp.*: the CA connector "cmp" (pki::CmpConnector), enabled by partners.cmp.url. The
// connector checks the files' contents when it is made; here the combinations and the secret's mode.
CmpPartnerSettings cmpSettings(const AbstractConfiguration& c) {
  const std::string prefix = "partners.cmp.";
  AbstractConfiguration::Keys partners;
  c.keys("partners", partners);
  for (const auto& name : partners) {
    if (name != "cmp" && name != "vnpt_smartca" && name != "viettel_mysign") {
      throw InputError("config_invalid", "unknown setting partners." + name);
    }
  }
  AbstractConfiguration::Keys names;
  c.keys("partners.cmp", names);
  static const std::set<std::string> known = {"url",
                                              "reference",
                                              "secret_file",
                                              "protection_cert_file",
                                              "protection_key_file",
                                              "server_cert_file",
                                              "trusted_ca_file",
                                              "expected_sender",
                                              "timeout_seconds"};
  for (const auto& name : names) {
    // A secret written into the configuration would be read by everyone who can read the file.
    if (name == "secret") {
      throw InputError("config_invalid", "a shared secret is not configured in place: put it in a file named by " +
                                             prefix + "secret_file (readable by its owner only)");
    }
    if (!known.contains(name)) throw InputError("config_invalid", "unknown setting " + prefix + name);
  }
  CmpPartnerSettings p;
  p.url = c.getString(prefix + "url", "");
  if (p.url.empty()) {
    if (!names.empty()) {
      throw InputError("config_invalid", prefix + names.front() + " applies only with " + prefix + "url");
    }
    return p;
  }
  try {
    const Poco::URI uri(p.url);
    // CMP protects each message itself; the connector speaks plain HTTP (RFC 6712) only.
    if (uri.getScheme() != "http" || uri.getHost().empty()) throw std::invalid_argument("scheme");
  } catch (const std::exception&) {
    throw InputError("config_invalid", prefix + "url must be an http:// URL with a host, not '" + p.url + "'");
  }
  p.reference = c.getString(prefix + "reference", "");
  p.secretFile = c.getString(prefix + "secret_file", "");
  p.protectionCertificateFile = c.getString(prefix + "protection_cert_file", "");
  p.protectionKeyFile = c.getString(prefix + "protection_key_file", "");
  p.serverCertificateFile = c.getString(prefix + "server_cert_file", "");
  p.trustedCaFile = c.getString(prefix + "trusted_ca_file", "");
  const std::string sender = c.getString(prefix + "expected_sender", "");
  p.timeout = std::chrono::seconds(number<int>(c, prefix + "timeout_seconds", 30, 1, 300));

  const bool signature = !p.protectionCertificateFile.empty() || !p.protectionKeyFile.empty();
  if (p.secretFile.empty() == !signature) {
    throw InputError("config_invalid", prefix + "url needs exactly one protection: " + prefix + "secret_file, or " +
                                           prefix + "protection_cert_file and " + prefix + "protection_key_file");
  }
  if (!p.secretFile.empty()) {
    if (p.reference.empty()) {
      throw InputError("config_invalid", prefix + "secret_file needs " + prefix +
                                             "reference (the sender KID the CA gave with the secret)");
    }
    requireOwnerOnly(p.secretFile, prefix + "secret_file");
  } else if (p.protectionCertificateFile.empty() || p.protectionKeyFile.empty()) {
    throw InputError("config_invalid",
                     prefix + "protection_cert_file and " + prefix + "protection_key_file go together");
  }
  if (!p.serverCertificateFile.empty() && !p.trustedCaFile.empty()) {
    throw InputError("config_invalid",
                     prefix + "server_cert_file and " + prefix + "trusted_ca_file exclude each other: pin or anchor");
  }
  // Signed answers need something to check them with; PBM answers are checked with the secret.
  if (signature && p.serverCertificateFile.empty() && p.trustedCaFile.empty()) {
    throw InputError("config_invalid", prefix + "protection_cert_file needs " + prefix + "server_cert_file or " +
                                           prefix + "trusted_ca_file (who may sign the CA's answers)");
  }
  if (!sender.empty()) {
    if (p.serverCertificateFile.empty() && p.trustedCaFile.empty()) {
      throw InputError("config_invalid", prefix + "expected_sender applies only with " + prefix +
                                             "server_cert_file or " + prefix + "trusted_ca_file");
    }
    p.expectedSender = distinguishedName(sender, prefix + "expected_sender");
  } else if (!p.trustedCaFile.empty()) {
    // Any certificate under the anchors would do otherwise, a citizen's included.
    throw InputError("config_invalid", prefix + "trusted_ca_file needs " + prefix + "expected_sender");
  }
  return p;
}

// enrollment.hsm.*: the token applicants' keys are generated in (key mode "hsm").
EnrollmentHsmSettings enrollmentHsmSettings(const AbstractConfiguration& c) {
  const std::string prefix = "enrollment.hsm.";
  AbstractConfiguration::Keys names;
  c.keys("enrollment.hsm", names);
  static const std::set<std::string> known = {"pkcs11_module", "pkcs11_token", "pkcs11_pin_file", "key_algorithm"};
  for (const auto& name : names) {
    if (name == "pkcs11_pin") {
      throw InputError("config_invalid", "a PIN is not configured in place: put it in a file named by " + prefix +
                                             "pkcs11_pin_file (readable by its owner only)");
    }
    if (!known.contains(name)) throw InputError("config_invalid", "unknown setting " + prefix + name);
  }
  EnrollmentHsmSettings h;
  h.pkcs11Module = c.getString(prefix + "pkcs11_module", "");
  h.pkcs11Token = c.getString(prefix + "pkcs11_token", "");
  h.pkcs11PinFile = c.getString(prefix + "pkcs11_pin_file", "");
  const std::string algorithm = c.getString(prefix + "key_algorithm", "rsa");
  if (algorithm != "rsa" && algorithm != "ec") {
    throw InputError("config_invalid", prefix + "key_algorithm must be rsa (RSA-2048) or ec (P-256)");
  }
  h.algorithm = algorithm == "rsa" ? pki::KeyAlgorithm::Rsa : pki::KeyAlgorithm::Ecdsa;
  if (!h.configured()) {
    if (!names.empty()) {
      throw InputError("config_invalid", prefix + names.front() + " applies only with " + prefix + "pkcs11_module");
    }
    return h;
  }
  if (h.pkcs11Token.empty() || h.pkcs11PinFile.empty()) {
    throw InputError("config_invalid",
                     prefix + "pkcs11_module also needs " + prefix + "pkcs11_token and " + prefix + "pkcs11_pin_file");
  }
  return h;
}

// The settings of one partner's remote signer under `prefix`, checked against `known`; the adapter
// checks the rest (URL, required secrets) when it is made.
std::map<std::string, std::string> partnerValues(const AbstractConfiguration& c, const std::string& prefix,
                                                 const std::set<std::string>& known) {
  AbstractConfiguration::Keys names;
  c.keys(prefix.substr(0, prefix.size() - 1), names);
  std::map<std::string, std::string> values;
  for (const auto& name : names) {
    if (!known.contains(name)) throw InputError("config_invalid", "unknown setting " + prefix + name);
    values[name] = c.getString(prefix + name);
  }
  if (values.empty()) return values;
  const auto value = [&](const std::string& name) { return values.contains(name) ? values.at(name) : std::string(); };
  if (value("base_url").empty()) {
    throw InputError("config_invalid", prefix + values.begin()->first + " applies only with " + prefix + "base_url");
  }
  requireHttpUrl(value("base_url"), prefix + "base_url");
  if (!value("secrets_file").empty()) requireOwnerOnly(value("secrets_file"), prefix + "secrets_file");
  return values;
}

std::chrono::milliseconds partnerSeconds(const AbstractConfiguration& c, const std::string& key, int fallback) {
  return std::chrono::seconds(number<int>(c, key, fallback, 1, 300));
}

RemoteSigningSettings remoteSigningSettings(const AbstractConfiguration& c) {
  RemoteSigningSettings r;
  std::string prefix = "partners.vnpt_smartca.";
  auto values =
      partnerValues(c, prefix,
                    {"base_url", "grant", "client_id", "client_secret", "username", "password", "secrets_file",
                     "notify_url", "webhook_secret", "connect_timeout_seconds", "timeout_seconds", "answer"});
  if (!values.empty()) {
    pki::VnptSmartCaSettings v;
    v.baseUrl = values["base_url"];
    v.grant = pki::VnptSmartCa::parseGrant(values.contains("grant") ? values["grant"] : "client_credentials");
    v.clientId = values["client_id"];
    v.clientSecret = values["client_secret"];
    v.username = values["username"];
    v.password = values["password"];
    v.secretsFile = values["secrets_file"];
    v.notifyUrl = values["notify_url"];
    v.webhookSecret = values["webhook_secret"];
    v.connectTimeout = partnerSeconds(c, prefix + "connect_timeout_seconds", 5);
    v.readTimeout = partnerSeconds(c, prefix + "timeout_seconds", 30);
    r.vnptAnswer =
        pki::parseRemoteAnswerForm(values.contains("answer") ? values["answer"] : "signature", prefix + "answer");
    for (auto& [_, value] : values) wipe(value);
    r.vnpt = std::move(v);
  }
  prefix = "partners.viettel_mysign.";
  values = partnerValues(c, prefix,
                         {"base_url", "client_id", "client_secret", "profile_id", "secrets_file", "webhook_secret",
                          "connect_timeout_seconds", "timeout_seconds", "answer"});
  if (!values.empty()) {
    pki::ViettelMySignSettings v;
    v.baseUrl = values["base_url"];
    v.clientId = values["client_id"];
    v.clientSecret = values["client_secret"];
    v.profileId = values["profile_id"];
    v.secretsFile = values["secrets_file"];
    v.webhookSecret = values["webhook_secret"];
    v.connectTimeout = partnerSeconds(c, prefix + "connect_timeout_seconds", 5);
    v.readTimeout = partnerSeconds(c, prefix + "timeout_seconds", 30);
    r.viettelAnswer =
        pki::parseRemoteAnswerForm(values.contains("answer") ? values["answer"] : "signature", prefix + "answer");
    for (auto& [_, value] : values) wipe(value);
    r.viettel = std::move(v);
  }
  r.pollInterval = std::chrono::milliseconds(number<int>(c, "remote_signing.poll_interval_ms", 1000, 10, 60'000));
  r.partnerPoll = std::chrono::seconds(number<int>(c, "remote_signing.partner_poll_seconds", 5, 1, 3600));
  r.lifetime = std::chrono::seconds(number<int>(c, "remote_signing.lifetime_seconds", 600, 30, 86'400));
  r.retention =
      std::chrono::seconds(number<int>(c, "remote_signing.retention_seconds", 7 * 24 * 3600, 0, 90 * 24 * 3600));
  return r;
}

}  // namespace

std::string Settings::readSecretFile(const std::filesystem::path& path, const std::string& setting) {
  requireOwnerOnly(path, setting);
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) {
    throw InputError("config_invalid", setting + ": cannot read the file " + path.string());
  }
  if (line.ends_with("\r")) line.pop_back();
  if (line.empty()) throw InputError("config_invalid", setting + ": the first line of " + path.string() + " is empty");
  return line;
}

std::map<std::string, std::string> Settings::processEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos && entry.starts_with("KYSO_")) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

Settings Settings::load(const std::optional<std::filesystem::path>& configFile,
                        const std::map<std::string, std::string>& overrides,
                        const std::map<std::string, std::string>& environment) {
  AutoPtr<Poco::Util::LayeredConfiguration> c(new Poco::Util::LayeredConfiguration);
  AutoPtr<Poco::Util::MapConfiguration> fromOverrides(new Poco::Util::MapConfiguration);
  for (const auto& [k, v] : overrides) fromOverrides->setString(k, v);
  AutoPtr<Poco::Util::MapConfiguration> fromEnvironment(new Poco::Util::MapConfiguration);
  for (const auto& [variable, key] : environmentKeys()) {
    if (auto it = environment.find(variable); it != environment.end()) fromEnvironment->setString(key, it->second);
  }
  c->add(fromOverrides, 0);
  c->add(fromEnvironment, 10);
  if (configFile) c->add(loadFile(*configFile), 20);

  Settings s;
  s.host = c->getString("server.host", s.host);
  s.port = number<int>(*c, "server.port", s.port, 0, 65535);
  s.dataDir = c->getString("data_dir", s.dataDir.string());
  s.threads = number<unsigned>(*c, "server.threads", 0, 0, 1024);
  if (s.threads == 0) s.threads = std::max(1u, std::thread::hardware_concurrency());
  s.connections = number<unsigned>(*c, "server.connections", 0, 0, 1024);
  if (s.connections == 0) s.connections = std::max(64u, 16 * std::max(1u, std::thread::hardware_concurrency()));
  s.connections = std::max(s.connections, s.threads);
  s.queue = number<unsigned>(*c, "server.queue", s.queue, 1, 10000);
  s.busyWait = std::chrono::seconds(number<int>(*c, "server.busy_wait_seconds", 30, 1, 600));
  s.timeout = std::chrono::seconds(number<int>(*c, "server.timeout_seconds", 30, 1, 3600));
  s.maxDocumentBytes = number<std::uint64_t>(*c, "limits.max_document_bytes", s.maxDocumentBytes, 1024, 1ull << 32);
  s.sessionLifetime = std::chrono::seconds(
      number<int>(*c, "signing_sessions.lifetime_seconds", static_cast<int>(s.sessionLifetime.count()), 30, 86400));
  s.sessionRetention = std::chrono::seconds(number<int>(*c, "signing_sessions.retention_seconds",
                                                        static_cast<int>(s.sessionRetention.count()), 0, 30 * 86400));
  s.logLevel = c->getString("log.level", s.logLevel);
  static const std::set<std::string> levels = {"none",   "fatal",       "critical", "error", "warning",
                                               "notice", "information", "debug",    "trace"};
  if (!levels.contains(s.logLevel)) {
    throw InputError("config_invalid",
                     "log.level must be one of fatal, critical, error, warning, notice, "
                     "information, debug, trace, none");
  }
  s.publicUrlExplicit = c->hasProperty("public_url");
  s.publicUrl = c->getString("public_url", derivedPublicUrl(s.host, s.port));
  while (s.publicUrl.ends_with("/")) s.publicUrl.pop_back();
  if (s.publicUrlExplicit) requireHttpUrl(s.publicUrl, "public_url");

  const std::string algorithm = c->getString("pki.dev.algorithm", "rsa");
  if (algorithm != "rsa" && algorithm != "ec")
    throw InputError("config_invalid", "pki.dev.algorithm must be rsa or ec");
  s.devPki.algorithm = algorithm == "rsa" ? pki::KeyAlgorithm::Rsa : pki::KeyAlgorithm::Ecdsa;
  s.devPki.publicBaseUrl = s.publicUrl;
  s.devPki.agencyName = c->getString("pki.dev.agency_name", s.devPki.agencyName);
  s.devPki.organization = c->getString("pki.dev.organization", s.devPki.organization);
  s.devPki.province = c->getString("pki.dev.province", s.devPki.province);
  s.devPki.taxCode = c->getString("pki.dev.tax_code", s.devPki.taxCode);

  // keys.<id>.*: a file key or a key in a PKCS#11 token
  AbstractConfiguration::Keys ids;
  c->keys("keys", ids);
  std::set<std::string> sorted(ids.begin(), ids.end());
  for (const std::string& id : sorted) {
    if (id == "default") continue;
    // Two-step signatures are recorded under "external"; a configured key must not look like one.
    if (id == "external") throw InputError("config_invalid", "'external' is reserved and cannot name a key");
    s.keys.push_back(keySettings(*c, id));
  }
  s.defaultKey = c->getString("keys.default", s.keys.empty() ? "seal" : s.keys.front().id);

  s.fontRegular = c->getString("appearance.font_regular", s.fontRegular);
  s.fontBold = c->getString("appearance.font_bold", s.fontBold);
  AbstractConfiguration::Keys appearanceIds;
  c->keys("appearance.key", appearanceIds);
  for (const std::string& id : appearanceIds) {
    const std::string prefix = "appearance.key." + id + ".";
    AbstractConfiguration::Keys names;
    c->keys("appearance.key." + id, names);
    static const std::set<std::string> known = {"image", "title", "name", "copy_form", "copy_organisation"};
    for (const auto& name : names) {
      if (!known.contains(name)) throw InputError("config_invalid", "unknown setting " + prefix + name);
    }
    AppearanceSettings a;
    a.image = c->getString(prefix + "image", "");
    a.title = c->getString(prefix + "title", "");
    a.name = c->getString(prefix + "name", "");
    a.copyForm = c->getString(prefix + "copy_form", "");
    a.copyOrganisation = c->getString(prefix + "copy_organisation", "");
    s.appearances[id] = a;
  }

  s.tsaUrl = c->getString("tsa.url", "");
  s.tsaTrustFile = c->getString("tsa.trust_file", "");
  if (!s.tsaUrl.empty()) {
    requireHttpUrl(s.tsaUrl, "tsa.url");
    if (s.tsaTrustFile.empty()) {
      throw InputError("config_invalid", "tsa.url needs tsa.trust_file (PEM certificates the TSA chains to)");
    }
  } else if (!s.tsaTrustFile.empty()) {
    throw InputError("config_invalid", "tsa.trust_file applies only with tsa.url");
  }
  s.tsaTimeout = std::chrono::milliseconds(number<int>(*c, "tsa.timeout_ms", 10'000, 100, 300'000));
  s.tsaPolicyOid = c->getString("tsa.policy_oid", s.tsaPolicyOid);
  s.tsaMaxTokenBytes = number<std::size_t>(*c, "tsa.max_token_bytes", s.tsaMaxTokenBytes, 1024, 1u << 20);
  s.callbackPollInterval = std::chrono::milliseconds(
      number<int>(*c, "callbacks.poll_interval_ms", static_cast<int>(s.callbackPollInterval.count()), 10, 60'000));
  s.callbackTimeout = std::chrono::seconds(
      number<int>(*c, "callbacks.timeout_seconds", static_cast<int>(s.callbackTimeout.count()), 1, 300));
  s.enrollmentPollInterval = std::chrono::milliseconds(
      number<int>(*c, "enrollment.poll_interval_ms", static_cast<int>(s.enrollmentPollInterval.count()), 10, 60'000));
  s.enrollmentPartnerPoll = std::chrono::seconds(
      number<int>(*c, "enrollment.partner_poll_seconds", static_cast<int>(s.enrollmentPartnerPoll.count()), 1, 86'400));
  s.enrollmentMaxFailures = number<int>(*c, "enrollment.max_failures", s.enrollmentMaxFailures, 1, 100);
  s.enrollmentMaxAge = std::chrono::hours(
      number<int>(*c, "enrollment.max_age_hours", static_cast<int>(s.enrollmentMaxAge.count()), 1, 24 * 365));
  s.verify.trustVnNationalRoot = c->getString("verify.trust.vn_national_root", "");
  s.verify.trustGovCa = c->getString("verify.trust.gov_ca", "");
  s.verify.trustExtra = c->getString("verify.trust.extra", "");
  s.verify.revocationTimeout = std::chrono::seconds(number<int>(
      *c, "verify.revocation_timeout_seconds", static_cast<int>(s.verify.revocationTimeout.count()), 1, 60));
  s.verify.maxBytes = number<std::uint64_t>(*c, "verify.max_bytes", s.maxDocumentBytes, 1024, 1ull << 32);
  s.verify.rateLimitPerMinute =
      number<unsigned>(*c, "verify.rate_limit_per_minute", s.verify.rateLimitPerMinute, 0, 100000);
  s.cmp = cmpSettings(*c);
  s.enrollmentHsm = enrollmentHsmSettings(*c);
  s.remoteSigning = remoteSigningSettings(*c);
  return s;
}

void Settings::bindPort(int actualPort) {
  port = actualPort;
  if (!publicUrlExplicit) {
    publicUrl = derivedPublicUrl(host, actualPort);
    devPki.publicBaseUrl = publicUrl;
  }
}

void Settings::requireDevPkiUrlUsable() const {
  try {
    if (Poco::URI(devPki.publicBaseUrl).getPort() != 0) return;
  } catch (const Poco::Exception&) {
  }
  throw InputError("config_invalid", "the development PKI names this service's URL in its certificates, and '" +
                                         devPki.publicBaseUrl +
                                         "' has no usable port: set public_url, or a server.port other than 0");
}

}  // namespace kyso::api
