// API keys: "kyso_<id>_<secret>", shown once at creation. The database keeps the id, the role and
// the SHA-256 of the secret; 256 random bits make a slow password hash unnecessary.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kyso/pki/clock.h"
#include "kyso/store/api_key_repository.h"

namespace kyso::api {

enum class Role { Admin, Signer, Backend };

std::string_view roleName(Role role);
// Throws InputError("invalid_role").
Role parseRole(std::string_view name);

struct Principal {
  std::string keyId;
  Role role;
  std::string actor() const { return "apikey:" + keyId; }
};

struct CreatedApiKey {
  std::string id;
  std::string key;  // the full secret text; not stored anywhere
};

class ApiKeyService {
 public:
  ApiKeyService(store::ApiKeyRepository& repository, const pki::Clock& clock);

  CreatedApiKey create(Role role, const std::string& label);
  // Throws AccessError(401, "unauthenticated") for a malformed, unknown or revoked key.
  // Keys found in the database are remembered for kCacheLifetime, so a busy client does not cost
  // a database read per request; a key revoked by this process is forgotten at once, one revoked
  // by another process (the CLI) stops working within kCacheLifetime.
  Principal authenticate(const std::string& key) const;
  bool revoke(const std::string& id);

  static constexpr std::chrono::seconds kCacheLifetime{5};

 private:
  struct Known {
    Bytes secretHash;
    Role role;
    pki::TimePoint fetched;  // by the service's clock, so tests move it
  };

  store::ApiKeyRepository& repository_;
  const pki::Clock& clock_;
  mutable std::mutex cacheMutex_;
  mutable std::map<std::string, Known, std::less<>> cache_;
};

}  // namespace kyso::api
