#include "kyso/receipts/receipt_service.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <Poco/TextIterator.h>
#include <Poco/UTF8Encoding.h>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/receipts/amount_words.h"
#include "kyso/receipts/identifiers.h"
#include "receipt_json.h"
#include "receipt_xml.h"
#include "report_xml.h"
#include "signing_pool.h"

namespace kyso::receipts {

namespace {

constexpr std::size_t kMaxText = 500;
constexpr std::size_t kMaxItems = 100;
// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed is not misread.
constexpr std::string_view kLookupAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kLookupLength = 12;  // 60 bits

std::string randomId(std::string_view prefix) {
  return std::string(prefix) + toHex(pki::randomBytes(16));
}

// What a receipt prints must be printable: Vietnamese and Latin letters, digits, punctuation, the
// đồng sign — what the receipt's font (Liberation Serif) shows — and no control characters.
// Checked at issue, so that a receipt whose PDF copy could never be made is never issued.
bool printable(int c) {
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0x17F) || c == 0x1A0 || c == 0x1A1 || c == 0x1AF ||
         c == 0x1B0 || (c >= 0x300 && c <= 0x303) || c == 0x309 || c == 0x323 || (c >= 0x1EA0 && c <= 0x1EF9) ||
         (c >= 0x2010 && c <= 0x2026) || c == 0x2030 || c == 0x2039 || c == 0x203A || c == 0x20AB || c == 0x20AC;
}

void requirePrintable(const std::string& value, const std::string& field) {
  static const Poco::UTF8Encoding utf8;
  Poco::TextIterator it(value, utf8), end(value);
  for (; it != end; ++it) {
    const int c = *it;
    if (c < 0) throw InputError("invalid_text", field + " is not valid UTF-8");
    if (!printable(c)) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      throw InputError("invalid_text", field + " has a character a receipt cannot print (" + code + ")");
    }
  }
}

void requireText(const std::string& value, const char* field, std::size_t max = kMaxText) {
  if (value.empty()) throw InputError("missing_field", std::string(field) + " is required");
  requirePrintable(value, field);
  if (value.size() > max) {
    throw InputError("invalid_field", std::string(field) + " is longer than " + std::to_string(max) + " bytes");
  }
}

// The service's own seal that cannot sign (expired, not yet valid, wrong key usage) is the
// operator's problem, not the caller's: 503, as for signing (api SigningService).
void usableSeal(const pki::SigningCredential& credential, pki::TimePoint at) {
  try {
    pki::requireUsableForSigning(credential.certificate(), at);
  } catch (const InputError& e) {
    throw UnavailableError("signing_key_unusable", "signing key '" + credential.id + "' cannot sign: " + e.what());
  }
}

// Vietnam local calendar year of an instant.
int vietnamYear(pki::TimePoint t) {
  const auto local = std::chrono::floor<std::chrono::days>(t + pki::kVietnamUtcOffset);
  return static_cast<int>(std::chrono::year_month_day(local).year());
}

store::ReceiptRecord toRecord(const Receipt& r, const std::string& seriesId, const std::string& unit,
                              const std::string& actor, const std::string& requestSha256, std::string xml) {
  store::ReceiptRecord record;
  record.id = r.id;
  record.seriesId = seriesId;
  record.templateCode = std::string(templateCodeName(r.series.templateCode));
  record.symbol = r.series.symbol;
  record.number = r.number;
  record.unit = unit;
  record.issuedAt = r.issuedAt;
  record.status = std::string(receiptStatusName(r.status));
  record.replaces = r.replaces ? r.replaces->id : "";
  record.lookupCode = r.lookupCode;
  record.paymentProvider = r.request.payment.provider;
  record.paymentTransactionId = r.request.payment.transactionId;
  record.dossierCode = r.request.dossier.code;
  record.total = r.total;
  record.actor = actor;
  record.requestSha256 = requestSha256;
  record.content = detail::contentJson(r);
  record.xmlSha256 = toHex(pki::digest(pki::DigestAlgorithm::Sha256, asBytes(xml)));
  record.xml = std::move(xml);
  return record;
}

Series fromSeriesRecord(const store::SeriesRecord& r) {
  Series s;
  s.id = r.id;
  s.templateCode = parseTemplateCode(r.templateCode);
  s.symbol = r.symbol;
  s.year = r.year;
  s.organization = {r.organizationName, r.organizationTaxCode, r.organizationAddress};
  s.keyId = r.keyId;
  s.createdAt = r.createdAt;
  s.nextNumber = r.next;
  s.ranges = r.ranges;
  return s;
}

// A replacement is numbered in its original's series or, named by the request, in another series
// of the same template and organisation: the original's series is closed once its year is over
// (Decree 254/2026 has no cancel, so a receipt of 31 December is corrected in the next year's
// series). The replacement's XML still names the original (TTBLLQuan).
void requireReplacementSeries(store::ReceiptIssuance& tx, const store::ReceiptRecord& original,
                              const store::SeriesRecord& series) {
  if (series.id == original.seriesId) return;
  const auto originalSeries = tx.series(original.seriesId);
  if (!originalSeries) {
    throw InternalError("receipt " + original.id + " names a series that does not exist", "database_corrupt");
  }
  if (series.templateCode != originalSeries->templateCode) {
    throw InputError("replacement_series_mismatch", "series " + series.templateCode + " " + series.symbol +
                                                        " is of another template than the original receipt (" +
                                                        originalSeries->templateCode + ")");
  }
  if (series.organizationTaxCode != originalSeries->organizationTaxCode) {
    throw InputError("replacement_series_mismatch",
                     "series " + series.templateCode + " " + series.symbol + " belongs to tax code " +
                         series.organizationTaxCode + ", the original receipt to " +
                         originalSeries->organizationTaxCode + "; a replacement is issued by the same organisation");
  }
}

}  // namespace

