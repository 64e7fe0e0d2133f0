// The one choke point for PoDoFo: its PdfError becomes a DocumentError with plain words, and its
// global settings are applied once per process.
#pragma once

#include <podofo/podofo.h>

#include <string>
#include <string_view>

#include "kyso/error.h"

static_assert(PODOFO_VERSION_MAJOR == 0 && PODOFO_VERSION_MINOR == 9 && PODOFO_VERSION_PATCH >= 8,
              "kyso is built and tested against PoDoFo 0.9.8");

namespace kyso::signer::detail {

// Silences PoDoFo's stderr logging and makes its parser fail on broken objects instead of
// skipping them. Safe to call from several threads.
void initPodofo();

std::string describePodofoError(const PoDoFo::PdfError& error);

template <typename F>
auto guardPodofo(std::string_view what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const PoDoFo::PdfError& e) {
    throw DocumentError("pdf_malformed", std::string(what) + ": " + describePodofoError(e));
  }
}

}  // namespace kyso::signer::detail
