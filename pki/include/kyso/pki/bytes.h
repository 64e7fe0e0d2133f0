// Byte buffers and their text forms. Base64 goes through OpenSSL's encoder, never by hand.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kyso {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView asBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view asChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes toBytes(std::string_view s) {
  return {s.begin(), s.end()};
}

std::string toHex(ByteView data, bool upper = false);
// Throws InputError("invalid_hex") on odd length or a non-hex character.
Bytes fromHex(std::string_view hex);

std::string toBase64(ByteView data);
// Accepts standard base64 with optional line breaks; throws InputError("invalid_base64").
Bytes fromBase64(std::string_view text);

// Compares in time independent of where the inputs differ.
bool constantTimeEquals(ByteView a, ByteView b);

// Overwrites a secret (PIN, password, key material) before its memory is released.
void wipe(std::string& secret);
void wipe(Bytes& secret);

}  // namespace kyso
