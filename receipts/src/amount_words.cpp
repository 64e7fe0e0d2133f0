#include "kyso/receipts/amount_words.h"

#include <array>
#include <string_view>
#include <utility>

#include "kyso/error.h"

namespace kyso::receipts {
namespace {

constexpr std::array<std::string_view, 10> kDigits{"không", "một", "hai", "ba",  "bốn",
                                                   "năm",   "sáu", "bảy", "tám", "chín"};

constexpr std::int64_t kThousand = 1'000;
constexpr std::int64_t kMillion = 1'000'000;
constexpr std::int64_t kBillion = 1'000'000'000;

class Words {
 public:
  void add(std::string_view word) {
    if (!text_.empty()) text_ += ' ';
    text_ += word;
  }
  void digit(std::int64_t d) { add(kDigits[static_cast<std::size_t>(d)]); }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

// One group of three digits (0..999, not 0). `inside` is true when a higher group has been read:
// then the hundreds place is always spoken ("không trăm") and a lone units digit takes "linh".
void readGroup(std::int64_t group, bool inside, Words& words) {
  const std::int64_t hundreds = group / 100;
  const std::int64_t tens = group / 10 % 10;
  const std::int64_t units = group % 10;
  const bool spokenHundreds = inside || hundreds > 0;
  if (spokenHundreds) {
    words.digit(hundreds);
    words.add("trăm");
  }
  if (tens == 0) {
    if (units == 0) return;
    if (spokenHundreds) words.add("linh");
    words.digit(units);  // after "linh" the plain digit: "linh một", "linh năm"
    return;
  }
  if (tens == 1) {
    words.add("mười");
  } else {
    words.digit(tens);
    words.add("mươi");
  }
  if (units == 0) return;
  if (units == 1 && tens >= 2)
    words.add("mốt");  // "hai mươi mốt", but "mười một"
  else if (units == 5)
    words.add("lăm");  // "mười lăm", "hai mươi lăm"
  else
    words.digit(units);
}

// 0 < value < 10^9: the groups triệu, nghìn and units; empty groups are left out.
void readBelowBillion(std::int64_t value, bool inside, Words& words) {
  constexpr std::array<std::pair<std::int64_t, std::string_view>, 3> kGroups{{
      {kMillion, "triệu"},
      {kThousand, "nghìn"},
      {1, ""},
  }};
  for (const auto& [scale, name] : kGroups) {
    const std::int64_t group = value / scale % 1000;
    if (group == 0) continue;
    readGroup(group, inside, words);
    if (!name.empty()) words.add(name);
    inside = true;
  }
}

// value > 0. Above 10^9 the count of tỷ is itself read as a number: "một nghìn tỷ" (10^12),
// "một triệu tỷ" (10^15), "một tỷ tỷ" (10^18).
void read(std::int64_t value, bool inside, Words& words) {
  if (value >= kBillion) {
    read(value / kBillion, inside, words);
    words.add("tỷ");
    value %= kBillion;
    inside = true;
  }
  if (value > 0) readBelowBillion(value, inside, words);
}

}  // namespace

std::string amountInWords(std::int64_t vnd) {
  if (vnd < 0) throw InputError("invalid_amount", "amount must not be negative, got " + std::to_string(vnd));
  Words words;
  if (vnd == 0)
    words.digit(0);
  else
    read(vnd, false, words);
  std::string text = words.take();
  // Every number word starts with an ASCII letter, so capitalising one byte is enough.
  if (text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text + " đồng";
}

}  // namespace kyso::receipts
