// Receipt requests read from JSON: the HTTP API and the CLI (`kyso receipt issue --json FILE`) take
// the same shapes.
#pragma once

#include "json_request.h"
#include "kyso/receipts/receipt_service.h"

namespace kyso::api::detail {

// The fields every receipt request has: payer, items, payment, dossier.
receipts::ReceiptRequest receiptRequestFrom(const JsonRequest& json);
// POST /v1/receipts: template, symbol, optional unit and the receipt request (actor and key unset).
receipts::IssueRequest issueRequestFrom(const JsonRequest& json);
// The fields of POST /v1/receipts.
inline const std::set<std::string>& issueRequestFields() {
  static const std::set<std::string> fields{"template", "symbol", "unit", "payer", "items", "payment", "dossier"};
  return fields;
}
// POST /v1/receipts/{id}/replacement: as issueRequestFrom, but `template` and `symbol` are optional
// (together): without them the replacement goes into the original's series.
receipts::IssueRequest replacementRequestFrom(const JsonRequest& json);
// POST /v1/series.
receipts::SeriesSpec seriesSpecFrom(const JsonRequest& json);
inline const std::set<std::string>& seriesFields() {
  static const std::set<std::string> fields{"template", "symbol", "year", "organization", "key", "ranges"};
  return fields;
}

}  // namespace kyso::api::detail
