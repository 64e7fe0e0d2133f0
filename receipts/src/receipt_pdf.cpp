#include "kyso/receipts/receipt_pdf.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <utility>
#include <vector>

#include "kyso/error.h"
#include "kyso/signer/pdf_composer.h"
#include "qr_code.h"

namespace kyso::receipts {

namespace {

using signer::FontWeight;
using signer::GridSquare;
using signer::PdfComposer;
using signer::RgbColour;
using signer::StrokeStyle;
using signer::TextAlign;
using signer::TextStyle;

constexpr double kMm = signer::kPointsPerMillimetre;
constexpr double kPageWidth = signer::kA4Width;
constexpr double kPageHeight = signer::kA4Height;
// Decree 30/2020 appendix I sets the margins of administrative documents (top and bottom 20–25
// mm, left 30–35 mm, right 15–20 mm). A receipt is not one of them and is printed, not bound:
// narrower margins keep a typical receipt on one page.
constexpr double kLeft = 20 * kMm;
constexpr double kRight = kPageWidth - 15 * kMm;
constexpr double kTop = kPageHeight - 15 * kMm;
constexpr double kBottom = 18 * kMm;  // content stops here; the page number sits below
constexpr double kFooterBaseline = 10 * kMm;
constexpr double kWidth = kRight - kLeft;

constexpr double kLineSpacing = 1.3;
constexpr double kGap = 8;       // between blocks
constexpr double kCellPad = 3;   // inside table cells
constexpr double kLabelGap = 4;  // between a label and its value

const RgbColour kBlack{0, 0, 0};
const RgbColour kNumberRed{0.75, 0, 0};  // the receipt number, as printed receipts show it
const RgbColour kSignatureRed{0.8, 0, 0};
const RgbColour kGrey{0.35, 0.35, 0.35};
const RgbColour kHeaderFill{0.9, 0.9, 0.9};

const TextStyle kBody{FontWeight::Regular, 11, kBlack};
const TextStyle kBodyBold{FontWeight::Bold, 11, kBlack};
const TextStyle kOrganisation{FontWeight::Bold, 12, kBlack};
const TextStyle kTitle{FontWeight::Bold, 16, kBlack};
const TextStyle kCell{FontWeight::Regular, 10, kBlack};
const TextStyle kCellBold{FontWeight::Bold, 10, kBlack};
const TextStyle kSmall{FontWeight::Regular, 9, kBlack};
const TextStyle kSmallBold{FontWeight::Bold, 9, kBlack};
const TextStyle kFooter{FontWeight::Regular, 8, kGrey};

const StrokeStyle kRule{kBlack, 0.6};
const StrokeStyle kGrid{kBlack, 0.5};

// QR code: the symbol itself 26 mm wide (the printed copy asks for at least 25 mm), four light
// modules of quiet zone on every side (ISO/IEC 18004 §6.3.8).
constexpr double kQrSymbolWidth = 26 * kMm;
constexpr std::size_t kQrQuietZone = 4;
constexpr double kQrMinModule = 0.5 * kMm;
constexpr double kQrMaxWidth = 60 * kMm;  // with the quiet zone
constexpr double kSignatureWidth = 205;

// Table columns: STT, mã, tên khoản thu, loại, số tiền.
constexpr double kColumnNumber = 26;
constexpr double kColumnCode = 72;
constexpr double kColumnKind = 52;
constexpr double kColumnAmount = 88;
constexpr double kColumnName = kWidth - kColumnNumber - kColumnCode - kColumnKind - kColumnAmount;

double lineHeight(const TextStyle& style) {
  return style.size * kLineSpacing;
}
// From the top of a line box to its baseline: room for the stacked marks of Vietnamese capitals.
double baselineDrop(const TextStyle& style) {
  return style.size * 1.02;
}

std::tm vietnamTime(pki::TimePoint time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time + pki::kVietnamUtcOffset);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}

// "Ngày 27 tháng 11 năm 2026", as the template writes the date of issue.
std::string longDate(pki::TimePoint time) {
  const std::tm t = vietnamTime(time);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "Ngày %02d tháng %02d năm %04d", t.tm_mday, t.tm_mon + 1, t.tm_year + 1900);
  return buffer;
}

// "27/11/2026" (Decree 254 Art. 24(5)).
std::string shortDate(pki::TimePoint time) {
  const std::tm t = vietnamTime(time);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02d/%02d/%04d", t.tm_mday, t.tm_mon + 1, t.tm_year + 1900);
  return buffer;
}

