#include "receipt_xml.h"

#include <limits>
#include <string>

#include "kyso/error.h"
#include "kyso/signer/xml_document.h"
#include "kyso/signer/xml_signature.h"
#include "xml_names.h"

namespace kyso::receipts::detail {
namespace {

namespace n = xml_names;
using signer::appendElement;
using signer::appendTextElement;

void appendOptional(xmlNode* parent, std::string_view name, const std::string& value) {
  if (!value.empty()) appendTextElement(parent, name, value);
}

void requireConsistent(const Receipt& receipt) {
  if (receipt.request.items.empty()) throw InternalError("receipt " + receipt.id + " has no fee items");
  std::int64_t sum = 0;
  for (const FeeItem& item : receipt.request.items) {
    if (item.amount <= 0 || item.amount > std::numeric_limits<std::int64_t>::max() - sum) {
      throw InternalError("receipt " + receipt.id + " has a fee item amount out of range");
    }
    sum += item.amount;
  }
  if (sum != receipt.total) throw InternalError("receipt " + receipt.id + ": the total is not the sum of its items");
}

void appendGeneral(xmlNode* data, const Receipt& receipt) {
  xmlNode* general = appendElement(data, n::kGeneral);
  appendTextElement(general, n::kFormatVersion, n::kFormatVersionValue);
  appendTextElement(general, n::kTitle, n::kTitleValue);
  appendTextElement(general, n::kTemplateCode, templateCodeName(receipt.series.templateCode));
  appendTextElement(general, n::kSeriesSymbol, receipt.series.symbol);
  appendTextElement(general, n::kNumber, formatReceiptNumber(receipt.number));
  // The date of issue in Vietnam; "2026-11-27T16:15:00+07:00" starts with it.
  appendTextElement(general, n::kIssueDate, pki::formatIso8601(receipt.issuedAt).substr(0, 10));
  appendTextElement(general, n::kCurrency, n::kCurrencyValue);
  const Payment& payment = receipt.request.payment;
  appendTextElement(general, n::kPaymentMethod, paymentMethodLabel(payment.method));
  appendOptional(general, n::kPaymentReference, payment.transactionId);
  appendOptional(general, n::kDossierCode, receipt.request.dossier.code);
  appendOptional(general, n::kProcedureCode, receipt.request.dossier.procedureCode);
  appendTextElement(general, n::kLookupCode, receipt.lookupCode);
  appendOptional(general, n::kLookupUrl, receipt.verifyUrl);
  if (receipt.replaces) {
    // Circular 91/2026 Art. 20: a replacement receipt names the one it replaces.
    xmlNode* related = appendElement(general, n::kRelatedReceipt);
    appendTextElement(related, n::kRelationKind, n::kReplacementValue);
    const ReceiptReference& original = *receipt.replaces;
    appendTextElement(related, n::kRelatedTemplateCode, templateCodeName(original.series.templateCode));
    appendTextElement(related, n::kRelatedSeriesSymbol, original.series.symbol);
    appendTextElement(related, n::kRelatedNumber, formatReceiptNumber(original.number));
    appendTextElement(related, n::kRelatedIssueDate, pki::formatIso8601(original.issuedAt).substr(0, 10));
    appendTextElement(related, n::kOriginalReceipt, original.id);
  }
}

void appendContent(xmlNode* data, const Receipt& receipt) {
  xmlNode* content = appendElement(data, n::kContent);

  xmlNode* collector = appendElement(content, n::kCollector);
  appendTextElement(collector, n::kName, receipt.organization.name);
  appendTextElement(collector, n::kTaxCode, receipt.organization.taxCode);
  appendOptional(collector, n::kAddress, receipt.organization.address);

  const Payer& payer = receipt.request.payer;
  xmlNode* payerElement = appendElement(content, n::kPayer);
  appendTextElement(payerElement, n::kName, payer.name);
  appendOptional(payerElement, n::kPayerId, payer.id);
  appendOptional(payerElement, n::kAddress, payer.address);

  xmlNode* items = appendElement(content, n::kItems);
  int line = 0;
  for (const FeeItem& item : receipt.request.items) {
    xmlNode* element = appendElement(items, n::kItem);
    appendTextElement(element, n::kLineNumber, std::to_string(++line));
    appendOptional(element, n::kItemCode, item.code);
    appendTextElement(element, n::kItemName, item.name);
    appendTextElement(element, n::kItemKind, feeKindLabel(item.kind));
    appendTextElement(element, n::kAmount, std::to_string(item.amount));
  }

  xmlNode* totals = appendElement(content, n::kTotals);
  appendTextElement(totals, n::kTotal, std::to_string(receipt.total));
  appendTextElement(totals, n::kTotalInWords, receipt.totalInWords);
}

}  // namespace

std::string buildReceiptXml(const Receipt& receipt, const pki::SigningCredential& credential) {
  requireConsistent(receipt);
  signer::XmlDocument document = signer::newXmlDocument(n::kReceipt);
  xmlNode* data = appendElement(document.root(), n::kReceiptData);
  signer::setAttribute(data, n::kIdAttribute, receipt.id);
  appendGeneral(data, receipt);
  appendContent(data, receipt);
  xmlNode* slot = appendElement(appendElement(document.root(), n::kSignatures), n::kIssuerSignature);

  signer::XmlSignatureParameters parameters;
  parameters.signedDataId = receipt.id;
  parameters.signatureParent = slot;
  parameters.signatureId = std::string(n::kIssuerSignatureId);
  parameters.signingTime = receipt.issuedAt;
  signer::signXml(document, parameters, credential);
  return signer::serialize(document);
}

}  // namespace kyso::receipts::detail
