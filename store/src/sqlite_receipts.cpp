#include "sqlite_receipts.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <utility>

#include "kyso/error.h"
#include "sqlite_common.h"

namespace kyso::store::detail {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

constexpr const char* kReceiptColumns =
    "id, series_id, template, symbol, number, unit, issued_at, status, replaces, replaced_by, lookup_code,"
    " payment_provider, payment_transaction_id, dossier_code, total, actor, request_sha256, content, xml, xml_sha256";

std::uint32_t number(Poco::Data::RecordSet& rs, const char* column) {
  return static_cast<std::uint32_t>(boundedInteger(rs, column, 0, 0xFFFFFFFFLL, "receipt number"));
}

ReceiptRecord readReceipt(Poco::Data::RecordSet& rs) {
  ReceiptRecord r;
  r.id = text(rs, "id");
  r.seriesId = text(rs, "series_id");
  r.templateCode = text(rs, "template");
  r.symbol = text(rs, "symbol");
  r.number = number(rs, "number");
  r.unit = text(rs, "unit");
  r.issuedAt = parseTime(text(rs, "issued_at"));
  r.status = text(rs, "status");
  r.replaces = text(rs, "replaces");
  r.replacedBy = text(rs, "replaced_by");
  r.lookupCode = text(rs, "lookup_code");
  r.paymentProvider = text(rs, "payment_provider");
  r.paymentTransactionId = text(rs, "payment_transaction_id");
  r.dossierCode = text(rs, "dossier_code");
  r.total = rs["total"].convert<Poco::Int64>();
  r.actor = text(rs, "actor");
  r.requestSha256 = text(rs, "request_sha256");
  r.content = text(rs, "content");
  r.xml = text(rs, "xml");
  r.xmlSha256 = text(rs, "xml_sha256");
  return r;
}

// Runs a SELECT of receipt rows with `where` (bound to `params`) and reads them all.
template <typename... Params>
std::vector<ReceiptRecord> selectReceipts(Poco::Data::Session& s, const std::string& where, Params... params) {
  Poco::Data::Statement select(s);
  select << std::string("SELECT ") + kReceiptColumns + " FROM receipts " + where;
  (select.addBind(Poco::Data::Keywords::bind(params)), ...);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<ReceiptRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(readReceipt(rs));
  return out;
}

std::optional<ReceiptRecord> first(std::vector<ReceiptRecord> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

template <typename... Params>
std::vector<NoticeRecord> selectNotices(Poco::Data::Session& s, const std::string& where, Params... params) {
  Poco::Data::Statement select(s);
  select << "SELECT id, receipt_id, issued_at, actor, idempotency_key, request_sha256, content, xml"
            " FROM receipt_notices " +
                where;
  (select.addBind(Poco::Data::Keywords::bind(params)), ...);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<NoticeRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    out.push_back({text(rs, "id"), text(rs, "receipt_id"), parseTime(text(rs, "issued_at")), text(rs, "actor"),
                   text(rs, "idempotency_key"), text(rs, "request_sha256"), text(rs, "content"), text(rs, "xml")});
  }
  return out;
}

std::vector<SeriesRecord> selectSeries(Poco::Data::Session& s, const std::string& where,
                                       std::vector<std::string> params) {
  Poco::Data::Statement select(s);
  select << "SELECT id, template, symbol, year, org_name, org_tax_code, org_address, key_id, created_at, next_number"
            " FROM receipt_series " +
                where + " ORDER BY created_at, id";
  for (const auto& p : params) select.addBind(Poco::Data::Keywords::bind(p));
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<SeriesRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    SeriesRecord r;
    r.id = text(rs, "id");
    r.templateCode = text(rs, "template");
    r.symbol = text(rs, "symbol");
    r.year = rs["year"].convert<int>();
    r.organizationName = text(rs, "org_name");
    r.organizationTaxCode = text(rs, "org_tax_code");
    r.organizationAddress = text(rs, "org_address");
    r.keyId = text(rs, "key_id");
    r.createdAt = parseTime(text(rs, "created_at"));
    r.next = number(rs, "next_number");
    out.push_back(std::move(r));
  }
  for (auto& series : out) {
    Poco::Data::Statement ranges(s);
    std::string id = series.id;
    ranges << "SELECT unit, first_number, last_number, next_number FROM receipt_ranges WHERE series_id = ?"
              " ORDER BY first_number",
        use(id);
    ranges.execute();
    Poco::Data::RecordSet rr(ranges);
    for (bool more = rr.moveFirst(); more; more = rr.moveNext()) {
      series.ranges.push_back(
          {text(rr, "unit"), number(rr, "first_number"), number(rr, "last_number"), number(rr, "next_number")});
    }
  }
  return out;
}