// "16:15 27/11/2026"
std::string timeAndDate(pki::TimePoint time) {
  const std::tm t = vietnamTime(time);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d ", t.tm_hour, t.tm_min);
  return buffer + shortDate(time);
}

// "8.000", "1.250.000": Vietnamese groups thousands with a full stop.
std::string formatAmount(std::int64_t amount) {
  const bool negative = amount < 0;
  std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(amount + 1)) + 1 : static_cast<std::uint64_t>(amount);
  std::string digits = std::to_string(magnitude);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

struct Field {
  std::string label;
  std::string value;
};

// Lays the receipt out top to bottom, starting a page where the next block does not fit.
class ReceiptLayout {
 public:
  ReceiptLayout(const Receipt& receipt, const ReceiptPdfFonts& fonts) : receipt_(receipt), pdf_(fonts) {}

  std::string render(pki::TimePoint renderedAt) {
    // Encoded first: an unencodable URL fails before any layout work.
    const detail::QrCode qr = detail::QrCode::encode(receipt_.verifyUrl);
    newPage();
    header();
    title();
    fields({{"Họ tên người nộp:", receipt_.request.payer.name},
            {"Mã định danh/MST:", receipt_.request.payer.id},
            {"Địa chỉ:", receipt_.request.payer.address}},
           kLeft, kWidth, kBodyBold);
    y_ -= kGap;
    table();
    y_ -= kGap;
    fields({{"Số tiền bằng chữ:", receipt_.totalInWords}}, kLeft, kWidth, kBodyBold);
    y_ -= kGap / 2;
    fields(paymentFields(), kLeft, kWidth, kBody);
    y_ -= kGap * 2;
    lookupAndSignature(qr);
    footers();

    signer::DocumentInfo info;
    info.created = renderedAt;
    info.title = receiptPdfTitle(receipt_.series, receipt_.number);
    info.author = receipt_.organization.name;
    info.subject = "Biên lai điện tử thu phí, lệ phí (mẫu 01/PLPĐT, Thông tư 91/2026/TT-BTC)";
    info.language = "vi";
    return pdf_.write(info);
  }

 private:
  // --- pages -----------------------------------------------------------------------------------

  void newPage() {
    pdf_.addPage(kPageWidth, kPageHeight);
    y_ = kTop;
    if (pdf_.pageCount() == 1) return;
    // A continuation page says whose lines it carries.
    const std::string heading = "BIÊN LAI THU PHÍ, LỆ PHÍ — Ký hiệu: " + receipt_.series.symbol +
                                " — Số: " + formatReceiptNumber(receipt_.number) + " (tiếp theo)";
    pdf_.text(heading, kLeft, y_ - baselineDrop(kSmallBold), kSmallBold);
    y_ -= lineHeight(kSmallBold) + 2;
    pdf_.line(kLeft, y_, kRight, y_, kRule);
    y_ -= kGap;
    if (inTable_) tableHeader();
  }

  // Makes room for a block of `height` points: on this page, or else on a new one.
  void ensure(double height) {
    if (y_ - height >= kBottom) return;
    newPage();
    if (y_ - height < kBottom) {
      throw InputError("invalid_receipt", "a field of the receipt is too long to print on a page");
    }
  }

  void footers() {
    const std::size_t pages = pdf_.pageCount();
    for (std::size_t i = 0; i < pages; ++i) {
      pdf_.selectPage(i);
      pdf_.text("Trang " + std::to_string(i + 1) + "/" + std::to_string(pages), kPageWidth / 2, kFooterBaseline,
                kFooter, TextAlign::Centre);
    }
  }

  // --- text helpers ----------------------------------------------------------------------------

  // Lines of `text` from the line box at `top` down; returns the height used.
  double paragraph(const std::vector<std::string>& lines, double x, double top, const TextStyle& style,
                   TextAlign align = TextAlign::Left) {
    double y = top;
    for (const std::string& line : lines) {
      pdf_.text(line, x, y - baselineDrop(style), style, align);
      y -= lineHeight(style);
    }
    return top - y;
  }

