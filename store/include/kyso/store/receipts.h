// E-receipt series, receipts and what hangs off them (idempotency keys, the event outbox).
//
// Receipt numbers never repeat or skip: a number is taken in the same write transaction that
// stores the signed receipt, so a failed signing takes no number and a stored receipt is never
// lost. `ReceiptRepository::issue` hands the caller that transaction as a `ReceiptIssuance`; on
// PostgreSQL the same shape is a transaction holding the series row FOR UPDATE.
//
// The store knows the columns it indexes (series, number, status, lookup code, payment) and keeps
// the rest of a receipt as opaque JSON (`content`) that only the receipts library reads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/store/audit_log.h"

namespace kyso::store {

// Numbers reserved for a sub-unit or delegated collection site (Decree 254 Art. 25(5)), used
// from small to large.
struct NumberRange {
  std::string unit;
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::uint32_t next = 0;  // next number to hand out; last + 1 when used up
};

struct SeriesRecord {
  std::string id;
  std::string templateCode;  // "EBL01"
  std::string symbol;        // "26TAB"
  int year = 0;
  std::string organizationName;
  std::string organizationTaxCode;
  std::string organizationAddress;
  std::string keyId;  // the seal key that signs this series' receipts
  pki::TimePoint createdAt;
  // Without ranges the whole series is one counter; with ranges every receipt names its unit.
  std::uint32_t next = 1;
  std::vector<NumberRange> ranges;
};

struct ReceiptRecord {
  std::string id;
  std::string seriesId;
  std::string templateCode;
  std::string symbol;
  std::uint32_t number = 0;
  std::string unit;  // empty unless the series has ranges
  pki::TimePoint issuedAt;
  std::string status;  // "issued", "replaced"
  std::string replaces;
  std::string replacedBy;
  std::string lookupCode;
  std::string paymentProvider;
  std::string paymentTransactionId;
  std::string dossierCode;
  std::int64_t total = 0;
  std::string actor;          // who asked for it ("apikey:<id>")
  std::string requestSha256;  // hex, of the canonical request (idempotency)
  std::string content;        // receipts-library JSON
  std::string xml;            // the signed XML, as issued
  std::string xmlSha256;      // hex
};

// A receipt and its PDF copy as the register check of a PDF copy reads them: the record without
// its XML (`xml` is empty; `xml_sha256` is read), the copy if one is stored.
struct ReceiptPdfCopy {
  ReceiptRecord record;
  std::optional<Bytes> pdf;
};

struct NoticeRecord {
  std::string id;
  std::string receiptId;
  pki::TimePoint issuedAt;
  std::string actor;
  std::string idempotencyKey;  // unique per actor when not empty
  std::string requestSha256;   // hex, of the canonical request (idempotency)
  std::string content;         // receipts-library JSON
  std::string xml;             // the signed notice (form 04/SS-CTĐT)
};

// An API client's callback: where its events go and the secret that signs them (HMAC-SHA256).
struct CallbackRecord {
  std::string apiKeyId;
  std::string url;
  std::string secret;  // hex; shown to the client once, kept to sign
  pki::TimePoint createdAt;
};

// An event for the procedure system, delivered from a durable outbox.
struct OutboxEvent {
  std::int64_t id = 0;
  std::string subscriber;  // the API key id whose callback URL gets it
  std::string type;        // "receipt.issued", "receipt.replaced", "receipt.notice"
  std::string body;        // JSON, as it will be signed and sent
  pki::TimePoint createdAt;
  pki::TimePoint nextAttemptAt;
  int attempts = 0;
  std::optional<pki::TimePoint> deliveredAt;
  std::string lastError;
};

struct ReceiptQuery {
  std::string templateCode;                // empty: all
  std::string symbol;                      // empty: all
  std::optional<pki::TimePoint> from, to;  // issue time, [from, to)
  std::string status;                      // empty: all
  std::string afterId;                     // paging: receipts ordered by (issued_at, id); continue after this one
  std::size_t limit = 50;
};

// What an earlier request left: the receipt of an idempotency key, the receipt of a payment.
struct EarlierReceipts {
  std::optional<ReceiptRecord> byIdempotencyKey;
  std::optional<ReceiptRecord> byPayment;
};

// The write transaction in which receipts are issued. Every call sees and changes the same
// snapshot; nothing is visible to others until the transaction commits.
class ReceiptIssuance {
 public:
  virtual ~ReceiptIssuance() = default;
  // The receipt stored earlier under (actor, idempotency key), with the request hash it was made for.
  virtual std::optional<ReceiptRecord> findByIdempotencyKey(const std::string& actor, const std::string& key) = 0;
  // The receipt stored earlier for this payment.
  virtual std::optional<ReceiptRecord> findByPayment(const std::string& provider, const std::string& transactionId) = 0;
  // Both look-ups in one: the receipt of (actor, key) unless `key` is empty, and the receipt of the
  // payment unless `provider` is empty.
  virtual EarlierReceipts findEarlier(const std::string& actor, const std::string& key, const std::string& provider,
                                      const std::string& transactionId) = 0;
  virtual std::optional<ReceiptRecord> find(const std::string& id) = 0;
  virtual std::optional<SeriesRecord> series(const std::string& id) = 0;
  virtual std::optional<SeriesRecord> series(const std::string& templateCode, const std::string& symbol) = 0;
  // Takes the next number of the series (or of `unit`'s range). Throws InputError("series_exhausted")
  // when none is left, InputError("unknown_unit") for a unit without a range, InputError
  // ("unit_required") when the series has ranges and `unit` is empty.
  virtual std::uint32_t takeNumber(const std::string& seriesId, const std::string& unit) = 0;
  // Takes `count` consecutive numbers at once (one update for a group) and returns the first; the
  // same errors, series_exhausted unless all `count` are left.
  virtual std::uint32_t takeNumbers(const std::string& seriesId, const std::string& unit, std::uint32_t count) = 0;
  // Stores a receipt (and the idempotency key, when not empty). Numbers and lookup codes are unique.
  virtual void insert(const ReceiptRecord& receipt, const std::string& idempotencyKey) = 0;
  virtual void markReplaced(const std::string& id, const std::string& byId) = 0;
  virtual void insertNotice(const NoticeRecord& notice) = 0;
  virtual std::optional<NoticeRecord> findNoticeByIdempotencyKey(const std::string& actor, const std::string& key) = 0;
  // Queues `event` (its subscriber ignored) once for every registered callback.
  virtual void enqueueForCallbacks(const OutboxEvent& event) = 0;
  virtual AuditEntry audit(const AuditRecord& record) = 0;
};

class ReceiptRepository {
 public:
  virtual ~ReceiptRepository() = default;

