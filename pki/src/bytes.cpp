#include "kyso/pki/bytes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "kyso/error.h"
#include "kyso/numeric.h"

namespace kyso {

std::string toHex(ByteView data, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

namespace {
// The value of every hexadecimal digit, -1 for any other byte (a table: a signature's /Contents
// is tens of kilobytes of hex, decoded for every verification).
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
  return table;
}();
int hexValue(char c) {
  return kHexValues[static_cast<unsigned char>(c)];
}
}  // namespace

Bytes fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw InputError("invalid_hex", "hex text has an odd number of digits");
  Bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hexValue(hex[2 * i]);
    const int lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw InputError("invalid_hex", "hex text has a non-hex character");
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

std::string toBase64(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), checkedCast<int>(data.size()));
  out.resize(checkedCast<std::size_t>(written));
  return out;
}

Bytes fromBase64(std::string_view text) {
  // EVP_DecodeBlock wants one unbroken block: drop line breaks (partners send them) first.
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') compact.push_back(c);
  }
  if (compact.size() % 4 != 0) throw InputError("invalid_base64", "base64 text has a bad length");
  if (compact.empty()) return {};
  Bytes out(compact.size() / 4 * 3);
  const int written = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(compact.data()),
                                      checkedCast<int>(compact.size()));
  if (written < 0) throw InputError("invalid_base64", "text is not valid base64");
  // EVP_DecodeBlock counts padding as zero bytes; remove them.
  std::size_t size = checkedCast<std::size_t>(written);
  if (compact.ends_with("==")) {
    size -= 2;
  } else if (compact.ends_with("=")) {
    size -= 1;
  }
  out.resize(size);
  return out;
}

bool constantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

void wipe(Bytes& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

}  // namespace kyso