// A request waiting to be issued in a group.
struct ReceiptService::Pending {
  IssueRequest request;
  std::string replaces;      // for a replacement: the original's id
  bool namedSeries = false;  // a replacement whose request named its series (else the original's)
  std::string requestSha256;
  // Set while planning: the id of the receipt an earlier member of the same group is issuing for
  // the same idempotency key or payment.
  std::string twinOf;
  // Set by the pipeline before `done` is fulfilled; read by the waiting caller.
  std::optional<IssueResult> result;
  std::exception_ptr error;
  std::promise<void> done;
};

// A group on its way through the pipeline.
struct ReceiptService::Batch {
  struct Work {
    Pending* pending;
    Receipt receipt;
    std::string seriesId;
    const pki::SigningCredential* credential = nullptr;
    // Made by the signing threads: the row, the audit entry and the event.
    store::ReceiptRecord record;
    store::AuditRecord audit;
    store::OutboxEvent event;
  };
  Group group;
  std::vector<Work> work;
  std::map<const Pending*, IssueResult> results;
  std::map<const Pending*, std::exception_ptr> errors;
  // Planned numbers: per (series id, unit), the first and how many.
  std::map<std::pair<std::string, std::string>, std::pair<std::uint32_t, std::uint32_t>> claims;
  // Planning or signing failed: the group is issued again one by one.
  bool failed = false;
  // What it claimed in the pipeline's sets (released when it is done).
  std::vector<std::pair<std::string, std::string>> keys, payments;
  std::vector<std::string> originals;
};

// The planner's view of the store: look-ups in a read transaction, numbers from the planner's
// counters (continued from the groups before, not yet committed). Writes are not for planning.
class ReceiptService::PlannedNumbers final : public store::ReceiptIssuance {
 public:
  PlannedNumbers(store::ReceiptIssuance& snapshot, ReceiptService& service, Batch& batch)
      : snapshot_(snapshot), service_(service), batch_(batch) {}

  std::optional<store::ReceiptRecord> findByIdempotencyKey(const std::string& actor, const std::string& key) override {
    return snapshot_.findByIdempotencyKey(actor, key);
  }
  std::optional<store::ReceiptRecord> findByPayment(const std::string& provider, const std::string& id) override {
    return snapshot_.findByPayment(provider, id);
  }
  store::EarlierReceipts findEarlier(const std::string& actor, const std::string& key, const std::string& provider,
                                     const std::string& transactionId) override {
    return snapshot_.findEarlier(actor, key, provider, transactionId);
  }
  std::optional<store::ReceiptRecord> find(const std::string& id) override { return snapshot_.find(id); }
  std::optional<store::SeriesRecord> series(const std::string& id) override { return snapshot_.series(id); }
  std::optional<store::SeriesRecord> series(const std::string& templateCode, const std::string& symbol) override {
    return snapshot_.series(templateCode, symbol);
  }

  // The store's rules (store/src/sqlite_receipts.cpp takeNumbers), on the planner's counters.
  std::uint32_t takeNumber(const std::string& seriesId, const std::string& unit) override {
    const auto key = std::make_pair(seriesId, unit);
    auto counter = service_.counters_.find(key);
    if (counter == service_.counters_.end()) {
      const auto series = snapshot_.series(seriesId);
      if (!series) throw NotFoundError("series_not_found", "no such receipt series");
      Counter fresh;
      if (series->ranges.empty()) {
        if (!unit.empty()) throw InputError("unknown_unit", "the series has no number ranges; leave out the unit");
        fresh = {series->next, kMaxReceiptNumber};
      } else {
        if (unit.empty()) {
          throw InputError("unit_required", "the series hands out numbers per unit; name the unit whose range to use");
        }
        const auto range = std::find_if(series->ranges.begin(), series->ranges.end(),
                                        [&](const store::NumberRange& r) { return r.unit == unit; });
        if (range == series->ranges.end()) {
          throw InputError("unknown_unit", "the series has no number range for unit '" + unit + "'");
        }
        fresh = {range->next, range->last};
      }
      counter = service_.counters_.emplace(key, fresh).first;
    }
    if (counter->second.next > counter->second.last) {
      throw InputError("series_exhausted", unit.empty() ? "the series has no numbers left"
                                                        : "unit '" + unit + "' has used every number of its range");
    }
    const std::uint32_t number = counter->second.next++;
    auto& claim = batch_.claims.try_emplace(key, number, 0).first->second;
    ++claim.second;
    return number;
  }
  std::uint32_t takeNumbers(const std::string&, const std::string&, std::uint32_t) override { return readOnly(); }
  void insert(const store::ReceiptRecord&, const std::string&) override { readOnly(); }
  void markReplaced(const std::string&, const std::string&) override { readOnly(); }
  void insertNotice(const store::NoticeRecord&) override { readOnly(); }
  std::optional<store::NoticeRecord> findNoticeByIdempotencyKey(const std::string& actor,
                                                                const std::string& key) override {
    return snapshot_.findNoticeByIdempotencyKey(actor, key);
  }
  void enqueueForCallbacks(const store::OutboxEvent&) override { readOnly(); }
  store::AuditEntry audit(const store::AuditRecord&) override { readOnly(); }

 private:
  [[noreturn]] static std::uint32_t readOnly() { throw InternalError("a write while planning receipts"); }

