// The PDF copy of an e-receipt: an A4 page (or more) in the layout of display template 01/PLPĐT
// (Circular 91/2026, appendix V) with every field Decree 254/2026 Art. 23(2) requires, a QR code
// of the receipt's public verification URL, and the block that describes the organisation's
// digital signature (Art. 24(5): "Ký bởi", "Ký ngày" dd/mm/yyyy). The caller then signs the PDF
// with the same seal (signer::PadesSigner); this only renders it, unsigned.
#pragma once

#include <string>

#include "kyso/pki/clock.h"
#include "kyso/receipts/receipt.h"
#include "kyso/signer/visible_signature.h"

namespace kyso::receipts {

// The regular and bold faces the receipt is set in, loaded once from the configured font paths
// (ReceiptPdfFonts::load(regular, bold); Liberation Serif, Times New Roman's metric twin, by
// default: ReceiptPdfFonts::system()) and shared by every rendering, across threads.
using ReceiptPdfFonts = signer::AppearanceFonts;

// Renders `receipt`. The bytes depend only on the receipt, the fonts and `renderedAt` (the PDF's
// /CreationDate): a stored copy can be regenerated and compared byte for byte.
//
// Dates are shown in Vietnam time; "Ký ngày" is the date of issue, when the organisation signs
// the receipt (Art. 24(1) and (5)). Fee lines that do not fit the first page continue on the next
// ones under a repeated table header; the total, the payment, the QR code and the signature block
// stay together after the last line. Long names and addresses wrap within their columns.
//
// Throws InputError("invalid_text") for text the font cannot show, InputError("invalid_receipt")
// for a single field too long to fit a page, InputError("qr_data_unencodable") for an empty or
// over-long verification URL.
std::string renderReceiptPdf(const Receipt& receipt, const ReceiptPdfFonts& fonts, pki::TimePoint renderedAt);

// The copy's /Title: "Biên lai thu phí, lệ phí EBL01 26TAB số 00000123".
std::string receiptPdfTitle(const SeriesKey& series, std::uint32_t number);

}  // namespace kyso::receipts
