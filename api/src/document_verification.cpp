#include "document_verification.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>

#include <fstream>
#include <sstream>

#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/signer/xml_document.h"
#include "receipt_handlers.h"
#include "verification_json.h"

namespace kyso::api::detail {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// What the file says and what the register says about it. The register's fields (status, date,
// replacement, the printed fields with the payer's identifier masked) only for a file that is the
// register's receipt: naming a series and number must not reveal another receipt.
Object::Ptr receiptJson(const ReceiptVerification& receipt) {
  const auto& check = receipt.check;
  Object::Ptr o =
      check && check->receipt ? publicReceiptJson(*check->receipt, check->replacement) : Object::Ptr(new Object);
  if (!(check && check->receipt)) {
    if (const auto& identity = receipt.reading.identity) {
      o->set("template", std::string(receipts::templateCodeName(identity->series.templateCode)));
      o->set("symbol", identity->series.symbol);
      o->set("number", receipts::formatReceiptNumber(identity->number));
    } else {
      o->set("template", Var());
      o->set("symbol", Var());
      o->set("number", Var());
    }
    o->set("issued_at", Var());
    o->set("status", Var());
    o->set("replaced_by", Var());
  }
  o->set("series", o->get("symbol"));
  o->set("known", check && check->known);
  o->set("matches_register", check && check->matches);
  o->set("identical_file", check && check->identicalFile);
  o->set("content_sha256", check ? nullable(check->contentSha256) : Var());
  o->set("problem", nullable(check ? check->problem : receipt.reading.problem));
  return o;
}

}  // namespace

std::optional<DocumentKind> sniffDocumentKind(std::string_view head) {
  if (head.substr(0, 1024).find("%PDF-") != std::string_view::npos) return DocumentKind::Pdf;
  std::string_view rest = head;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
  const std::size_t start = rest.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && rest[start] == '<') return DocumentKind::Xml;
  return std::nullopt;
}

DocumentVerification verifyPdfDocument(ServiceCore& core, const signer::PdfInput& input) {
  DocumentVerification out;
  out.kind = DocumentKind::Pdf;
  out.report = core.verification().verifyPdf(input);
  // A receipt's PDF copy names its receipt in /Title (read by the verification's own parse);
  // only the stored copy itself matches. A broken /Info: not recognisable as a receipt.
  if (!out.report.pdfTitle) return out;
  if (const auto identity = receipts::receiptFromPdfTitle(*out.report.pdfTitle)) {
    ReceiptVerification receipt;
    receipt.reading.isReceipt = true;
    receipt.reading.identity = identity;
    receipt.check = core.receipts().checkRegisterPdf(*identity, input);
    if (!receipt.check->matches) {
      out.report.warnings.push_back("the receipt does not match the register: " + receipt.check->problem);
    }
    out.receipt = std::move(receipt);
  }
  return out;
}

DocumentVerification verifyXmlDocument(ServiceCore& core, std::string_view xml) {
  DocumentVerification out;
  out.kind = DocumentKind::Xml;
  // One parse serves the signatures and the receipt check.
  const signer::XmlDocument document = signer::parseXml(xml);
  out.report = core.verification().verifyXml(document, xml.size());
  ReceiptVerification receipt;
  receipt.reading = receipts::readReceiptXml(document);
  if (!receipt.reading.isReceipt) return out;
  receipts::applyReceiptBinding(receipt.reading, out.report);
  if (receipt.reading.identity) {
    receipt.check = core.receipts().checkRegister(*receipt.reading.identity, document, xml);
    if (!receipt.check->matches) {
      out.report.warnings.push_back("the receipt does not match the register: " + receipt.check->problem);
    }
  }
  out.receipt = std::move(receipt);
  return out;
}

DocumentVerification verifyDocumentFile(ServiceCore& core, const std::filesystem::path& path) {
  std::string head(1024, '\0');
  {
    std::ifstream in(path, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
  }
  const std::uint64_t maxBytes = core.settings().verify.maxBytes;
  if (sniffDocumentKind(head) == DocumentKind::Xml) {
    return verifyXmlDocument(core, readFile(path, static_cast<std::size_t>(maxBytes)));
  }
  // Anything else is read as a PDF, which says clearly when it is not one (not_a_pdf).
  return verifyPdfDocument(core, signer::PdfInput::fromFile(path, maxBytes));
}

std::string receiptSummary(const ReceiptVerification& receipt) {
  const auto& identity = receipt.reading.identity;
  std::string line = "receipt";
  if (identity) {
    line += " " + std::string(receipts::templateCodeName(identity->series.templateCode)) + " " +
            identity->series.symbol + " " + receipts::formatReceiptNumber(identity->number);
  }
  const auto& check = receipt.check;
  if (!check || !check->matches) {
    return line + ": does not match the register: " + (check ? check->problem : receipt.reading.problem);
  }
  line += ": matches the register";
  if (check->receipt) line += ", " + std::string(receipts::receiptStatusName(check->receipt->status));
  if (check->replacement) {
    line +=
        " by " + check->replacement->series.symbol + " " + receipts::formatReceiptNumber(check->replacement->number);
  }
  return line;
}

std::string documentVerificationJson(const DocumentVerification& verification) {
  Object::Ptr o = verificationReportObject(verification.report);
  o->set("format", verification.kind == DocumentKind::Pdf ? "pdf" : "xml");
  if (verification.kind == DocumentKind::Xml) {
    // PDF notions an XML signature does not have.
    Array::Ptr signatures = o->getArray("signatures");
    for (std::size_t i = 0; signatures && i < signatures->size(); ++i) {
      Object::Ptr signature = signatures->getObject(static_cast<unsigned>(i));
      signature->set("sub_filter", Var());
      signature->set("coverage", Var());
    }
  }
  o->set("receipt", verification.receipt ? Var(receiptJson(*verification.receipt)) : Var());
  std::ostringstream text;
  o->stringify(text);
  return text.str();
}

}  // namespace kyso::api::detail
