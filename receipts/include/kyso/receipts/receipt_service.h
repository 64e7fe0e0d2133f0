// Issuing e-receipts: series, gapless numbers, the signed XML, idempotent retries, replacements.
//
// A receipt's number is part of what is signed, and a failed signing must take no number. Concurrent
// requests are issued in groups (up to `maxGroup`, one commit and fsync each) by a pipeline of two
// threads, so that signing and committing overlap:
//  - the planner takes the waiting requests, looks up earlier receipts for their idempotency keys
//    and payments (a read transaction), numbers them in arrival order — continuing from the numbers
//    of the group still committing, kept in memory — and signs them on a persistent pool;
//  - the committer stores a signed group in one write transaction that first takes the group's
//    numbers from the database (one update per series or unit) and checks they are the ones signed.
// The database stays the authority: if they are not (a group before failed, another process issued
// meanwhile), or anything of the group fails (a signing, an insert, the commit), nothing of it is
// stored and its requests are issued again one by one, each taking, signing and storing its number
// in one write transaction — so a failure never leaves a gap or a repeat, and only the failing
// request fails. A request whose idempotency key, payment or replaced receipt is in a group still
// committing waits for that group before it is planned.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kyso/pki/clock.h"
#include "kyso/pki/signing_key.h"
#include "kyso/receipts/receipt.h"
#include "kyso/receipts/receipt_check.h"
#include "kyso/receipts/reports.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/store/receipts.h"

namespace kyso::receipts {

namespace detail {
class SigningPool;
}

struct NumberRangeSpec {
  std::string unit;
  std::uint32_t first = 0;
  std::uint32_t last = 0;
};

struct SeriesSpec {
  TemplateCode templateCode = TemplateCode::Ebl01;
  std::string symbol;
  std::optional<int> year;  // default: from the symbol ("26TAB" → 2026); must agree with it
  Organization organization;
  std::string keyId;  // empty: the service's default seal key
  std::vector<NumberRangeSpec> ranges;
};

struct Series {
  std::string id;  // "sr_" + 32 hex
  TemplateCode templateCode = TemplateCode::Ebl01;
  std::string symbol;
  int year = 0;
  Organization organization;
  std::string keyId;
  pki::TimePoint createdAt;
  std::uint32_t nextNumber = 1;  // without ranges
  std::vector<store::NumberRange> ranges;
};

struct IssueRequest {
  TemplateCode templateCode = TemplateCode::Ebl01;
  std::string symbol;
  std::string unit;  // a unit with its own number range, when the series has ranges
  ReceiptRequest content;
  std::string actor;           // "apikey:<id>"
  std::string idempotencyKey;  // empty: none (the payment transaction id still deduplicates)
};

struct IssueResult {
  Receipt receipt;
  bool replayed = false;  // an earlier request made this receipt; nothing new was issued
};

struct NoticeResult {
  Notice notice;
  bool replayed = false;
};

struct ReceiptServiceOptions {
  std::string publicBaseUrl = "http://127.0.0.1:8080";  // verify URL = base + "/v/" + lookup code
  std::string defaultKeyId = "seal";
  std::size_t maxGroup = 64;
  std::size_t signingThreads = 0;  // 0: one per core
  // Called by the planner after it signed a group, before the group is committed, with the number
  // of receipts signed (tests use it to fail a commit while the next group is signed).
  std::function<void(std::size_t)> groupSigned;
  // Called after a request joined the queue of requests waiting to be planned, with the queue's
  // length then (tests use it to know a group has gathered instead of waiting for it).
  std::function<void(std::size_t)> queued;
  // Where the PDF copies' signatures are recorded (receipts and notices are recorded in the
  // transaction that stores them). Null: not recorded.
  store::AuditLog* audit = nullptr;
};

// The signing keys, by id. Throws NotFoundError("key_not_found").
using CredentialLookup = std::function<const pki::SigningCredential&(const std::string& keyId)>;
// Renders the receipt's PDF copy and signs it (PAdES) with `credential`.
using PdfCopyMaker = std::function<Bytes(const Receipt& receipt, const pki::SigningCredential& credential)>;

class ReceiptService {
 public:
  ReceiptService(store::ReceiptRepository& repository, CredentialLookup keys, PdfCopyMaker pdfCopies,
                 const pki::Clock& clock, ReceiptServiceOptions options);
  ~ReceiptService();
  ReceiptService(const ReceiptService&) = delete;
  ReceiptService& operator=(const ReceiptService&) = delete;

  // Throws InputError (invalid_series_symbol, invalid_tax_code, invalid_range …),
  // ConflictError("series_exists"), NotFoundError("key_not_found").
  Series createSeries(const SeriesSpec& spec);
  std::vector<Series> listSeries();

  // Issues a receipt, or returns the one an earlier request with the same idempotency key (same
  // actor) or the same payment made. The same key or payment with a different request is a
  // ConflictError ("idempotency_key_reused", "payment_already_receipted").
  IssueResult issue(const IssueRequest& request);

