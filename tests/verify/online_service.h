// An in-process kyso (ServiceCore + HttpServer on port 0) whose development PKI names this server
// in its AIA and CDP URLs, so the revocation data of its certificates comes from its own
// POST /pki/ocsp and GET /pki/crl. ECDSA keys keep a fresh PKI per test cheap.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/store/certificates.h"
#include "pdf_builder.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::test {

class OnlineService : public ::testing::Test {
 protected:
  pki::FixedClock clock{std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now())};
  std::unique_ptr<TestService> service;
  api::ServiceCore* core = nullptr;
  int port = 0;
  std::string publicUrl;

  // Settings beyond the defaults of these tests ("verify.max_bytes"...).
  virtual std::map<std::string, std::string> extraSettings() const { return {}; }

  void SetUp() override {
    TestServiceOptions options{
        .settings = {{"pki.dev.algorithm", "ec"}}, .publicUrlIsThisServer = true, .clock = &clock};
    for (const auto& [key, value] : extraSettings()) options.settings[key] = value;
    service = std::make_unique<TestService>(std::move(options));
    core = &service->core();
    port = service->port();
    publicUrl = service->url();
  }
  void TearDown() override {
    core = nullptr;
    service.reset();
  }

  std::filesystem::path dataDir() const { return service->dataDir(); }
  const pki::DevPki& pki() const { return *core->devPki(); }
  const pki::SigningCredential& seal() const { return core->keys().get("seal"); }

  // A one-page document signed by `credential` at `level` (B-T time-stamped by the embedded TSA).
  std::string sign(const pki::SigningCredential& credential, signer::PadesLevel level) const {
    signer::PadesOptions options;
    options.level = level;
    options.fields.signingTime = clock.now();
    options.fields.reason = "Approved";
    signer::MemoryPdfOutput output;
    core->pades().sign(signer::PdfInput::fromMemory(buildPdf(onePageObjects())), output, credential, options);
    return output.take();
  }

  // `kyso ARGS` as its own process on the same data directory (database, development PKI) with
  // the same public URL, so its verifier answers this PKI's revocation questions in process too.
  ProcessResult kyso(const std::vector<std::string>& args) const {
    const auto config = service->dir().path() / "kyso.properties";
    writeFile(config, "public_url=" + publicUrl + "\npki.dev.algorithm=ec\nlog.level=none\n");
    std::vector<std::string> argv = {(binDir() / "kyso").string(), "--data-dir", dataDir().string(), "--config",
                                     config.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {}, 60);
  }
  // Writes `bytes` to the file `name` in the service's directory; returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const auto path = service->dir().path() / name;
    writeFile(path, bytes);
    return path.string();
  }

  // A new end-entity certificate from the development PKI's issuing CA, for a fresh key; with
  // `ocspUrl` false the certificate names only the CRL distribution point; `lifetime` replaces the
  // CA's default.
  pki::SigningCredential issue(const std::string& name, bool ocspUrl = true,
                               std::optional<std::chrono::seconds> lifetime = std::nullopt) {
    pki::LocalCaOptions options = core->issuingCa()->options();
    if (!ocspUrl) options.ocspUrl.clear();
    if (lifetime) options.certificateLifetime = *lifetime;
    const auto index = store::certificateRegister(core->store().certificates());
    pki::LocalCertificateAuthority ca(
        pki().issuingCa(), [this] { return pki().issuingCaKey(); }, *index, clock, options);
    const auto key = pki::SoftwareKey::generate(pki::KeyAlgorithm::Ecdsa);
    const pki::CertificateSubject subject{name, {"CCCD:001085012345"}, "Tỉnh Tuyên Quang", ""};
    const Bytes csr = pki::buildCertificateRequest(pki::vietnameseSubjectName(subject), key->get(), *key);
    const pki::Certificate leaf = ca.issue(pki::CertificateRequest::parse(csr), subject);
    return {name, key, {leaf, pki().issuingCa(), pki().rootCa()}};
  }
};

}  // namespace kyso::test
