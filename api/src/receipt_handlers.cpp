#include "receipt_handlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>

#include "json_request.h"
#include "kyso/error.h"
#include "receipt_requests.h"

namespace kyso::api::detail {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using receipts::Receipt;

// A receipt request with 100 fee lines of long names fits well within this.
constexpr std::uint64_t kReceiptBodyLimit = 256 * 1024;
constexpr std::size_t kMaxPage = 500;

Object::Ptr organizationJson(const receipts::Organization& o) {
  Object::Ptr out = new Object;
  out->set("name", o.name);
  out->set("tax_code", o.taxCode);
  out->set("address", o.address);
  return out;
}

Object::Ptr seriesJson(const receipts::Series& s) {
  Object::Ptr out = new Object;
  out->set("id", s.id);
  out->set("template", std::string(receipts::templateCodeName(s.templateCode)));
  out->set("symbol", s.symbol);
  out->set("year", s.year);
  out->set("organization", organizationJson(s.organization));
  out->set("key", s.keyId);
  out->set("created_at", pki::formatIso8601(s.createdAt));
  Array::Ptr ranges = new Array;
  for (const auto& r : s.ranges) {
    Object::Ptr range = new Object;
    range->set("unit", r.unit);
    range->set("first", r.first);
    range->set("last", r.last);
    range->set("next", r.next);
    ranges->add(range);
  }
  if (s.ranges.empty()) out->set("next_number", s.nextNumber);
  out->set("ranges", ranges);
  return out;
}

Array::Ptr itemsJson(const Receipt& r) {
  Array::Ptr items = new Array;
  for (const auto& item : r.request.items) {
    Object::Ptr o = new Object;
    o->set("code", item.code);
    o->set("name", item.name);
    o->set("kind", std::string(receipts::feeKindName(item.kind)));
    o->set("amount", static_cast<Poco::Int64>(item.amount));
    items->add(o);
  }
  return items;
}

// The receipt as the backend sees it: everything printed on it, plus status and links.
Object::Ptr receiptJson(const Receipt& r) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("template", std::string(receipts::templateCodeName(r.series.templateCode)));
  o->set("symbol", r.series.symbol);
  o->set("number", r.number);
  o->set("number_text", receipts::formatReceiptNumber(r.number));
  o->set("issued_at", pki::formatIso8601(r.issuedAt));
  o->set("total", static_cast<Poco::Int64>(r.total));
  o->set("total_in_words", r.totalInWords);
  o->set("currency", "VND");
  o->set("lookup_code", r.lookupCode);
  o->set("verify_url", r.verifyUrl);
  o->set("status", std::string(receipts::receiptStatusName(r.status)));
  if (r.replaces) {
    o->set("replaces", r.replaces->id);
    Object::Ptr original = new Object;
    original->set("id", r.replaces->id);
    original->set("template", std::string(receipts::templateCodeName(r.replaces->series.templateCode)));
    original->set("symbol", r.replaces->series.symbol);
    original->set("number", r.replaces->number);
    original->set("issued_at", pki::formatIso8601(r.replaces->issuedAt));
    o->set("original", original);
  }
  if (r.replacedBy) o->set("replaced_by", *r.replacedBy);
  o->set("organization", organizationJson(r.organization));
  Object::Ptr payer = new Object;
  payer->set("name", r.request.payer.name);
  payer->set("id", r.request.payer.id);
  payer->set("address", r.request.payer.address);
  o->set("payer", payer);
  o->set("items", itemsJson(r));
  Object::Ptr payment = new Object;
  payment->set("method", std::string(receipts::paymentMethodName(r.request.payment.method)));
  payment->set("transaction_id", r.request.payment.transactionId);
  payment->set("provider", r.request.payment.provider);
  payment->set("paid_at", pki::formatIso8601(r.request.payment.paidAt));
  o->set("payment", payment);
  Object::Ptr dossier = new Object;
  dossier->set("code", r.request.dossier.code);
  dossier->set("procedure_code", r.request.dossier.procedureCode);
  o->set("dossier", dossier);
  Object::Ptr links = new Object;
  links->set("self", "/v1/receipts/" + r.id);
  links->set("xml", "/v1/receipts/" + r.id + "/xml");
  links->set("pdf", "/v1/receipts/" + r.id + "/pdf");
  o->set("links", links);
  return o;
}

