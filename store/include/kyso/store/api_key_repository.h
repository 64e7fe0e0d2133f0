// API keys as stored: never the key itself, only the SHA-256 of its secret part.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"

namespace kyso::store {

struct ApiKeyRecord {
  std::string id;     // public identifier, part of the key text
  std::string role;   // admin | signer | backend
  std::string label;  // who it was issued to
  pki::TimePoint createdAt;
  std::optional<pki::TimePoint> revokedAt;
  Bytes secretHash;  // SHA-256 of the secret part
};

class ApiKeyRepository {
 public:
  virtual ~ApiKeyRepository() = default;
  // Throws ConflictError("api_key_exists") if the id is taken.
  virtual void insert(const ApiKeyRecord& record) = 0;
  virtual std::optional<ApiKeyRecord> find(const std::string& id) = 0;
  virtual std::vector<ApiKeyRecord> list() = 0;
  // False if no such key or already revoked.
  virtual bool revoke(const std::string& id, pki::TimePoint at) = 0;
};

}  // namespace kyso::store
