// A receipt XML verified as a file (POST /v1/verify, kyso verify): read as the receipt logic reads
// it — BLai/DLBLai/TTChung — with its issuer signature bound to exactly that data element, then
// compared with the register (ReceiptService::checkRegister).
//
// Signature wrapping (XSW) moves or copies the data element so that the signature still covers
// the original while the reader is shown another one. The binding below closes that: the document
// must have exactly one DLBLai, the root's child; the issuer's signature sits at
// BLai/DSCKS/NBan and its first Reference is "#<that DLBLai's Id>" — and the verifier
// (signer::verifyXml) rejects documents where an Id is carried twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kyso/receipts/receipt.h"
#include "kyso/signer/verification.h"
#include "kyso/signer/xml_document.h"

namespace kyso::receipts {

// What the receipt says about itself.
struct ReceiptIdentity {
  std::string id;  // DLBLai's Id: kyso's receipt id (empty when read from a PDF copy's title)
  SeriesKey series;
  std::uint32_t number = 0;
  std::string lookupCode;  // MTCuu; empty when absent
};

struct ReceiptReading {
  bool isReceipt = false;                   // the root element is BLai
  std::optional<ReceiptIdentity> identity;  // set when the structure and the binding hold
  std::string problem;                      // else why not, in plain English
};

// Reads `document` as a receipt. A document whose root is not BLai is not a receipt
// (isReceipt false, nothing else set).
ReceiptReading readReceiptXml(const signer::XmlDocument& document);

// For a receipt whose reading found a problem: every signature of `report` becomes TOTAL_FAILED /
// FORMAT_FAILURE naming it (what was signed is not what a reader of the receipt is shown), and
// the overall verdict is summarized again. Does nothing for a reading without a problem.
void applyReceiptBinding(const ReceiptReading& reading, signer::VerificationReport& report);

// The register's view of a receipt file.
struct RegisterCheck {
  bool known = false;          // the register has a receipt with this template, series and number
  bool matches = false;        // same receipt id, same signed data and the signature the register issued
  bool identicalFile = false;  // byte for byte the XML the register stored
  std::string contentSha256;   // hex SHA-256 of the XML's canonical (C14N 1.0) DLBLai, of a PDF's bytes
  std::string problem;         // why it does not match, in plain English
  // The register's receipt, and the one that replaced it — only when the file matches: a file
  // that merely names a series and number learns nothing of that receipt.
  std::optional<Receipt> receipt;
  std::optional<Receipt> replacement;
};

// Template, series and number of a receipt's PDF copy from its /Title (receiptPdfTitle); nullopt
// for any other title. Only a hint of which receipt to compare the file with: the register check
// (ReceiptService::checkRegisterPdf) matches the file's bytes with the stored copy.
std::optional<ReceiptIdentity> receiptFromPdfTitle(std::string_view title);

// The hex SHA-256 of the canonical (C14N 1.0) receipt data element (BLai/DLBLai) of `document`;
// empty when it has none.
std::string receiptContentSha256(const signer::XmlDocument& document);

}  // namespace kyso::receipts
