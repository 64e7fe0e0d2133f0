#include "report_xml.h"

#include <cstdio>

#include "kyso/error.h"
#include "kyso/signer/xml_document.h"
#include "kyso/signer/xml_signature.h"
#include "xml_names.h"

namespace kyso::receipts::detail {
namespace {

namespace n = xml_names;
using signer::appendElement;
using signer::appendTextElement;

std::string isoDate(pki::TimePoint t) {
  return pki::formatIso8601(t).substr(0, 10);  // Vietnam date
}

std::string isoDate(std::chrono::year_month_day day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return text;
}

void appendCollector(xmlNode* parent, const Organization& organization) {
  xmlNode* collector = appendElement(parent, n::kCollector);
  appendTextElement(collector, n::kName, organization.name);
  appendTextElement(collector, n::kTaxCode, organization.taxCode);
}

void appendReference(xmlNode* parent, const ReceiptReference& receipt) {
  appendTextElement(parent, n::kTemplateCode, templateCodeName(receipt.series.templateCode));
  appendTextElement(parent, n::kSeriesSymbol, receipt.series.symbol);
  appendTextElement(parent, n::kNumber, formatReceiptNumber(receipt.number));
  appendTextElement(parent, n::kIssueDate, isoDate(receipt.issuedAt));
}

// Appends the signature slot and signs the data element `id` of `document`.
std::string signedDocument(signer::XmlDocument& document, const std::string& id, pki::TimePoint at,
                           const pki::SigningCredential& credential) {
  xmlNode* slot = appendElement(appendElement(document.root(), n::kSignatures), n::kIssuerSignature);
  signer::XmlSignatureParameters parameters;
  parameters.signedDataId = id;
  parameters.signatureParent = slot;
  parameters.signatureId = std::string(n::kIssuerSignatureId);
  parameters.signingTime = at;
  signer::signXml(document, parameters, credential);
  return signer::serialize(document);
}

}  // namespace

std::string buildNoticeXml(const Notice& notice, const pki::SigningCredential& credential) {
  if (notice.corrections.empty()) throw InternalError("notice " + notice.id + " corrects nothing");
  signer::XmlDocument document = signer::newXmlDocument(n::kNotice);
  xmlNode* data = appendElement(document.root(), n::kNoticeData);
  signer::setAttribute(data, n::kIdAttribute, notice.id);
  appendTextElement(data, n::kFormatVersion, n::kFormatVersionValue);
  appendTextElement(data, n::kFormCode, n::kNoticeFormCode);
  appendTextElement(data, n::kFormName, n::kNoticeFormName);
  appendTextElement(data, n::kNoticeDate, isoDate(notice.issuedAt));
  appendCollector(data, notice.organization);
  xmlNode* receipt = appendElement(appendElement(data, n::kReceiptsConcerned), n::kReceiptConcerned);
  appendTextElement(receipt, n::kReceiptId, notice.receipt.id);
  appendReference(receipt, notice.receipt);
  appendTextElement(receipt, n::kReason, notice.reason);
  xmlNode* corrections = appendElement(receipt, n::kCorrections);
  for (const NoticeCorrection& c : notice.corrections) {
    xmlNode* correction = appendElement(corrections, n::kCorrection);
    appendTextElement(correction, n::kField, c.field);
    appendTextElement(correction, n::kOldValue, c.oldValue);
    appendTextElement(correction, n::kNewValue, c.newValue);
  }
  return signedDocument(document, notice.id, notice.issuedAt, credential);
}

std::string buildSummaryXml(const DailySummary& summary, const std::string& id, pki::TimePoint signedAt,
                            const pki::SigningCredential& credential) {
  signer::XmlDocument document = signer::newXmlDocument(n::kSummary);
  xmlNode* data = appendElement(document.root(), n::kSummaryData);
  signer::setAttribute(data, n::kIdAttribute, id);
  xmlNode* general = appendElement(data, n::kGeneral);
  appendTextElement(general, n::kFormatVersion, n::kFormatVersionValue);
  appendTextElement(general, n::kFormCode, n::kSummaryFormCode);
  appendTextElement(general, n::kFormName, n::kSummaryFormName);
  appendTextElement(general, n::kSummaryPeriod, n::kDailyPeriodValue);
  appendTextElement(general, n::kSummaryDay, isoDate(summary.day));
  appendTextElement(general, n::kIssueDate, isoDate(signedAt));
  appendCollector(general, summary.organization);

  xmlNode* content = appendElement(data, n::kSummaryContent);
  xmlNode* rows = appendElement(content, n::kSummaryRows);
  int line = 0;
  for (const SummaryRow& row : summary.rows) {
    xmlNode* element = appendElement(rows, n::kSummaryRow);
    appendTextElement(element, n::kLineNumber, std::to_string(++line));
    appendReference(element, row.receipt);
    appendTextElement(element, n::kItemName, row.feeNames);
    appendTextElement(element, n::kAmount, std::to_string(row.total));
    appendTextElement(element, n::kExchangeRate, "1");
    appendTextElement(element, n::kStatus,
                      row.status == ReceiptStatus::Replaced ? n::kStatusReplaced
                      : row.replaces                        ? n::kStatusReplacement
                                                            : n::kStatusIssued);
    if (row.replaces) {
      xmlNode* related = appendElement(element, n::kRelatedReceipt);
      appendTextElement(related, n::kRelationKind, n::kReplacementValue);
      appendTextElement(related, n::kRelatedTemplateCode, templateCodeName(row.replaces->series.templateCode));
      appendTextElement(related, n::kRelatedSeriesSymbol, row.replaces->series.symbol);
      appendTextElement(related, n::kRelatedNumber, formatReceiptNumber(row.replaces->number));
      appendTextElement(related, n::kRelatedIssueDate, isoDate(row.replaces->issuedAt));
      appendTextElement(related, n::kOriginalReceipt, row.replaces->id);
    }
  }
  appendTextElement(content, n::kRowCount, std::to_string(summary.rows.size()));
  appendTextElement(content, n::kSummaryTotal, std::to_string(summary.total));
  return signedDocument(document, id, signedAt, credential);
}

}  // namespace kyso::receipts::detail
