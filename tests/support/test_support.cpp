#include "test_support.h"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <openssl/cms.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "kyso/pki/ossl.h"

namespace kyso::test {

namespace fs = std::filesystem;

fs::path sharedDir() {
  return fs::path(KYSO_SOURCE_DIR) / ".." / "shared";
}
fs::path corpusPdf(const std::string& name) {
  return sharedDir() / "corpus" / "pdf" / name;
}
fs::path binDir() {
  return fs::path(KYSO_BINARY_DIR) / "bin";
}

TempDir::TempDir() {
  std::random_device random;
  path_ = fs::temp_directory_path() / ("kyso-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

ProcessResult run(const std::vector<std::string>& argv, const std::string& input, int timeoutSeconds) {
  Poco::Pipe in, out;
  Poco::Process::Args args(argv.begin() + 1, argv.end());
  Poco::ProcessHandle handle = Poco::Process::launch(argv.front(), args, &in, &out, &out);
  std::thread writer([&] {
    Poco::PipeOutputStream stdinStream(in);
    stdinStream << input;
    stdinStream.close();
  });
  ProcessResult result;
  std::thread reader([&] {
    Poco::PipeInputStream stream(out);
    Poco::StreamCopier::copyToString(stream, result.output);
  });
  // A watchdog: a hung peer must fail the test, not the CI run.
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!finished.wait_for(lock, std::chrono::seconds(timeoutSeconds), [&] { return done; })) {
      Poco::Process::kill(handle);
    }
  });
  result.exitCode = handle.wait();
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  finished.notify_one();
  writer.join();
  reader.join();
  watchdog.join();
  return result;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, std::string_view data) {
  std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
}

const pki::DevPki& devPki(pki::KeyAlgorithm algorithm) {
  static std::mutex mutex;
  static std::optional<TempDir> dir;
  static std::optional<pki::DevPki> rsa, ec;
  std::lock_guard lock(mutex);
  if (!dir) dir.emplace();
  auto& slot = algorithm == pki::KeyAlgorithm::Rsa ? rsa : ec;
  if (!slot) {
    pki::DevPkiOptions options;
    options.algorithm = algorithm;
    slot = pki::DevPki::ensure(dir->path() / (algorithm == pki::KeyAlgorithm::Rsa ? "rsa" : "ec"), options,
                               pki::SystemClock::instance());
  }
  return *slot;
}

NssDatabase::NssDatabase(const pki::Certificate& root) {
  const auto init = run({"/usr/bin/certutil", "-N", "-d", spec(), "--empty-password"});
  if (init.exitCode != 0) throw std::runtime_error("certutil -N failed: " + init.output);
  writeFile(dir_ / "root.pem", root.pem());
  const auto add = run({"/usr/bin/certutil", "-A", "-d", spec(), "-n", "kyso-test-root", "-t", "CT,C,C", "-i",
                        (dir_ / "root.pem").string()});
  if (add.exitCode != 0) throw std::runtime_error("certutil -A failed: " + add.output);
}

std::vector<EmbeddedSignature> embeddedSignatures(const std::string& pdf) {
  std::vector<EmbeddedSignature> out;
  static const std::regex byteRange(R"(/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\])");
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), byteRange); it != std::sregex_iterator(); ++it) {
    EmbeddedSignature s;
    for (std::size_t i = 0; i < 4; ++i) s.byteRange[i] = std::stoull((*it)[i + 1]);
    const auto [a, b, c, d] = s.byteRange;
    if (c + d > pdf.size() || a + b > c) throw std::runtime_error("byte range beyond the file");
    // The DER SEQUENCE's own length tells where the zero padding starts.
    Bytes der = fromHex(pdf.substr(static_cast<std::size_t>(b + 1), static_cast<std::size_t>(c - b - 2)));
    if (der.size() > 2 && der[0] == 0x30) {
      std::size_t length = der[1];
      std::size_t header = 2;
      if (der[1] & 0x80) {
        const std::size_t n = der[1] & 0x7f;
        length = 0;
        for (std::size_t i = 0; i < n && 2 + i < der.size(); ++i) length = length << 8 | der[2 + i];
        header = 2 + n;
      }
      if (header + length <= der.size()) der.resize(header + length);
    }
    s.cms = der;
    s.signedBytes = pdf.substr(static_cast<std::size_t>(a), static_cast<std::size_t>(b)) +
                    pdf.substr(static_cast<std::size_t>(c), static_cast<std::size_t>(d));
    out.push_back(std::move(s));
  }
  return out;
}