// Only the last three characters of the payer's identifier are shown to the public.
std::string masked(const std::string& id) {
  if (id.size() <= 3) return std::string(id.size(), '*');
  return std::string(id.size() - 3, '*') + id.substr(id.size() - 3);
}

}  // namespace

// What anyone holding the lookup code may see: the printed fields, the payer's identifier masked.
Object::Ptr publicReceiptJson(const Receipt& r, const std::optional<Receipt>& replacement) {
  Object::Ptr o = new Object;
  o->set("template", std::string(receipts::templateCodeName(r.series.templateCode)));
  o->set("symbol", r.series.symbol);
  o->set("number", receipts::formatReceiptNumber(r.number));
  o->set("issued_at", pki::formatIso8601(r.issuedAt));
  o->set("status", std::string(receipts::receiptStatusName(r.status)));
  if (replacement) {
    Object::Ptr by = new Object;
    by->set("symbol", replacement->series.symbol);
    by->set("number", receipts::formatReceiptNumber(replacement->number));
    by->set("lookup_code", replacement->lookupCode);
    o->set("replaced_by", by);
  }
  o->set("organization", organizationJson(r.organization));
  Object::Ptr payer = new Object;
  payer->set("name", r.request.payer.name);
  payer->set("id", masked(r.request.payer.id));
  o->set("payer", payer);
  o->set("items", itemsJson(r));
  o->set("total", static_cast<Poco::Int64>(r.total));
  o->set("total_in_words", r.totalInWords);
  o->set("payment_method", std::string(receipts::paymentMethodName(r.request.payment.method)));
  o->set("lookup_code", r.lookupCode);
  return o;
}

