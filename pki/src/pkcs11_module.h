// Private to the PKCS#11 key source: the loaded module, and the one choke point that turns a
// CK_RV into a typed kyso exception. Only pkcs11*.cpp include the PKCS#11 header.
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "kyso/pki/pkcs11.h"

namespace kyso::pki {

namespace p11 {

// "CKR_PIN_INCORRECT", or the value in hex for codes without a name here.
std::string rvName(CK_RV rv);

// Throws the exception that matches `rv` (see pkcs11.h); `what` names the call.
[[noreturn]] void fail(CK_RV rv, std::string_view what);

inline void check(CK_RV rv, std::string_view what) {
  if (rv != CKR_OK) fail(rv, what);
}

// The session can no longer be used (closed, the token gone): it must not go back to the pool.
bool sessionLost(CK_RV rv);

// A fixed-width, blank-padded PKCS#11 text field (CK_TOKEN_INFO.label...) as a string.
std::string paddedText(const CK_UTF8CHAR* text, std::size_t width);

struct DlClose {
  void operator()(void* handle) const noexcept;
};
using LibraryHandle = std::unique_ptr<void, DlClose>;

}  // namespace p11

struct Pkcs11Module::State {
  std::string path;
  p11::LibraryHandle library;
  CK_FUNCTION_LIST* f = nullptr;
  bool finalize = false;  // we called C_Initialize, so we call C_Finalize
  // A module that cannot use OS locking (CKR_CANT_LOCK) is not thread-safe: every call is
  // serialised through this mutex (§5.4: "the library need not worry about multi-threaded access").
  bool serialized = false;
  std::recursive_mutex serial;

  std::unique_lock<std::recursive_mutex> lock() {
    return serialized ? std::unique_lock<std::recursive_mutex>(serial) : std::unique_lock<std::recursive_mutex>();
  }
};

}  // namespace kyso::pki
