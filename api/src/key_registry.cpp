#include "kyso/api/key_registry.h"

#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/pki/software_key.h"

namespace kyso::api {

void KeyRegistry::add(pki::SigningCredential credential) {
  const std::string id = credential.id;
  keys_.insert_or_assign(id, std::move(credential));
}

const pki::SigningCredential& KeyRegistry::get(const std::string& id) const {
  const auto it = keys_.find(id);
  if (it == keys_.end()) throw NotFoundError("key_not_found", "no signing key with id '" + id + "'");
  return it->second;
}

std::vector<std::string> KeyRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, _] : keys_) out.push_back(id);
  return out;
}

pki::SigningCredential KeyRegistry::loadFileKey(const KeySettings& settings) {
  std::string password;
  if (!settings.passwordFile.empty()) {
    password = readFile(settings.passwordFile, 4096);
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  }
  pki::SigningCredential credential;
  credential.id = settings.id;
  if (!settings.pkcs12.empty()) {
    auto contents = pki::loadPkcs12File(settings.pkcs12, std::move(password));
    credential.key = contents.key;
    credential.chain = pki::orderChain(contents.chain.front(), contents.chain);
  } else {
    credential.key = pki::SoftwareKey::fromPemFile(settings.pemKey, password);
    wipe(password);
    const auto certs = pki::Certificate::allFromPemFile(settings.pemChain);
    credential.chain = pki::orderChain(certs.front(), certs);
  }
  pki::requireKeyMatchesCertificate(*credential.key, credential.certificate());
  return credential;
}

}  // namespace kyso::api