  // Throws ConflictError("series_exists") for a (template, symbol) that exists.
  virtual void insertSeries(const SeriesRecord& series) = 0;
  virtual std::vector<SeriesRecord> listSeries() = 0;
  virtual std::optional<SeriesRecord> findSeries(const std::string& templateCode, const std::string& symbol) = 0;

  // Runs `work` in one write transaction (committed when it returns, rolled back when it throws).
  virtual void issue(const std::function<void(ReceiptIssuance&)>& work) = 0;
  // Runs `work` in one read transaction: its look-ups see one committed state; any write throws
  // InternalError. (The issuing pipeline plans a group here while the previous group commits.)
  virtual void read(const std::function<void(ReceiptIssuance&)>& work) = 0;

  virtual std::optional<ReceiptRecord> find(const std::string& id) = 0;
  virtual std::optional<ReceiptRecord> findByLookupCode(const std::string& code) = 0;
  // The receipt numbered `number` in the series (template, symbol), as printed on it.
  virtual std::optional<ReceiptRecord> findByNumber(const std::string& templateCode, const std::string& symbol,
                                                    std::uint32_t number) = 0;
  virtual std::vector<ReceiptRecord> list(const ReceiptQuery& query) = 0;
  // Receipts of a series issued in [from, to), ordered by number (for the daily summary).
  virtual std::vector<ReceiptRecord> issuedBetween(pki::TimePoint from, pki::TimePoint to) = 0;
  virtual std::vector<NoticeRecord> notices(const std::string& receiptId) = 0;
  virtual std::optional<NoticeRecord> findNotice(const std::string& id) = 0;

  // The PDF copy: rendered once, then served unchanged. Stores `pdf` unless one is stored already;
  // returns the stored one either way.
  virtual Bytes storePdf(const std::string& receiptId, ByteView pdf) = 0;
  virtual std::optional<Bytes> pdf(const std::string& receiptId) = 0;
  // The receipt numbered `number` in (template, symbol) and its PDF copy, in one read.
  virtual std::optional<ReceiptPdfCopy> findPdfCopy(const std::string& templateCode, const std::string& symbol,
                                                    std::uint32_t number) = 0;

  // Callbacks, one per API client: set (replacing an earlier one), read, removed.
  virtual void setCallback(const CallbackRecord& callback) = 0;
  virtual std::optional<CallbackRecord> callback(const std::string& apiKeyId) = 0;
  virtual bool removeCallback(const std::string& apiKeyId) = 0;

  // Outbox: events due at `now` (undelivered, next attempt reached), oldest first.
  virtual std::vector<OutboxEvent> dueEvents(pki::TimePoint now, std::size_t limit) = 0;
  virtual void markDelivered(std::int64_t eventId, pki::TimePoint at) = 0;
  virtual void markFailed(std::int64_t eventId, pki::TimePoint nextAttemptAt, const std::string& error) = 0;
};

}  // namespace kyso::store