// The transaction handed to ReceiptRepository::issue's caller.
class SqliteIssuance final : public ReceiptIssuance {
 public:
  explicit SqliteIssuance(Poco::Data::Session& s) : s_(s) {}

  std::optional<ReceiptRecord> findByIdempotencyKey(const std::string& actor, const std::string& key) override {
    std::string a = actor, k = key;
    std::vector<std::string> ids;
    s_ << "SELECT receipt_id FROM idempotency_keys WHERE actor = ? AND key = ?", use(a), use(k), into(ids), now;
    if (ids.empty()) return std::nullopt;
    return find(ids[0]);
  }

  std::optional<ReceiptRecord> findByPayment(const std::string& provider, const std::string& transactionId) override {
    return first(selectReceipts(s_, "WHERE payment_provider = ? AND payment_transaction_id = ? AND replaces = ''",
                                provider, transactionId));
  }

  std::optional<ReceiptRecord> find(const std::string& id) override {
    return first(selectReceipts(s_, "WHERE id = ?", id));
  }

  std::optional<SeriesRecord> series(const std::string& id) override {
    auto rows = selectSeries(s_, "WHERE id = ?", {id});
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  std::optional<SeriesRecord> series(const std::string& templateCode, const std::string& symbol) override {
    auto rows = selectSeries(s_, "WHERE template = ? AND symbol = ?", {templateCode, symbol});
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  std::uint32_t takeNumber(const std::string& seriesId, const std::string& unit) override {
    std::string id = seriesId, u = unit;
    int ranged = 0;
    s_ << "SELECT COUNT(*) FROM receipt_ranges WHERE series_id = ?", use(id), into(ranged), now;
    std::vector<Poco::Int64> next, last;
    if (ranged == 0) {
      if (!unit.empty()) throw InputError("unknown_unit", "the series has no number ranges; leave out the unit");
      s_ << "SELECT next_number FROM receipt_series WHERE id = ?", use(id), into(next), now;
      if (next.empty()) throw NotFoundError("series_not_found", "no such receipt series");
      last.push_back(99'999'999);
    } else {
      if (unit.empty()) {
        throw InputError("unit_required", "the series hands out numbers per unit; name the unit whose range to use");
      }
      s_ << "SELECT next_number, last_number FROM receipt_ranges WHERE series_id = ? AND unit = ?", use(id), use(u),
          into(next), into(last), now;
      if (next.empty()) throw InputError("unknown_unit", "the series has no number range for unit '" + unit + "'");
    }
    if (next[0] > last[0]) {
      throw InputError("series_exhausted", unit.empty() ? "the series has no numbers left"
                                                        : "unit '" + unit + "' has used every number of its range");
    }
    Poco::Int64 taken = next[0];
    if (ranged == 0) {
      s_ << "UPDATE receipt_series SET next_number = next_number + 1 WHERE id = ?", use(id), now;
    } else {
      s_ << "UPDATE receipt_ranges SET next_number = next_number + 1 WHERE series_id = ? AND unit = ?", use(id), use(u),
          now;
    }
    return static_cast<std::uint32_t>(taken);
  }

  void insert(const ReceiptRecord& r, const std::string& idempotencyKey) override {
    std::string id = r.id, series = r.seriesId, tmpl = r.templateCode, symbol = r.symbol, unit = r.unit,
                issued = timeText(r.issuedAt), status = r.status, replaces = r.replaces, replacedBy = r.replacedBy,
                lookup = r.lookupCode, provider = r.paymentProvider, transaction = r.paymentTransactionId,
                dossier = r.dossierCode, actor = r.actor, request = r.requestSha256, content = r.content, xml = r.xml,
                xmlSha256 = r.xmlSha256;
    Poco::Int64 num = r.number, total = r.total;
    s_ << "INSERT INTO receipts (" << kReceiptColumns
       << ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(series), use(tmpl), use(symbol), use(num), use(unit), use(issued), use(status), use(replaces),
        use(replacedBy), use(lookup), use(provider), use(transaction), use(dossier), use(total), use(actor),
        use(request), use(content), use(xml), use(xmlSha256), now;
    if (!idempotencyKey.empty()) {
      std::string key = idempotencyKey;
      s_ << "INSERT INTO idempotency_keys (actor, key, receipt_id, created_at) VALUES (?, ?, ?, ?)", use(actor),
          use(key), use(id), use(issued), now;
    }
  }

  void markReplaced(const std::string& id, const std::string& byId) override {
    std::string original = id, replacement = byId;
    Poco::Data::Statement update(s_);
    update << "UPDATE receipts SET status = 'replaced', replaced_by = ? WHERE id = ? AND status = 'issued'",
        use(replacement), use(original);
    if (update.execute() != 1) throw ConflictError("receipt_replaced", "the receipt has been replaced already");
  }

  void insertNotice(const NoticeRecord& n) override {
    std::string id = n.id, receipt = n.receiptId, issued = timeText(n.issuedAt), actor = n.actor,
                key = n.idempotencyKey, request = n.requestSha256, content = n.content, xml = n.xml;
    s_ << "INSERT INTO receipt_notices (id, receipt_id, issued_at, actor, idempotency_key, request_sha256, content,"
          " xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(receipt), use(issued), use(actor), use(key), use(request), use(content), use(xml), now;
  }

  std::optional<NoticeRecord> findNoticeByIdempotencyKey(const std::string& actor, const std::string& key) override {
    auto rows = selectNotices(s_, "WHERE actor = ? AND idempotency_key = ?", actor, key);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  void enqueueForCallbacks(const OutboxEvent& e) override {
    std::string type = e.type, body = e.body, created = timeText(e.createdAt), next = timeText(e.nextAttemptAt);
    s_ << "INSERT INTO outbox (subscriber, type, body, created_at, next_attempt_at)"
          " SELECT api_key_id, ?, ?, ?, ? FROM callbacks ORDER BY api_key_id",
        use(type), use(body), use(created), use(next), now;
  }

  AuditEntry audit(const AuditRecord& record) override { return appendAuditEntry(s_, record); }

 private:
  Poco::Data::Session& s_;
};

class SqliteReceipts final : public ReceiptRepository {
 public:
  explicit SqliteReceipts(ConnectionPool& pool) : pool_(pool) {}

  void insertSeries(const SeriesRecord& r) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = r.id, tmpl = r.templateCode, symbol = r.symbol, name = r.organizationName,
                  tax = r.organizationTaxCode, address = r.organizationAddress, key = r.keyId,
                  created = timeText(r.createdAt);
      int existing = 0, year = r.year;
      Poco::Int64 next = r.next;
      s << "SELECT COUNT(*) FROM receipt_series WHERE template = ? AND symbol = ?", use(tmpl), use(symbol),
          into(existing), now;
      if (existing != 0) {
        throw ConflictError("series_exists", "series " + r.templateCode + " " + r.symbol + " exists already");
      }
      s << "INSERT INTO receipt_series (id, template, symbol, year, org_name, org_tax_code, org_address, key_id,"
           " created_at, next_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(id), use(tmpl), use(symbol), use(year), use(name), use(tax), use(address), use(key), use(created),
          use(next), now;
      for (const NumberRange& range : r.ranges) {
        std::string unit = range.unit;
        Poco::Int64 firstNumber = range.first, lastNumber = range.last, nextNumber = range.next;
        s << "INSERT INTO receipt_ranges (series_id, unit, first_number, last_number, next_number)"
             " VALUES (?, ?, ?, ?, ?)",
            use(id), use(unit), use(firstNumber), use(lastNumber), use(nextNumber), now;
      }
    });
  }

