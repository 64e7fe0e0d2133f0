#include "kyso/api/service_core.h"

#include "kyso/error.h"

namespace kyso::api {

ServiceCore::ServiceCore(Settings settings, const pki::Clock& clock) : settings_(std::move(settings)), clock_(clock) {
  std::filesystem::create_directories(settings_.dataDir);

  std::vector<pki::Certificate> tsaAnchors;
  if (settings_.usesDevPki()) {
    devPki_ = pki::DevPki::ensure(settings_.devPkiDir(), settings_.devPki, clock_);
    keys_.add(devPki_->seal());
    embeddedTsa_ = std::make_shared<pki::TimeStampAuthority>(devPki_->tsaKey(), devPki_->tsa().chain,
                                                             settings_.tsaPolicyOid, clock_);
    tsaAnchors.push_back(devPki_->rootCa());
  } else {
    for (const KeySettings& key : settings_.keys) keys_.add(KeyRegistry::loadFileKey(key));
  }
  keys_.setDefault(settings_.defaultKey);
  keys_.defaultKey();  // throws key_not_found for a bad keys.default

  if (!settings_.tsaTrustFile.empty()) tsaAnchors = pki::Certificate::allFromPemFile(settings_.tsaTrustFile);
  if (!settings_.tsaUrl.empty()) {
    timeStamps_ = std::make_shared<pki::TimeStampClient>(pki::httpTransport(settings_.tsaUrl, settings_.tsaTimeout),
                                                         tsaAnchors, clock_, std::chrono::minutes(5),
                                                         settings_.tsaMaxTokenBytes);
  } else if (embeddedTsa_) {
    timeStamps_ = std::make_shared<pki::TimeStampClient>(pki::inProcessTransport(embeddedTsa_), tsaAnchors, clock_,
                                                         std::chrono::minutes(5), settings_.tsaMaxTokenBytes);
  }
  pades_ = std::make_unique<signer::PadesSigner>(timeStamps_);
  store_ = store::openSqliteStore(settings_.databaseFile());
  signing_ = std::make_unique<SigningService>(keys_, *pades_, store_->audit(), metrics_, clock_);
  apiKeys_ = std::make_unique<ApiKeyService>(store_->apiKeys(), clock_);
}

ServiceCore::~ServiceCore() = default;

}  // namespace kyso::api
