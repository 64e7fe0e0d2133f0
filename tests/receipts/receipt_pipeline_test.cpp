// The issuing pipeline's failure path on the real SQLite store: group N's commit fails while group
// N+1 — numbered after N — is already signed. Nothing may be lost, repeated or skipped: N+1 is
// renumbered and signed again, and N's requests, retried, continue the series.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "kyso/error.h"
#include "kyso/pki/dev_pki.h"
#include "kyso/receipts/receipt_service.h"
#include "kyso/store/store.h"
#include "test_support.h"
#include "xml_peers.h"

namespace kyso::receipts {
namespace {

// A write transaction that notes whether it stored a receipt of a payment marked to fail.
class WatchedIssuance final : public store::ReceiptIssuance {
 public:
  WatchedIssuance(store::ReceiptIssuance& real, const std::string& failing) : real_(real), failing_(failing) {}
  bool storedFailing() const { return storedFailing_; }

  std::optional<store::ReceiptRecord> findByIdempotencyKey(const std::string& a, const std::string& k) override {
    return real_.findByIdempotencyKey(a, k);
  }
  std::optional<store::ReceiptRecord> findByPayment(const std::string& p, const std::string& t) override {
    return real_.findByPayment(p, t);
  }
  store::EarlierReceipts findEarlier(const std::string& a, const std::string& k, const std::string& p,
                                     const std::string& t) override {
    return real_.findEarlier(a, k, p, t);
  }
  std::optional<store::ReceiptRecord> find(const std::string& id) override { return real_.find(id); }
  std::optional<store::SeriesRecord> series(const std::string& id) override { return real_.series(id); }
  std::optional<store::SeriesRecord> series(const std::string& t, const std::string& s) override {
    return real_.series(t, s);
  }
  std::uint32_t takeNumber(const std::string& s, const std::string& u) override { return real_.takeNumber(s, u); }
  std::uint32_t takeNumbers(const std::string& s, const std::string& u, std::uint32_t n) override {
    return real_.takeNumbers(s, u, n);
  }
  void insert(const store::ReceiptRecord& r, const std::string& key) override {
    real_.insert(r, key);
    if (!failing_.empty() && r.paymentTransactionId.starts_with(failing_)) storedFailing_ = true;
  }
  void markReplaced(const std::string& id, const std::string& by) override { real_.markReplaced(id, by); }
  void insertNotice(const store::NoticeRecord& n) override { real_.insertNotice(n); }
  std::optional<store::NoticeRecord> findNoticeByIdempotencyKey(const std::string& a, const std::string& k) override {
    return real_.findNoticeByIdempotencyKey(a, k);
  }
  void enqueueForCallbacks(const store::OutboxEvent& e) override { real_.enqueueForCallbacks(e); }
  store::AuditEntry audit(const store::AuditRecord& r) override { return real_.audit(r); }

 private:
  store::ReceiptIssuance& real_;
  const std::string& failing_;
  bool storedFailing_ = false;
};

// The real SQLite repository, except that every write transaction storing a receipt of a payment
// whose id starts with `failing` fails after its rows are written (so SQLite really rolls them
// back), as a full disk or an I/O error at commit would. The first such transaction can be held
// there until released.
class FailingRepository final : public store::ReceiptRepository {
 public:
  explicit FailingRepository(store::ReceiptRepository& real) : real_(real) {}

  void failPayments(std::string prefix) { failing_ = std::move(prefix); }
  void waitUntilHeld() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  void issue(const std::function<void(store::ReceiptIssuance&)>& work) override {
    real_.issue([&](store::ReceiptIssuance& tx) {
      WatchedIssuance watched(tx, failing_);
      work(watched);
      if (!watched.storedFailing()) return;
      std::unique_lock lock(mutex_);
      if (!held_) {
        held_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return released_; });
      }
      throw UnavailableError("database_unavailable", "the database is unavailable", "injected failure at commit");
    });
  }
  void read(const std::function<void(store::ReceiptIssuance&)>& work) override { real_.read(work); }