namespace {

// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): required on requests that issue.
std::string idempotencyKey(Exchange& ex) {
  const std::string key = ex.request().get("Idempotency-Key", "");
  if (key.empty()) {
    throw InputError("idempotency_key_required",
                     "an Idempotency-Key header is required: retries with the same key return the same receipt");
  }
  if (key.size() > 255) throw InputError("invalid_idempotency_key", "the Idempotency-Key is longer than 255 bytes");
  for (const char c : key) {
    if (c < 0x21 || c > 0x7e) {
      throw InputError("invalid_idempotency_key", "the Idempotency-Key must be printable ASCII without spaces");
    }
  }
  return key;
}

void sendIssued(Exchange& ex, const receipts::IssueResult& result) {
  ex.response().set("Location", "/v1/receipts/" + result.receipt.id);
  if (result.replayed) ex.response().set("Idempotent-Replayed", "true");
  ex.sendJson(201, *receiptJson(result.receipt));
}

void createSeries(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const auto json = JsonRequest::parse(ex.readBody(kReceiptBodyLimit), seriesFields());
  const receipts::SeriesSpec spec = seriesSpecFrom(json);
  const receipts::Series series = core.receipts().createSeries(spec);
  ex.response().set("Location", "/v1/series/" + series.id);
  ex.sendJson(201, *seriesJson(series));
}

void listSeries(ServiceCore& core, Exchange& ex) {
  Array::Ptr all = new Array;
  for (const auto& s : core.receipts().listSeries()) all->add(seriesJson(s));
  Object body;
  body.set("series", all);
  ex.sendJson(200, body);
}

void issueReceipt(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const std::string key = idempotencyKey(ex);
  const auto json = JsonRequest::parse(ex.readBody(kReceiptBodyLimit), issueRequestFields());
  receipts::IssueRequest request = issueRequestFrom(json);
  request.actor = ex.principal->actor();
  request.idempotencyKey = key;
  sendIssued(ex, core.receipts().issue(request));
}

void replaceReceipt(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  const std::string key = idempotencyKey(ex);
  const auto json = JsonRequest::parse(ex.readBody(kReceiptBodyLimit), issueRequestFields());
  receipts::IssueRequest request = replacementRequestFrom(json);
  request.actor = ex.principal->actor();
  request.idempotencyKey = key;
  sendIssued(ex, core.receipts().replace(ex.pathParameters.at("id"), request));
}

void getReceipt(ServiceCore& core, Exchange& ex) {
  ex.sendJson(200, *receiptJson(core.receipts().get(ex.pathParameters.at("id"))));
}

void receiptXml(ServiceCore& core, Exchange& ex) {
  ex.sendBytes(200, "application/xml", core.receipts().xml(ex.pathParameters.at("id")));
}

void receiptPdf(ServiceCore& core, Exchange& ex) {
  // The first request renders and signs: signing-sized work.
  const auto slot = core.workSlots().acquire(core.settings().busyWait);
  const Bytes pdf = core.receipts().pdf(ex.pathParameters.at("id"));
  ex.response().set("Content-Disposition", "inline; filename=\"" + ex.pathParameters.at("id") + ".pdf\"");
  ex.sendBytes(200, "application/pdf", asChars(pdf));
}

// "2026-11-27" is that day in Vietnam (00:00 +07:00); anything else must be a full RFC 3339 time.
pki::TimePoint dayOrTime(const std::string& text, const char* field, bool endOfDay) {
  if (text.size() == 10) {
    const auto start = pki::parseIso8601(text + "T00:00:00+07:00");
    return endOfDay ? start + std::chrono::days(1) : start;
  }
  try {
    return pki::parseIso8601(text);
  } catch (const InputError&) {
    throw InputError("invalid_parameter",
                     std::string("query parameter '") + field + "' must be a date (YYYY-MM-DD) or an RFC 3339 time");
  }
}

void listReceipts(ServiceCore& core, Exchange& ex) {
  store::ReceiptQuery query;
  if (ex.hasParam("template")) {
    query.templateCode = std::string(receipts::templateCodeName(receipts::parseTemplateCode(ex.param("template"))));
  }
  query.symbol = ex.param("series");
  if (ex.hasParam("status")) {
    query.status = std::string(receipts::receiptStatusName(receipts::parseReceiptStatus(ex.param("status"))));
  }
  if (ex.hasParam("from")) query.from = dayOrTime(ex.param("from"), "from", false);
  if (ex.hasParam("to")) query.to = dayOrTime(ex.param("to"), "to", true);
  query.afterId = ex.param("after");
  if (ex.hasParam("limit")) {
    const std::string& text = ex.param("limit");
    std::size_t limit = 0;
    if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string::npos ||
        (limit = std::stoul(text)) < 1 || limit > kMaxPage) {
      throw InputError("invalid_parameter", "query parameter 'limit' must be a whole number from 1 to 500");
    }
    query.limit = limit;
  }
  const auto page = core.receipts().list(query);
  Array::Ptr items = new Array;
  for (const auto& r : page) items->add(receiptJson(r));
  Object body;
  body.set("receipts", items);
  if (page.size() == query.limit) {
    body.set("next", page.back().id);
  } else {
    body.set("next", Poco::Dynamic::Var());
  }
  ex.sendJson(200, body);
}

