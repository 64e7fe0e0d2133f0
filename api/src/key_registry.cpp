#include "kyso/api/key_registry.h"

#include <Poco/Logger.h>
#include <sys/stat.h>

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/pki/software_key.h"

namespace kyso::api {

namespace {

std::string withDetail(const Error& e) {
  return std::string(e.what()) + " (" + e.code() + (e.detail().empty() ? "" : ": " + e.detail()) + ")";
}

// A configured key in a PKCS#11 token, as the signers see it. It is logged in at start-up, so a
// wrong PIN stops the service there. A key the token fails on later is dropped and opened again
// (see signDigest); the PIN file is read again for that, and the PIN wiped once the token saw it.
class TokenSigningKey final : public pki::SigningKey {
 public:
  TokenSigningKey(KeySettings settings, pki::Certificate certificate)
      : settings_(std::move(settings)), certificate_(std::move(certificate)), key_(open()) {
    pki::requireKeyMatchesCertificate(*key_, certificate_);
    algorithm_ = key_->algorithm();
    maxSignatureSize_ = key_->maxSignatureSize();
  }

  pki::KeyAlgorithm algorithm() const override { return algorithm_; }
  std::size_t maxSignatureSize() const override { return maxSignatureSize_; }

  // A token that lost this process's login or the key's handle (an HSM restarted, a network HSM
  // dropped its sessions, another application logged out: SoftHSM then answers
  // CKR_OBJECT_HANDLE_INVALID) is logged in to again, with the PIN read again from its file, and
  // the signature tried once more. What still fails is the operator's problem, never the
  // caller's: a 401 pkcs11_login_failed or 404 pkcs11_key_not_found must not reach a client that
  // merely asked for a signature.
  Bytes signDigest(pki::DigestAlgorithm algorithm, ByteView digest) const override {
    for (int attempt = 0;; ++attempt) {
      const std::shared_ptr<pki::Pkcs11Key> key = current();
      try {
        return key->signDigest(algorithm, digest);
      } catch (const InputError&) {
        throw;  // a digest of the wrong length: the signer's defect (signing_key_failure)
      } catch (const Error& e) {
        forget(key);
        if (attempt == 0) {
          Poco::Logger::get("kyso.keys")
              .warning("key '%s' in PKCS#11 token '%s' failed (%s); logging in again", settings_.id,
                       settings_.pkcs11Token, withDetail(e));
          continue;
        }
        if (e.kind() == ErrorKind::Unavailable) throw;  // 503: the token is not answering
        throw unusable(e);
      }
    }
  }

 private:
  std::shared_ptr<pki::Pkcs11Key> open() const {
    pki::Pkcs11KeyReference reference;
    reference.module = settings_.pkcs11Module;
    reference.token = settings_.pkcs11Token;
    reference.keyLabel = settings_.pkcs11KeyLabel;
    if (reference.keyLabel.empty()) reference.keyId = fromHex(settings_.pkcs11KeyId);
    return pki::openPkcs11Key(
        reference, KeyRegistry::readPinFile(settings_.pkcs11PinFile, "keys." + settings_.id + ".pkcs11_pin_file"));
  }

  std::shared_ptr<pki::Pkcs11Key> current() const {
    std::lock_guard lock(mutex_);
    if (key_) return key_;
    if (refused_) throw Error(ErrorKind::Internal, "key_unavailable", "a service key cannot be loaded", *refused_);
    try {
      auto key = open();
      pki::requireKeyMatchesCertificate(*key, certificate_);
      key_ = std::move(key);
      return key_;
    } catch (const AccessError& e) {
      // A PIN the token refuses (or a locked or expired PIN) is not tried again: a token locks
      // its PIN after a few wrong tries. Fixing the PIN file and restarting is the way out.
      refused_ = "key '" + settings_.id + "': " + withDetail(e) + "; not tried again until a restart";
      throw Error(ErrorKind::Internal, "key_unavailable", "a service key cannot be loaded", *refused_);
    } catch (const UnavailableError&) {
      throw;
    } catch (const NotFoundError& e) {
      if (e.code() != "pkcs11_token_not_found") throw unusable(e);
      // The token is not (yet) back: as unavailable as one that stopped answering.
      throw UnavailableError("pkcs11_unavailable", "the signing token is not available",
                             "key '" + settings_.id + "': " + withDetail(e));
    } catch (const Error& e) {
      throw unusable(e);
    }
  }

  void forget(const std::shared_ptr<pki::Pkcs11Key>& key) const {
    std::lock_guard lock(mutex_);
    if (key_ == key) key_.reset();
  }

  Error unusable(const Error& e) const {
    return Error(ErrorKind::Internal, "key_unavailable", "a service key cannot be loaded",
                 "key '" + settings_.id + "' in PKCS#11 token '" + settings_.pkcs11Token + "': " + withDetail(e));
  }

  const KeySettings settings_;
  const pki::Certificate certificate_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<pki::Pkcs11Key> key_;  // null after the token failed, until logged in again
  mutable std::optional<std::string> refused_;   // why the token refused the PIN
  pki::KeyAlgorithm algorithm_ = pki::KeyAlgorithm::Rsa;
  std::size_t maxSignatureSize_ = 0;
};

}  // namespace

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

pki::SigningCredential KeyRegistry::load(const KeySettings& settings) {
  return settings.inPkcs11Token() ? loadPkcs11Key(settings) : loadFileKey(settings);
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

pki::SigningCredential KeyRegistry::loadPkcs11Key(const KeySettings& settings) {
  const auto certs = pki::Certificate::allFromPemFile(settings.pemChain);
  pki::SigningCredential credential;
  credential.id = settings.id;
  credential.chain = pki::orderChain(certs.front(), certs);
  try {
    credential.key = std::make_shared<TokenSigningKey>(settings, credential.certificate());
  } catch (const Error& e) {
    // The token's messages do not say which configured key they are about.
    throw Error(e.kind(), e.code(),
                "key '" + settings.id + "' in PKCS#11 token '" + settings.pkcs11Token + "': " + e.what(), e.detail());
  }
  return credential;
}

pki::Pkcs11Pin KeyRegistry::readPinFile(const std::filesystem::path& path, const std::string& setting) {
  struct ::stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    throw InputError("file_unreadable", "cannot read the PIN file " + path.string() + " (" + setting + ")");
  }
  // The same rule as ssh's for private keys: a secret others may read (or replace) is no secret.
  if ((status.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", status.st_mode & 07777);
    throw InputError("config_invalid", setting + ": the PIN file " + path.string() + " has mode " + mode +
                                           "; it must be accessible to its owner only (chmod 600)");
  }
  return pki::Pkcs11Pin::fromFile(path);
}

}  // namespace kyso::api