  std::vector<SeriesRecord> listSeries() override {
    std::vector<SeriesRecord> out;
    pool_.read([&](Poco::Data::Session& s) { out = selectSeries(s, "", {}); });
    return out;
  }

  std::optional<SeriesRecord> findSeries(const std::string& templateCode, const std::string& symbol) override {
    std::vector<SeriesRecord> rows;
    pool_.read([&](Poco::Data::Session& s) {
      rows = selectSeries(s, "WHERE template = ? AND symbol = ?", {templateCode, symbol});
    });
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  void issue(const std::function<void(ReceiptIssuance&)>& work) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      SqliteIssuance issuance(s);
      work(issuance);
    });
  }

  std::optional<ReceiptRecord> find(const std::string& id) override {
    std::optional<ReceiptRecord> out;
    pool_.read([&](Poco::Data::Session& s) { out = first(selectReceipts(s, "WHERE id = ?", id)); });
    return out;
  }

  std::optional<ReceiptRecord> findByLookupCode(const std::string& code) override {
    std::optional<ReceiptRecord> out;
    pool_.read([&](Poco::Data::Session& s) { out = first(selectReceipts(s, "WHERE lookup_code = ?", code)); });
    return out;
  }

  std::optional<ReceiptRecord> findByNumber(const std::string& templateCode, const std::string& symbol,
                                            std::uint32_t number) override {
    std::optional<ReceiptRecord> out;
    const Poco::Int64 n = number;
    pool_.read([&](Poco::Data::Session& s) {
      // Through the series id, so the lookup uses the UNIQUE (series_id, number) index.
      out = first(selectReceipts(
          s, "WHERE series_id = (SELECT id FROM receipt_series WHERE template = ? AND symbol = ?) AND number = ?",
          templateCode, symbol, n));
    });
    return out;
  }

  std::vector<ReceiptRecord> list(const ReceiptQuery& q) override {
    std::vector<ReceiptRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      // Optional filters are bound as '' and disabled in SQL, so one statement serves every query.
      std::string tmpl = q.templateCode, symbol = q.symbol, status = q.status;
      std::string from = q.from ? timeText(*q.from) : "", to = q.to ? timeText(*q.to) : "";
      std::string afterTime, afterId = q.afterId;
      if (!afterId.empty()) {
        std::vector<std::string> times;
        s << "SELECT issued_at FROM receipts WHERE id = ?", use(afterId), into(times), now;
        if (times.empty()) throw InputError("invalid_cursor", "the page cursor names no receipt");
        afterTime = times[0];
      }
      const Poco::Int64 limit = static_cast<Poco::Int64>(q.limit);
      out = selectReceipts(s,
                           "WHERE (? = '' OR template = ?) AND (? = '' OR symbol = ?) AND (? = '' OR status = ?)"
                           " AND (? = '' OR issued_at >= ?) AND (? = '' OR issued_at < ?)"
                           " AND (? = '' OR issued_at > ? OR (issued_at = ? AND id > ?))"
                           " ORDER BY issued_at, id LIMIT ?",
                           tmpl, tmpl, symbol, symbol, status, status, from, from, to, to, afterId, afterTime,
                           afterTime, afterId, limit);
    });
    return out;
  }

  std::vector<ReceiptRecord> issuedBetween(pki::TimePoint from, pki::TimePoint to) override {
    std::vector<ReceiptRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      out = selectReceipts(s, "WHERE issued_at >= ? AND issued_at < ? ORDER BY template, symbol, number",
                           timeText(from), timeText(to));
    });
    return out;
  }

  std::vector<NoticeRecord> notices(const std::string& receiptId) override {
    std::vector<NoticeRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      out = selectNotices(s, "WHERE receipt_id = ? ORDER BY issued_at, id", receiptId);
    });
    return out;
  }

  std::optional<NoticeRecord> findNotice(const std::string& id) override {
    std::vector<NoticeRecord> rows;
    pool_.read([&](Poco::Data::Session& s) { rows = selectNotices(s, "WHERE id = ?", id); });
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  Bytes storePdf(const std::string& receiptId, ByteView pdf) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = receiptId;
      Poco::Data::BLOB blob(pdf.data(), pdf.size());
      s << "UPDATE receipts SET pdf = ? WHERE id = ? AND pdf IS NULL", use(blob), use(id), now;
    });
    auto stored = this->pdf(receiptId);
    if (!stored) throw NotFoundError("receipt_not_found", "no such receipt");
    return std::move(*stored);
  }

  std::optional<Bytes> pdf(const std::string& receiptId) override {
    std::optional<Bytes> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::string id = receiptId;
      std::vector<Poco::Nullable<Poco::Data::BLOB>> blobs;
      s << "SELECT pdf FROM receipts WHERE id = ?", use(id), into(blobs), now;
      if (blobs.empty() || blobs[0].isNull()) return;
      const auto& content = blobs[0].value().content();
      out = Bytes(content.begin(), content.end());
    });
    return out;
  }

  void setCallback(const CallbackRecord& c) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = c.apiKeyId, url = c.url, secret = c.secret, created = timeText(c.createdAt);
      s << "INSERT INTO callbacks (api_key_id, url, secret, created_at) VALUES (?, ?, ?, ?)"
           " ON CONFLICT (api_key_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
           " created_at = excluded.created_at",
          use(id), use(url), use(secret), use(created), now;
    });
  }

  std::optional<CallbackRecord> callback(const std::string& apiKeyId) override {
    std::optional<CallbackRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::string id = apiKeyId;
      std::vector<std::string> urls, secrets, created;
      s << "SELECT url, secret, created_at FROM callbacks WHERE api_key_id = ?", use(id), into(urls), into(secrets),
          into(created), now;
      if (!urls.empty()) out = CallbackRecord{apiKeyId, urls[0], secrets[0], parseTime(created[0])};
    });
    return out;
  }

  bool removeCallback(const std::string& apiKeyId) override {
    std::size_t removed = 0;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = apiKeyId;
      Poco::Data::Statement remove(s);
      remove << "DELETE FROM callbacks WHERE api_key_id = ?", use(id);
      removed = remove.execute();
    });
    return removed != 0;
  }

  std::vector<OutboxEvent> dueEvents(pki::TimePoint at, std::size_t limit) override {
    std::vector<OutboxEvent> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::string when = timeText(at);
      Poco::Int64 max = static_cast<Poco::Int64>(limit);
      std::vector<Poco::Int64> ids;
      std::vector<int> attempts;
      std::vector<std::string> subscribers, types, bodies, created, next, errors;
      s << "SELECT id, subscriber, type, body, created_at, next_attempt_at, attempts, last_error FROM outbox"
           " WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
          use(when), use(max), into(ids), into(subscribers), into(types), into(bodies), into(created), into(next),
          into(attempts), into(errors), now;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        OutboxEvent e;
        e.id = ids[i];
        e.subscriber = subscribers[i];
        e.type = types[i];
        e.body = bodies[i];
        e.createdAt = parseTime(created[i]);
        e.nextAttemptAt = parseTime(next[i]);
        e.attempts = attempts[i];
        e.lastError = errors[i];
        out.push_back(std::move(e));
      }
    });
    return out;
  }

  void markDelivered(std::int64_t eventId, pki::TimePoint at) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      Poco::Int64 id = eventId;
      std::string when = timeText(at);
      s << "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?", use(when),
          use(id), now;
    });
  }

  void markFailed(std::int64_t eventId, pki::TimePoint nextAttemptAt, const std::string& error) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      Poco::Int64 id = eventId;
      std::string next = timeText(nextAttemptAt), message = error;
      s << "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?", use(next),
          use(message), use(id), now;
    });
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<ReceiptRepository> makeSqliteReceipts(ConnectionPool& pool) {
  return std::make_unique<SqliteReceipts>(pool);
}

}  // namespace kyso::store::detail