  store::ReceiptIssuance& snapshot_;
  ReceiptService& service_;
  Batch& batch_;
};

namespace {
// The numbers a planned group signed are not the database's next ones any more.
struct StaleNumbers {};
}  // namespace

std::int64_t totalOf(const ReceiptRequest& request) {
  std::int64_t total = 0;
  for (const FeeItem& item : request.items) {
    if (item.amount <= 0) throw InputError("invalid_amount", "items: every amount must be a positive number of VND");
    if (item.amount > kMaxReceiptTotal - total) {
      throw InputError("invalid_amount", "items: the total exceeds " + std::to_string(kMaxReceiptTotal) + " VND");
    }
    total += item.amount;
  }
  return total;
}

void ReceiptService::validate(const ReceiptRequest& r) {
  requireText(r.payer.name, "payer.name");
  requireText(r.payer.id, "payer.id", 14);
  try {
    validatePayerId(r.payer.id);
  } catch (const InputError& e) {
    throw InputError(e.code(), std::string("payer.id: ") + e.what(), e.kind());  // the path, as other fields
  }
  if (r.payer.address.size() > kMaxText) throw InputError("invalid_field", "payer.address is too long");
  requirePrintable(r.payer.address, "payer.address");
  if (r.items.empty()) throw InputError("missing_field", "items: at least one fee or charge is required");
  if (r.items.size() > kMaxItems) {
    throw InputError("invalid_field", "items: at most " + std::to_string(kMaxItems) + " lines per receipt");
  }
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    const std::string at = "items[" + std::to_string(i) + "]";
    requireText(r.items[i].code, (at + ".code").c_str(), 50);
    requireText(r.items[i].name, (at + ".name").c_str());
    if (r.items[i].amount <= 0) throw InputError("invalid_amount", at + ".amount must be a positive number of VND");
  }
  totalOf(r);
  requireText(r.payment.provider, "payment.provider", 100);
  requireText(r.payment.transactionId, "payment.transaction_id", 100);
  requireText(r.dossier.code, "dossier.code", 100);
  requireText(r.dossier.procedureCode, "dossier.procedure_code", 100);
}

ReceiptService::ReceiptService(store::ReceiptRepository& repository, CredentialLookup keys, PdfCopyMaker pdfCopies,
                               const pki::Clock& clock, ReceiptServiceOptions options)
    : repository_(repository),
      keys_(std::move(keys)),
      pdfCopies_(std::move(pdfCopies)),
      clock_(clock),
      options_(std::move(options)) {
  if (options_.signingThreads == 0) options_.signingThreads = std::max(1U, std::thread::hardware_concurrency());
  if (options_.maxGroup == 0) options_.maxGroup = 1;
  while (!options_.publicBaseUrl.empty() && options_.publicBaseUrl.back() == '/') options_.publicBaseUrl.pop_back();
  signingPool_ = std::make_unique<detail::SigningPool>(options_.signingThreads);
  planner_ = std::thread([this] { planLoop(); });
  committer_ = std::thread([this] { commitLoop(); });
}

ReceiptService::~ReceiptService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  planner_.join();
  committer_.join();
}

Series ReceiptService::createSeries(const SeriesSpec& spec) {
  const int year = spec.year.value_or(seriesSymbolYear(spec.symbol));
  validateSeriesSymbol(spec.symbol, year);
  requireText(spec.organization.name, "organization.name");
  validateTaxCode(spec.organization.taxCode);
  requireText(spec.organization.address, "organization.address");
  const std::string keyId = spec.keyId.empty() ? options_.defaultKeyId : spec.keyId;
  const pki::SigningCredential& credential = keys_(keyId);  // throws key_not_found
  usableSeal(credential, clock_.now());

  store::SeriesRecord record;
  record.id = randomId("sr_");
  record.templateCode = std::string(templateCodeName(spec.templateCode));
  record.symbol = spec.symbol;
  record.year = year;
  record.organizationName = spec.organization.name;
  record.organizationTaxCode = spec.organization.taxCode;
  record.organizationAddress = spec.organization.address;
  record.keyId = keyId;
  record.createdAt = std::chrono::floor<std::chrono::seconds>(clock_.now());
  std::set<std::string> units;
  for (const NumberRangeSpec& range : spec.ranges) {
    const std::string at = "ranges[" + range.unit + "]";
    requireText(range.unit, "ranges[].unit", 50);
    if (!units.insert(range.unit).second) throw InputError("invalid_range", at + ": the unit has two ranges");
    if (range.first < 1 || range.last < range.first || range.last > kMaxReceiptNumber) {
      throw InputError("invalid_range", at + ": a range is first..last with 1 <= first <= last <= 99999999");
    }
    for (const auto& other : record.ranges) {
      if (range.first <= other.last && other.first <= range.last) {
        throw InputError("invalid_range", at + " overlaps the range of unit '" + other.unit + "'");
      }
    }
    record.ranges.push_back({range.unit, range.first, range.last, range.first});
  }
  repository_.insertSeries(record);
  return fromSeriesRecord(record);
}

Series ReceiptService::series(const std::string& id) {
  for (const auto& record : repository_.listSeries()) {
    if (record.id == id) return fromSeriesRecord(record);
  }
  throw NotFoundError("series_not_found", "no receipt series " + id);
}

std::vector<Series> ReceiptService::listSeries() {
  std::vector<Series> out;
  for (const auto& record : repository_.listSeries()) out.push_back(fromSeriesRecord(record));
  return out;
}