  void insertSeries(const store::SeriesRecord& s) override { real_.insertSeries(s); }
  std::vector<store::SeriesRecord> listSeries() override { return real_.listSeries(); }
  std::optional<store::SeriesRecord> findSeries(const std::string& t, const std::string& s) override {
    return real_.findSeries(t, s);
  }
  std::optional<store::ReceiptRecord> find(const std::string& id) override { return real_.find(id); }
  std::optional<store::ReceiptRecord> findByLookupCode(const std::string& c) override {
    return real_.findByLookupCode(c);
  }
  std::optional<store::ReceiptRecord> findByNumber(const std::string& t, const std::string& s,
                                                   std::uint32_t n) override {
    return real_.findByNumber(t, s, n);
  }
  std::vector<store::ReceiptRecord> list(const store::ReceiptQuery& q) override { return real_.list(q); }
  std::vector<store::ReceiptRecord> issuedBetween(pki::TimePoint f, pki::TimePoint t) override {
    return real_.issuedBetween(f, t);
  }
  std::vector<store::NoticeRecord> notices(const std::string& id) override { return real_.notices(id); }
  std::optional<store::NoticeRecord> findNotice(const std::string& id) override { return real_.findNotice(id); }
  Bytes storePdf(const std::string& id, ByteView pdf) override { return real_.storePdf(id, pdf); }
  std::optional<Bytes> pdf(const std::string& id) override { return real_.pdf(id); }
  std::optional<store::ReceiptPdfCopy> findPdfCopy(const std::string& t, const std::string& s,
                                                   std::uint32_t n) override {
    return real_.findPdfCopy(t, s, n);
  }
  void setCallback(const store::CallbackRecord& c) override { real_.setCallback(c); }
  std::optional<store::CallbackRecord> callback(const std::string& id) override { return real_.callback(id); }
  bool removeCallback(const std::string& id) override { return real_.removeCallback(id); }
  std::vector<store::OutboxEvent> dueEvents(pki::TimePoint now, std::size_t limit) override {
    return real_.dueEvents(now, limit);
  }
  void markDelivered(std::int64_t id, pki::TimePoint at) override { real_.markDelivered(id, at); }
  void markFailed(std::int64_t id, pki::TimePoint next, const std::string& e) override {
    real_.markFailed(id, next, e);
  }

 private:
  store::ReceiptRepository& real_;
  std::string failing_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false, released_ = false;
};

std::string currentSymbol() {
  const auto local = std::chrono::floor<std::chrono::days>(pki::SystemClock::instance().now() + pki::kVietnamUtcOffset);
  const int year = static_cast<int>(std::chrono::year_month_day(local).year()) % 100;
  return (year < 10 ? "0" : "") + std::to_string(year) + "TPL";
}

// The receipts are sealed by the dev PKI's seal; these tests make no PDF copies.
auto sealedBy(const pki::DevPki& pki) {
  return [&pki](const std::string&) -> const pki::SigningCredential& { return pki.seal(); };
}
auto noPdfCopies() {
  return [](const Receipt&, const pki::SigningCredential&) -> Bytes { throw InternalError("no PDF copies here"); };
}

// This year's series for the tests; returns its symbol.
std::string createSeries(ReceiptService& service) {
  SeriesSpec spec;
  spec.symbol = currentSymbol();
  spec.organization = {"Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang", "5000123459", "Phường Minh Xuân"};
  service.createSeries(spec);
  return spec.symbol;
}

// A seal key in a token that stops answering while `failing` is set (an HSM restarting, a network
// session dropped): every signature then throws, as the PKCS#11 key source does. Counts its calls.
class FlakyKey final : public pki::SigningKey {
 public:
  FlakyKey(std::shared_ptr<const pki::SigningKey> real, const std::atomic<bool>& failing)
      : real_(std::move(real)), failing_(failing) {}
  pki::KeyAlgorithm algorithm() const override { return real_->algorithm(); }
  std::size_t maxSignatureSize() const override { return real_->maxSignatureSize(); }
  Bytes signDigest(pki::DigestAlgorithm algorithm, ByteView digest) const override {
    ++calls;
    if (failing_) throw UnavailableError("key_unavailable", "the token does not answer", "injected signing failure");
    return real_->signDigest(algorithm, digest);
  }
  mutable std::atomic<int> calls{0};

