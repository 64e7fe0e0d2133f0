// Reading small PoDoFo values without caring which kind of null they are: a string or name that is
// absent, or of another type, reads as empty.
#pragma once

#include <podofo/podofo.h>

#include <string>

namespace kyso::signer::detail {

// A text string (literal or hex) as UTF-8.
inline std::string textOf(const PoDoFo::PdfObject* value) {
  if (value == nullptr || !(value->IsString() || value->IsHexString())) return {};
  return value->GetString().GetStringUtf8();
}

inline std::string nameOf(const PoDoFo::PdfObject* value) {
  return value != nullptr && value->IsName() ? value->GetName().GetName() : std::string();
}

}  // namespace kyso::signer::detail
