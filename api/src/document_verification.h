// A signed file verified as the service offers it (POST /v1/verify, kyso verify): a PDF or an XML
// document, and for a kyso receipt XML (root BLai) the binding of its signature to the data a
// reader is shown and the check against the register (kyso/receipts/receipt_check.h); for a
// receipt's PDF copy (recognised by its /Title) the check that it is the stored copy.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "kyso/api/service_core.h"
#include "kyso/receipts/receipt_check.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/verification.h"

namespace kyso::api::detail {

enum class DocumentKind { Pdf, Xml };

// By content: "%PDF-" in the first 1024 bytes (ISO 32000-1 §7.5.2 lets a header follow some
// bytes) is a PDF; '<' after an optional UTF-8 byte order mark and white space is XML. Nullopt
// for anything else.
std::optional<DocumentKind> sniffDocumentKind(std::string_view head);

struct ReceiptVerification {
  receipts::ReceiptReading reading;
  std::optional<receipts::RegisterCheck> check;  // when the reading found the receipt's identity
};

struct DocumentVerification {
  DocumentKind kind = DocumentKind::Pdf;
  signer::VerificationReport report;
  std::optional<ReceiptVerification> receipt;  // a kyso receipt XML, or a receipt's PDF copy
};

// Throws what the verifiers throw for a file that cannot be evaluated (not_a_pdf, pdf_damaged,
// xml_malformed, xml_dtd_refused, xml_too_large, ...).
DocumentVerification verifyPdfDocument(ServiceCore& core, const signer::PdfInput& input);
DocumentVerification verifyXmlDocument(ServiceCore& core, std::string_view xml);
// `kyso verify FILE`: XML or else PDF by content (sniffDocumentKind), at most verify.maxBytes.
DocumentVerification verifyDocumentFile(ServiceCore& core, const std::filesystem::path& path);

// One line for people: "receipt EBL01 26TAB 00000123: matches the register, replaced by 26TAB
// 00000124" or why it does not match.
std::string receiptSummary(const ReceiptVerification& receipt);

// The report of POST /v1/verify: verificationReportJson plus "format" ("pdf", "xml") and
// "receipt" (null unless the file is a kyso receipt or its PDF copy; docs/openapi.json).
std::string documentVerificationJson(const DocumentVerification& verification);

}  // namespace kyso::api::detail
