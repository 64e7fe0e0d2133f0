#include "receipt_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "kyso/error.h"
#include "kyso/pki/digest.h"

namespace kyso::receipts::detail {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Insertion-ordered objects, so the same receipt always serialises to the same text.
Object::Ptr object() {
  return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string stringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

Object::Ptr requestObject(const ReceiptRequest& r) {
  auto payer = object();
  payer->set("name", r.payer.name);
  payer->set("id", r.payer.id);
  payer->set("address", r.payer.address);
  Array::Ptr items = new Array;
  for (const FeeItem& item : r.items) {
    auto o = object();
    o->set("code", item.code);
    o->set("name", item.name);
    o->set("kind", std::string(feeKindName(item.kind)));
    o->set("amount", static_cast<Poco::Int64>(item.amount));
    items->add(o);
  }
  auto payment = object();
  payment->set("method", std::string(paymentMethodName(r.payment.method)));
  payment->set("transaction_id", r.payment.transactionId);
  payment->set("provider", r.payment.provider);
  payment->set("paid_at", pki::formatIso8601Utc(r.payment.paidAt));
  auto dossier = object();
  dossier->set("code", r.dossier.code);
  dossier->set("procedure_code", r.dossier.procedureCode);
  auto o = object();
  o->set("payer", payer);
  o->set("items", items);
  o->set("payment", payment);
  o->set("dossier", dossier);
  return o;
}

ReceiptRequest requestFrom(const Object::Ptr& o) {
  ReceiptRequest r;
  const auto payer = o->getObject("payer");
  r.payer = {payer->getValue<std::string>("name"), payer->getValue<std::string>("id"),
             payer->getValue<std::string>("address")};
  const auto items = o->getArray("items");
  for (unsigned i = 0; i < items->size(); ++i) {
    const auto item = items->getObject(i);
    r.items.push_back({item->getValue<std::string>("code"), item->getValue<std::string>("name"),
                       parseFeeKind(item->getValue<std::string>("kind")), item->getValue<Poco::Int64>("amount")});
  }
  const auto payment = o->getObject("payment");
  r.payment = {parsePaymentMethod(payment->getValue<std::string>("method")),
               payment->getValue<std::string>("transaction_id"), payment->getValue<std::string>("provider"),
               pki::parseIso8601(payment->getValue<std::string>("paid_at"))};
  const auto dossier = o->getObject("dossier");
  r.dossier = {dossier->getValue<std::string>("code"), dossier->getValue<std::string>("procedure_code")};
  return r;
}

}  // namespace

std::string contentJson(const Receipt& receipt) {
  auto organization = object();
  organization->set("name", receipt.organization.name);
  organization->set("tax_code", receipt.organization.taxCode);
  organization->set("address", receipt.organization.address);
  auto o = object();
  o->set("organization", organization);
  o->set("request", requestObject(receipt.request));
  o->set("total_in_words", receipt.totalInWords);
  o->set("verify_url", receipt.verifyUrl);
  if (receipt.replaces) {
    auto replaces = object();
    replaces->set("id", receipt.replaces->id);
    replaces->set("template", std::string(templateCodeName(receipt.replaces->series.templateCode)));
    replaces->set("symbol", receipt.replaces->series.symbol);
    replaces->set("number", receipt.replaces->number);
    replaces->set("issued_at", pki::formatIso8601Utc(receipt.replaces->issuedAt));
    o->set("replaces", replaces);
  }
  return stringify(o);
}

Receipt fromRecord(const store::ReceiptRecord& record) {
  Receipt r;
  try {
    r.id = record.id;
    r.series = {parseTemplateCode(record.templateCode), record.symbol};
    r.number = record.number;
    r.issuedAt = record.issuedAt;
    r.total = record.total;
    r.lookupCode = record.lookupCode;
    r.status = parseReceiptStatus(record.status);
    if (!record.replacedBy.empty()) r.replacedBy = record.replacedBy;
    const auto o = Poco::JSON::Parser().parse(record.content).extract<Object::Ptr>();
    const auto organization = o->getObject("organization");
    r.organization = {organization->getValue<std::string>("name"), organization->getValue<std::string>("tax_code"),
                      organization->getValue<std::string>("address")};
    r.request = requestFrom(o->getObject("request"));
    r.totalInWords = o->getValue<std::string>("total_in_words");
    r.verifyUrl = o->getValue<std::string>("verify_url");
    if (const auto replaces = o->getObject("replaces")) {
      r.replaces = ReceiptReference{
          replaces->getValue<std::string>("id"),
          {parseTemplateCode(replaces->getValue<std::string>("template")), replaces->getValue<std::string>("symbol")},
          replaces->getValue<std::uint32_t>("number"),
          pki::parseIso8601(replaces->getValue<std::string>("issued_at"))};
      if (r.replaces->id != record.replaces) throw InternalError("replacement link and content disagree");
    }
  } catch (const Poco::Exception& e) {
    throw InternalError("unreadable receipt " + record.id + " in the database: " + e.displayText(), "database_corrupt");
  } catch (const InputError& e) {
    throw InternalError("unreadable receipt " + record.id + " in the database: " + e.what(), "database_corrupt");
  }
  return r;
}

namespace {

Object::Ptr referenceObject(const ReceiptReference& r) {
  auto o = object();
  o->set("id", r.id);
  o->set("template", std::string(templateCodeName(r.series.templateCode)));
  o->set("symbol", r.series.symbol);
  o->set("number", r.number);
  o->set("issued_at", pki::formatIso8601Utc(r.issuedAt));
  return o;
}

ReceiptReference referenceFrom(const Object::Ptr& o) {
  return {o->getValue<std::string>("id"),
          {parseTemplateCode(o->getValue<std::string>("template")), o->getValue<std::string>("symbol")},
          o->getValue<std::uint32_t>("number"),
          pki::parseIso8601(o->getValue<std::string>("issued_at"))};
}

Array::Ptr correctionsArray(const std::vector<NoticeCorrection>& corrections, bool withOld) {
  Array::Ptr out = new Array;
  for (const auto& c : corrections) {
    auto o = object();
    o->set("field", c.field);
    if (withOld) o->set("old", c.oldValue);
    o->set("new", c.newValue);
    out->add(o);
  }
  return out;
}

}  // namespace

std::string noticeJson(const Notice& notice) {
  auto organization = object();
  organization->set("name", notice.organization.name);
  organization->set("tax_code", notice.organization.taxCode);
  organization->set("address", notice.organization.address);
  auto o = object();
  o->set("receipt", referenceObject(notice.receipt));
  o->set("organization", organization);
  o->set("reason", notice.reason);
  o->set("corrections", correctionsArray(notice.corrections, true));
  return stringify(o);
}

Notice noticeFromRecord(const store::NoticeRecord& record) {
  Notice n;
  try {
    n.id = record.id;
    n.issuedAt = record.issuedAt;
    const auto o = Poco::JSON::Parser().parse(record.content).extract<Object::Ptr>();
    n.receipt = referenceFrom(o->getObject("receipt"));
    const auto organization = o->getObject("organization");
    n.organization = {organization->getValue<std::string>("name"), organization->getValue<std::string>("tax_code"),
                      organization->getValue<std::string>("address")};
    n.reason = o->getValue<std::string>("reason");
    const auto corrections = o->getArray("corrections");
    for (unsigned i = 0; i < corrections->size(); ++i) {
      const auto c = corrections->getObject(i);
      n.corrections.push_back(
          {c->getValue<std::string>("field"), c->getValue<std::string>("old"), c->getValue<std::string>("new")});
    }
  } catch (const Poco::Exception& e) {
    throw InternalError("unreadable notice " + record.id + " in the database: " + e.displayText(), "database_corrupt");
  } catch (const InputError& e) {
    throw InternalError("unreadable notice " + record.id + " in the database: " + e.what(), "database_corrupt");
  }
  return n;
}

std::string noticeRequestSha256(const std::string& receiptId, const NoticeRequest& request) {
  auto o = object();
  o->set("receipt", receiptId);
  o->set("reason", request.reason);
  o->set("corrections", correctionsArray(request.corrections, false));
  return toHex(pki::digest(pki::DigestAlgorithm::Sha256, asBytes(stringify(o))));
}

std::string noticeEventJson(const std::string& eventId, const Notice& notice) {
  auto body = object();
  body->set("id", notice.id);
  body->set("receipt_id", notice.receipt.id);
  body->set("issued_at", pki::formatIso8601(notice.issuedAt));
  body->set("reason", notice.reason);
  body->set("corrections", correctionsArray(notice.corrections, true));
  auto o = object();
  o->set("event_id", eventId);
  o->set("type", "receipt.notice");
  o->set("created_at", pki::formatIso8601(notice.issuedAt));
  o->set("notice", body);
  return stringify(o);
}

std::string eventJson(const std::string& eventId, const std::string& type, pki::TimePoint at, const Receipt& r) {
  auto receipt = object();
  receipt->set("id", r.id);
  receipt->set("template", std::string(templateCodeName(r.series.templateCode)));
  receipt->set("symbol", r.series.symbol);
  receipt->set("number", r.number);
  receipt->set("issued_at", pki::formatIso8601(r.issuedAt));
  receipt->set("total", static_cast<Poco::Int64>(r.total));
  receipt->set("status", std::string(receiptStatusName(r.status)));
  receipt->set("lookup_code", r.lookupCode);
  receipt->set("verify_url", r.verifyUrl);
  receipt->set("dossier_code", r.request.dossier.code);
  receipt->set("payment_transaction_id", r.request.payment.transactionId);
  receipt->set("payment_provider", r.request.payment.provider);
  if (r.replaces) receipt->set("replaces", r.replaces->id);
  auto o = object();
  o->set("event_id", eventId);
  o->set("type", type);
  o->set("created_at", pki::formatIso8601(at));
  o->set("receipt", receipt);
  return stringify(o);
}

std::string requestSha256(TemplateCode templateCode, const std::string& symbol, const std::string& unit,
                          const ReceiptRequest& request, const std::string& replaces) {
  auto o = object();
  o->set("template", std::string(templateCodeName(templateCode)));
  o->set("symbol", symbol);
  o->set("unit", unit);
  o->set("replaces", replaces);
  o->set("request", requestObject(request));
  return toHex(pki::digest(pki::DigestAlgorithm::Sha256, asBytes(stringify(o))));
}

}  // namespace kyso::receipts::detail
