// The service's configuration, in one place. Sources, later ones winning: built-in defaults, the
// configuration file (.properties, .conf, .ini or .json), KYSO_* environment variables, command-line
// options. docs/configuration.md lists every key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/dev_pki.h"
#include "kyso/pki/viettel_mysign.h"
#include "kyso/pki/vnpt_smartca.h"

namespace kyso::api {

// A signing key configured by file (PEM key + PEM chain, or PKCS#12) or held in a PKCS#11 token
// (module, token and key, with its certificate chain in pemChain).
struct KeySettings {
  std::string id;
  std::string pemKey;        // path
  std::string pemChain;      // path: leaf first, then CAs
  std::string pkcs12;        // path
  std::string passwordFile;  // path; for an encrypted PEM key or the PKCS#12

  std::string pkcs11Module;    // path of the token vendor's PKCS#11 library
  std::string pkcs11Token;     // token label
  std::string pkcs11KeyLabel;  // the private key's CKA_LABEL, or
  std::string pkcs11KeyId;     // its CKA_ID in hex (exactly one of the two is set)
  std::string pkcs11PinFile;   // path; the user PIN on its first line, readable by its owner only

  bool inPkcs11Token() const { return !pkcs11Module.empty(); }
};

// What a key's visible signatures show unless the request says otherwise
// (appearance.key.<id>.*).
struct AppearanceSettings {
  std::string image;  // path of a PNG: the seal for a seal key, the signature image for an officer's
  std::string title;  // signer layout; '\n' separates lines
  std::string name;
  std::string copyForm;
  std::string copyOrganisation;
};

// Signature verification (POST /v1/verify, kyso verify): the trust anchors, the network budget of
// revocation checks, and the limits of the public endpoint.
struct VerifySettings {
  // PEM files of trust anchors; empty: none. The Vietnam National Root CA (public CAs), the
  // Government Cipher Committee's root (government PKI), anything else. On the development PKI its
  // root is trusted as well.
  std::string trustVnNationalRoot;
  std::string trustGovCa;
  std::string trustExtra;
  std::chrono::seconds revocationTimeout{5};
  std::uint64_t maxBytes = 0;        // loading sets it (default: maxDocumentBytes)
  unsigned rateLimitPerMinute = 30;  // per client address; 0: no limit
};

// The "cmp" partner CA (partners.cmp.*): a CA or RA speaking CMP (pki::CmpConnector). Paths only:
// the shared secret stays in its file until the connector is made (readSecretFile).
struct CmpPartnerSettings {
  std::string url;  // http://host[:port]/path; empty: no "cmp" partner
  std::string reference;
  std::string secretFile;  // PBM secret on its first line, readable by its owner only
  std::string protectionCertificateFile;
  std::string protectionKeyFile;
  std::string serverCertificateFile;
  std::string trustedCaFile;
  pki::DistinguishedName expectedSender;
  std::chrono::seconds timeout{30};

  bool configured() const { return !url.empty(); }
};

// Applicants' keys for enrolments in key mode "hsm" (enrollment.hsm.*): the PKCS#11 token they are
// generated in. The PIN stays in its file until the token is opened.
struct EnrollmentHsmSettings {
  std::string pkcs11Module;  // empty: key mode "hsm" is refused
  std::string pkcs11Token;
  std::string pkcs11PinFile;
  pki::KeyAlgorithm algorithm = pki::KeyAlgorithm::Rsa;

