#include "sqlite_receipts.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <utility>

#include "kyso/error.h"
#include "sqlite_common.h"
#include "sqlite_statement.h"

namespace kyso::store::detail {

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
  return selectRows(
      s, std::string("SELECT ") + kReceiptColumns + " FROM receipts " + where,
      [](Poco::Data::RecordSet& rs) { return readReceipt(rs); }, params...);
}

template <typename... Params>
std::vector<NoticeRecord> selectNotices(Poco::Data::Session& s, const std::string& where, Params... params) {
  return selectRows(
      s,
      "SELECT id, receipt_id, issued_at, actor, idempotency_key, request_sha256, content, xml"
      " FROM receipt_notices " +
          where,
      [](Poco::Data::RecordSet& rs) {
        return NoticeRecord{text(rs, "id"),
                            text(rs, "receipt_id"),
                            parseTime(text(rs, "issued_at")),
                            text(rs, "actor"),
                            text(rs, "idempotency_key"),
                            text(rs, "request_sha256"),
                            text(rs, "content"),
                            text(rs, "xml")};
      },
      params...);
}

std::vector<SeriesRecord> selectSeries(Poco::Data::Session& s, const std::string& where,
                                       std::vector<std::string> params) {
  auto out = selectRows(
      s,
      "SELECT id, template, symbol, year, org_name, org_tax_code, org_address, key_id, created_at, next_number"
      " FROM receipt_series " +
          where + " ORDER BY created_at, id",
      [](Poco::Data::RecordSet& rs) {
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
        return r;
      },
      params);
  for (auto& series : out) {
    series.ranges = selectRows(
        s,
        "SELECT unit, first_number, last_number, next_number FROM receipt_ranges WHERE series_id = ?"
        " ORDER BY first_number",
        [](Poco::Data::RecordSet& rr) {
          return decltype(series.ranges)::value_type{text(rr, "unit"), number(rr, "first_number"),
                                                     number(rr, "last_number"), number(rr, "next_number")};
        },
        series.id);
  }
  return out;
}

std::uint32_t numberColumn(const BoundStatement& row, int column) {
  const std::int64_t value = row.integer(column);
  if (value < 0 || value > 0xFFFFFFFFLL) {
    throw InternalError("receipt number out of range in the database", "database_corrupt");
  }
  return static_cast<std::uint32_t>(value);
}

// A receipt row read by a prepared statement selecting kReceiptColumns, in that order, from `at` on.
ReceiptRecord readReceipt(const BoundStatement& row, int at = 0) {
  ReceiptRecord r;
  r.id = row.text(at + 0);
  r.seriesId = row.text(at + 1);
  r.templateCode = row.text(at + 2);
  r.symbol = row.text(at + 3);
  r.number = numberColumn(row, at + 4);
  r.unit = row.text(at + 5);
  r.issuedAt = parseTime(row.text(at + 6));
  r.status = row.text(at + 7);
  r.replaces = row.text(at + 8);
  r.replacedBy = row.text(at + 9);
  r.lookupCode = row.text(at + 10);
  r.paymentProvider = row.text(at + 11);
  r.paymentTransactionId = row.text(at + 12);
  r.dossierCode = row.text(at + 13);
  r.total = row.integer(at + 14);
  r.actor = row.text(at + 15);
  r.requestSha256 = row.text(at + 16);
  r.content = row.text(at + 17);
  r.xml = row.text(at + 18);
  r.xmlSha256 = row.text(at + 19);
  return r;
}

// The hot path's SQL texts, built once (they are the prepared statements' keys).
std::string receiptsWhere(const char* where) {
  return std::string("SELECT ") + kReceiptColumns + " FROM receipts " + where;
}
const std::string kByIdempotencyKey =
    receiptsWhere("WHERE id = (SELECT receipt_id FROM idempotency_keys WHERE actor = ? AND key = ?)");
const std::string kByPayment =
    receiptsWhere("WHERE payment_provider = ? AND payment_transaction_id = ? AND replaces = ''");
// Both in one statement: the idempotency key's receipt tagged 0, the payment's tagged 1.
const std::string kEarlier =
    std::string("SELECT 0, ") + kReceiptColumns +
    " FROM receipts WHERE ? != '' AND id = (SELECT receipt_id FROM idempotency_keys WHERE actor = ? AND key = ?)"
    " UNION ALL SELECT 1, " +
    kReceiptColumns +
    " FROM receipts WHERE ? != '' AND payment_provider = ? AND payment_transaction_id = ? AND replaces = ''";