 private:
  std::shared_ptr<const pki::SigningKey> real_;
  const std::atomic<bool>& failing_;
};

// The dev PKI's seal as "seal", and the same certificate on a FlakyKey as "token".
struct TwoKeys {
  TwoKeys(const pki::DevPki& pki, const std::atomic<bool>& failing)
      : seal(pki.seal()), key(std::make_shared<FlakyKey>(pki.seal().key, failing)) {
    token = {"token", key, seal.chain};
  }
  CredentialLookup lookup() {
    return [this](const std::string& id) -> const pki::SigningCredential& {
      if (id == "seal") return seal;
      if (id == "token") return token;
      throw NotFoundError("key_not_found", "no key " + id);
    };
  }
  pki::SigningCredential seal, token;
  std::shared_ptr<FlakyKey> key;
};

std::string symbolWith(const std::string& letters) {
  return currentSymbol().substr(0, 3) + letters;
}

// A series of this year sealed with `keyId`; returns its symbol.
std::string createSeries(ReceiptService& service, const std::string& letters, const std::string& keyId) {
  SeriesSpec spec;
  spec.symbol = symbolWith(letters);
  spec.keyId = keyId;
  spec.organization = {"Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang", "5000123459", "Phường Minh Xuân"};
  service.createSeries(spec);
  return spec.symbol;
}

// The audit log holds exactly `entries` entries (one per stored receipt) in an unbroken chain.
void expectAuditChain(store::Store& database, std::int64_t entries) {
  const store::AuditCheck chain = database.audit().verify();
  EXPECT_TRUE(chain.intact) << chain.problem;
  EXPECT_EQ(chain.entries, entries);
}

std::uint32_t nextNumberOf(ReceiptService& service, const std::string& symbol) {
  for (const Series& s : service.listSeries()) {
    if (s.symbol == symbol) return s.nextNumber;
  }
  ADD_FAILURE() << "no series " << symbol;
  return 0;
}

IssueRequest request(const std::string& symbol, const std::string& transaction) {
  IssueRequest r;
  r.symbol = symbol;
  r.actor = "apikey:test";
  r.idempotencyKey = "key-" + transaction;
  r.content.payer = {"Nguyễn Văn A", "008085012345", "Tổ 5, phường Phan Thiết"};
  r.content.items = {{"LPHT01", "Lệ phí cấp bản sao trích lục hộ tịch", FeeKind::LePhi, 8000}};
  // A fixed payment time: a retry must be the same request.
  r.content.payment = {PaymentMethod::Online, transaction, "paygov", pki::parseIso8601("2026-11-27T09:15:00+07:00")};
  r.content.dossier = {"H59.22-261127-0001", "1.001193"};
  return r;
}