  // A replacement receipt for `originalId` (new number, linked to it); the original becomes
  // "replaced". Idempotent by key like issue(). Numbered in the original's series when
  // `request.symbol` is empty; else in the series `request.templateCode` + `request.symbol`, which
  // must be of the original's template and organisation (InputError("replacement_series_mismatch"))
  // — how a receipt of an earlier year, whose series is closed (InputError("series_closed")), is
  // replaced in the current year's series.
  IssueResult replace(const std::string& originalId, const IssueRequest& request);

  // Throws NotFoundError("series_not_found").
  Series series(const std::string& id);

  // Throws NotFoundError("receipt_not_found").
  Receipt get(const std::string& id);
  std::optional<Receipt> findByLookupCode(const std::string& code);
  // The signed XML, exactly as issued.
  std::string xml(const std::string& id);
  // The signed PDF copy: made on first request, stored, then served unchanged.
  Bytes pdf(const std::string& id);
  std::vector<Receipt> list(const store::ReceiptQuery& query);

  // A signed notice correcting the text of an issued receipt (form 04/SS-CTĐT); the receipt stays
  // as it is. Throws InputError("correction_not_allowed") for a tax code, identifier or amount
  // (those need a replacement), InputError("invalid_correction") for an unknown field, an empty or
  // unchanged value, ConflictError("receipt_replaced"). Idempotent by key like issue().
  NoticeResult issueNotice(const std::string& receiptId, const NoticeRequest& request);
  std::vector<Notice> notices(const std::string& receiptId);
  // Throws NotFoundError("notice_not_found").
  Notice notice(const std::string& id);
  std::string noticeXml(const std::string& id);

  // What `taxCode`'s organisation issued on `day` (Vietnam time). With an empty tax code, the day's
  // receipts must all be of one organisation (else InputError("tax_code_required")).
  DailySummary dailySummary(std::chrono::year_month_day day, const std::string& taxCode);
  // The summary as XML signed now with the seal key of one of the organisation's series.
  std::string signSummary(const DailySummary& summary);

  // Checks a request without issuing it (also done by issue()).
  static void validate(const ReceiptRequest& request);

  // A receipt file against the register: `identity` as readReceiptXml read it from `document`,
  // parsed from `bytes` (receipt_check.h). Throws what the store throws.
  RegisterCheck checkRegister(const ReceiptIdentity& identity, const signer::XmlDocument& document,
                              std::string_view bytes);
  // A receipt's PDF copy against the register: the file must be the stored copy byte for byte.
  RegisterCheck checkRegisterPdf(const ReceiptIdentity& identity, const signer::PdfInput& pdf);

 private:
  struct Pending;
  struct Batch;
  class PlannedNumbers;
  using Group = std::vector<std::shared_ptr<Pending>>;

  IssueResult submit(std::shared_ptr<Pending> pending);
  void planLoop();
  void commitLoop();
  void commitPlanned(Batch& batch);
  void issueGroup(Group& group);
  void issueTogether(Group& group);
  void plan(store::ReceiptIssuance& tx, Batch& batch);
  void sign(Batch& batch);
  void store(store::ReceiptIssuance& tx, Batch& batch);
  static void handOut(Batch& batch);
  std::optional<IssueResult> resolveExisting(store::ReceiptIssuance& tx, const Pending& pending);
  std::string nextLookupCode();

  store::ReceiptRepository& repository_;
  CredentialLookup keys_;
  PdfCopyMaker pdfCopies_;
  const pki::Clock& clock_;
  ReceiptServiceOptions options_;

  std::mutex pdfMutex_;

  // The issuing pipeline (receipt_service.cpp). Guarded by mutex_: the queue of requests, the
  // planned groups waiting for the committer, what they claim, and whether the planner must wait
  // for the committer to catch up and forget its numbers (after a group was issued again).
  std::unique_ptr<detail::SigningPool> signingPool_;
  std::mutex mutex_;
  std::condition_variable queued_, planned_, drained_;
  std::deque<std::shared_ptr<Pending>> queue_;
  std::deque<std::unique_ptr<Batch>> toCommit_;
  std::size_t inFlight_ = 0;  // groups planned and not yet committed (or issued again)
  std::multiset<std::pair<std::string, std::string>> claimedKeys_, claimedPayments_;
  std::multiset<std::string> claimedOriginals_;
  bool resync_ = false;
  bool stopping_ = false, planningStopped_ = false;
  // Planner only: the next number of each (series id, unit) after the groups planned so far.
  struct Counter {
    std::uint32_t next = 0;
    std::uint32_t last = 0;
  };
  std::map<std::pair<std::string, std::string>, Counter> counters_;
  std::thread planner_, committer_;
};

// The total of a request's fee lines. Throws InputError("invalid_amount") when it exceeds the limit.
std::int64_t totalOf(const ReceiptRequest& request);
inline constexpr std::int64_t kMaxReceiptTotal = 99'999'999'999;  // VND

}  // namespace kyso::receipts