IssueResult ReceiptService::issue(const IssueRequest& request) {
  validate(request.content);
  auto pending = std::make_shared<Pending>();
  pending->request = request;
  pending->requestSha256 =
      detail::requestSha256(request.templateCode, request.symbol, request.unit, request.content, "");
  return submit(std::move(pending));
}

IssueResult ReceiptService::replace(const std::string& originalId, const IssueRequest& request) {
  validate(request.content);
  const Receipt original = get(originalId);
  auto pending = std::make_shared<Pending>();
  pending->request = request;
  pending->replaces = originalId;
  pending->namedSeries = !request.symbol.empty();
  if (!pending->namedSeries) {
    pending->request.templateCode = original.series.templateCode;
    pending->request.symbol = original.series.symbol;
  }
  // Naming the original's own series is the same request as naming none.
  pending->requestSha256 = detail::requestSha256(pending->request.templateCode, pending->request.symbol, request.unit,
                                                 request.content, originalId);
  return submit(std::move(pending));
}

IssueResult ReceiptService::submit(std::shared_ptr<Pending> pending) {
  auto done = pending->done.get_future();
  std::size_t waiting = 0;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(pending);
    waiting = queue_.size();
  }
  queued_.notify_one();
  if (options_.queued) options_.queued(waiting);
  done.wait();  // only this request's group wakes it
  if (pending->error) std::rethrow_exception(pending->error);
  return std::move(*pending->result);
}

// The planner: takes the waiting requests as a group, plans and signs it, hands it to the committer.
void ReceiptService::planLoop() {
  for (;;) {
    auto batch = std::make_unique<Batch>();
    {
      std::unique_lock lock(mutex_);
      // Two groups at most in the pipeline: one committing, one signed and waiting. Meanwhile
      // requests gather in the queue, so that the next group is larger (the commit and its fsync
      // are per group).
      drained_.wait(lock, [&] { return toCommit_.empty(); });
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping
      while (!queue_.empty() && batch->group.size() < options_.maxGroup) {
        batch->group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // A request whose key, payment or original is in a group still committing is planned once
      // that group is stored (its look-up then finds it). After a group was issued again, the
      // counters may run ahead of the database: start again from it once nothing is in flight.
      const auto claimed = [&](const Pending& p) {
        const Payment& payment = p.request.content.payment;
        return (!p.request.idempotencyKey.empty() &&
                claimedKeys_.count({p.request.actor, p.request.idempotencyKey}) != 0) ||
               claimedPayments_.count({payment.provider, payment.transactionId}) != 0 ||
               (!p.replaces.empty() && claimedOriginals_.count(p.replaces) != 0);
      };
      if (resync_ ||
          std::any_of(batch->group.begin(), batch->group.end(), [&](const auto& p) { return claimed(*p); })) {
        drained_.wait(lock, [&] { return inFlight_ == 0; });
      }
      if (resync_ || inFlight_ == 0) {
        counters_.clear();
        resync_ = false;
      }
    }
    try {
      repository_.read([&](store::ReceiptIssuance& snapshot) {
        PlannedNumbers planned(snapshot, *this, *batch);
        plan(planned, *batch);
      });
      sign(*batch);
      if (options_.groupSigned) options_.groupSigned(batch->work.size());
    } catch (...) {
      batch->failed = true;  // issued again one by one by the committer
    }
    {
      std::lock_guard lock(mutex_);
      for (const auto& w : batch->work) {
        const Pending& p = *w.pending;
        if (!p.request.idempotencyKey.empty()) {
          batch->keys.emplace_back(p.request.actor, p.request.idempotencyKey);
          claimedKeys_.insert(batch->keys.back());
        }
        if (p.replaces.empty()) {
          batch->payments.emplace_back(p.request.content.payment.provider, p.request.content.payment.transactionId);
          claimedPayments_.insert(batch->payments.back());
        } else {
          batch->originals.push_back(p.replaces);
          claimedOriginals_.insert(p.replaces);
        }
      }
      ++inFlight_;
      toCommit_.push_back(std::move(batch));
    }
    planned_.notify_one();
  }
  std::lock_guard lock(mutex_);
  planningStopped_ = true;
  planned_.notify_one();
}

// The committer: stores the planned groups in order, or issues one again when it cannot be stored
// as planned.
void ReceiptService::commitLoop() {
  for (;;) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock lock(mutex_);
      planned_.wait(lock, [&] { return planningStopped_ || !toCommit_.empty(); });
      if (toCommit_.empty()) return;
      batch = std::move(toCommit_.front());
      toCommit_.pop_front();
    }
    drained_.notify_all();
    commitPlanned(*batch);
    {
      std::lock_guard lock(mutex_);
      for (const auto& k : batch->keys) claimedKeys_.erase(claimedKeys_.find(k));
      for (const auto& p : batch->payments) claimedPayments_.erase(claimedPayments_.find(p));
      for (const auto& o : batch->originals) claimedOriginals_.erase(claimedOriginals_.find(o));
      --inFlight_;
    }
    drained_.notify_all();
    // The pipeline lets go of the group (its references to the requests and their errors) before
    // waking the callers, so that what a caller reads is freed by the caller.
    std::vector<std::promise<void>> wake;
    for (auto& member : batch->group) wake.push_back(std::move(member->done));
    batch.reset();
    for (auto& done : wake) done.set_value();
  }
}