  bool configured() const { return !pkcs11Module.empty(); }
};

// Remote signing with a citizen's key at a partner (partners.vnpt_smartca.*,
// partners.viettel_mysign.*, remote_signing.*). A partner is enabled by its base_url; its secrets
// come from the settings or, better, its secrets_file, and are held only by its adapter.
struct RemoteSigningSettings {
  std::optional<pki::VnptSmartCaSettings> vnpt;
  std::optional<pki::ViettelMySignSettings> viettel;
  // partners.<name>.answer: a signature value over kyso's digest, or a whole CMS (remote_signer.h).
  pki::RemoteAnswerForm vnptAnswer = pki::RemoteAnswerForm::Signature;
  pki::RemoteAnswerForm viettelAnswer = pki::RemoteAnswerForm::Signature;
  std::chrono::milliseconds pollInterval{1000};   // how often the worker looks for due sessions
  std::chrono::seconds partnerPoll{5};            // how often a partner is asked about one session
  std::chrono::seconds lifetime{10 * 60};         // how long the citizen has to confirm
  std::chrono::seconds retention{7 * 24 * 3600};  // how long a final session is kept
};

struct Settings {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::filesystem::path dataDir = "var";
  std::string publicUrl;              // default http://<host>:<port>
  bool publicUrlExplicit = false;     // set by configuration rather than derived
  unsigned threads = 0;               // signing slots; 0: one per core
  unsigned connections = 0;           // connection threads (keep-alive holds one); 0: max(64, 16 per core)
  unsigned queue = 64;                // connections waiting for a connection thread
  std::chrono::seconds busyWait{30};  // how long a request waits for a signing slot before a 503
  std::chrono::seconds timeout{30};
  std::uint64_t maxDocumentBytes = 64ull << 20;
  // Two-step signing: how long a session waits for its signature, and how long a session is kept
  // after it expired (its signed document stays retrievable until then).
  std::chrono::seconds sessionLifetime{15 * 60};
  std::chrono::seconds sessionRetention{24 * 3600};
  std::string logLevel = "information";

  pki::DevPkiOptions devPki;
  std::vector<KeySettings> keys;  // empty: the development PKI provides "seal"
  std::string defaultKey = "seal";

  // Visible signatures: the faces of their text, and per-key defaults.
  std::string fontRegular = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf";
  std::string fontBold = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf";
  std::map<std::string, AppearanceSettings> appearances;  // by key id

  std::string tsaUrl;        // empty: the embedded TSA
  std::string tsaTrustFile;  // PEM anchors for tokens from tsaUrl
  std::chrono::milliseconds tsaTimeout{10'000};
  std::string tsaPolicyOid = "2.999.7.1";  // embedded TSA; the ITU-T example arc, for development only
  std::size_t tsaMaxTokenBytes = 16 * 1024;

  // Events to the API clients' callback URLs: how often the outbox is polled, and how long one
  // delivery may take (connect, send, answer).
  std::chrono::milliseconds callbackPollInterval{500};
  std::chrono::seconds callbackTimeout{10};

  // Certificate enrolment: how often the worker looks for due enrolments, how often a partner is
  // asked about an enrolment it works on, and when an enrolment fails (unanswered attempts in a
  // row, age).
  std::chrono::milliseconds enrollmentPollInterval{1000};
  std::chrono::seconds enrollmentPartnerPoll{60};
  int enrollmentMaxFailures = 10;
  std::chrono::hours enrollmentMaxAge{24 * 7};

  VerifySettings verify;
  CmpPartnerSettings cmp;
  EnrollmentHsmSettings enrollmentHsm;
  RemoteSigningSettings remoteSigning;

  std::filesystem::path databaseFile() const { return dataDir / "kyso.db"; }
  std::filesystem::path devPkiDir() const { return dataDir / "pki"; }
  bool usesDevPki() const { return keys.empty(); }

  // Loads defaults < file < environment < overrides (keys as in the file: "server.port").
  // Throws InputError("config_invalid") with the offending key.
  static Settings load(const std::optional<std::filesystem::path>& configFile,
                       const std::map<std::string, std::string>& overrides,
                       const std::map<std::string, std::string>& environment);
  // Records the port actually bound (for --port 0) and, unless public_url was configured,
  // derives the public URL from it.
  void bindPort(int actualPort);
  // Creating the development PKI writes publicUrl into its certificates (CRL, OCSP, CA issuers):
  // throws InputError("config_invalid") when that URL has no usable port (server.port 0 unbound).
  void requireDevPkiUrlUsable() const;

  // The first line of a secret file named by `setting`, checked again to be its owner's only.
  // Throws InputError("config_invalid") naming the setting, never showing the content.
  static std::string readSecretFile(const std::filesystem::path& path, const std::string& setting);

  // The process environment's KYSO_* variables.
  static std::map<std::string, std::string> processEnvironment();
};

}  // namespace kyso::api
