#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>

#include <mutex>

#include "kyso/error.h"
#include "kyso/store/store.h"
#include "sqlite_connection.h"

namespace kyso::store {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

// Ordered schema migrations; a database records the highest version applied. Never edit a
// released entry: add a new one.
struct Migration {
  int version;
  std::vector<const char*> statements;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       {"CREATE TABLE api_keys ("
        "  id TEXT PRIMARY KEY,"
        "  role TEXT NOT NULL CHECK (role IN ('admin', 'signer', 'backend')),"
        "  label TEXT NOT NULL,"
        "  secret_sha256 TEXT NOT NULL,"
        "  created_at TEXT NOT NULL,"
        "  revoked_at TEXT)",
        "CREATE TABLE audit_log ("
        "  seq INTEGER PRIMARY KEY,"
        "  at TEXT NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  key_id TEXT NOT NULL,"
        "  document_sha256 TEXT NOT NULL,"
        "  level TEXT NOT NULL,"
        "  details TEXT NOT NULL,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL)"}},
  };
  return all;
}

std::string timeText(pki::TimePoint t) {
  return pki::formatIso8601Utc(t);
}
// A value that does not read back is a damaged database, not a client mistake.
pki::TimePoint parseTime(const std::string& text) {
  try {
    return pki::parseIso8601(text);
  } catch (const InputError&) {
    throw InternalError("unreadable time in the database: " + text, "database_corrupt");
  }
}

Bytes parseHex(const std::string& text) {
  try {
    return fromHex(text);
  } catch (const InputError&) {
    throw InternalError("unreadable hash in the database", "database_corrupt");
  }
}

class SqliteApiKeys final : public ApiKeyRepository {
 public:
  explicit SqliteApiKeys(detail::ConnectionPool& pool) : pool_(pool) {}

  void insert(const ApiKeyRecord& record) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      int existing = 0;
      std::string id = record.id;
      s << "SELECT COUNT(*) FROM api_keys WHERE id = ?", use(id), into(existing), now;
      if (existing != 0) throw ConflictError("api_key_exists", "an API key with this id exists");
      std::string role = record.role, label = record.label, hash = toHex(record.secretHash),
                  created = timeText(record.createdAt);
      s << "INSERT INTO api_keys (id, role, label, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)", use(id),
          use(role), use(label), use(hash), use(created), now;
    });
  }

  std::optional<ApiKeyRecord> find(const std::string& id) override {
    std::optional<ApiKeyRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::string key = id;
      std::vector<std::string> roles, labels, hashes, created;
      std::vector<Poco::Nullable<std::string>> revoked;
      s << "SELECT role, label, secret_sha256, created_at, revoked_at FROM api_keys WHERE id = ?", use(key),
          into(roles), into(labels), into(hashes), into(created), into(revoked), now;
      if (roles.empty()) return;
      out = row(id, roles[0], labels[0], hashes[0], created[0], revoked[0]);
    });
    return out;
  }

  std::vector<ApiKeyRecord> list() override {
    std::vector<ApiKeyRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::vector<std::string> ids, roles, labels, hashes, created;
      std::vector<Poco::Nullable<std::string>> revoked;
      s << "SELECT id, role, label, secret_sha256, created_at, revoked_at FROM api_keys ORDER BY created_at, id",
          into(ids), into(roles), into(labels), into(hashes), into(created), into(revoked), now;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        out.push_back(row(ids[i], roles[i], labels[i], hashes[i], created[i], revoked[i]));
      }
    });
    return out;
  }

  bool revoke(const std::string& id, pki::TimePoint at) override {
    bool done = false;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string key = id, when = timeText(at);
      Poco::Data::Statement update(s);
      update << "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", use(when), use(key);
      done = update.execute() > 0;
    });
    return done;
  }

 private:
  static ApiKeyRecord row(const std::string& id, const std::string& role, const std::string& label,
                          const std::string& hash, const std::string& created,
                          const Poco::Nullable<std::string>& revoked) {
    ApiKeyRecord r;
    r.id = id;
    r.role = role;
    r.label = label;
    r.secretHash = parseHex(hash);
    r.createdAt = parseTime(created);
    if (!revoked.isNull()) r.revokedAt = parseTime(revoked.value());
    return r;
  }

  detail::ConnectionPool& pool_;
};

