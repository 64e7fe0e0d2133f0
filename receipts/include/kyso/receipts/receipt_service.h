// Issuing e-receipts: series, gapless numbers, the signed XML, idempotent retries, replacements.
//
// A receipt's number is part of what is signed, and a failed signing must take no number, so the
// number is taken, the XML signed and the receipt stored in one write transaction. To keep both
// cores signing while that transaction serialises writers, concurrent requests are issued in
// groups: the first caller to find no group running leads one, takes every request waiting (up to
// `maxGroup`), numbers them in arrival order, signs them in parallel and commits them together
// (one fsync for the group). If any signing in a group fails, the group is rolled back and its
// requests are issued one by one, so only the failing one fails and no number is lost.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/clock.h"
#include "kyso/pki/signing_key.h"
#include "kyso/receipts/receipt.h"
#include "kyso/receipts/receipt_check.h"
#include "kyso/receipts/reports.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/store/receipts.h"

namespace kyso::receipts {

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

  // A replacement receipt for `originalId` (new number in the original's series, linked to it);
  // the original becomes "replaced". Idempotent by key like issue().
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
  struct Prepared;

  IssueResult submit(std::shared_ptr<Pending> pending);
  void issueGroup(std::vector<std::shared_ptr<Pending>>& group);
  void issueTogether(std::vector<std::shared_ptr<Pending>>& group);
  std::optional<IssueResult> resolveExisting(store::ReceiptIssuance& tx, const Pending& pending);
  Receipt prepare(store::ReceiptIssuance& tx, const Pending& pending, const store::SeriesRecord& series);
  std::string nextLookupCode();

  store::ReceiptRepository& repository_;
  CredentialLookup keys_;
  PdfCopyMaker pdfCopies_;
  const pki::Clock& clock_;
  ReceiptServiceOptions options_;

  std::mutex queueMutex_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool leading_ = false;
  std::condition_variable groupDone_;
  std::mutex pdfMutex_;
};

// The total of a request's fee lines. Throws InputError("invalid_amount") when it exceeds the limit.
std::int64_t totalOf(const ReceiptRequest& request);
inline constexpr std::int64_t kMaxReceiptTotal = 99'999'999'999;  // VND

}  // namespace kyso::receipts