  // Label–value rows with the values aligned in one column and wrapping within it; a row whose
  // value is empty is left out. Each row is kept whole on a page.
  void fields(const std::vector<Field>& rows, double x, double width, const TextStyle& valueStyle) {
    double labelWidth = 0;
    for (const Field& f : rows) {
      if (!f.value.empty()) labelWidth = std::max(labelWidth, pdf_.textWidth(f.label, kBody));
    }
    // A long label must not squeeze the values into a sliver.
    labelWidth = std::min(labelWidth, width * 0.45);
    const double valueX = x + labelWidth + kLabelGap;
    const double valueWidth = x + width - valueX;
    for (const Field& f : rows) {
      if (f.value.empty()) continue;
      const auto labelLines = pdf_.wrap(f.label, kBody, labelWidth);
      const auto valueLines = pdf_.wrap(f.value, valueStyle, valueWidth);
      const double height = std::max(static_cast<double>(labelLines.size()) * lineHeight(kBody),
                                     static_cast<double>(valueLines.size()) * lineHeight(valueStyle));
      ensure(height);
      paragraph(labelLines, x, y_, kBody);
      paragraph(valueLines, valueX, y_, valueStyle);
      y_ -= height;
    }
  }

  // --- blocks ----------------------------------------------------------------------------------

  // The collecting organisation on the left; template, series and number on the right.
  void header() {
    const double rightWidth = 150;
    const double leftWidth = kWidth - rightWidth - 16;
    const double top = y_;

    y_ -= paragraph(pdf_.wrap(receipt_.organization.name, kOrganisation, leftWidth), kLeft, y_, kOrganisation);
    fields({{"Mã số thuế:", receipt_.organization.taxCode}, {"Địa chỉ:", receipt_.organization.address}}, kLeft,
           leftWidth, kBody);
    const double leftBottom = y_;
    // The header belongs on the first page, above the title: refuse rather than split it.
    if (pdf_.pageCount() != 1 || leftBottom < kTop - (kTop - kBottom) / 3) {
      throw InputError("invalid_receipt", "the organisation's name and address are too long to print");
    }

    y_ = top;
    const double rightX = kRight - rightWidth;
    fields({{"Mẫu số:", std::string(templateCodeName(receipt_.series.templateCode))},
            {"Ký hiệu:", receipt_.series.symbol}},
           rightX, rightWidth, kBodyBold);
    const double labelWidth = std::max(pdf_.textWidth("Mẫu số:", kBody), pdf_.textWidth("Ký hiệu:", kBody));
    pdf_.text("Số:", rightX, y_ - baselineDrop(kBody), kBody);
    pdf_.text(formatReceiptNumber(receipt_.number), rightX + labelWidth + kLabelGap, y_ - baselineDrop(kBody),
              TextStyle{FontWeight::Bold, kBody.size, kNumberRed});
    y_ -= lineHeight(kBody);

    y_ = std::min(y_, leftBottom) - kGap / 2;
    pdf_.line(kLeft, y_, kRight, y_, kRule);
    y_ -= kGap * 2;
  }

  void title() {
    const double centre = kLeft + kWidth / 2;
    y_ -= paragraph(pdf_.wrap("BIÊN LAI THU PHÍ, LỆ PHÍ", kTitle, kWidth), centre, y_, kTitle, TextAlign::Centre);
    y_ -= paragraph({longDate(receipt_.issuedAt)}, centre, y_, kBody, TextAlign::Centre);
    if (receipt_.replaces) {
      // Circular 91 Art. 20: a replacement receipt names the one it replaces.
      const ReceiptReference& original = *receipt_.replaces;
      const std::string note = "(Thay thế biên lai mẫu số " +
                               std::string(templateCodeName(original.series.templateCode)) + ", ký hiệu " +
                               original.series.symbol + ", số " + formatReceiptNumber(original.number) + ", " +
                               longDate(original.issuedAt) + ")";
      y_ -= paragraph(pdf_.wrap(note, kSmall, kWidth), centre, y_, kSmall, TextAlign::Centre);
    }
    y_ -= kGap * 1.5;
  }

  struct Column {
    double x;
    double width;
  };
  static std::vector<Column> columns() {
    std::vector<Column> out;
    double x = kLeft;
    for (const double w : {kColumnNumber, kColumnCode, kColumnName, kColumnKind, kColumnAmount}) {
      out.push_back({x, w});
      x += w;
    }
    return out;
  }