TEST(ReceiptPipeline, CommitFailsWhileTheNextGroupIsSigned_NextGroupRenumbered_NoGapNoRepeat) {
  test::TempDir dir;
  const pki::DevPki& pki = test::devPki();
  auto database = store::openSqliteStore(dir / "kyso.db");
  FailingRepository repository(database->receipts());
  std::mutex signedMutex;
  std::condition_variable signedChanged;
  std::size_t signedCount = 0;
  ReceiptServiceOptions options;
  options.signingThreads = 2;
  options.groupSigned = [&](std::size_t receipts) {
    std::lock_guard lock(signedMutex);
    signedCount += receipts;
    signedChanged.notify_all();
  };
  ReceiptService service(repository, sealedBy(pki), noPdfCopies(), pki::SystemClock::instance(), options);
  const std::string symbol = createSeries(service);

  // Group N: one receipt, planned with number 1; its commit writes the row, then fails (held first).
  repository.failPayments("FAIL-");
  std::exception_ptr failed;
  std::thread first([&] {
    try {
      service.issue(request(symbol, "FAIL-1"));
    } catch (...) {
      failed = std::current_exception();
    }
  });
  repository.waitUntilHeld();

  // Group N+1: requests planned after N, so numbered from 2 on, and signed while N commits. (The
  // planner plans no further group while N+1 waits, so the rest of the five follow once N is done.)
  constexpr int kNext = 5;
  std::vector<std::optional<IssueResult>> next(kNext);
  std::vector<std::thread> clients;
  for (int i = 0; i < kNext; ++i) {
    clients.emplace_back(
        [&, i] { next[static_cast<std::size_t>(i)] = service.issue(request(symbol, "OK-" + std::to_string(i))); });
  }
  {
    std::unique_lock lock(signedMutex);
    signedChanged.wait(lock, [&] { return signedCount >= 2; });
  }
  repository.release();
  first.join();
  for (auto& c : clients) c.join();

  // N failed for its caller, with the store's error; nothing of it is stored.
  ASSERT_TRUE(failed);
  try {
    std::rethrow_exception(failed);
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "database_unavailable");
  }
  // N+1 and the rest took the numbers N did not: 1..5, each signed with its final number and
  // verifying (N+1 had signed 2.. and was renumbered).
  test::XmlVerifier verifier(pki.rootCa(), pki.issuingCa());
  std::vector<std::uint32_t> numbers;
  for (const auto& r : next) {
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->replayed);
    numbers.push_back(r->receipt.number);
    const std::string xml = service.xml(r->receipt.id);
    EXPECT_TRUE(verifier.verify(xml)) << r->receipt.id;
    EXPECT_NE(xml.find("<SBLai>" + formatReceiptNumber(r->receipt.number) + "</SBLai>"), std::string::npos);
    const auto stored = repository.findByNumber("EBL01", symbol, r->receipt.number);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->id, r->receipt.id);
  }
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<std::uint32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(service.listSeries().front().nextNumber, 6u);

  // The store works again: N's request, retried with its key, takes the next number; a retry of
  // N+1's gets its receipt back.
  repository.failPayments("");
  const IssueResult retried = service.issue(request(symbol, "FAIL-1"));
  EXPECT_FALSE(retried.replayed);
  EXPECT_EQ(retried.receipt.number, 6u);
  EXPECT_TRUE(verifier.verify(service.xml(retried.receipt.id)));
  const IssueResult again = service.issue(request(symbol, "OK-0"));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.receipt.id, next[0]->receipt.id);
  EXPECT_EQ(service.listSeries().front().nextNumber, 7u);
  for (std::uint32_t n = 1; n <= 6; ++n) EXPECT_TRUE(repository.findByNumber("EBL01", symbol, n).has_value()) << n;
  EXPECT_FALSE(repository.findByNumber("EBL01", symbol, 7).has_value());
  // One audit entry per stored receipt, the chain unbroken by the rolled-back groups.
  expectAuditChain(*database, 6);
}

