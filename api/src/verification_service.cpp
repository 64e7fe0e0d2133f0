#include "kyso/api/verification_service.h"

#include <fstream>
#include <sstream>

#include "kyso/error.h"

namespace kyso::api {

namespace {

std::vector<pki::Certificate> anchorsFromFile(const std::string& path, const std::string& key) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("config_invalid", key + " names a file that cannot be read: " + path);
  std::stringstream text;
  text << in.rdbuf();
  // A placeholder holds comments only: nothing trusted yet.
  if (text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) return {};
  try {
    return pki::Certificate::allFromPem(text.str());
  } catch (const InputError& e) {
    throw InputError("config_invalid", key + " (" + path + "): " + e.what());
  }
}

}  // namespace

std::vector<pki::Certificate> configuredTrustAnchors(const VerifySettings& settings) {
  std::vector<pki::Certificate> out;
  for (const auto& [path, key] : {std::pair{&settings.trustVnNationalRoot, "verify.trust.vn_national_root"},
                                  std::pair{&settings.trustGovCa, "verify.trust.gov_ca"},
                                  std::pair{&settings.trustExtra, "verify.trust.extra"}}) {
    for (auto& cert : anchorsFromFile(*path, key)) out.push_back(std::move(cert));
  }
  return out;
}

OwnPkiRevocationFetcher::OwnPkiRevocationFetcher(OwnRevocationSources own,
                                                 std::shared_ptr<const signer::RevocationFetcher> network)
    : own_(std::move(own)), network_(std::move(network)) {}

signer::RevocationAnswer OwnPkiRevocationFetcher::fetch(const signer::RevocationRequest& request) const {
  const std::string& url = request.url;
  const std::string& base = own_.publicUrl;
  if (!base.empty() && url.starts_with(base)) {
    const std::string path = url.substr(base.size());
    if (request.source == signer::RevocationSource::Ocsp && path == "/pki/ocsp" && own_.ocsp != nullptr) {
      return {own_.ocsp->respond(request.body), false};
    }
    if (request.source == signer::RevocationSource::Crl && path == "/pki/crl" && own_.issuingCa != nullptr) {
      return {own_.issuingCa->currentCrl().der, false};
    }
    if (request.source == signer::RevocationSource::Crl && path == "/pki/crl/root" && own_.rootCa != nullptr) {
      return {own_.rootCa->currentCrl().der, false};
    }
  }
  return network_->fetch(request);
}

VerificationService::VerificationService(const Settings& settings, const pki::Clock& clock, const pki::DevPki* devPki,
                                         OwnRevocationSources own)
    : fetcher_(
          std::make_shared<OwnPkiRevocationFetcher>(std::move(own), std::make_shared<signer::HttpRevocationFetcher>())),
      cache_(std::make_unique<signer::RevocationCache>()) {
  policy_.trustAnchors = configuredTrustAnchors(settings.verify);
  if (devPki != nullptr) {
    policy_.trustAnchors.push_back(devPki->rootCa());
    policy_.intermediates.push_back(devPki->issuingCa());
  }
  // Time-stamps from the configured TSA are trusted through its own anchors as well.
  if (!settings.tsaTrustFile.empty()) {
    policy_.timeStampTrustAnchors = policy_.trustAnchors;
    for (auto& cert : pki::Certificate::allFromPemFile(settings.tsaTrustFile)) {
      policy_.timeStampTrustAnchors.push_back(std::move(cert));
    }
  }
  policy_.clock = &clock;
  policy_.revocation = signer::RevocationCheck::Require;
  policy_.revocationFetcher = fetcher_.get();
  policy_.revocationCache = cache_.get();
  policy_.revocationTimeout = settings.verify.revocationTimeout;
}

signer::VerificationReport VerificationService::verifyPdf(const signer::PdfInput& input) const {
  return signer::verifyPdf(input, policy_);
}

signer::VerificationReport VerificationService::verifyXml(const signer::XmlDocument& document,
                                                          std::uint64_t size) const {
  return signer::verifyXml(document, size, policy_);
}

}  // namespace kyso::api