  // One table row: each cell's lines with its alignment, bordered; kept whole on a page.
  struct Cell {
    std::string text;
    TextAlign align = TextAlign::Left;
  };
  struct Row {
    std::vector<Cell> cells;
    std::vector<Column> layout;
    TextStyle style;
    std::optional<RgbColour> fill;
    std::vector<std::vector<std::string>> lines;  // per cell
    double height = 0;
  };
  Row prepareRow(std::vector<Cell> cells, std::vector<Column> layout, const TextStyle& style,
                 const std::optional<RgbColour>& fill) const {
    Row r{std::move(cells), std::move(layout), style, fill, {}, 0};
    std::size_t most = 1;
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      r.lines.push_back(pdf_.wrap(r.cells[i].text, style, r.layout[i].width - 2 * kCellPad));
      most = std::max(most, r.lines.back().size());
    }
    r.height = static_cast<double>(most) * lineHeight(style) + 2 * kCellPad;
    return r;
  }
  void drawRow(const Row& r) {
    ensure(r.height);
    const double bottom = y_ - r.height;
    const double right = r.layout.back().x + r.layout.back().width;
    pdf_.rectangle(kLeft, bottom, right - kLeft, r.height, kGrid, r.fill);
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      const Column& c = r.layout[i];
      if (i != 0) pdf_.line(c.x, bottom, c.x, y_, kGrid);
      const double x = r.cells[i].align == TextAlign::Left     ? c.x + kCellPad
                       : r.cells[i].align == TextAlign::Centre ? c.x + c.width / 2
                                                               : c.x + c.width - kCellPad;
      paragraph(r.lines[i], x, y_ - kCellPad, r.style, r.cells[i].align);
    }
    y_ = bottom;
  }

  Row headerRow() const {
    return prepareRow({{"STT", TextAlign::Centre},
                       {"Mã khoản thu", TextAlign::Centre},
                       {"Tên khoản thu", TextAlign::Centre},
                       {"Loại", TextAlign::Centre},
                       {"Số tiền (đồng)", TextAlign::Centre}},
                      columns(), kCellBold, kHeaderFill);
  }
  void tableHeader() { drawRow(headerRow()); }

  // The fee lines, then the total in figures.
  void table() {
    const std::vector<Column> layout = columns();
    std::vector<Row> rows;
    std::size_t n = 0;
    for (const FeeItem& item : receipt_.request.items) {
      rows.push_back(prepareRow({{std::to_string(++n), TextAlign::Centre},
                                 {item.code, TextAlign::Left},
                                 {item.name, TextAlign::Left},
                                 {std::string(feeKindLabel(item.kind)), TextAlign::Centre},
                                 {formatAmount(item.amount), TextAlign::Right}},
                                layout, kCell, std::nullopt));
    }
    // The total: its label across the first four columns.
    const Row total = prepareRow({{"Tổng cộng", TextAlign::Left}, {formatAmount(receipt_.total), TextAlign::Right}},
                                 {{kLeft, layout[4].x - kLeft}, layout[4]}, kCellBold, std::nullopt);

    // The header goes with the first line, and the last line with the total: neither a header
    // nor a total alone on a page.
    ensure(headerRow().height + (rows.empty() ? total.height : rows.front().height));
    tableHeader();
    inTable_ = true;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i + 1 == rows.size()) ensure(rows[i].height + total.height);
      drawRow(rows[i]);
    }
    inTable_ = false;
    drawRow(total);
  }

  std::vector<Field> paymentFields() const {
    const Payment& p = receipt_.request.payment;
    std::string reference = p.transactionId;
    if (!p.provider.empty()) reference += reference.empty() ? p.provider : " (" + p.provider + ")";
    std::vector<Field> out = {{"Hình thức thanh toán:", std::string(paymentMethodLabel(p.method))},
                              {"Mã giao dịch thanh toán:", reference}};
    if (p.paidAt.time_since_epoch().count() != 0) out.push_back({"Thời điểm thanh toán:", timeAndDate(p.paidAt)});
    out.push_back({"Mã hồ sơ:", receipt_.request.dossier.code});
    out.push_back({"Mã thủ tục hành chính:", receipt_.request.dossier.procedureCode});
    return out;
  }

  // The QR code with the lookup code and URL next to it on the left; on the right the block that
  // describes the organisation's digital signature, with room for a viewer's signature mark.
  void lookupAndSignature(const detail::QrCode& qr) {
    // Modules of at least kQrMinModule for a longer URL, unless that makes the code crowd out the
    // text beside it.
    const double modules = static_cast<double>(qr.width());
    const double side = std::min(std::max(kQrSymbolWidth / modules, kQrMinModule),
                                 kQrMaxWidth / (modules + 2 * static_cast<double>(kQrQuietZone)));
    const double qrOuter = side * static_cast<double>(qr.width() + 2 * kQrQuietZone);
    const double textX = kLeft + qrOuter + 2;
    const double signatureX = kRight - kSignatureWidth;
    const double textWidth = signatureX - 12 - textX;

    // The lookup text: label lines, then the values wrapped in the column.
    std::vector<std::pair<std::vector<std::string>, TextStyle>> lookup = {
        {pdf_.wrap("Mã tra cứu:", kSmall, textWidth), kSmall},
        {pdf_.wrap(receipt_.lookupCode, kSmallBold, textWidth), kSmallBold},
        {pdf_.wrap("Tra cứu tại:", kSmall, textWidth), kSmall},
        {pdf_.wrap(receipt_.verifyUrl, kSmall, textWidth), kSmall},
    };
    double lookupHeight = side * kQrQuietZone;  // level with the symbol's top edge
    for (const auto& [lines, style] : lookup) lookupHeight += static_cast<double>(lines.size()) * lineHeight(style);

    // The signature block (Decree 254 Art. 24(5)).
    const double boxPad = 6;
    const double boxInner = kSignatureWidth - 2 * boxPad;
    const TextStyle boxText{FontWeight::Regular, 10, kSignatureRed};
    const auto signedBy = pdf_.wrap("Ký bởi: " + receipt_.organization.name, boxText, boxInner);
    // At least 60 points: room for the mark a viewer draws over a signature it has checked.
    const double boxHeight =
        std::max(60.0, static_cast<double>(signedBy.size() + 1) * lineHeight(boxText) + 2 * boxPad);
    const double signatureHeight = lineHeight(kBodyBold) + lineHeight(kSmall) + 6 + boxHeight;

    ensure(std::max({qrOuter, lookupHeight, signatureHeight}));
    const double top = y_;

    // The QR code; its quiet zone is the white page.
    std::vector<GridSquare> dark;
    for (std::size_t row = 0; row < qr.width(); ++row) {
      for (std::size_t column = 0; column < qr.width(); ++column) {
        if (qr.dark(column, row)) {
          dark.push_back({static_cast<std::uint32_t>(column), static_cast<std::uint32_t>(row)});
        }
      }
    }
    const double quiet = side * kQrQuietZone;
    pdf_.fillSquares(kLeft + quiet, top - quiet, side, dark, kBlack);

    double y = top - quiet;
    for (const auto& [lines, style] : lookup) y -= paragraph(lines, textX, y, style);

    // Signature block: title, then the box whose text says who signed and when.
    const double centre = signatureX + kSignatureWidth / 2;
    y = top;
    y -= paragraph({"NGƯỜI THU TIỀN"}, centre, y, kBodyBold, TextAlign::Centre);
    y -= paragraph({"(Chữ ký số của đơn vị thu)"}, centre, y, kSmall, TextAlign::Centre);
    y -= 6;
    pdf_.rectangle(signatureX, y - boxHeight, kSignatureWidth, boxHeight, StrokeStyle{kSignatureRed, 0.8},
                   std::nullopt);
    double inner = y - boxPad;
    inner -= paragraph(signedBy, signatureX + boxPad, inner, boxText);
    paragraph({"Ký ngày: " + shortDate(receipt_.issuedAt)}, signatureX + boxPad, inner, boxText);

    y_ = top - std::max({qrOuter, lookupHeight, signatureHeight});
  }

  const Receipt& receipt_;
  PdfComposer pdf_;
  double y_ = kTop;       // top of the next block on the current page
  bool inTable_ = false;  // a new page repeats the table header
};

}  // namespace

std::string renderReceiptPdf(const Receipt& receipt, const ReceiptPdfFonts& fonts, pki::TimePoint renderedAt) {
  return ReceiptLayout(receipt, fonts).render(renderedAt);
}

std::string receiptPdfTitle(const SeriesKey& series, std::uint32_t number) {
  return "Biên lai thu phí, lệ phí " + std::string(templateCodeName(series.templateCode)) + " " + series.symbol +
         " số " + formatReceiptNumber(number);
}

}  // namespace kyso::receipts
