// The development PKI: created on first start when no keys are configured, so the service signs
// out of the box. Root CA → issuing CA → {agency seal, TSA, OCSP responder}. Never for production:
// the keys sit unencrypted (0600) in the data directory.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/signing_key.h"
#include "kyso/pki/software_key.h"

namespace kyso::pki {

struct DevPkiOptions {
  KeyAlgorithm algorithm = KeyAlgorithm::Rsa;
  // Where kyso serves /pki/crl and /pki/ocsp; written into CDP and AIA extensions.
  std::string publicBaseUrl = "http://127.0.0.1:8080";
  // The agency's seal certificate, in Vietnamese practice: CN, O, ST, C=VN, UID=MST:<tax code>.
  std::string agencyName = "Trung tâm Phục vụ hành chính công tỉnh Mẫu (DEV)";
  std::string organization = "Ủy ban nhân dân tỉnh Mẫu";
  std::string province = "Tỉnh Mẫu";
  std::string taxCode = "0101234565";
};

class DevPki {
 public:
  static bool exists(const std::filesystem::path& dir);
  // Loads the PKI in `dir`, creating it first if absent. Creation is atomic (built in a sibling
  // directory and renamed into place), so a server and a CLI starting together agree on one PKI.
  static DevPki ensure(const std::filesystem::path& dir, const DevPkiOptions& options, const Clock& clock);
  static DevPki load(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const Certificate& rootCa() const { return root_; }
  const Certificate& issuingCa() const { return issuing_.chain.front(); }

  // Keys are read from disk on first use.
  // The issuing CA with its key (signs CRLs and, later, citizens' certificates).
  const SigningCredential& issuingCaCredential() const { return issuing_; }
  std::shared_ptr<SoftwareKey> issuingCaKey() const { return issuingKey_->get(); }
  // The agency's seal: leaf + issuing CA.
  const SigningCredential& seal() const { return seal_; }
  const SigningCredential& tsa() const { return tsa_; }
  std::shared_ptr<SoftwareKey> tsaKey() const { return tsaKey_->get(); }
  const SigningCredential& ocspResponder() const { return ocsp_; }
  std::shared_ptr<SoftwareKey> ocspKey() const { return ocspKey_->get(); }
  std::shared_ptr<SoftwareKey> rootKey() const { return rootKey_->get(); }

  // File names inside dir().
  static constexpr const char* kRootCert = "root-ca.crt.pem";
  static constexpr const char* kIssuingCert = "issuing-ca.crt.pem";
  static constexpr const char* kSealCert = "seal.crt.pem";
  static constexpr const char* kTsaCert = "tsa.crt.pem";
  static constexpr const char* kOcspCert = "ocsp.crt.pem";

 private:
  static void generate(const std::filesystem::path& dir, const DevPkiOptions& options, const Clock& clock);

  std::filesystem::path dir_;
  Certificate root_;
  std::shared_ptr<LazyPemKey> rootKey_;
  SigningCredential issuing_;
  std::shared_ptr<LazyPemKey> issuingKey_;
  SigningCredential seal_;
  SigningCredential tsa_;
  std::shared_ptr<LazyPemKey> tsaKey_;
  SigningCredential ocsp_;
  std::shared_ptr<LazyPemKey> ocspKey_;

  DevPki(std::filesystem::path dir, Certificate root);
};

}  // namespace kyso::pki
