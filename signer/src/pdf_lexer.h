// Just enough PDF lexing (ISO 32000-1 §7.2, §7.3) to find one key of a dictionary without building
// the dictionary: reading the names of 2 000 form fields this way costs a tenth of what PoDoFo's
// full object model does. Anything unusual throws LexError and the caller parses in full.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kyso::signer::detail {

// ISO 32000-1 §7.2.2: the white-space and delimiter characters.
constexpr bool isPdfWhitespace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}
constexpr bool isPdfDelimiter(char c) {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' ||
         c == '%';
}

class LexError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ISO 32000-1 §7.3.4.3: hexadecimal digits are ASCII ones (not the locale's; and inline, without a
// libc call per byte: a signature's /Contents is tens of thousands of them).
constexpr bool isHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// `text` holds a dictionary ("<< ... >>", after optional white space). Returns the offset in
// `text` where the value of `key` (a name without the slash, compared after #xx decoding) starts,
// or nullopt when the dictionary has no such key at its top level.
std::optional<std::size_t> findDictionaryValue(std::string_view text, std::string_view key);

// Every offset in `text` where a value of `key` starts at the dictionary's top level, in order, at
// most `limit` of them (a well-formed dictionary has one; a second is enough to refuse it). One
// pass over the dictionary, however long its values (a signature's /Contents).
std::vector<std::size_t> findDictionaryValues(std::string_view text, std::string_view key, std::size_t limit);

// A signature dictionary's /ByteRange and /Contents keys in one pass over it (its /Contents is
// tens of kilobytes): the same answers, and the same LexError, as findDictionaryValues(text,
// "ByteRange", 2) and then, unless that found two, findDictionaryValues(text, "Contents", 2)
// followed by skipValue() at the first /Contents.
struct SignatureKeys {
  std::size_t byteRanges = 0;  // up to 2
  // Where each /Contents value starts and ends, up to 2.
  std::vector<std::pair<std::size_t, std::size_t>> contents;
};
SignatureKeys signatureKeys(std::string_view text);

// The offset just past the value that starts at `at` (after white space).
std::size_t skipValue(std::string_view text, std::size_t at);

// The top-level entries of the dictionary at the start of `text` (after optional white space):
// each key (decoded) and where its value starts and ends, and the offset just past ">>".
struct DictionaryEntry {
  std::string key;
  std::size_t valueBegin = 0;
  std::size_t valueEnd = 0;
};
struct DictionaryLayout {
  std::vector<DictionaryEntry> entries;
  std::size_t end = 0;
};
DictionaryLayout dictionaryLayout(std::string_view text);

// The elements of the array at the start of `text` when every one is an indirect reference
// ("[1 0 R 5 0 R]"): object and generation numbers. Anything else throws LexError.
std::vector<std::pair<std::uint32_t, std::uint16_t>> referenceArray(std::string_view text);

}  // namespace kyso::signer::detail