void ReceiptService::commitPlanned(Batch& batch) {
  if (!batch.failed) {
    try {
      if (!batch.work.empty()) {
        repository_.issue([&](store::ReceiptIssuance& tx) {
          // The database decides: the group is stored only with the numbers it was signed with.
          for (const auto& [key, claim] : batch.claims) {
            if (tx.takeNumbers(key.first, key.second, claim.second) != claim.first) throw StaleNumbers{};
          }
          store(tx, batch);
        });
      }
      handOut(batch);
      return;
    } catch (...) {
      // Nothing of the group was stored (rolled back): issued again below.
    }
  }
  {
    std::lock_guard lock(mutex_);
    resync_ = true;
  }
  for (auto& member : batch.group) {
    member->twinOf.clear();
    member->result.reset();
    member->error = nullptr;
  }
  issueGroup(batch.group);
}

void ReceiptService::issueGroup(Group& group) {
  try {
    issueTogether(group);
    return;
  } catch (...) {
    if (group.size() == 1) {
      group[0]->error = std::current_exception();
      return;
    }
  }
  // Something failed after numbers were taken (a signing): nothing of the group was stored. Issue
  // each on its own, so that only the failing request fails.
  for (auto& member : group) {
    Group one{member};
    member->result.reset();
    member->error = nullptr;
    member->twinOf.clear();
    try {
      issueTogether(one);
    } catch (...) {
      member->error = std::current_exception();
    }
  }
}

std::optional<IssueResult> ReceiptService::resolveExisting(store::ReceiptIssuance& tx, const Pending& pending) {
  const IssueRequest& request = pending.request;
  const Payment& payment = request.content.payment;
  // One look-up for both (a replacement shares its original's payment: not looked up).
  const auto earlier =
      tx.findEarlier(request.actor, request.idempotencyKey, pending.replaces.empty() ? payment.provider : std::string(),
                     payment.transactionId);
  if (earlier.byIdempotencyKey) {
    if (earlier.byIdempotencyKey->requestSha256 != pending.requestSha256) {
      throw ConflictError("idempotency_key_reused", "this Idempotency-Key was used for a different request (receipt " +
                                                        earlier.byIdempotencyKey->id + ")");
    }
    return IssueResult{detail::fromRecord(*earlier.byIdempotencyKey), true};
  }
  if (earlier.byPayment) {
    if (earlier.byPayment->requestSha256 != pending.requestSha256) {
      throw ConflictError("payment_already_receipted", "payment " + payment.transactionId + " of " + payment.provider +
                                                           " has receipt " + earlier.byPayment->id +
                                                           " already, for a different request");
    }
    return IssueResult{detail::fromRecord(*earlier.byPayment), true};
  }
  return std::nullopt;
}

// Issues a group in one write transaction: look-ups, numbers, signatures, rows. Throws when a
// signing or the store fails (nothing stored then).
void ReceiptService::issueTogether(Group& group) {
  Batch batch;
  batch.group = group;
  repository_.issue([&](store::ReceiptIssuance& tx) {
    batch.work.clear();
    batch.results.clear();
    batch.errors.clear();
    for (auto& member : group) member->twinOf.clear();
    plan(tx, batch);
    sign(batch);
    store(tx, batch);
  });
  handOut(batch);
}

// Looks up, checks and numbers the group's requests in arrival order. A request that cannot be
// issued gets its error and takes no number.
void ReceiptService::plan(store::ReceiptIssuance& tx, Batch& batch) {
  auto& work = batch.work;
  auto& results = batch.results;
  auto& errors = batch.errors;
  const pki::TimePoint issuedAt = std::chrono::floor<std::chrono::seconds>(clock_.now());
  // What earlier members of this group claimed: their rows are not in the store yet.
  std::map<std::pair<std::string, std::string>, std::size_t> keys, payments;
  std::set<std::string> replacing;
  std::map<std::string, std::optional<store::SeriesRecord>> seriesCache;
  for (auto& member : batch.group) {
    Pending& p = *member;
    try {
      const auto keyed = std::make_pair(p.request.actor, p.request.idempotencyKey);
      const auto paid = std::make_pair(p.request.content.payment.provider, p.request.content.payment.transactionId);
      const Batch::Work* twin = nullptr;
      if (const auto k = keys.find(keyed); !p.request.idempotencyKey.empty() && k != keys.end()) {
        twin = &work[k->second];
      } else if (const auto q = payments.find(paid); p.replaces.empty() && q != payments.end()) {
        twin = &work[q->second];
      }
      if (twin) {
        if (twin->pending->requestSha256 != p.requestSha256) {
          if (twin->pending->request.idempotencyKey == p.request.idempotencyKey && !p.request.idempotencyKey.empty() &&
              twin->pending->request.actor == p.request.actor) {
            throw ConflictError("idempotency_key_reused",
                                "a concurrent request with the same Idempotency-Key differs from this one");
          }
          throw ConflictError("payment_already_receipted",
                              "payment " + paid.second + " of " + paid.first +
                                  " is being receipted by a concurrent, different request");
        }
        p.twinOf = twin->receipt.id;
        continue;
      }
      if (auto existing = resolveExisting(tx, p)) {
        results.emplace(&p, std::move(*existing));
        continue;
      }
      std::optional<store::ReceiptRecord> original;
      if (!p.replaces.empty()) {
        original = tx.find(p.replaces);
        if (!original) throw NotFoundError("receipt_not_found", "no receipt " + p.replaces);
        if (original->status != "issued" || replacing.count(p.replaces) != 0) {
          throw ConflictError("receipt_replaced", "receipt " + p.replaces + " has been replaced already");
        }
      }
      const std::string seriesKey = std::string(templateCodeName(p.request.templateCode)) + " " + p.request.symbol;
      auto cached = seriesCache.find(seriesKey);
      if (cached == seriesCache.end()) {
        cached =
            seriesCache
                .emplace(seriesKey, tx.series(std::string(templateCodeName(p.request.templateCode)), p.request.symbol))
                .first;
      }
      if (!cached->second) {
        throw NotFoundError("series_not_found", "no receipt series " + seriesKey + "; create it with POST /v1/series");
      }
      const store::SeriesRecord& series = *cached->second;
      if (original) requireReplacementSeries(tx, *original, series);
      if (vietnamYear(issuedAt) != series.year) {
        std::string message = "series " + series.symbol + " is for " + std::to_string(series.year) +
                              "; receipts issued now need a series of the current year";
        if (original && !p.namedSeries) {
          message += ": name one of the organisation's " + series.templateCode + " series of " +
                     std::to_string(vietnamYear(issuedAt)) + " with template and symbol";
        }
        throw InputError("series_closed", message);
      }
      Batch::Work w;
      w.pending = &p;
      w.seriesId = series.id;
      w.credential = &keys_(series.keyId);
      Receipt& r = w.receipt;
      r.id = randomId("rc_");
      r.series = {p.request.templateCode, p.request.symbol};
      r.issuedAt = issuedAt;
      r.organization = {series.organizationName, series.organizationTaxCode, series.organizationAddress};
      r.request = p.request.content;
      r.total = totalOf(r.request);
      r.totalInWords = amountInWords(r.total);
      r.lookupCode = nextLookupCode();
      r.verifyUrl = options_.publicBaseUrl + "/v/" + r.lookupCode;
      if (original) {
        r.replaces = ReceiptReference{original->id,
                                      {parseTemplateCode(original->templateCode), original->symbol},
                                      original->number,
                                      original->issuedAt};
      }
      r.number = tx.takeNumber(series.id, p.request.unit);  // last: a refusal above takes no number
      if (!p.request.idempotencyKey.empty()) keys.emplace(keyed, work.size());
      if (p.replaces.empty()) payments.emplace(paid, work.size());
      if (original) replacing.insert(original->id);
      work.push_back(std::move(w));
    } catch (const Error&) {
      errors.emplace(&p, std::current_exception());
    }
  }
}

