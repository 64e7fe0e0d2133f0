#include "kyso/pki/dev_pki.h"

#include <unistd.h>

#include <random>
#include <system_error>

#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/pki/certificate_builder.h"

namespace kyso::pki {

namespace {

namespace fs = std::filesystem;

constexpr auto kYear = std::chrono::hours(24 * 365);

struct Issued {
  Certificate cert;
  std::shared_ptr<SoftwareKey> key;
};

void save(const fs::path& dir, const std::string& stem, const Issued& issued) {
  writeFileAtomic(dir / (stem + ".crt.pem"), issued.cert.pem(), 0644);
  std::string pem = issued.key->privateKeyPem();
  writeFileAtomic(dir / (stem + ".key.pem"), pem, 0600);
  wipe(pem);
}

struct Stored {
  Certificate cert;
  std::shared_ptr<LazyPemKey> key;
};

Stored loadStored(const fs::path& dir, const std::string& stem) {
  Certificate cert = Certificate::fromPem(readFile(dir / (stem + ".crt.pem")));
  auto key = std::make_shared<LazyPemKey>((dir / (stem + ".key.pem")).string(), cert);
  return {cert, key};
}

}  // namespace

DevPki::DevPki(fs::path dir, Certificate root) : dir_(std::move(dir)), root_(std::move(root)) {}

bool DevPki::exists(const fs::path& dir) {
  return fs::exists(dir / kRootCert);
}

void DevPki::generate(const fs::path& dir, const DevPkiOptions& options, const Clock& clock) {
  const KeyAlgorithm alg = options.algorithm;
  // Back-date a little so that a machine whose clock is slightly behind still accepts them.
  const TimePoint start = clock.now() - std::chrono::hours(1);
  const std::string base = options.publicBaseUrl;
  const DistinguishedName devOrg{{"C", "VN"}, {"O", "kyso development PKI (not for production)"}};

  const Issued root = [&] {
    auto key = SoftwareKey::generate(alg);
    CertificateProfile p;
    p.subject = devOrg;
    p.subject.push_back({"CN", "kyso Dev Root CA"});
    p.notBefore = start;
    p.lifetime = 20 * kYear;
    p.ca = true;
    p.keyUsage = "critical,keyCertSign,cRLSign";
    return Issued{issueCertificate(p, key->get(), nullptr, *key), key};
  }();
  const Issued issuing = [&] {
    auto key = SoftwareKey::generate(alg);
    CertificateProfile p;
    p.subject = devOrg;
    p.subject.push_back({"CN", "kyso Dev Issuing CA"});
    p.notBefore = start;
    p.lifetime = 10 * kYear;
    p.ca = true;
    p.pathLength = 0;
    p.keyUsage = "critical,keyCertSign,cRLSign";
    p.crlUrl = base + "/pki/crl/root";
    p.caIssuersUrl = base + "/pki/ca/root.crt";
    return Issued{issueCertificate(p, key->get(), &root.cert, *root.key), key};
  }();
  auto leaf = [&](DistinguishedName subject, std::string keyUsage, std::string eku, bool ocspNoCheck) {
    auto key = SoftwareKey::generate(alg);
    CertificateProfile p;
    p.subject = std::move(subject);
    p.notBefore = start;
    p.lifetime = 3 * kYear;
    p.keyUsage = std::move(keyUsage);
    p.extendedKeyUsage = std::move(eku);
    p.crlUrl = base + "/pki/crl";
    p.ocspUrl = ocspNoCheck ? "" : base + "/pki/ocsp";
    p.caIssuersUrl = base + "/pki/ca/issuing.crt";
    p.ocspNoCheck = ocspNoCheck;
    return Issued{issueCertificate(p, key->get(), &issuing.cert, *issuing.key), key};
  };
  // The agency's seal, subject as Vietnamese CAs write it (UID=MST:<tax code>).
  const Issued seal = leaf({{"C", "VN"},
                            {"ST", options.province},
                            {"O", options.organization},
                            {"CN", options.agencyName},
                            {"UID", "MST:" + options.taxCode}},
                           "critical,digitalSignature,nonRepudiation", "emailProtection,clientAuth", false);
  // RFC 3161 §2.3: the TSA certificate has exactly one, critical, EKU: timeStamping.
  const Issued tsa = leaf({{"C", "VN"}, {"O", "kyso development PKI (not for production)"}, {"CN", "kyso Dev TSA"}},
                          "critical,digitalSignature", "critical,timeStamping", false);
  const Issued ocsp =
      leaf({{"C", "VN"}, {"O", "kyso development PKI (not for production)"}, {"CN", "kyso Dev OCSP Responder"}},
           "critical,digitalSignature", "OCSPSigning", true);

  fs::create_directories(dir);
  save(dir, "issuing-ca", issuing);
  save(dir, "seal", seal);
  save(dir, "tsa", tsa);
  save(dir, "ocsp", ocsp);
  save(dir, "root-ca", root);  // last: its presence marks a complete PKI
}

DevPki DevPki::ensure(const fs::path& dir, const DevPkiOptions& options, const Clock& clock) {
  if (!exists(dir)) {
    fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path());
    std::random_device random;
    const fs::path staging = dir.string() + ".staging-" + std::to_string(::getpid()) + "-" + std::to_string(random());
    generate(staging, options, clock);
    std::error_code ec;
    fs::rename(staging, dir, ec);
    if (ec) {
      // Somebody else created it first (or an empty directory is in the way): keep theirs.
      fs::remove_all(staging);
      if (!exists(dir)) {
        throw InternalError("cannot create the development PKI in " + dir.string() + ": " + ec.message(),
                            "pki_unavailable");
      }
    }
  }
  return load(dir);
}

DevPki DevPki::load(const fs::path& dir) {
  const Stored root = loadStored(dir, "root-ca");
  const Stored issuing = loadStored(dir, "issuing-ca");
  const Stored seal = loadStored(dir, "seal");
  const Stored tsa = loadStored(dir, "tsa");
  const Stored ocsp = loadStored(dir, "ocsp");

  DevPki pki(dir, root.cert);
  pki.rootKey_ = root.key;
  pki.issuingKey_ = issuing.key;
  pki.issuing_ = {"issuing-ca", issuing.key, {issuing.cert, root.cert}};
  pki.seal_ = {"seal", seal.key, {seal.cert, issuing.cert, root.cert}};
  pki.tsaKey_ = tsa.key;
  pki.tsa_ = {"tsa", tsa.key, {tsa.cert, issuing.cert, root.cert}};
  pki.ocspKey_ = ocsp.key;
  pki.ocsp_ = {"ocsp", ocsp.key, {ocsp.cert, issuing.cert, root.cert}};
  return pki;
}

}  // namespace kyso::pki
