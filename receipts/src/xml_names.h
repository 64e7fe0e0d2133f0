// Every element name and fixed value of the e-receipt XML, in one place, so they can follow the
// official schema of the tax authority (GDT) when one is published. Until then they follow the
// pattern of the GDT e-invoice (HDon / DLHDon / TTChung / NDHDon / DSCKS, see ../shared/DOMAIN.md)
// with the receipt's own Vietnamese abbreviations; docs/receipt.xsd describes each of them and
// must change together with this file.
#pragma once

#include <string_view>

namespace kyso::receipts::xml_names {

// Document structure.
inline constexpr std::string_view kReceipt = "BLai";          // biên lai: the document
inline constexpr std::string_view kReceiptData = "DLBLai";    // dữ liệu biên lai: what is signed
inline constexpr std::string_view kIdAttribute = "Id";        // the signed element's Id
inline constexpr std::string_view kGeneral = "TTChung";       // thông tin chung
inline constexpr std::string_view kContent = "NDBLai";        // nội dung biên lai
inline constexpr std::string_view kSignatures = "DSCKS";      // danh sách chữ ký số
inline constexpr std::string_view kIssuerSignature = "NBan";  // the issuer's slot, as on invoices

// TTChung.
inline constexpr std::string_view kFormatVersion = "PBan";               // phiên bản (of this format)
inline constexpr std::string_view kTitle = "THBLai";                     // tên biên lai
inline constexpr std::string_view kTemplateCode = "KHMSBLai";            // ký hiệu mẫu số: EBL01 / EBL02
inline constexpr std::string_view kSeriesSymbol = "KHBLai";              // ký hiệu biên lai: 26TAB
inline constexpr std::string_view kNumber = "SBLai";                     // số biên lai: 8 digits
inline constexpr std::string_view kIssueDate = "NLap";                   // ngày lập: YYYY-MM-DD
inline constexpr std::string_view kCurrency = "DVTTe";                   // đơn vị tiền tệ
inline constexpr std::string_view kPaymentMethod = "HTTToan";            // hình thức thanh toán
inline constexpr std::string_view kPaymentReference = "MGDTToan";        // mã giao dịch thanh toán
inline constexpr std::string_view kDossierCode = "MHSo";                 // mã hồ sơ
inline constexpr std::string_view kProcedureCode = "MTTHC";              // mã thủ tục hành chính
inline constexpr std::string_view kLookupCode = "MTCuu";                 // mã tra cứu
inline constexpr std::string_view kLookupUrl = "DCTCuu";                 // địa chỉ tra cứu
inline constexpr std::string_view kRelatedReceipt = "TTBLLQuan";         // thông tin biên lai liên quan
inline constexpr std::string_view kRelationKind = "TCBLai";              // tính chất biên lai
inline constexpr std::string_view kRelatedTemplateCode = "KHMSBLLQuan";  // ký hiệu mẫu số biên lai liên quan
inline constexpr std::string_view kRelatedSeriesSymbol = "KHBLLQuan";    // ký hiệu biên lai liên quan
inline constexpr std::string_view kRelatedNumber = "SBLLQuan";           // số biên lai liên quan
inline constexpr std::string_view kRelatedIssueDate = "NLBLLQuan";       // ngày lập biên lai liên quan
inline constexpr std::string_view kOriginalReceipt = "MBLGoc";           // mã (kyso id) biên lai gốc

// NDBLai.
inline constexpr std::string_view kCollector = "NThu";           // người (tổ chức) thu phí, lệ phí
inline constexpr std::string_view kPayer = "NNop";               // người nộp
inline constexpr std::string_view kName = "Ten";                 // tên
inline constexpr std::string_view kTaxCode = "MST";              // mã số thuế
inline constexpr std::string_view kAddress = "DChi";             // địa chỉ
inline constexpr std::string_view kPayerId = "MDDanh";           // mã định danh: CCCD or MST
inline constexpr std::string_view kItems = "DSKhoan";            // danh sách khoản thu
inline constexpr std::string_view kItem = "Khoan";               // khoản thu
inline constexpr std::string_view kLineNumber = "STT";           // số thứ tự
inline constexpr std::string_view kItemCode = "MKhoan";          // mã khoản
inline constexpr std::string_view kItemName = "TKhoan";          // tên khoản (phí, lệ phí)
inline constexpr std::string_view kItemKind = "LKhoan";          // loại khoản: Phí / Lệ phí
inline constexpr std::string_view kAmount = "STien";             // số tiền
inline constexpr std::string_view kTotals = "TToan";             // thông tin thanh toán
inline constexpr std::string_view kTotal = "TgTien";             // tổng tiền
inline constexpr std::string_view kTotalInWords = "TgTienBChu";  // tổng tiền bằng chữ

// Notice of a wrong receipt (thông báo biên lai điện tử có sai sót, form 04/SS-CTĐT): the receipt's
// text was wrong, its tax codes and amounts right, so it stands and the notice corrects the text.
inline constexpr std::string_view kNotice = "TBSSot";             // thông báo sai sót: the document
inline constexpr std::string_view kNoticeData = "DLTBao";         // dữ liệu thông báo: what is signed
inline constexpr std::string_view kFormCode = "MSo";              // mẫu số (of the form)
inline constexpr std::string_view kFormName = "Ten";              // tên (of the form)
inline constexpr std::string_view kNoticeDate = "NTBao";          // ngày thông báo
inline constexpr std::string_view kReceiptsConcerned = "DSBLai";  // danh sách biên lai
inline constexpr std::string_view kReceiptConcerned = "BLai";     // one receipt of the list
inline constexpr std::string_view kReason = "LDo";                // lý do
inline constexpr std::string_view kCorrections = "DSDChinh";      // danh sách điều chỉnh
inline constexpr std::string_view kCorrection = "DChinh";         // one correction
inline constexpr std::string_view kField = "TTruong";             // trường (which text)
inline constexpr std::string_view kOldValue = "GTCu";             // giá trị cũ (as printed)
inline constexpr std::string_view kNewValue = "GTMoi";            // giá trị mới (correct)
inline constexpr std::string_view kReceiptId = "MBLai";           // mã (kyso id) biên lai

// Daily summary for the tax authority (bảng tổng hợp dữ liệu biên lai điện tử, form 01/TH-BLĐT).
inline constexpr std::string_view kSummary = "BTHDLieu";        // bảng tổng hợp dữ liệu
inline constexpr std::string_view kSummaryData = "DLBTHop";     // dữ liệu bảng tổng hợp: signed
inline constexpr std::string_view kSummaryPeriod = "KDLieu";    // kỳ dữ liệu: "N" for a day
inline constexpr std::string_view kSummaryDay = "NDLieu";       // ngày dữ liệu
inline constexpr std::string_view kSummaryContent = "NDBTHop";  // nội dung bảng tổng hợp
inline constexpr std::string_view kSummaryRows = "DSDLieu";     // danh sách dữ liệu
inline constexpr std::string_view kSummaryRow = "DLieu";        // one receipt
inline constexpr std::string_view kExchangeRate = "TGia";       // tỷ giá: 1 for VND
inline constexpr std::string_view kStatus = "TThai";            // trạng thái
inline constexpr std::string_view kNote = "GChu";               // ghi chú
inline constexpr std::string_view kRowCount = "SLuong";         // số lượng biên lai
inline constexpr std::string_view kSummaryTotal = "TgTien";     // tổng tiền

// Fixed values.
inline constexpr std::string_view kFormatVersionValue = "1.0.0";  // first version of kyso's format
inline constexpr std::string_view kTitleValue = "BIÊN LAI THU PHÍ, LỆ PHÍ";
inline constexpr std::string_view kCurrencyValue = "VND";
inline constexpr std::string_view kReplacementValue = "1";  // TCBLai: replaces the original
inline constexpr std::string_view kIssuerSignatureId = "NBan";
inline constexpr std::string_view kNoticeFormCode = "04/SS-CTĐT";
inline constexpr std::string_view kNoticeFormName = "THÔNG BÁO BIÊN LAI ĐIỆN TỬ CÓ SAI SÓT";
inline constexpr std::string_view kSummaryFormCode = "01/TH-BLĐT";
inline constexpr std::string_view kSummaryFormName = "BẢNG TỔNG HỢP DỮ LIỆU BIÊN LAI ĐIỆN TỬ";
inline constexpr std::string_view kDailyPeriodValue = "N";  // ngày
inline constexpr std::string_view kStatusIssued = "Đã phát hành";
inline constexpr std::string_view kStatusReplaced = "Đã bị thay thế";
inline constexpr std::string_view kStatusReplacement = "Thay thế";  // a replacement receipt

}  // namespace kyso::receipts::xml_names
