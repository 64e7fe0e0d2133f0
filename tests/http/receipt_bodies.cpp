#include "receipt_bodies.h"

#include <chrono>

namespace kyso::test {

int vietnamYear(pki::TimePoint t) {
  const auto local = std::chrono::floor<std::chrono::days>(t + pki::kVietnamUtcOffset);
  return static_cast<int>(std::chrono::year_month_day(local).year());
}

std::string symbolOf(int year, const std::string& letters) {
  const int yy = year % 100;
  return std::string{static_cast<char>('0' + yy / 10), static_cast<char>('0' + yy % 10)} + "T" + letters;
}

std::string symbolFor(pki::TimePoint now, const std::string& letters) {
  return symbolOf(vietnamYear(now), letters);
}

std::string seriesBody(const std::string& symbol, const std::string& extra, const std::string& taxCode,
                       const std::string& templateCode) {
  return R"({"template": ")" + templateCode + R"(", "symbol": ")" + symbol + R"(",
 "organization": {"name": "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang",
                  "tax_code": ")" +
         taxCode + R"(", "address": "Phường Minh Xuân, tỉnh Tuyên Quang"})" + extra + "}";
}

std::string receiptContent(const std::string& transaction, std::int64_t amount, const std::string& payerId,
                           const std::string& paidAt) {
  return R"("payer": {"name": "Nguyễn Văn A", "id": ")" + payerId +
         R"(", "address": "Tổ 5, phường Phan Thiết"},
 "items": [{"code": "LPHT01", "name": "Lệ phí cấp bản sao trích lục hộ tịch", "kind": "le_phi", "amount": )" +
         std::to_string(amount) + R"(}],
 "payment": {"method": "online", "transaction_id": ")" +
         transaction + R"(", "provider": "paygov", "paid_at": ")" + paidAt + R"("},
 "dossier": {"code": "H59.22-261127-0001", "procedure_code": "1.001193"})";
}

std::string receiptBody(const std::string& symbol, const std::string& transaction, std::int64_t amount,
                        const std::string& payerId, const std::string& unit) {
  return R"({"template": "EBL01", "symbol": ")" + symbol + "\"" + (unit.empty() ? "" : ", \"unit\": \"" + unit + "\"") +
         ",\n " + receiptContent(transaction, amount, payerId) + "}";
}

}  // namespace kyso::test