// Signs the group's receipts in parallel and makes their rows, audit entries and events there too
// (the committer then only writes). The first failure throws (the group is issued again).
void ReceiptService::sign(Batch& batch) {
  signingPool_->run(batch.work.size(), [&](std::size_t i) {
    Batch::Work& w = batch.work[i];
    const Pending& p = *w.pending;
    usableSeal(*w.credential, w.receipt.issuedAt);
    w.record = toRecord(w.receipt, w.seriesId, p.request.unit, p.request.actor, p.requestSha256,
                        detail::buildReceiptXml(w.receipt, *w.credential));
    w.audit.time = w.receipt.issuedAt;
    w.audit.actor = p.request.actor;
    w.audit.action = w.receipt.replaces ? "receipt.replace" : "receipt.issue";
    w.audit.keyId = w.credential->id;
    w.audit.documentSha256 = w.record.xmlSha256;
    w.audit.level = "XMLDSig";
    w.audit.details = "{\"receipt\":\"" + w.receipt.id + "\",\"series\":\"" + w.receipt.series.symbol +
                      "\",\"number\":" + std::to_string(w.receipt.number) + "}";
    w.event.type = w.receipt.replaces ? "receipt.replaced" : "receipt.issued";
    w.event.createdAt = w.receipt.issuedAt;
    w.event.nextAttemptAt = w.receipt.issuedAt;
    w.event.body = detail::eventJson(randomId("ev_"), w.event.type, w.receipt.issuedAt, w.receipt);
  });
}

void ReceiptService::store(store::ReceiptIssuance& tx, Batch& batch) {
  for (Batch::Work& w : batch.work) {
    Pending& p = *w.pending;
    tx.insert(w.record, p.request.idempotencyKey);
    if (w.receipt.replaces) tx.markReplaced(w.receipt.replaces->id, w.receipt.id);
    tx.audit(w.audit);
    tx.enqueueForCallbacks(w.event);
  }
}

// Committed: the results to the group's callers.
void ReceiptService::handOut(Batch& batch) {
  for (Batch::Work& w : batch.work) batch.results.emplace(w.pending, IssueResult{std::move(w.receipt), false});
  std::map<std::string, const Receipt*> byId;
  for (const auto& [pending, result] : batch.results) {
    if (!result.replayed) byId.emplace(result.receipt.id, &result.receipt);
  }
  for (auto& member : batch.group) {
    Pending& p = *member;
    if (!p.twinOf.empty()) {
      p.result = IssueResult{*byId.at(p.twinOf), true};
      continue;
    }
    if (const auto e = batch.errors.find(&p); e != batch.errors.end()) {
      p.error = e->second;
      continue;
    }
    p.result = batch.results.at(&p);
  }
}

std::string ReceiptService::nextLookupCode() {
  const Bytes random = pki::randomBytes(kLookupLength);
  std::string code;
  for (const auto byte : random)
    code.push_back(kLookupAlphabet[static_cast<std::size_t>(byte) % kLookupAlphabet.size()]);
  return code;
}

Receipt ReceiptService::get(const std::string& id) {
  auto record = repository_.find(id);
  if (!record) throw NotFoundError("receipt_not_found", "no receipt " + id);
  return detail::fromRecord(*record);
}

std::optional<Receipt> ReceiptService::findByLookupCode(const std::string& code) {
  // Read aloud or typed from paper: lower case, O for 0, I or L for 1, and separators are forgiven
  // (Crockford's base32 decoding rules).
  std::string normal;
  for (const char c : code) {
    if (c == '-' || c == ' ') continue;
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == 'O') u = '0';
    if (u == 'I' || u == 'L') u = '1';
    normal.push_back(u);
  }
  if (normal.size() != kLookupLength || normal.find_first_not_of(kLookupAlphabet) != std::string::npos) {
    return std::nullopt;
  }
  auto record = repository_.findByLookupCode(normal);
  if (!record) return std::nullopt;
  return detail::fromRecord(*record);
}

