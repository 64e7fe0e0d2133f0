// Keys held in a PKCS#11 token (an HSM, a smart card, SoftHSM2 in tests): generated inside the
// token, never exported, used through the SigningKey interface like any other key.
//
// The pieces follow the PKCS#11 object model (OASIS PKCS#11 Base v2.40):
// - Pkcs11Module: the vendor's library, loaded with dlopen once per process and path, initialised
//   (C_Initialize) on first use and finalised (C_Finalize) when its last user lets go.
// - Pkcs11Token: one token, chosen by its label, with the user logged in. The PIN is wiped once
//   C_Login has seen it. Login is per application (§5.6), so the token keeps one session open for
//   its whole life; each operation takes another session from a small pool, because one session
//   must not be used by two threads at once (§6.6.2) while different sessions may.
// - Pkcs11Key: a private key on the token and its public half as an OpenSSL EVP_PKEY.
//
// Errors: kyso::InputError for unusable arguments (pkcs11_module_invalid, pkcs11_pin_missing,
// pkcs11_label_missing, pkcs11_id_missing, pkcs11_token_ambiguous, pkcs11_key_ambiguous,
// invalid_digest, unsupported_key),
// kyso::NotFoundError (pkcs11_token_not_found, pkcs11_key_not_found, pkcs11_public_key_missing),
// kyso::ConflictError (pkcs11_key_exists), kyso::AccessError (pkcs11_login_failed,
// pkcs11_pin_locked, pkcs11_pin_expired), kyso::UnavailableError when the token stops answering
// (pkcs11_unavailable, pkcs11_not_logged_in), kyso::InternalError("pkcs11_failure") otherwise.
// Messages never contain the PIN; the return value name (CKR_...) is in the message or detail.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/ossl_ptr.h"
#include "kyso/pki/signing_key.h"

namespace kyso::pki {

// A user PIN. Held in one heap buffer that moves without copies and is overwritten
// (OPENSSL_cleanse) when the PIN is destroyed, so no stray copy outlives the login.
class Pkcs11Pin {
 public:
  // Copies `pin` and wipes the caller's string.
  static Pkcs11Pin take(std::string& pin);
  // The first line of a file (at most 4 KiB; a trailing CR/LF is not part of the PIN).
  // Throws InputError("file_unreadable") / InputError("pkcs11_pin_missing") when it is empty.
  static Pkcs11Pin fromFile(const std::filesystem::path& path);

  Pkcs11Pin(Pkcs11Pin&& other) noexcept = default;
  Pkcs11Pin& operator=(Pkcs11Pin&& other) noexcept;
  Pkcs11Pin(const Pkcs11Pin&) = delete;
  Pkcs11Pin& operator=(const Pkcs11Pin&) = delete;
  ~Pkcs11Pin();

  bool empty() const { return value_.empty(); }
  ByteView bytes() const { return value_; }
  void wipe();

 private:
  explicit Pkcs11Pin(Bytes value) : value_(std::move(value)) {}
  Bytes value_;
};

struct Pkcs11TokenInfo {
  unsigned long slot = 0;
  std::string label;  // blank padding removed
  std::string manufacturer;
  std::string model;
  std::string serialNumber;
  bool initialized = false;
  bool loginRequired = false;
};

// A private key as the token describes it. The flags are the token's own account of custody
// (§4.9): a key generated inside the token and never exportable has local, alwaysSensitive and
// neverExtractable set; an auditor can check them with `kyso key list`.
struct Pkcs11KeyInfo {
  std::string label;
  Bytes id;
  KeyAlgorithm algorithm = KeyAlgorithm::Rsa;
  unsigned bits = 0;  // RSA modulus or EC field size
  bool sensitive = false;
  bool extractable = true;
  bool alwaysSensitive = false;
  bool neverExtractable = false;
  bool local = false;  // generated on the token
};

class Pkcs11Key;
struct Pkcs11KeyFactory;  // pkcs11.cpp

class Pkcs11Module {
 public:
  // Loads the module at `path` or returns the instance this process already has for it.
  // Throws InputError("pkcs11_module_invalid") when it cannot be loaded or initialised.
  static std::shared_ptr<Pkcs11Module> load(const std::filesystem::path& path);
  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  const std::string& path() const;
  // "SoftHSM 2.6" style library description and version, for logs and `kyso key list`.
  std::string description() const;
  // Slots that have a token present.
  std::vector<Pkcs11TokenInfo> tokens() const;