const std::string kById = receiptsWhere("WHERE id = ?");
const std::string kByLookupCode = receiptsWhere("WHERE lookup_code = ?");
// Through the series id, so the lookup uses the UNIQUE (series_id, number) index.
constexpr const char* kWhereNumber =
    "WHERE series_id = (SELECT id FROM receipt_series WHERE template = ? AND symbol = ?) AND number = ?";
const std::string kByNumber = receiptsWhere(kWhereNumber);
// The register check of a PDF copy: the receipt's columns in kReceiptColumns' order, but '' for
// its XML (not needed there, 4 KB a row), then the PDF copy.
constexpr int kReceiptColumnCount = 20;
const std::string kPdfCopyByNumber =
    std::string(
        "SELECT id, series_id, template, symbol, number, unit, issued_at, status, replaces, replaced_by,"
        " lookup_code, payment_provider, payment_transaction_id, dossier_code, total, actor, request_sha256,"
        " content, '', xml_sha256, pdf FROM receipts ") +
    kWhereNumber;
const std::string kInsertReceipt = std::string("INSERT INTO receipts (") + kReceiptColumns +
                                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// The transaction handed to ReceiptRepository::issue's caller (and, read-only, to read's). Every
// statement of the issuing path is prepared once per connection and reused.
class SqliteIssuance final : public ReceiptIssuance {
 public:
  SqliteIssuance(Poco::Data::Session& s, PreparedStatements& prepared, bool writable)
      : s_(s), prepared_(prepared), writable_(writable) {}

  std::optional<ReceiptRecord> findByIdempotencyKey(const std::string& actor, const std::string& key) override {
    auto select = prepared_(kByIdempotencyKey);
    select.bind(actor).bind(key);
    if (!select.step()) return std::nullopt;
    return readReceipt(select);
  }

  std::optional<ReceiptRecord> findByPayment(const std::string& provider, const std::string& transactionId) override {
    auto select = prepared_(kByPayment);
    select.bind(provider).bind(transactionId);
    if (!select.step()) return std::nullopt;
    return readReceipt(select);
  }

  EarlierReceipts findEarlier(const std::string& actor, const std::string& key, const std::string& provider,
                              const std::string& transactionId) override {
    auto select = prepared_(kEarlier);
    select.bind(key).bind(actor).bind(key).bind(provider).bind(provider).bind(transactionId);
    EarlierReceipts out;
    while (select.step()) (select.integer(0) == 0 ? out.byIdempotencyKey : out.byPayment) = readReceipt(select, 1);
    return out;
  }

  std::optional<ReceiptRecord> find(const std::string& id) override {
    auto select = prepared_(kById);
    select.bind(id);
    if (!select.step()) return std::nullopt;
    return readReceipt(select);
  }

  std::optional<SeriesRecord> series(const std::string& id) override {
    auto select = prepared_(
        "SELECT id, template, symbol, year, org_name, org_tax_code, org_address, key_id, created_at, next_number"
        " FROM receipt_series WHERE id = ?");
    select.bind(id);
    return readSeries(select);
  }

  std::optional<SeriesRecord> series(const std::string& templateCode, const std::string& symbol) override {
    auto select = prepared_(
        "SELECT id, template, symbol, year, org_name, org_tax_code, org_address, key_id, created_at, next_number"
        " FROM receipt_series WHERE template = ? AND symbol = ?");
    select.bind(templateCode).bind(symbol);
    return readSeries(select);
  }

  std::uint32_t takeNumber(const std::string& seriesId, const std::string& unit) override {
    return takeNumbers(seriesId, unit, 1);
  }

