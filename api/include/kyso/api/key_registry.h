// The signing keys the service holds, by id.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kyso/api/settings.h"
#include "kyso/pki/pkcs11.h"
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

  // Loads a configured key, from files or from a PKCS#11 token.
  static pki::SigningCredential load(const KeySettings& settings);
  // Loads a file key: PEM key + chain, or PKCS#12. Checks that the key matches the certificate.
  static pki::SigningCredential loadFileKey(const KeySettings& settings);
  // Logs in to the key's token with the PIN from keys.<id>.pkcs11_pin_file, finds the key and
  // checks it against the first certificate of pem_chain. Errors name the key and keep the
  // pkcs11_* code (pkcs11_login_failed for a wrong PIN). Later, while signing, a token that stops
  // answering is 503 pkcs11_unavailable / pkcs11_not_logged_in and is logged in to again by the
  // next signature; any other failure of the key is 500 key_unavailable. A PIN the token refuses
  // then is not tried again (a token locks its PIN after a few wrong tries) until a restart.
  static pki::SigningCredential loadPkcs11Key(const KeySettings& settings);

  // The user PIN in the first line of `path`. The file must be the owner's alone (no permission
  // bits for group or others): otherwise InputError("config_invalid") naming `setting`.
  static pki::Pkcs11Pin readPinFile(const std::filesystem::path& path, const std::string& setting);

 private:
  std::map<std::string, pki::SigningCredential> keys_;
  std::string defaultId_ = "seal";
};

}  // namespace kyso::api