class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(detail::ConnectionPool& pool) : pool_(pool) {}

  AuditEntry append(const AuditRecord& record) override {
    AuditEntry entry;
    entry.record = record;
    // BEGIN IMMEDIATE holds the write lock from the read of the last hash to the insert, so two
    // writers (threads or processes) can never chain to the same predecessor.
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::vector<Poco::Int64> seqs;
      std::vector<std::string> hashes;
      s << "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", into(seqs), into(hashes), now;
      entry.sequence = seqs.empty() ? 1 : seqs[0] + 1;
      entry.previousHash = hashes.empty() ? initialAuditHash() : hashes[0];
      entry.hash = auditEntryHash(entry.previousHash, entry.sequence, record);
      Poco::Int64 seq = entry.sequence;
      std::string at = timeText(record.time), actor = record.actor, action = record.action, key = record.keyId,
                  doc = record.documentSha256, level = record.level, details = record.details,
                  prev = entry.previousHash, hash = entry.hash;
      s << "INSERT INTO audit_log (seq, at, actor, action, key_id, document_sha256, level, details, prev_hash, hash)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(seq), use(at), use(actor), use(action), use(key), use(doc), use(level), use(details), use(prev),
          use(hash), now;
    });
    entry.record.time = parseTime(timeText(record.time));  // as stored: whole seconds
    return entry;
  }

  std::vector<AuditEntry> list(std::int64_t after, std::size_t limit) override {
    std::vector<AuditEntry> out;
    pool_.read([&](Poco::Data::Session& s) {
      Poco::Int64 from = after;
      Poco::Int64 max = static_cast<Poco::Int64>(limit);
      std::vector<Poco::Int64> seqs;
      std::vector<std::string> at, actor, action, key, doc, level, details, prev, hash;
      s << "SELECT seq, at, actor, action, key_id, document_sha256, level, details, prev_hash, hash"
           " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
          use(from), use(max), into(seqs), into(at), into(actor), into(action), into(key), into(doc), into(level),
          into(details), into(prev), into(hash), now;
      for (std::size_t i = 0; i < seqs.size(); ++i) {
        AuditEntry e;
        e.sequence = seqs[i];
        e.record = {parseTime(at[i]), actor[i], action[i], key[i], doc[i], level[i], details[i]};
        e.previousHash = prev[i];
        e.hash = hash[i];
        out.push_back(std::move(e));
      }
    });
    return out;
  }

  AuditCheck verify() override {
    AuditCheck check;
    std::string previous = initialAuditHash();
    std::int64_t expected = 1;
    for (;;) {
      const auto batch = list(expected - 1, 1000);
      if (batch.empty()) break;
      for (const auto& e : batch) {
        auto fail = [&](const std::string& problem) {
          check.intact = false;
          check.firstBadSequence = e.sequence;
          check.problem = problem;
        };
        if (e.sequence != expected) {
          fail("entry " + std::to_string(expected) + " is missing");
        } else if (e.previousHash != previous) {
          fail("entry " + std::to_string(e.sequence) + " does not link to its predecessor");
        } else if (auditEntryHash(e.previousHash, e.sequence, e.record) != e.hash) {
          fail("entry " + std::to_string(e.sequence) + " was altered");
        }
        if (!check.intact) return check;
        previous = e.hash;
        ++expected;
        ++check.entries;
      }
    }
    return check;
  }

 private:
  detail::ConnectionPool& pool_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::filesystem::path& file) : pool_(file), apiKeys_(pool_), audit_(pool_) { migrate(); }

  ApiKeyRepository& apiKeys() override { return apiKeys_; }
  AuditLog& audit() override { return audit_; }

  void checkHealth() override {
    pool_.read([](Poco::Data::Session& s) {
      int one = 0;
      s << "SELECT 1", into(one), now;
    });
  }

  int schemaVersion() override {
    int version = 0;
    pool_.read([&](Poco::Data::Session& s) {
      s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
    });
    return version;
  }

 private:
  void migrate() {
    pool_.writeTransaction([](Poco::Data::Session& s) {
      s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", now;
      int current = 0;
      s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(current), now;
      for (const Migration& m : migrations()) {
        if (m.version <= current) continue;
        for (const char* sql : m.statements) s << sql, now;
        int version = m.version;
        std::string at = pki::formatIso8601Utc(pki::SystemClock::instance().now());
        s << "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", use(version), use(at), now;
      }
      if (current > migrations().back().version) {
        throw InternalError(
            "the database schema (version " + std::to_string(current) + ") is newer than this kyso; upgrade kyso",
            "database_too_new");
      }
    });
  }

  detail::ConnectionPool pool_;
  SqliteApiKeys apiKeys_;
  SqliteAuditLog audit_;
};

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::filesystem::path& file) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  return std::make_unique<SqliteStore>(file);
}

}  // namespace kyso::store