PeerVerdict checkWithPeers(const fs::path& pdf, const pki::Certificate& root,
                           const std::vector<pki::Certificate>& untrusted) {
  PeerVerdict verdict;
  // One NSS database per root and process: creating one costs more than the checks themselves.
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<NssDatabase>> databases;
  const NssDatabase* cached = nullptr;
  {
    std::lock_guard lock(mutex);
    auto& slot = databases[toHex(root.fingerprint())];
    if (!slot) slot = std::make_unique<NssDatabase>(root);
    cached = slot.get();
  }
  const NssDatabase& nss = *cached;
  // No online OCSP: the dev PKI's responder is not running during these tests.
  const auto pdfsig = run({"/usr/bin/pdfsig", "-nssdir", nss.spec(), "-no-ocsp", pdf.string()});
  verdict.pdfsigOutput = pdfsig.output;
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (std::size_t at = pdfsig.output.find(needle); at != std::string::npos;
         at = pdfsig.output.find(needle, at + 1)) {
      ++n;
    }
    return n;
  };
  verdict.signatures = count("Signature #");
  verdict.validSignatures = count("Signature Validation: Signature is Valid.");
  verdict.trustedCertificates = count("Certificate Validation: Certificate is Trusted.");

  const TempDir work;
  writeFile(work / "root.pem", root.pem());
  std::string chain;
  for (const auto& c : untrusted) chain += c.pem();
  writeFile(work / "untrusted.pem", chain);
  int index = 0;
  for (const auto& signature : embeddedSignatures(readFile(pdf))) {
    const auto content = work / ("content" + std::to_string(index) + ".bin");
    const auto cms = work / ("sig" + std::to_string(index) + ".der");
    writeFile(content, signature.signedBytes);
    writeFile(cms, asChars(signature.cms));
    std::vector<std::string> verify = {"/usr/bin/openssl",
                                       "cms",
                                       "-verify",
                                       "-binary",
                                       "-inform",
                                       "der",
                                       "-in",
                                       cms.string(),
                                       "-content",
                                       content.string(),
                                       "-CAfile",
                                       (work / "root.pem").string(),
                                       "-purpose",
                                       "any",
                                       "-out",
                                       "/dev/null"};
    if (!chain.empty()) {
      verify.push_back("-certfile");
      verify.push_back((work / "untrusted.pem").string());
    }
    const auto verified = run(verify);
    if (verified.exitCode == 0) {
      ++verdict.opensslVerified;
    } else {
      verdict.problems +=
          "openssl cms -verify failed for signature " + std::to_string(index) + ": " + verified.output + "\n";
    }
    const auto printed = run({"/usr/bin/openssl", "cms", "-cmsout", "-print", "-inform", "der", "-in", cms.string()});
    const auto begin = printed.output.find("signedAttrs:");
    const auto end = printed.output.find("signatureAlgorithm:", begin);
    if (begin == std::string::npos ||
        printed.output.substr(begin, end - begin).find("signingTime") != std::string::npos) {
      verdict.noSigningTime = false;
    }
    ++index;
  }
  return verdict;
}

QpdfCheck qpdfCheck(const fs::path& pdf) {
  QpdfCheck check;
  const auto result = run({"/usr/bin/qpdf", "--check", pdf.string()});
  check.exitCode = result.exitCode;
  std::istringstream lines(result.output);
  std::string line;
  static const std::regex offsets(R"((offset|object|stream) \d+)");
  while (std::getline(lines, line)) {
    if (line.find("WARNING") == std::string::npos && line.find("ERROR") == std::string::npos) continue;
    line = std::regex_replace(line, offsets, "$1 N");
    const auto colon = line.find(pdf.string());
    if (colon != std::string::npos) line.erase(colon, pdf.string().size());
    check.warnings.push_back(line);
  }
  return check;
}

namespace {
ProcessResult opensslTsVerify(const pki::DevPki& pki, const TempDir& dir, std::vector<std::string> what) {
  writeFile(dir / "root.pem", pki.rootCa().pem());
  writeFile(dir / "chain.pem", pki.issuingCa().pem());
  std::vector<std::string> argv = {"/usr/bin/openssl", "ts", "-verify"};
  argv.insert(argv.end(), what.begin(), what.end());
  argv.insert(argv.end(), {"-CAfile", (dir / "root.pem").string(), "-untrusted", (dir / "chain.pem").string()});
  return run(argv);
}
}  // namespace

ProcessResult opensslVerifyToken(const Bytes& token, const Bytes& digest, const pki::DevPki& pki) {
  const TempDir dir;
  writeFile(dir / "token.der", asChars(token));
  return opensslTsVerify(pki, dir, {"-token_in", "-in", (dir / "token.der").string(), "-digest", toHex(digest)});
}

ProcessResult opensslVerifyReply(const std::string& reply, const std::string& query, const pki::DevPki& pki) {
  const TempDir dir;
  writeFile(dir / "r.tsr", reply);
  writeFile(dir / "q.tsq", query);
  return opensslTsVerify(pki, dir, {"-in", (dir / "r.tsr").string(), "-queryfile", (dir / "q.tsq").string()});
}

namespace {
CMS_SignerInfo* firstSigner(CMS_ContentInfo* cms) {
  return sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
}
ossl::Ptr<CMS_ContentInfo> parseCms(const Bytes& der) {
  const unsigned char* p = der.data();
  return ossl::own(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())), "d2i_CMS_ContentInfo");
}
}  // namespace

std::optional<Bytes> signatureTimeStampToken(const Bytes& der) {
  auto cms = parseCms(der);
  CMS_SignerInfo* si = firstSigner(cms.get());
  const int index = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
  if (index < 0) return std::nullopt;
  X509_ATTRIBUTE* attribute = CMS_unsigned_get_attr(si, index);
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, 0);
  if (value == nullptr || value->type != V_ASN1_SEQUENCE) return std::nullopt;
  const ASN1_STRING* sequence = value->value.sequence;
  return Bytes(ASN1_STRING_get0_data(sequence), ASN1_STRING_get0_data(sequence) + ASN1_STRING_length(sequence));
}

Bytes signatureValue(const Bytes& der) {
  auto cms = parseCms(der);
  const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(firstSigner(cms.get()));
  return Bytes(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value));
}

std::vector<std::string> unsignedAttributeOids(const Bytes& der) {
  auto cms = parseCms(der);
  CMS_SignerInfo* signer = firstSigner(cms.get());
  std::vector<std::string> oids;
  for (int i = 0; i < CMS_unsigned_get_attr_count(signer); ++i) {
    char oid[80] = "";
    OBJ_obj2txt(oid, sizeof oid, X509_ATTRIBUTE_get0_object(CMS_unsigned_get_attr(signer, i)), 1);
    oids.emplace_back(oid);
  }
  return oids;
}

}  // namespace kyso::test
