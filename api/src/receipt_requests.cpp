#include "receipt_requests.h"

#include "kyso/error.h"
#include "kyso/receipts/identifiers.h"

namespace kyso::api::detail {

namespace {

// A field's text given to a parser that does not know the field: the parser's error names it.
// (Reading the text stays outside: a missing or mistyped field already says which.)
template <typename Parse>
auto named(const std::string& field, const std::string& text, Parse&& parse) {
  try {
    return parse(text);
  } catch (const InputError& e) {
    throw InputError(e.code(), "'" + field + "': " + e.what(), e.kind());
  }
}

}  // namespace

receipts::ReceiptRequest receiptRequestFrom(const JsonRequest& json) {
  receipts::ReceiptRequest r;
  const auto payer = json.object("payer", {"name", "id", "address"});
  r.payer = {payer.string("name"), payer.string("id"), payer.optionalString("address").value_or("")};
  const auto items = json.objectArray("items", {"code", "name", "kind", "amount"}, 100);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    r.items.push_back({item.string("code"), item.string("name"),
                       named("items[" + std::to_string(i) + "].kind", item.string("kind"), receipts::parseFeeKind),
                       item.integer("amount")});
  }
  const auto payment = json.object("payment", {"method", "transaction_id", "provider", "paid_at"});
  r.payment.method = named("payment.method", payment.string("method"), receipts::parsePaymentMethod);
  r.payment.transactionId = payment.string("transaction_id");
  r.payment.provider = payment.string("provider");
  r.payment.paidAt = named("payment.paid_at", payment.string("paid_at"), pki::parseIso8601);
  const auto dossier = json.object("dossier", {"code", "procedure_code"});
  r.dossier = {dossier.string("code"), dossier.string("procedure_code")};
  return r;
}

namespace {

// The series a request names. A malformed symbol is a bad request (checked as POST /v1/series
// checks it), not a series that does not exist.
void readSeries(const JsonRequest& json, receipts::IssueRequest& request) {
  request.templateCode = receipts::parseTemplateCode(json.string("template"));
  request.symbol = json.string("symbol");
  receipts::validateSeriesSymbol(request.symbol, receipts::seriesSymbolYear(request.symbol));
}

// The unit whose range numbers it, and the receipt's content.
receipts::IssueRequest withContent(const JsonRequest& json, receipts::IssueRequest request) {
  request.unit = json.optionalString("unit").value_or("");
  request.content = receiptRequestFrom(json);
  return request;
}

}  // namespace

receipts::IssueRequest issueRequestFrom(const JsonRequest& json) {
  receipts::IssueRequest request;
  readSeries(json, request);
  return withContent(json, std::move(request));
}

receipts::IssueRequest replacementRequestFrom(const JsonRequest& json) {
  receipts::IssueRequest request;
  // Another series than the original's: template and symbol together, or neither.
  if (json.has("template") || json.has("symbol")) readSeries(json, request);
  return withContent(json, std::move(request));
}

receipts::SeriesSpec seriesSpecFrom(const JsonRequest& json) {
  receipts::SeriesSpec spec;
  spec.templateCode = receipts::parseTemplateCode(json.string("template"));
  spec.symbol = json.string("symbol");
  if (const auto year = json.optionalInteger("year")) {
    if (*year < 2000 || *year > 2099) throw InputError("invalid_field", "field 'year' must be between 2000 and 2099");
    spec.year = static_cast<int>(*year);
  }
  const auto organization = json.object("organization", {"name", "tax_code", "address"});
  spec.organization = {organization.string("name"), organization.string("tax_code"), organization.string("address")};
  spec.keyId = json.optionalString("key").value_or("");
  if (json.has("ranges")) {
    for (const auto& range : json.objectArray("ranges", {"unit", "first", "last"}, 1000)) {
      const auto first = range.integer("first"), last = range.integer("last");
      if (first < 1 || last < 1 || first > receipts::kMaxReceiptNumber || last > receipts::kMaxReceiptNumber) {
        throw InputError("invalid_range", "range numbers must lie within 1..99999999");
      }
      spec.ranges.push_back(
          {range.string("unit"), static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last)});
    }
  }
  return spec;
}

}  // namespace kyso::api::detail