// Retries racing each other and the groups still committing: every payment is sent four times at
// once from 16 threads (three times with its key, once with another key), and for every fifth payment
// a fifth request reuses the key with another amount. Whatever the order, each payment gets exactly
// one receipt, every 201 for it names that receipt, a 409 only answers a request that differs from
// it, and the numbers are 1..N, each once.
TEST(ReceiptPipeline, ConcurrentRetriesAcrossGroups_OneReceiptPerPayment_Gapless) {
  test::TempDir dir;
  const pki::DevPki& pki = test::devPki();
  auto database = store::openSqliteStore(dir / "kyso.db");
  ReceiptServiceOptions options;
  options.signingThreads = 2;
  options.maxGroup = 8;  // many groups, so that retries meet groups in flight
  ReceiptService service(database->receipts(), sealedBy(pki), noPdfCopies(), pki::SystemClock::instance(), options);
  const std::string symbol = createSeries(service);

  constexpr int kPayments = 60;
  struct Attempt {
    int payment;
    IssueRequest request;
    std::optional<IssueResult> result;
    std::string conflict;  // the 409's code
  };
  std::vector<Attempt> attempts;
  for (int p = 0; p < kPayments; ++p) {
    const auto base = request(symbol, "PG-" + std::to_string(p));
    for (int i = 0; i < 3; ++i) attempts.push_back({p, base, {}, {}});
    auto otherKey = base;
    otherKey.idempotencyKey = "other-" + std::to_string(p);
    attempts.push_back({p, otherKey, {}, {}});
    if (p % 5 == 0) {
      auto different = base;
      different.content.items[0].amount = 9000;
      attempts.push_back({p, different, {}, {}});
    }
  }
  // A fixed interleaving: payments spread over the run, their attempts close together.
  std::vector<std::size_t> order(attempts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = (i * 7919) % order.size();
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      for (std::size_t i = next++; i < order.size(); i = next++) {
        Attempt& a = attempts[order[i]];
        try {
          a.result = service.issue(a.request);
        } catch (const ConflictError& e) {
          a.conflict = e.code();
        }
      }
    });
  }
  for (auto& c : clients) c.join();

  std::map<int, std::string> receiptOf;  // payment → receipt id
  std::map<std::string, IssueResult> receipts;
  for (const Attempt& a : attempts) {
    if (!a.result) continue;
    const auto [known, inserted] = receiptOf.emplace(a.payment, a.result->receipt.id);
    EXPECT_EQ(known->second, a.result->receipt.id) << "payment " << a.payment << " has two receipts";
    receipts.emplace(a.result->receipt.id, *a.result);
  }
  ASSERT_EQ(receiptOf.size(), static_cast<std::size_t>(kPayments));
  std::vector<std::uint32_t> numbers;
  for (const auto& [id, r] : receipts) numbers.push_back(r.receipt.number);
  std::sort(numbers.begin(), numbers.end());
  ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kPayments));
  for (std::size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], i + 1);
  EXPECT_EQ(service.listSeries().front().nextNumber, static_cast<std::uint32_t>(kPayments + 1));
  for (const Attempt& a : attempts) {
    const IssueResult& issued = receipts.at(receiptOf.at(a.payment));
    const bool same = a.request.content.items[0].amount == issued.receipt.total;
    if (same) {
      EXPECT_TRUE(a.result.has_value()) << "payment " << a.payment << ": " << a.conflict;
    } else {
      EXPECT_FALSE(a.result.has_value()) << "payment " << a.payment;
      EXPECT_TRUE(a.conflict == "idempotency_key_reused" || a.conflict == "payment_already_receipted") << a.conflict;
    }
  }
  expectAuditChain(*database, kPayments);
}

// A signing that fails takes no number: the request fails with the key's error, the series' next
// number is unchanged, and the next request — and the failed one, retried once the key is back —
// continue the series without a gap.
TEST(ReceiptPipeline, SigningFails_TheRequestFails_AndTakesNoNumber) {
  test::TempDir dir;
  const pki::DevPki& pki = test::devPki();
  auto database = store::openSqliteStore(dir / "kyso.db");
  std::atomic<bool> failing{false};
  TwoKeys keys(pki, failing);
  ReceiptServiceOptions options;
  options.signingThreads = 2;
  ReceiptService service(database->receipts(), keys.lookup(), noPdfCopies(), pki::SystemClock::instance(), options);
  const std::string symbol = createSeries(service, "TK", "token");

  EXPECT_EQ(service.issue(request(symbol, "OK-1")).receipt.number, 1u);
  failing = true;
  try {
    service.issue(request(symbol, "FAIL-1"));
    FAIL() << "issued without a signature";
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "key_unavailable");
  }
  EXPECT_GE(keys.key->calls.load(), 2);  // the signing was tried (and tried again alone)
  EXPECT_EQ(nextNumberOf(service, symbol), 2u);
  EXPECT_FALSE(database->receipts().findByNumber("EBL01", symbol, 2).has_value());

  failing = false;
  test::XmlVerifier verifier(pki.rootCa(), pki.issuingCa());
  const IssueResult next = service.issue(request(symbol, "OK-2"));
  EXPECT_EQ(next.receipt.number, 2u);
  const IssueResult retried = service.issue(request(symbol, "FAIL-1"));
  EXPECT_FALSE(retried.replayed);
  EXPECT_EQ(retried.receipt.number, 3u);
  for (std::uint32_t n = 1; n <= 3; ++n) {
    const auto stored = database->receipts().findByNumber("EBL01", symbol, n);
    ASSERT_TRUE(stored.has_value()) << n;
    EXPECT_TRUE(verifier.verify(stored->xml)) << n;
  }
  EXPECT_EQ(nextNumberOf(service, symbol), 4u);
  expectAuditChain(*database, 3);
}

