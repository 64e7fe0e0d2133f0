// The signing keys the service holds, by id.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kyso/api/settings.h"
#include "kyso/pki/signing_key.h"

namespace kyso::api {

class KeyRegistry {
 public:
  void add(pki::SigningCredential credential);
  // Throws NotFoundError("key_not_found").
  const pki::SigningCredential& get(const std::string& id) const;
  const pki::SigningCredential& defaultKey() const { return get(defaultId_); }
  void setDefault(std::string id) { defaultId_ = std::move(id); }
  const std::string& defaultId() const { return defaultId_; }
  std::vector<std::string> ids() const;

  // Loads a file key: PEM key + chain, or PKCS#12. Checks that the key matches the certificate.
  static pki::SigningCredential loadFileKey(const KeySettings& settings);

 private:
  std::map<std::string, pki::SigningCredential> keys_;
  std::string defaultId_ = "seal";
};

}  // namespace kyso::api