std::string ReceiptService::xml(const std::string& id) {
  auto record = repository_.find(id);
  if (!record) throw NotFoundError("receipt_not_found", "no receipt " + id);
  return record->xml;
}

Bytes ReceiptService::pdf(const std::string& id) {
  if (auto stored = repository_.pdf(id)) return std::move(*stored);
  const Receipt receipt = get(id);
  // One rendering at a time per process; a concurrent process that renders too loses to the first
  // stored copy (storePdf keeps the first).
  std::lock_guard lock(pdfMutex_);
  if (auto stored = repository_.pdf(id)) return std::move(*stored);
  const auto series =
      repository_.findSeries(std::string(templateCodeName(receipt.series.templateCode)), receipt.series.symbol);
  if (!series) throw InternalError("receipt " + id + " names a series that does not exist", "database_corrupt");
  const pki::SigningCredential& credential = keys_(series->keyId);
  usableSeal(credential, clock_.now());
  const Bytes made = pdfCopies_(receipt, credential);
  Bytes stored = repository_.storePdf(id, made);
  if (stored == made && options_.audit != nullptr) {
    store::AuditRecord audit;
    audit.time = std::chrono::floor<std::chrono::seconds>(clock_.now());
    audit.actor = "kyso";
    audit.action = "receipt.pdf";
    audit.keyId = credential.id;
    audit.documentSha256 = toHex(pki::digest(pki::DigestAlgorithm::Sha256, made));
    audit.level = "PAdES";
    audit.details = "{\"receipt\":\"" + id + "\"}";
    options_.audit->append(audit);
  }
  return stored;
}

std::vector<Receipt> ReceiptService::list(const store::ReceiptQuery& query) {
  std::vector<Receipt> out;
  for (const auto& record : repository_.list(query)) out.push_back(detail::fromRecord(record));
  return out;
}

namespace {

ReceiptReference referenceOf(const Receipt& r) {
  return {r.id, r.series, r.number, r.issuedAt};
}

// The text a notice may correct, and where it is in a receipt. A tax code, an identifier or an
// amount is not text: a mistake there needs a replacement receipt.
std::string* correctable(Receipt& receipt, const std::string& field) {
  if (field == "payer.name") return &receipt.request.payer.name;
  if (field == "payer.address") return &receipt.request.payer.address;
  if (field == "total_in_words") return &receipt.totalInWords;
  static const std::regex itemName(R"(items\[(0|[1-9][0-9]{0,2})\]\.name)");
  if (std::smatch m; std::regex_match(field, m, itemName)) {
    const auto index = std::stoul(m[1].str());
    if (index >= receipt.request.items.size()) {
      throw InputError("invalid_correction", "corrections: the receipt has no " + field);
    }
    return &receipt.request.items[index].name;
  }
  if (field.starts_with("items[") && field.ends_with("].name")) {
    throw InputError("invalid_correction", "corrections: the receipt has no " + field);
  }
  static const std::set<std::string> amounts{"payer.id", "organization.tax_code", "total", "template", "symbol",
                                             "number"};
  if (amounts.contains(field) || field.starts_with("items[")) {
    throw InputError("correction_not_allowed",
                     "corrections: " + field + " cannot be corrected by a notice; issue a replacement receipt");
  }
  throw InputError("invalid_correction", "corrections: unknown field '" + field +
                                             "' (payer.name, payer.address, total_in_words, items[i].name)");
}

}  // namespace