// A group whose signing fails for one request is issued again one by one: only that request fails;
// the others of the group get their receipts with gapless numbers, and the failing one's series
// keeps its numbers. The group is gathered behind a first request held after it was signed.
TEST(ReceiptPipeline, SigningFailsForOneRequestOfAGroup_OnlyItFails_OthersGapless) {
  test::TempDir dir;
  const pki::DevPki& pki = test::devPki();
  auto database = store::openSqliteStore(dir / "kyso.db");
  std::atomic<bool> failing{true};
  TwoKeys keys(pki, failing);
  std::mutex gateMutex;
  std::condition_variable gateChanged;
  bool held = false, released = false;
  std::size_t waiting = 0;
  ReceiptServiceOptions options;
  options.signingThreads = 2;
  options.queued = [&](std::size_t length) {
    std::lock_guard lock(gateMutex);
    waiting = std::max(waiting, length);
    gateChanged.notify_all();
  };
  options.groupSigned = [&](std::size_t) {
    std::unique_lock lock(gateMutex);
    if (held) return;
    held = true;
    gateChanged.notify_all();
    gateChanged.wait(lock, [&] { return released; });
  };
  ReceiptService service(database->receipts(), keys.lookup(), noPdfCopies(), pki::SystemClock::instance(), options);
  const std::string good = createSeries(service, "TG", "seal");
  const std::string bad = createSeries(service, "TH", "token");

  std::optional<IssueResult> gate;
  std::thread first([&] { gate = service.issue(request(good, "GATE")); });
  {
    std::unique_lock lock(gateMutex);
    gateChanged.wait(lock, [&] { return held; });
  }
  // The planner is held: these gather in its queue and are planned as one group once it goes on.
  constexpr int kGood = 4;
  std::vector<std::optional<IssueResult>> results(kGood);
  std::exception_ptr badError;
  std::string goodErrors;
  std::vector<std::thread> clients;
  for (int i = 0; i < kGood; ++i) {
    clients.emplace_back([&, i] {
      try {
        results[static_cast<std::size_t>(i)] = service.issue(request(good, "OK-" + std::to_string(i)));
      } catch (const std::exception& e) {
        std::lock_guard lock(gateMutex);
        goodErrors += std::string(e.what()) + "\n";
      }
    });
  }
  clients.emplace_back([&] {
    try {
      service.issue(request(bad, "FAIL-1"));
    } catch (...) {
      badError = std::current_exception();
    }
  });
  {
    // All five are queued behind the held group: the planner takes them as one group.
    std::unique_lock lock(gateMutex);
    gateChanged.wait(lock, [&] { return waiting >= kGood + 1; });
    released = true;
  }
  gateChanged.notify_all();
  first.join();
  for (auto& c : clients) c.join();

  // The failing request was in the group with the others: signed in the group, in the group again,
  // then alone (three tries; alone in a group it would have been two).
  EXPECT_EQ(keys.key->calls.load(), 3);
  ASSERT_TRUE(badError);
  try {
    std::rethrow_exception(badError);
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "key_unavailable");
  }
  EXPECT_EQ(goodErrors, "");
  ASSERT_TRUE(gate.has_value());
  EXPECT_EQ(gate->receipt.number, 1u);
  test::XmlVerifier verifier(pki.rootCa(), pki.issuingCa());
  std::vector<std::uint32_t> numbers;
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->replayed);
    numbers.push_back(r->receipt.number);
    EXPECT_TRUE(verifier.verify(service.xml(r->receipt.id))) << r->receipt.id;
  }
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<std::uint32_t>{2, 3, 4, 5}));
  EXPECT_EQ(nextNumberOf(service, good), 6u);
  EXPECT_EQ(nextNumberOf(service, bad), 1u);
  EXPECT_FALSE(database->receipts().findByNumber("EBL01", bad, 1).has_value());

  // The key is back: the failed request, retried, takes its series' first number.
  failing = false;
  const IssueResult retried = service.issue(request(bad, "FAIL-1"));
  EXPECT_FALSE(retried.replayed);
  EXPECT_EQ(retried.receipt.number, 1u);
  EXPECT_TRUE(verifier.verify(service.xml(retried.receipt.id)));
  expectAuditChain(*database, kGood + 2);
}

}  // namespace
}  // namespace kyso::receipts
