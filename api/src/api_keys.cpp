#include "kyso/api/api_keys.h"

#include <algorithm>

#include "kyso/error.h"
#include "kyso/pki/digest.h"

namespace kyso::api {

namespace {

constexpr std::string_view kPrefix = "kyso_";
constexpr std::size_t kIdBytes = 8;
constexpr std::size_t kSecretBytes = 32;

std::string randomHex(std::size_t bytes) {
  return toHex(pki::randomBytes(bytes));
}

bool isLowerHex(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string_view roleName(Role role) {
  switch (role) {
    case Role::Admin:
      return "admin";
    case Role::Signer:
      return "signer";
    case Role::Backend:
      return "backend";
  }
  return "unknown";
}

Role parseRole(std::string_view name) {
  if (name == "admin") return Role::Admin;
  if (name == "signer") return Role::Signer;
  if (name == "backend") return Role::Backend;
  throw InputError("invalid_role", "unknown role '" + std::string(name) + "' (admin, signer or backend)");
}

ApiKeyService::ApiKeyService(store::ApiKeyRepository& repository, const pki::Clock& clock)
    : repository_(repository), clock_(clock) {}

CreatedApiKey ApiKeyService::create(Role role, const std::string& label) {
  store::ApiKeyRecord record;
  record.id = randomHex(kIdBytes);
  std::string secret = randomHex(kSecretBytes);
  record.role = std::string(roleName(role));
  record.label = label;
  record.createdAt = clock_.now();
  record.secretHash = pki::sha256(asBytes(secret));
  repository_.insert(record);
  CreatedApiKey created{record.id, std::string(kPrefix) + record.id + "_" + secret};
  wipe(secret);
  return created;
}

Principal ApiKeyService::authenticate(const std::string& key) const {
  const AccessError rejected(ErrorKind::Unauthenticated, "unauthenticated", "missing, unknown or revoked API key");
  if (!key.starts_with(kPrefix)) throw rejected;
  const std::string_view rest = std::string_view(key).substr(kPrefix.size());
  const auto sep = rest.find('_');
  if (sep == std::string_view::npos) throw rejected;
  const std::string_view id = rest.substr(0, sep);
  const std::string_view secret = rest.substr(sep + 1);
  if (id.size() != 2 * kIdBytes || secret.size() != 2 * kSecretBytes || !isLowerHex(id) || !isLowerHex(secret)) {
    throw rejected;
  }
  const Bytes presented = pki::sha256(asBytes(secret));
  const auto now = clock_.now();
  {
    std::lock_guard lock(cacheMutex_);
    if (const auto known = cache_.find(id);
        known != cache_.end() && now >= known->second.fetched && now - known->second.fetched < kCacheLifetime) {
      if (!constantTimeEquals(presented, known->second.secretHash)) throw rejected;
      return Principal{known->first, known->second.role};
    }
  }
  const auto record = repository_.find(std::string(id));
  // Hash even when the id is unknown, so timing does not tell which ids exist.
  if (!record || record->revokedAt || !constantTimeEquals(presented, record->secretHash)) throw rejected;
  const Role role = parseRole(record->role);
  std::lock_guard lock(cacheMutex_);
  if (cache_.size() >= 1024) cache_.clear();  // a bound, not an eviction policy: clients are few
  cache_.insert_or_assign(record->id, Known{record->secretHash, role, now});
  return Principal{record->id, role};
}

bool ApiKeyService::revoke(const std::string& id) {
  // The database first: a lookup racing with this cannot cache the key again as valid.
  const bool revoked = repository_.revoke(id, clock_.now());
  std::lock_guard lock(cacheMutex_);
  cache_.erase(id);
  return revoked;
}

}  // namespace kyso::api
