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

#include "kyso/receipts/receipt.h"
#include "kyso/signer/verification.h"
#include "kyso/signer/xml_document.h"

namespace kyso::receipts {

// What the receipt says about itself.
struct ReceiptXmlIdentity {
  std::string id;  // DLBLai's Id: kyso's receipt id
  SeriesKey series;
  std::uint32_t number = 0;
  std::string lookupCode;  // MTCuu; empty when absent
};

struct ReceiptXmlReading {
  bool isReceipt = false;                      // the root element is BLai
  std::optional<ReceiptXmlIdentity> identity;  // set when the structure and the binding hold
  std::string problem;                         // else why not, in plain English
};

// Reads `document` as a receipt. A document whose root is not BLai is not a receipt
// (isReceipt false, nothing else set).
ReceiptXmlReading readReceiptXml(const signer::XmlDocument& document);

// For a receipt whose reading found a problem: every signature of `report` becomes TOTAL_FAILED /
// FORMAT_FAILURE naming it (what was signed is not what a reader of the receipt is shown), and
// the overall verdict is summarized again. Does nothing for a reading without a problem.
void applyReceiptBinding(const ReceiptXmlReading& reading, signer::VerificationReport& report);

// The register's view of a receipt file.
struct RegisterCheck {
  bool known = false;          // the register has a receipt with this template, series and number
  bool matches = false;        // same receipt id, same signed data and the signature the register issued
  bool identicalFile = false;  // byte for byte the XML the register stored
  std::string contentSha256;   // hex SHA-256 of the file's canonical (C14N 1.0) DLBLai
  std::string problem;         // why it does not match, in plain English
  // The register's receipt, and the one that replaced it — only when the file matches: a file
  // that merely names a series and number learns nothing of that receipt.
  std::optional<Receipt> receipt;
  std::optional<Receipt> replacement;
};

// The hex SHA-256 of the canonical (C14N 1.0) receipt data element (BLai/DLBLai) of `document`;
// empty when it has none.
std::string receiptContentSha256(const signer::XmlDocument& document);

}  // namespace kyso::receipts