  std::uint32_t takeNumbers(const std::string& seriesId, const std::string& unit, std::uint32_t count) override {
    requireWritable();
    std::int64_t next = 0, last = 0;
    bool ranged = false;
    {
      auto select = prepared_(
          "SELECT s.next_number, 99999999, (SELECT COUNT(*) FROM receipt_ranges r WHERE r.series_id = s.id),"
          " (SELECT next_number FROM receipt_ranges r WHERE r.series_id = s.id AND r.unit = ?),"
          " (SELECT last_number FROM receipt_ranges r WHERE r.series_id = s.id AND r.unit = ?)"
          " FROM receipt_series s WHERE s.id = ?");
      select.bind(unit).bind(unit).bind(seriesId);
      if (!select.step()) throw NotFoundError("series_not_found", "no such receipt series");
      ranged = select.integer(2) != 0;
      if (!ranged) {
        if (!unit.empty()) throw InputError("unknown_unit", "the series has no number ranges; leave out the unit");
        next = select.integer(0);
        last = select.integer(1);
      } else {
        if (unit.empty()) {
          throw InputError("unit_required", "the series hands out numbers per unit; name the unit whose range to use");
        }
        if (select.isNull(3))
          throw InputError("unknown_unit", "the series has no number range for unit '" + unit + "'");
        next = select.integer(3);
        last = select.integer(4);
      }
    }
    if (count == 0 || next + count - 1 > last) {
      throw InputError("series_exhausted", unit.empty() ? "the series has no numbers left"
                                                        : "unit '" + unit + "' has used every number of its range");
    }
    if (!ranged) {
      prepared_("UPDATE receipt_series SET next_number = next_number + ? WHERE id = ?")
          .bind(std::int64_t{count})
          .bind(seriesId)
          .run();
    } else {
      prepared_("UPDATE receipt_ranges SET next_number = next_number + ? WHERE series_id = ? AND unit = ?")
          .bind(std::int64_t{count})
          .bind(seriesId)
          .bind(unit)
          .run();
    }
    return static_cast<std::uint32_t>(next);
  }

  void insert(const ReceiptRecord& r, const std::string& idempotencyKey) override {
    requireWritable();
    prepared_(kInsertReceipt)
        .bind(r.id)
        .bind(r.seriesId)
        .bind(r.templateCode)
        .bind(r.symbol)
        .bind(std::int64_t{r.number})
        .bind(r.unit)
        .bind(timeText(r.issuedAt))
        .bind(r.status)
        .bind(r.replaces)
        .bind(r.replacedBy)
        .bind(r.lookupCode)
        .bind(r.paymentProvider)
        .bind(r.paymentTransactionId)
        .bind(r.dossierCode)
        .bind(std::int64_t{r.total})
        .bind(r.actor)
        .bind(r.requestSha256)
        .bind(r.content)
        .bind(r.xml)
        .bind(r.xmlSha256)
        .run();
    if (!idempotencyKey.empty()) {
      prepared_("INSERT INTO idempotency_keys (actor, key, receipt_id, created_at) VALUES (?, ?, ?, ?)")
          .bind(r.actor)
          .bind(idempotencyKey)
          .bind(r.id)
          .bind(timeText(r.issuedAt))
          .run();
    }
  }

  void markReplaced(const std::string& id, const std::string& byId) override {
    requireWritable();
    auto update =
        prepared_("UPDATE receipts SET status = 'replaced', replaced_by = ? WHERE id = ? AND status = 'issued'");
    update.bind(byId).bind(id).run();
    if (update.changes() != 1) throw ConflictError("receipt_replaced", "the receipt has been replaced already");
  }

  void insertNotice(const NoticeRecord& n) override {
    requireWritable();
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
    requireWritable();
    prepared_(
        "INSERT INTO outbox (subscriber, type, body, created_at, next_attempt_at)"
        " SELECT api_key_id, ?, ?, ?, ? FROM callbacks ORDER BY api_key_id")
        .bind(e.type)
        .bind(e.body)
        .bind(timeText(e.createdAt))
        .bind(timeText(e.nextAttemptAt))
        .run();
  }