Object::Ptr noticeJson(const receipts::Notice& n) {
  Object::Ptr o = new Object;
  o->set("id", n.id);
  o->set("receipt_id", n.receipt.id);
  o->set("issued_at", pki::formatIso8601(n.issuedAt));
  o->set("reason", n.reason);
  Array::Ptr corrections = new Array;
  for (const auto& c : n.corrections) {
    Object::Ptr correction = new Object;
    correction->set("field", c.field);
    correction->set("old", c.oldValue);
    correction->set("new", c.newValue);
    corrections->add(correction);
  }
  o->set("corrections", corrections);
  Object::Ptr links = new Object;
  links->set("self", "/v1/notices/" + n.id);
  links->set("xml", "/v1/notices/" + n.id + "/xml");
  links->set("receipt", "/v1/receipts/" + n.receipt.id);
  o->set("links", links);
  return o;
}

void issueNotice(ServiceCore& core, Exchange& ex) {
  ex.requireContentType({"application/json"});
  receipts::NoticeRequest request;
  request.idempotencyKey = idempotencyKey(ex);
  request.actor = ex.principal->actor();
  const auto json = JsonRequest::parse(ex.readBody(kReceiptBodyLimit), {"reason", "corrections"});
  request.reason = json.string("reason");
  for (const auto& c : json.objectArray("corrections", {"field", "new"}, 20)) {
    request.corrections.push_back({c.string("field"), "", c.string("new")});
  }
  const auto result = core.receipts().issueNotice(ex.pathParameters.at("id"), request);
  ex.response().set("Location", "/v1/notices/" + result.notice.id);
  if (result.replayed) ex.response().set("Idempotent-Replayed", "true");
  ex.sendJson(201, *noticeJson(result.notice));
}

void listNotices(ServiceCore& core, Exchange& ex) {
  Array::Ptr all = new Array;
  for (const auto& n : core.receipts().notices(ex.pathParameters.at("id"))) all->add(noticeJson(n));
  Object body;
  body.set("notices", all);
  ex.sendJson(200, body);
}

// GET /v1/reports/daily-summary?date=YYYY-MM-DD[&tax_code=][&format=json|xml]: form 01/TH-BLĐT.
void dailySummary(ServiceCore& core, Exchange& ex) {
  const std::string& date = ex.param("date");
  std::chrono::year_month_day day{};
  if (date.size() == 10 && date[4] == '-' && date[7] == '-' &&
      date.find_first_not_of("0123456789-") == std::string::npos) {
    day = std::chrono::year_month_day(std::chrono::year(std::stoi(date.substr(0, 4))),
                                      std::chrono::month(static_cast<unsigned>(std::stoi(date.substr(5, 2)))),
                                      std::chrono::day(static_cast<unsigned>(std::stoi(date.substr(8, 2)))));
  }
  if (!day.ok()) throw InputError("invalid_parameter", "query parameter 'date' must be a day, YYYY-MM-DD");
  const std::string format = ex.param("format", "json");
  if (format != "json" && format != "xml") {
    throw InputError("invalid_parameter", "query parameter 'format' must be json or xml");
  }
  const receipts::DailySummary summary = core.receipts().dailySummary(day, ex.param("tax_code"));
  if (format == "xml") {
    ex.sendBytes(200, "application/xml", core.receipts().signSummary(summary));
    return;
  }
  Object body;
  body.set("date", date);
  body.set("form", "01/TH-BLĐT");
  body.set("organization", organizationJson(summary.organization));
  Array::Ptr rows = new Array;
  for (const auto& row : summary.rows) {
    Object::Ptr o = new Object;
    o->set("receipt_id", row.receipt.id);
    o->set("template", std::string(receipts::templateCodeName(row.receipt.series.templateCode)));
    o->set("symbol", row.receipt.series.symbol);
    o->set("number", row.receipt.number);
    o->set("issued_at", pki::formatIso8601(row.receipt.issuedAt));
    o->set("fee_names", row.feeNames);
    o->set("total", static_cast<Poco::Int64>(row.total));
    o->set("status", std::string(receipts::receiptStatusName(row.status)));
    if (row.replaces) {
      Object::Ptr related = new Object;
      related->set("id", row.replaces->id);
      related->set("symbol", row.replaces->series.symbol);
      related->set("number", row.replaces->number);
      o->set("replaces", related);
    }
    rows->add(o);
  }
  body.set("receipts", rows);
  body.set("count", static_cast<Poco::UInt64>(summary.rows.size()));
  body.set("total", static_cast<Poco::Int64>(summary.total));
  ex.sendJson(200, body);
}