  struct State;  // defined in pkcs11_module.h

 private:
  friend class Pkcs11Token;
  explicit Pkcs11Module(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class Pkcs11Token : public std::enable_shared_from_this<Pkcs11Token> {
 public:
  // Finds the token labelled `label`, opens its sessions and logs the user in with `pin`, which is
  // wiped before this returns, successful or not. An empty PIN is accepted only by a token with a
  // protected authentication path (a PIN pad). When another Pkcs11Token of this process is
  // already logged in to the same token, the login is shared (PKCS#11 keeps one login state per
  // application) and the PIN is not checked again.
  static std::shared_ptr<Pkcs11Token> open(std::shared_ptr<Pkcs11Module> module, std::string_view label, Pkcs11Pin pin);
  ~Pkcs11Token();
  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;

  const Pkcs11TokenInfo& info() const;
  const std::shared_ptr<Pkcs11Module>& module() const;

  // Private keys on the token, by label then id. Keys of other types (DSA, GOST) are left out.
  std::vector<Pkcs11KeyInfo> keys() const;

  // Generates a key pair inside the token: RSA-2048 (CKM_RSA_PKCS_KEY_PAIR_GEN, e = 65537) or
  // ECDSA P-256 (CKM_EC_KEY_PAIR_GEN). Both halves are token objects with `label` and `id`
  // (16 random bytes when empty); the private half is sensitive, not extractable, private and
  // can only sign. Throws ConflictError("pkcs11_key_exists") when the label or id is taken.
  std::shared_ptr<Pkcs11Key> generateKey(KeyAlgorithm algorithm, const std::string& label, Bytes id = {});

  // Throws NotFoundError("pkcs11_key_not_found"), or InputError("pkcs11_key_ambiguous") when
  // several private keys carry the label.
  std::shared_ptr<Pkcs11Key> findKey(std::string_view label) const;
  std::shared_ptr<Pkcs11Key> findKeyById(ByteView id) const;

  struct State;  // defined in pkcs11.cpp

 private:
  friend class Pkcs11Key;
  explicit Pkcs11Token(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class Pkcs11Key final : public SigningKey {
 public:
  ~Pkcs11Key() override;
  Pkcs11Key(const Pkcs11Key&) = delete;
  Pkcs11Key& operator=(const Pkcs11Key&) = delete;

  KeyAlgorithm algorithm() const override { return info_.algorithm; }
  std::size_t maxSignatureSize() const override { return maxSignatureSize_; }
  // RSA: CKM_RSA_PKCS over the DigestInfo (RFC 8017 §9.2). ECDSA: CKM_ECDSA over the digest, the
  // token's r||s (PKCS#11 Current Mechanisms §2.3.1) returned as the DER Ecdsa-Sig-Value.
  // Safe to call from several threads: each call signs in its own session.
  Bytes signDigest(DigestAlgorithm algorithm, ByteView digest) const override;

  const Pkcs11KeyInfo& info() const { return info_; }
  // The public half (borrowed; lives as long as this key), for certificates and CSRs.
  EVP_PKEY* publicKey() const { return publicKey_.get(); }
  const std::shared_ptr<const Pkcs11Token>& token() const { return token_; }

 private:
  friend struct Pkcs11KeyFactory;
  Pkcs11Key(std::shared_ptr<const Pkcs11Token> token, unsigned long handle, Pkcs11KeyInfo info,
            ossl::Ptr<EVP_PKEY> publicKey);

  std::shared_ptr<const Pkcs11Token> token_;
  unsigned long handle_;  // CK_OBJECT_HANDLE of the private key
  Pkcs11KeyInfo info_;
  ossl::Ptr<EVP_PKEY> publicKey_;
  std::size_t maxSignatureSize_;
};

// Where a configured key lives: module, token and the key's label or id (hex). What the service
// configuration and the CLI name.
struct Pkcs11KeyReference {
  std::filesystem::path module;
  std::string token;
  std::string keyLabel;
  Bytes keyId;  // used when keyLabel is empty
};

// Loads the module (shared), logs in and finds the key. The key keeps its token and module alive.
std::shared_ptr<Pkcs11Key> openPkcs11Key(const Pkcs11KeyReference& reference, Pkcs11Pin pin);

}  // namespace kyso::pki
