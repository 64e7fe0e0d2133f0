#include "kyso/receipts/receipt_check.h"

#include <libxml/tree.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/receipts/identifiers.h"
#include "kyso/receipts/receipt_pdf.h"
#include "kyso/receipts/receipt_service.h"
#include "kyso/signer/xml_verifier.h"
#include "receipt_json.h"
#include "xml_names.h"

namespace kyso::receipts {

namespace {

namespace n = xml_names;

bool isNamed(const xmlNode* node, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns == nullptr && signer::elementName(node) == name;
}

// Every element named `name` in the document (any namespace): a second data element anywhere is
// one a careless reader could be shown.
std::vector<const xmlNode*> elementsNamed(const signer::XmlDocument& document, std::string_view name) {
  std::vector<const xmlNode*> out;
  signer::forEachElement(document, [&](const xmlNode* element) {
    if (signer::elementName(element) == name) out.push_back(element);
  });
  return out;
}

std::string attributeOf(const xmlNode* element, std::string_view name) {
  const std::string key(name);
  const signer::xml::Ptr<xmlChar> value(xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(key.c_str())));
  return value ? std::string(reinterpret_cast<const char*>(value.get())) : std::string();
}

// The text of the only child `name` of `parent`, or nullopt.
std::optional<std::string> fieldOf(const xmlNode* parent, std::string_view name) {
  const xmlNode* child = signer::childElement(parent, name);
  if (!isNamed(child, name)) return std::nullopt;
  return signer::textContent(child);
}

std::optional<std::uint32_t> parseNumber(const std::string& text) {
  if (text.empty() || text.size() > 8) return std::nullopt;
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

const xmlNode* issuerSignature(const xmlNode* root) {
  const xmlNode* slot = signer::childElement(signer::childElement(root, n::kSignatures), n::kIssuerSignature);
  if (!isNamed(slot, n::kIssuerSignature)) return nullptr;
  const xmlNode* signature = nullptr;
  for (const xmlNode* child = slot->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (signature != nullptr || !signer::isXmlSignatureElement(child)) return nullptr;
    signature = child;
  }
  return signature;
}

// The one data element (BLai/DLBLai), or null.
const xmlNode* receiptData(const signer::XmlDocument& document) {
  const std::vector<const xmlNode*> data = elementsNamed(document, n::kReceiptData);
  if (data.size() != 1 || data.front()->parent != document.root() || !isNamed(data.front(), n::kReceiptData)) {
    return nullptr;
  }
  return data.front();
}

// The register's record of the receipt `identity` names (if any), and the name messages give it.
struct RegisterEntry {
  std::optional<store::ReceiptRecord> record;
  std::string name;
};

std::string registerName(const ReceiptIdentity& identity) {
  return std::string(templateCodeName(identity.series.templateCode)) + " " + identity.series.symbol + " " +
         formatReceiptNumber(identity.number);
}

RegisterEntry findInRegister(store::ReceiptRepository& repository, const ReceiptIdentity& identity) {
  return {repository.findByNumber(std::string(templateCodeName(identity.series.templateCode)), identity.series.symbol,
                                  identity.number),
          registerName(identity)};
}

}  // namespace

ReceiptReading readReceiptXml(const signer::XmlDocument& document) {
  ReceiptReading reading;
  const xmlNode* root = document.root();
  if (!isNamed(root, n::kReceipt)) return reading;
  reading.isReceipt = true;
  const std::vector<const xmlNode*> data = elementsNamed(document, n::kReceiptData);
  if (data.size() != 1) {
    reading.problem = "the receipt has " + std::to_string(data.size()) + " " + std::string(n::kReceiptData) +
                      " elements; exactly one is read";
    return reading;
  }
  const xmlNode* element = receiptData(document);
  if (element == nullptr) {
    reading.problem = std::string("the receipt's ") + std::string(n::kReceiptData) + " is not where it is read (" +
                      std::string(n::kReceipt) + "/" + std::string(n::kReceiptData) + ")";
    return reading;
  }
  const std::string id = attributeOf(element, n::kIdAttribute);
  if (id.empty()) {
    reading.problem = "the receipt data has no Id";
    return reading;
  }
  const xmlNode* signature = issuerSignature(root);
  if (signature == nullptr) {
    reading.problem = "the receipt has no issuer signature at " + std::string(n::kReceipt) + "/" +
                      std::string(n::kSignatures) + "/" + std::string(n::kIssuerSignature);
    return reading;
  }
  const std::string uri = signer::firstReferenceUri(signature);
  if (uri != "#" + id) {
    reading.problem = "the issuer signature's first reference (\"" + signer::excerpt(uri) +
                      "\") is not the receipt data that is read (\"#" + signer::excerpt(id) + "\")";
    return reading;
  }
  const xmlNode* general = signer::childElement(element, n::kGeneral);
  const auto templateCode = isNamed(general, n::kGeneral) ? fieldOf(general, n::kTemplateCode) : std::nullopt;
  const auto symbol = isNamed(general, n::kGeneral) ? fieldOf(general, n::kSeriesSymbol) : std::nullopt;
  const auto number = isNamed(general, n::kGeneral) ? fieldOf(general, n::kNumber) : std::nullopt;
  const auto parsedNumber = number ? parseNumber(*number) : std::nullopt;
  if (!templateCode || !symbol || !parsedNumber) {
    reading.problem = "the receipt data lacks its template, series or number";
    return reading;
  }
  ReceiptIdentity identity;
  identity.id = id;
  try {
    identity.series.templateCode = parseTemplateCode(*templateCode);
  } catch (const InputError&) {
    reading.problem = "the receipt's template code '" + signer::excerpt(*templateCode) + "' is not one kyso issues";
    return reading;
  }
  identity.series.symbol = *symbol;
  try {
    // The form only (2-digit year, T, two letters): the year of issue is the register's business.
    validateSeriesSymbol(*symbol, 2000 + std::stoi(symbol->substr(0, 2)));
  } catch (const std::exception&) {
    reading.problem = "the receipt's series symbol '" + signer::excerpt(*symbol) + "' is not one kyso issues";
    return reading;
  }
  identity.number = *parsedNumber;
  identity.lookupCode = fieldOf(general, n::kLookupCode).value_or("");
  reading.identity = std::move(identity);
  return reading;
}

void applyReceiptBinding(const ReceiptReading& reading, signer::VerificationReport& report) {
  if (!reading.isReceipt || reading.problem.empty()) return;
  for (signer::SignatureResult& result : report.signatures) {
    result.indication = signer::Indication::TotalFailed;
    result.subIndication = signer::SubIndication::FormatFailure;
    result.detail = "as a receipt: " + reading.problem + " (signature wrapping)";
  }
  report.warnings.push_back("as a receipt: " + reading.problem);
  signer::summarize(report);
}

std::optional<ReceiptIdentity> receiptFromPdfTitle(std::string_view title) {
  // "<prefix> <template> <symbol> số <8 digits>": the words after the prefix, checked by writing
  // the title again from what was read.
  const std::size_t numberAt = title.rfind(' ');
  const std::size_t soAt = numberAt == std::string_view::npos ? numberAt : title.rfind(" số ", numberAt);
  const std::size_t symbolAt =
      soAt == std::string_view::npos || soAt == 0 ? std::string_view::npos : title.rfind(' ', soAt - 1);
  const std::size_t templateAt =
      symbolAt == std::string_view::npos || symbolAt == 0 ? std::string_view::npos : title.rfind(' ', symbolAt - 1);
  if (templateAt == std::string_view::npos) return std::nullopt;
  const auto number = parseNumber(std::string(title.substr(numberAt + 1)));
  if (!number) return std::nullopt;
  ReceiptIdentity identity;
  try {
    identity.series.templateCode = parseTemplateCode(title.substr(templateAt + 1, symbolAt - templateAt - 1));
  } catch (const InputError&) {
    return std::nullopt;
  }
  identity.series.symbol = std::string(title.substr(symbolAt + 1, soAt - symbolAt - 1));
  identity.number = *number;
  if (receiptPdfTitle(identity.series, identity.number) != title) return std::nullopt;
  return identity;
}

std::string receiptContentSha256(const signer::XmlDocument& document) {
  const xmlNode* data = receiptData(document);
  if (data == nullptr) return {};
  return toHex(pki::sha256(asBytes(signer::canonicalize(document, data))));
}

RegisterCheck ReceiptService::checkRegisterPdf(const ReceiptIdentity& identity, const signer::PdfInput& pdf) {
  RegisterCheck check;
  // The receipt and its copy in one read, without the receipt's XML (not compared here).
  const std::optional<store::ReceiptPdfCopy> found = repository_.findPdfCopy(
      std::string(templateCodeName(identity.series.templateCode)), identity.series.symbol, identity.number);
  const store::ReceiptRecord* record = found ? &found->record : nullptr;
  const Bytes* stored = found && found->pdf ? &*found->pdf : nullptr;
  const std::string name = registerName(identity);
  // One pass over the file: its hash for the report, and whether it is the stored copy byte for
  // byte (the same answer as comparing the two hashes, without hashing the stored copy).
  pki::DigestCalculator digest;
  bool identical = stored && stored->size() == pdf.size();
  std::size_t at = 0;
  pdf.forEachChunk([&](std::string_view chunk) {
    digest.update(chunk);
    identical = identical && chunk.size() <= stored->size() - at &&
                std::memcmp(chunk.data(), stored->data() + at, chunk.size()) == 0;
    at += chunk.size();
  });
  check.contentSha256 = toHex(digest.finish());
  if (!record) {
    check.problem = "the register has no receipt " + name;
    return check;
  }
  check.known = true;
  if (!stored) {
    check.problem = "the register holds no PDF copy of " + name + " (one is made when it is first asked for)";
  } else if (!identical || at != stored->size()) {
    check.problem = "the file is not the register's PDF copy of " + name;
  } else {
    check.matches = true;
    check.identicalFile = true;
    check.receipt = detail::fromRecord(*record);
    if (check.receipt->replacedBy) check.replacement = get(*check.receipt->replacedBy);
  }
  return check;
}

RegisterCheck ReceiptService::checkRegister(const ReceiptIdentity& identity, const signer::XmlDocument& document,
                                            std::string_view bytes) {
  RegisterCheck check;
  check.contentSha256 = receiptContentSha256(document);
  const auto [record, name] = findInRegister(repository_, identity);
  if (!record) {
    check.problem = "the register has no receipt " + name;
    return check;
  }
  check.known = true;
  check.identicalFile = toHex(pki::sha256(asBytes(bytes))) == record->xmlSha256;
  if (check.identicalFile) {
    check.matches = true;
  } else if (record->id != identity.id) {
    check.problem = "the register's receipt " + name + " is a different receipt";
  } else {
    // The same receipt written differently (re-serialized): the same signed data and the same
    // signature value as issued. A copy re-signed by another key is not the register's.
    const signer::XmlDocument stored = signer::parseXml(record->xml);
    const xmlNode* storedSignature = issuerSignature(stored.root());
    const xmlNode* fileSignature = issuerSignature(document.root());
    const auto valueOf = [](const xmlNode* signature) {
      const xmlNode* value = signer::childElement(signature, "SignatureValue");
      try {
        return value == nullptr ? Bytes() : fromBase64(signer::textContent(value));
      } catch (const InputError&) {
        return Bytes();
      }
    };
    if (check.contentSha256 != receiptContentSha256(stored)) {
      check.problem = "the signed content differs from the register's receipt " + name;
    } else if (storedSignature == nullptr || fileSignature == nullptr || valueOf(fileSignature).empty() ||
               valueOf(storedSignature) != valueOf(fileSignature)) {
      check.problem = "the signature is not the one the register issued for " + name;
    } else {
      check.matches = true;
    }
  }
  if (check.matches) {
    check.receipt = detail::fromRecord(*record);
    if (check.receipt->replacedBy) check.replacement = get(*check.receipt->replacedBy);
  }
  return check;
}

}  // namespace kyso::receipts