std::optional<Receipt> replacementOf(ServiceCore& core, const Receipt& r) {
  if (!r.replacedBy) return std::nullopt;
  return core.receipts().get(*r.replacedBy);
}

void publicReceipt(ServiceCore& core, Exchange& ex) {
  const auto receipt = core.receipts().findByLookupCode(ex.pathParameters.at("code"));
  if (!receipt) throw NotFoundError("receipt_not_found", "no receipt has this lookup code");
  ex.sendJson(200, *publicReceiptJson(*receipt, replacementOf(core, *receipt)));
}

}  // namespace

void registerReceiptRoutes(Router& router, ServiceCore& core) {
  router.add({"POST", "/v1/series", {Role::Admin}, [&core](Exchange& ex) { createSeries(core, ex); }});
  router.add({"GET", "/v1/series", {Role::Admin, Role::Backend}, [&core](Exchange& ex) { listSeries(core, ex); }});
  router.add({"GET", "/v1/series/{id}", {Role::Admin, Role::Backend}, [&core](Exchange& ex) {
                ex.sendJson(200, *seriesJson(core.receipts().series(ex.pathParameters.at("id"))));
              }});
  router.add({"POST", "/v1/receipts", {Role::Backend}, [&core](Exchange& ex) { issueReceipt(core, ex); }});
  router.add({"GET",
              "/v1/receipts",
              {Role::Backend, Role::Admin},
              [&core](Exchange& ex) { listReceipts(core, ex); },
              {"template", "series", "status", "from", "to", "after", "limit"}});
  router.add(
      {"GET", "/v1/receipts/{id}", {Role::Backend, Role::Admin}, [&core](Exchange& ex) { getReceipt(core, ex); }});
  router.add(
      {"GET", "/v1/receipts/{id}/xml", {Role::Backend, Role::Admin}, [&core](Exchange& ex) { receiptXml(core, ex); }});
  router.add(
      {"GET", "/v1/receipts/{id}/pdf", {Role::Backend, Role::Admin}, [&core](Exchange& ex) { receiptPdf(core, ex); }});
  router.add(
      {"POST", "/v1/receipts/{id}/replacement", {Role::Backend}, [&core](Exchange& ex) { replaceReceipt(core, ex); }});
  router.add({"POST", "/v1/receipts/{id}/notices", {Role::Backend}, [&core](Exchange& ex) { issueNotice(core, ex); }});
  router.add({"GET", "/v1/receipts/{id}/notices", {Role::Backend, Role::Admin}, [&core](Exchange& ex) {
                listNotices(core, ex);
              }});
  router.add({"GET", "/v1/notices/{id}", {Role::Backend, Role::Admin}, [&core](Exchange& ex) {
                ex.sendJson(200, *noticeJson(core.receipts().notice(ex.pathParameters.at("id"))));
              }});
  router.add({"GET", "/v1/notices/{id}/xml", {Role::Backend, Role::Admin}, [&core](Exchange& ex) {
                ex.sendBytes(200, "application/xml", core.receipts().noticeXml(ex.pathParameters.at("id")));
              }});
  router.add({"GET",
              "/v1/reports/daily-summary",
              {Role::Backend, Role::Admin},
              [&core](Exchange& ex) { dailySummary(core, ex); },
              {"date", "tax_code", "format"}});
  router.add({"GET", "/v1/public/receipts/{code}", {}, [&core](Exchange& ex) { publicReceipt(core, ex); }});
}

}  // namespace kyso::api::detail
