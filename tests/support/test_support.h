// Shared test helpers: temporary directories, running the real peer tools, a development PKI
// made once per test process, an NSS database that trusts it, and reading signatures back out of
// a PDF the way a verifier would.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/dev_pki.h"

namespace kyso::test {

// ../shared next to the source tree (the corpus nobody on the team wrote).
std::filesystem::path sharedDir();
std::filesystem::path corpusPdf(const std::string& name);
// Directory of kyso and kyso-server.
std::filesystem::path binDir();

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct ProcessResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs a program directly (no shell), with an optional standard input and timeout.
ProcessResult run(const std::vector<std::string>& argv, const std::string& input = {}, int timeoutSeconds = 120);

std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, std::string_view data);

// A development PKI created once per process (RSA or ECDSA).
const pki::DevPki& devPki(pki::KeyAlgorithm algorithm = pki::KeyAlgorithm::Rsa);

// An NSS database (for pdfsig) that trusts exactly the given root certificate.
class NssDatabase {
 public:
  explicit NssDatabase(const pki::Certificate& root);
  std::string spec() const { return "sql:" + dir_.path().string(); }

 private:
  TempDir dir_;
};

// One signature as a verifier finds it: its /ByteRange and the DER in /Contents (padding removed).
struct EmbeddedSignature {
  std::array<std::uint64_t, 4> byteRange{};
  Bytes cms;
  std::string signedBytes;  // the two ranges concatenated
};
std::vector<EmbeddedSignature> embeddedSignatures(const std::string& pdf);

// What the peer tools say about a signed PDF.
struct PeerVerdict {
  int signatures = 0;
  int validSignatures = 0;      // pdfsig: "Signature is Valid."
  int trustedCertificates = 0;  // pdfsig: "Certificate is Trusted."
  int opensslVerified = 0;      // openssl cms -verify over each byte range
  bool noSigningTime = true;    // no signing-time among our signed attributes
  std::string pdfsigOutput;
  std::string problems;
};
PeerVerdict checkWithPeers(const std::filesystem::path& pdf, const pki::Certificate& root,
                           const std::vector<pki::Certificate>& untrusted = {});

// qpdf --check: exit code and the warning lines with offsets and file names removed.
struct QpdfCheck {
  int exitCode = -1;
  std::vector<std::string> warnings;
};
QpdfCheck qpdfCheck(const std::filesystem::path& pdf);

// openssl ts -verify of a bare token over `digest`, or of a reply to `query`, trusting the PKI's
// root with its issuing CA as the untrusted intermediate.
ProcessResult opensslVerifyToken(const Bytes& token, const Bytes& digest, const pki::DevPki& pki);
ProcessResult opensslVerifyReply(const std::string& reply, const std::string& query, const pki::DevPki& pki);

// The signature time-stamp token of a CMS SignedData, if it has one.
std::optional<Bytes> signatureTimeStampToken(const Bytes& cms);
// The SignerInfo's signature value.
Bytes signatureValue(const Bytes& cms);
// The OIDs (dotted) of the SignerInfo's unsigned attributes, in order.
std::vector<std::string> unsignedAttributeOids(const Bytes& cms);

// The exception of type E that `f` throws; any other outcome throws (a failure of the test).
template <typename E, typename F>
E expectThrow(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  throw std::runtime_error("the expected exception was not thrown");
}

}  // namespace kyso::test
