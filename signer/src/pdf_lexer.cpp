#include "pdf_lexer.h"

#include <array>
#include <string>

namespace kyso::signer::detail {

namespace {

constexpr int kMaxDepth = 64;

constexpr bool isRegular(char c) {
  return !isPdfWhitespace(c) && !isPdfDelimiter(c);
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::size_t position() const { return at_; }
  void seek(std::size_t at) { at_ = at; }

  // White space and comments.
  void skipSpace() {
    while (at_ < text_.size()) {
      if (isPdfWhitespace(text_[at_])) {
        ++at_;
      } else if (text_[at_] == '%') {
        while (at_ < text_.size() && text_[at_] != '\n' && text_[at_] != '\r') ++at_;
      } else {
        break;
      }
    }
  }

  bool startsWith(std::string_view s) const { return text_.substr(at_, s.size()) == s; }
  char peek() const {
    if (at_ >= text_.size()) throw LexError("unexpected end");
    return text_[at_];
  }

  // A name after its '/', with #xx escapes decoded (§7.3.5).
  std::string name() {
    if (peek() != '/') throw LexError("expected a name");
    ++at_;
    std::string out;
    while (at_ < text_.size() && isRegular(text_[at_])) {
      char c = text_[at_++];
      if (c == '#' && at_ + 1 < text_.size() && isHexDigit(text_[at_]) && isHexDigit(text_[at_ + 1])) {
        c = static_cast<char>(std::stoi(std::string(text_.substr(at_, 2)), nullptr, 16));
        at_ += 2;
      }
      out += c;
    }
    return out;
  }

  void value(int depth) {
    if (depth > kMaxDepth) throw LexError("nested too deeply");
    skipSpace();
    const char c = peek();
    if (c == '(') {
      literalString();
    } else if (startsWith("<<")) {
      dictionary(depth + 1);
    } else if (c == '<') {
      hexString();
    } else if (c == '[') {
      ++at_;
      for (;;) {
        skipSpace();
        if (peek() == ']') {
          ++at_;
          break;
        }
        value(depth + 1);
      }
    } else if (c == '/') {
      name();
    } else if (isRegular(c)) {
      const std::size_t start = at_;
      const std::string_view first = token();
      // An indirect reference is three tokens: "12 0 R" (§7.3.10).
      if (isInteger(first)) {
        const std::size_t afterFirst = at_;
        skipSpace();
        if (at_ < text_.size() && isRegular(text_[at_]) && isInteger(token())) {
          skipSpace();
          if (at_ < text_.size() && isRegular(text_[at_]) && token() == "R") return;
        }
        at_ = afterFirst;
      }
      (void)start;
    } else {
      throw LexError("unexpected delimiter");
    }
  }

  void dictionary(int depth) {
    if (!startsWith("<<")) throw LexError("expected a dictionary");
    at_ += 2;
    for (;;) {
      skipSpace();
      if (startsWith(">>")) {
        at_ += 2;
        return;
      }
      name();
      value(depth);
    }
  }

  // "n g R" with n and g in range, or LexError.
  std::pair<std::uint32_t, std::uint16_t> reference() {
    const auto number = [&](std::uint64_t limit) {
      skipSpace();
      const std::string_view t = token();
      if (!isInteger(t) || t.size() > 10) throw LexError("expected an indirect reference");
      const std::uint64_t value = std::stoull(std::string(t));
      if (value > limit) throw LexError("object number out of range");
      return value;
    };
    const auto object = static_cast<std::uint32_t>(number(UINT32_MAX));
    const auto generation = static_cast<std::uint16_t>(number(UINT16_MAX));
    skipSpace();
    if (token() != "R") throw LexError("expected an indirect reference");
    return {object, generation};
  }

 private:
  std::string_view token() {
    const std::size_t start = at_;
    while (at_ < text_.size() && isRegular(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }
  static bool isInteger(std::string_view t) {
    if (t.empty()) return false;
    for (char c : t) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
  // §7.3.4.2: balanced parentheses, backslash escapes.
  void literalString() {
    ++at_;
    int open = 1;
    while (open > 0) {
      if (at_ >= text_.size()) throw LexError("unterminated string");
      const char c = text_[at_++];
      if (c == '\\') {
        ++at_;
      } else if (c == '(') {
        ++open;
      } else if (c == ')') {
        --open;
      }
    }
  }
  // A signature's /Contents is a hex string of tens of kilobytes, skipped on every look-up in its
  // dictionary: one table look-up per byte instead of the chain of comparisons.
  void hexString() {
    ++at_;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
    while (at_ < text_.size() && bytes[at_] != '>') {
      if (!kHexDigitOrSpace[bytes[at_]]) throw LexError("bad hex string");
      ++at_;
    }
    if (at_ >= text_.size()) throw LexError("unterminated hex string");
    ++at_;
  }
  static constexpr std::array<bool, 256> kHexDigitOrSpace = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0; c < table.size(); ++c) {
      table[c] = isHexDigit(static_cast<char>(c)) || isPdfWhitespace(static_cast<char>(c));
    }
    return table;
  }();

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<std::size_t> findDictionaryValue(std::string_view text, std::string_view key) {
  Lexer lexer(text);
  lexer.skipSpace();
  if (!lexer.startsWith("<<")) throw LexError("not a dictionary");
  lexer.seek(lexer.position() + 2);
  for (;;) {
    lexer.skipSpace();
    if (lexer.startsWith(">>")) return std::nullopt;
    const std::string name = lexer.name();
    lexer.skipSpace();
    if (name == key) return lexer.position();
    lexer.value(1);
  }
}

DictionaryLayout dictionaryLayout(std::string_view text) {
  Lexer lexer(text);
  lexer.skipSpace();
  if (!lexer.startsWith("<<")) throw LexError("not a dictionary");
  lexer.seek(lexer.position() + 2);
  DictionaryLayout layout;
  for (;;) {
    lexer.skipSpace();
    if (lexer.startsWith(">>")) {
      layout.end = lexer.position() + 2;
      return layout;
    }
    DictionaryEntry entry;
    entry.key = lexer.name();
    lexer.skipSpace();
    entry.valueBegin = lexer.position();
    lexer.value(1);
    entry.valueEnd = lexer.position();
    layout.entries.push_back(std::move(entry));
  }
}

std::vector<std::pair<std::uint32_t, std::uint16_t>> referenceArray(std::string_view text) {
  Lexer lexer(text);
  lexer.skipSpace();
  if (lexer.peek() != '[') throw LexError("not an array");
  lexer.seek(lexer.position() + 1);
  std::vector<std::pair<std::uint32_t, std::uint16_t>> out;
  for (;;) {
    lexer.skipSpace();
    if (lexer.peek() == ']') return out;
    out.push_back(lexer.reference());
  }
}

SignatureKeys signatureKeys(std::string_view text) {
  SignatureKeys out;
  Lexer lexer(text);
  lexer.skipSpace();
  if (!lexer.startsWith("<<")) throw LexError("not a dictionary");
  lexer.seek(lexer.position() + 2);
  // findDictionaryValues skips the key it looks for one level less deep than the others; the
  // /ByteRange look-up passes a /ByteRange nested 65 deep that the /Contents look-up refuses.
  bool byteRangeTooDeep = false;
  for (;;) {
    lexer.skipSpace();
    if (lexer.startsWith(">>")) break;
    const std::string name = lexer.name();
    lexer.skipSpace();
    const std::size_t begin = lexer.position();
    if (name == "ByteRange") {
      if (++out.byteRanges == 2) return out;
      try {
        lexer.value(1);
      } catch (const LexError&) {
        lexer.seek(begin);
        lexer.value(0);
        byteRangeTooDeep = true;
      }
    } else {
      lexer.value(1);
      if (name == "Contents" && out.contents.size() < 2) out.contents.emplace_back(begin, lexer.position());
    }
  }
  if (byteRangeTooDeep) throw LexError("nested too deeply");
  return out;
}

std::size_t skipValue(std::string_view text, std::size_t at) {
  Lexer lexer(text);
  lexer.seek(at);
  lexer.value(0);
  return lexer.position();
}

std::vector<std::size_t> findDictionaryValues(std::string_view text, std::string_view key, std::size_t limit) {
  std::vector<std::size_t> out;
  Lexer lexer(text);
  lexer.skipSpace();
  if (!lexer.startsWith("<<")) throw LexError("not a dictionary");
  lexer.seek(lexer.position() + 2);
  while (out.size() < limit) {
    lexer.skipSpace();
    if (lexer.startsWith(">>")) break;
    const std::string name = lexer.name();
    lexer.skipSpace();
    if (name == key) {
      out.push_back(lexer.position());
      if (out.size() == limit) break;
      lexer.value(0);  // as skipValue() does
    } else {
      lexer.value(1);
    }
  }
  return out;
}

}  // namespace kyso::signer::detail
