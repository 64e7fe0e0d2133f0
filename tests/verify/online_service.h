// An in-process kyso (ServiceCore + HttpServer on port 0) whose development PKI names this server
// in its AIA and CDP URLs, so the revocation data of its certificates comes from its own
// POST /pki/ocsp and GET /pki/crl. ECDSA keys keep a fresh PKI per test cheap.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "kyso/api/http_server.h"
#include "kyso/api/service_core.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/store/certificates.h"
#include "pdf_builder.h"
#include "test_support.h"

namespace kyso::test {

class OnlineService : public ::testing::Test {
 protected:
  TempDir dir;
  pki::FixedClock clock{std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now())};
  std::unique_ptr<api::ServiceCore> core;
  std::unique_ptr<api::HttpServer> server;
  int port = 0;
  std::string publicUrl;

  // Settings beyond the defaults of these tests ("verify.max_bytes"...).
  virtual std::map<std::string, std::string> extraSettings() const { return {}; }

  void SetUp() override {
    auto listener = api::HttpListener::bind("127.0.0.1", 0);
    port = listener.port();
    publicUrl = "http://127.0.0.1:" + std::to_string(port);
    std::map<std::string, std::string> settings = {{"data_dir", dataDir().string()},
                                                   {"server.threads", "2"},
                                                   {"log.level", "none"},
                                                   {"pki.dev.algorithm", "ec"},
                                                   {"public_url", publicUrl}};
    for (const auto& [key, value] : extraSettings()) settings[key] = value;
    api::Settings loaded = api::Settings::load(std::nullopt, settings, {});
    loaded.bindPort(port);
    core = std::make_unique<api::ServiceCore>(loaded, clock);
    server = std::make_unique<api::HttpServer>(*core, std::move(listener));
    server->start();
  }
  void TearDown() override {
    if (server) server->stop();
    server.reset();
    core.reset();
  }

  std::filesystem::path dataDir() const { return dir.path() / "var"; }
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

  // A new end-entity certificate from the development PKI's issuing CA, for a fresh key; with
  // `ocspUrl` false the certificate names only the CRL distribution point.
  pki::SigningCredential issue(const std::string& name, bool ocspUrl = true) {
    pki::LocalCaOptions options = core->issuingCa()->options();
    if (!ocspUrl) options.ocspUrl.clear();
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
