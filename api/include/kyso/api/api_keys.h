// API keys: "kyso_<id>_<secret>", shown once at creation. The database keeps the id, the role and
// the SHA-256 of the secret; 256 random bits make a slow password hash unnecessary.
#pragma once

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
  Principal authenticate(const std::string& key) const;
  bool revoke(const std::string& id);

 private:
  store::ApiKeyRepository& repository_;
  const pki::Clock& clock_;
};

}  // namespace kyso::api