NoticeResult ReceiptService::issueNotice(const std::string& receiptId, const NoticeRequest& request) {
  requireText(request.reason, "reason");
  if (request.corrections.empty()) throw InputError("missing_field", "corrections: at least one is required");
  if (request.corrections.size() > 20) throw InputError("invalid_field", "corrections: at most 20 per notice");
  std::set<std::string> fields;
  for (const auto& c : request.corrections) {
    requireText(c.newValue, ("corrections[" + c.field + "].new").c_str());
    if (!fields.insert(c.field).second) throw InputError("invalid_correction", "corrections: " + c.field + " twice");
  }
  const std::string requestSha256 = detail::noticeRequestSha256(receiptId, request);
  NoticeResult result;
  repository_.issue([&](store::ReceiptIssuance& tx) {
    if (!request.idempotencyKey.empty()) {
      if (auto earlier = tx.findNoticeByIdempotencyKey(request.actor, request.idempotencyKey)) {
        if (earlier->requestSha256 != requestSha256) {
          throw ConflictError("idempotency_key_reused",
                              "this Idempotency-Key was used for a different request (notice " + earlier->id + ")");
        }
        result = {detail::noticeFromRecord(*earlier), true};
        return;
      }
    }
    const auto record = tx.find(receiptId);
    if (!record) throw NotFoundError("receipt_not_found", "no receipt " + receiptId);
    Receipt receipt = detail::fromRecord(*record);
    if (receipt.status != ReceiptStatus::Issued) {
      throw ConflictError("receipt_replaced", "receipt " + receiptId + " has been replaced; correct the replacement");
    }
    const auto series = tx.series(record->seriesId);
    if (!series)
      throw InternalError("receipt " + receiptId + " names a series that does not exist", "database_corrupt");
    Notice notice;
    notice.id = randomId("nt_");
    notice.receipt = referenceOf(receipt);
    notice.organization = receipt.organization;
    notice.issuedAt = std::chrono::floor<std::chrono::seconds>(clock_.now());
    notice.reason = request.reason;
    for (const auto& c : request.corrections) {
      const std::string* printed = correctable(receipt, c.field);
      if (*printed == c.newValue) {
        throw InputError("invalid_correction", "corrections: " + c.field + " already reads '" + c.newValue + "'");
      }
      notice.corrections.push_back({c.field, *printed, c.newValue});
    }
    const pki::SigningCredential& credential = keys_(series->keyId);
    usableSeal(credential, notice.issuedAt);
    store::NoticeRecord stored;
    stored.id = notice.id;
    stored.receiptId = receiptId;
    stored.issuedAt = notice.issuedAt;
    stored.actor = request.actor;
    stored.idempotencyKey = request.idempotencyKey;
    stored.requestSha256 = requestSha256;
    stored.content = detail::noticeJson(notice);
    stored.xml = detail::buildNoticeXml(notice, credential);
    tx.insertNotice(stored);
    store::AuditRecord audit;
    audit.time = notice.issuedAt;
    audit.actor = request.actor;
    audit.action = "receipt.notice";
    audit.keyId = credential.id;
    audit.documentSha256 = toHex(pki::digest(pki::DigestAlgorithm::Sha256, asBytes(stored.xml)));
    audit.level = "XMLDSig";
    audit.details = "{\"notice\":\"" + notice.id + "\",\"receipt\":\"" + receiptId + "\"}";
    tx.audit(audit);
    store::OutboxEvent event;
    event.type = "receipt.notice";
    event.createdAt = notice.issuedAt;
    event.nextAttemptAt = notice.issuedAt;
    event.body = detail::noticeEventJson(randomId("ev_"), notice);
    tx.enqueueForCallbacks(event);
    result = {std::move(notice), false};
  });
  return result;
}

std::vector<Notice> ReceiptService::notices(const std::string& receiptId) {
  get(receiptId);  // not found → 404 rather than an empty list
  std::vector<Notice> out;
  for (const auto& record : repository_.notices(receiptId)) out.push_back(detail::noticeFromRecord(record));
  return out;
}

Notice ReceiptService::notice(const std::string& id) {
  const auto record = repository_.findNotice(id);
  if (!record) throw NotFoundError("notice_not_found", "no notice " + id);
  return detail::noticeFromRecord(*record);
}

std::string ReceiptService::noticeXml(const std::string& id) {
  const auto record = repository_.findNotice(id);
  if (!record) throw NotFoundError("notice_not_found", "no notice " + id);
  return record->xml;
}

DailySummary ReceiptService::dailySummary(std::chrono::year_month_day day, const std::string& taxCode) {
  if (!day.ok()) throw InputError("invalid_parameter", "not a calendar day");
  const pki::TimePoint start = std::chrono::sys_days(day) - pki::kVietnamUtcOffset;
  DailySummary summary;
  summary.day = day;
  std::set<std::string> organizations;
  for (const auto& record : repository_.issuedBetween(start, start + std::chrono::days(1))) {
    const Receipt r = detail::fromRecord(record);
    organizations.insert(r.organization.taxCode);
    if (!taxCode.empty() && r.organization.taxCode != taxCode) continue;
    SummaryRow row;
    row.receipt = referenceOf(r);
    for (const auto& item : r.request.items) row.feeNames += (row.feeNames.empty() ? "" : "; ") + item.name;
    row.total = r.total;
    row.status = r.status;
    row.replaces = r.replaces;
    summary.total += r.total;
    summary.rows.push_back(std::move(row));
    summary.organization = r.organization;
  }
  if (taxCode.empty() && organizations.size() > 1) {
    throw InputError("tax_code_required", "receipts of " + std::to_string(organizations.size()) +
                                              " organisations were issued that day; name one with tax_code");
  }
  if (summary.rows.empty()) {
    // A day without receipts still has a (empty) summary: of the organisation named, or of the
    // only one that has series.
    for (const auto& series : repository_.listSeries()) {
      if (!taxCode.empty() && series.organizationTaxCode != taxCode) continue;
      organizations.insert(series.organizationTaxCode);
      summary.organization = {series.organizationName, series.organizationTaxCode, series.organizationAddress};
    }
    if (summary.organization.taxCode.empty()) {
      throw NotFoundError("organization_not_found", taxCode.empty()
                                                        ? "there are no receipt series yet"
                                                        : "no receipt series belongs to tax code " + taxCode);
    }
    if (taxCode.empty() && organizations.size() > 1) {
      throw InputError("tax_code_required", "several organisations have series; name one with tax_code");
    }
  }
  return summary;
}

std::string ReceiptService::signSummary(const DailySummary& summary) {
  std::string keyId;
  for (const auto& series : repository_.listSeries()) {
    if (series.organizationTaxCode == summary.organization.taxCode) {
      keyId = series.keyId;
      break;
    }
  }
  if (keyId.empty()) throw NotFoundError("organization_not_found", "the organisation has no series and no seal key");
  char day[16];
  std::snprintf(day, sizeof day, "%04d%02u%02u", static_cast<int>(summary.day.year()),
                static_cast<unsigned>(summary.day.month()), static_cast<unsigned>(summary.day.day()));
  const std::string id = "bt_" + std::string(day) + "_" + summary.organization.taxCode;
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const pki::SigningCredential& credential = keys_(keyId);
  usableSeal(credential, now);
  return detail::buildSummaryXml(summary, id, now, credential);
}

}  // namespace kyso::receipts