  AuditEntry audit(const AuditRecord& record) override {
    requireWritable();
    // The chain's end is read once per transaction: BEGIN IMMEDIATE holds the write lock, so no
    // other writer can append meanwhile (sqlite_common.h).
    if (!chainEnd_) {
      auto select = prepared_("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
      chainEnd_ = select.step() ? std::make_pair(select.integer(0), select.text(1))
                                : std::make_pair(std::int64_t{0}, initialAuditHash());
    }
    AuditEntry entry;
    entry.record = record;
    entry.sequence = chainEnd_->first + 1;
    entry.previousHash = chainEnd_->second;
    entry.hash = auditEntryHash(entry.previousHash, entry.sequence, record);
    prepared_(
        "INSERT INTO audit_log (seq, at, actor, action, key_id, document_sha256, level, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(entry.sequence)
        .bind(timeText(record.time))
        .bind(record.actor)
        .bind(record.action)
        .bind(record.keyId)
        .bind(record.documentSha256)
        .bind(record.level)
        .bind(record.details)
        .bind(entry.previousHash)
        .bind(entry.hash)
        .run();
    chainEnd_ = std::make_pair(entry.sequence, entry.hash);
    entry.record.time = parseTime(timeText(record.time));  // as stored: whole seconds
    return entry;
  }

 private:
  void requireWritable() const {
    if (!writable_) throw InternalError("a write in a read-only receipts transaction");
  }

  std::optional<SeriesRecord> readSeries(BoundStatement& select) {
    if (!select.step()) return std::nullopt;
    SeriesRecord r;
    r.id = select.text(0);
    r.templateCode = select.text(1);
    r.symbol = select.text(2);
    r.year = static_cast<int>(select.integer(3));
    r.organizationName = select.text(4);
    r.organizationTaxCode = select.text(5);
    r.organizationAddress = select.text(6);
    r.keyId = select.text(7);
    r.createdAt = parseTime(select.text(8));
    r.next = numberColumn(select, 9);
    auto ranges = prepared_(
        "SELECT unit, first_number, last_number, next_number FROM receipt_ranges WHERE series_id = ?"
        " ORDER BY first_number");
    ranges.bind(r.id);
    while (ranges.step()) {
      r.ranges.push_back({ranges.text(0), numberColumn(ranges, 1), numberColumn(ranges, 2), numberColumn(ranges, 3)});
    }
    return r;
  }

  Poco::Data::Session& s_;
  PreparedStatements& prepared_;
  bool writable_;
  std::optional<std::pair<std::int64_t, std::string>> chainEnd_;
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
    pool_.writeTransaction([&](Poco::Data::Session& s, PreparedStatements& prepared) {
      SqliteIssuance issuance(s, prepared, true);
      work(issuance);
    });
  }

  void read(const std::function<void(ReceiptIssuance&)>& work) override {
    pool_.readSnapshot([&](Poco::Data::Session& s, PreparedStatements& prepared) {
      SqliteIssuance issuance(s, prepared, false);
      work(issuance);
    });
  }

  // The look-ups verification and the public look-up make: prepared once per connection.
  std::optional<ReceiptRecord> find(const std::string& id) override {
    return selectReceipt(kById, [&](BoundStatement& select) { select.bind(id); });
  }

  std::optional<ReceiptRecord> findByLookupCode(const std::string& code) override {
    return selectReceipt(kByLookupCode, [&](BoundStatement& select) { select.bind(code); });
  }

  std::optional<ReceiptRecord> findByNumber(const std::string& templateCode, const std::string& symbol,
                                            std::uint32_t number) override {
    return selectReceipt(
        kByNumber, [&](BoundStatement& select) { select.bind(templateCode).bind(symbol).bind(std::int64_t{number}); });
  }

  std::optional<ReceiptPdfCopy> findPdfCopy(const std::string& templateCode, const std::string& symbol,
                                            std::uint32_t number) override {
    std::optional<ReceiptPdfCopy> out;
    pool_.read([&](Poco::Data::Session&, PreparedStatements& prepared) {
      auto select = prepared(kPdfCopyByNumber);
      select.bind(templateCode).bind(symbol).bind(std::int64_t{number});
      if (!select.step()) return;
      ReceiptPdfCopy copy{readReceipt(select), std::nullopt};
      if (!select.isNull(kReceiptColumnCount)) {
        const ByteView pdf = select.blob(kReceiptColumnCount);
        copy.pdf = Bytes(pdf.begin(), pdf.end());
      }
      out = std::move(copy);
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
  // The receipt row `sql` selects once `bind` has bound its parameters, if there is one.
  std::optional<ReceiptRecord> selectReceipt(const std::string& sql, const std::function<void(BoundStatement&)>& bind) {
    std::optional<ReceiptRecord> out;
    pool_.read([&](Poco::Data::Session&, PreparedStatements& prepared) {
      auto select = prepared(sql);
      bind(select);
      if (select.step()) out = readReceipt(select);
    });
    return out;
  }

  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<ReceiptRepository> makeSqliteReceipts(ConnectionPool& pool) {
  return std::make_unique<SqliteReceipts>(pool);
}

}  // namespace kyso::store::detail
