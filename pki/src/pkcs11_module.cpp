#include "pkcs11_module.h"

#include <dlfcn.h>

#include <condition_variable>
#include <cstdio>
#include <map>

#include "kyso/error.h"

namespace kyso::pki {

namespace p11 {

std::string rvName(CK_RV rv) {
  switch (rv) {
    // clang-format off
    case CKR_OK: return "CKR_OK";
    case CKR_CANCEL: return "CKR_CANCEL";
    case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
    case CKR_SLOT_ID_INVALID: return "CKR_SLOT_ID_INVALID";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_CANT_LOCK: return "CKR_CANT_LOCK";
    case CKR_ATTRIBUTE_SENSITIVE: return "CKR_ATTRIBUTE_SENSITIVE";
    case CKR_ATTRIBUTE_TYPE_INVALID: return "CKR_ATTRIBUTE_TYPE_INVALID";
    case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_DATA_INVALID: return "CKR_DATA_INVALID";
    case CKR_DATA_LEN_RANGE: return "CKR_DATA_LEN_RANGE";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_MEMORY: return "CKR_DEVICE_MEMORY";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_FUNCTION_NOT_SUPPORTED: return "CKR_FUNCTION_NOT_SUPPORTED";
    case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
    case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
    case CKR_KEY_FUNCTION_NOT_PERMITTED: return "CKR_KEY_FUNCTION_NOT_PERMITTED";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_MECHANISM_PARAM_INVALID: return "CKR_MECHANISM_PARAM_INVALID";
    case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_OPERATION_ACTIVE: return "CKR_OPERATION_ACTIVE";
    case CKR_OPERATION_NOT_INITIALIZED: return "CKR_OPERATION_NOT_INITIALIZED";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_INVALID: return "CKR_PIN_INVALID";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_SESSION_CLOSED: return "CKR_SESSION_CLOSED";
    case CKR_SESSION_COUNT: return "CKR_SESSION_COUNT";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_SESSION_READ_ONLY: return "CKR_SESSION_READ_ONLY";
    case CKR_TEMPLATE_INCOMPLETE: return "CKR_TEMPLATE_INCOMPLETE";
    case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_TOKEN_WRITE_PROTECTED: return "CKR_TOKEN_WRITE_PROTECTED";
    case CKR_USER_ALREADY_LOGGED_IN: return "CKR_USER_ALREADY_LOGGED_IN";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
    case CKR_USER_TYPE_INVALID: return "CKR_USER_TYPE_INVALID";
    case CKR_DOMAIN_PARAMS_INVALID: return "CKR_DOMAIN_PARAMS_INVALID";
    case CKR_CURVE_NOT_SUPPORTED: return "CKR_CURVE_NOT_SUPPORTED";
    case CKR_BUFFER_TOO_SMALL: return "CKR_BUFFER_TOO_SMALL";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    case CKR_CRYPTOKI_ALREADY_INITIALIZED: return "CKR_CRYPTOKI_ALREADY_INITIALIZED";
    // clang-format on
    default: {
      char hex[2 + 2 * sizeof(CK_RV) + 1];
      std::snprintf(hex, sizeof hex, "0x%lx", rv);
      return hex;
    }
  }
}

bool sessionLost(CK_RV rv) {
  switch (rv) {
    case CKR_SESSION_CLOSED:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_DEVICE_REMOVED:
    case CKR_DEVICE_ERROR:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_CRYPTOKI_NOT_INITIALIZED:
      return true;
    default:
      return false;
  }
}

void fail(CK_RV rv, std::string_view what) {
  const std::string call = std::string(what) + ": " + rvName(rv);
  switch (rv) {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
      throw AccessError(ErrorKind::Unauthenticated, "pkcs11_login_failed", "the token refused the PIN (" + call + ")");
    case CKR_PIN_LOCKED:
      throw AccessError(ErrorKind::Forbidden, "pkcs11_pin_locked", "the token's user PIN is locked (" + call + ")");
    case CKR_PIN_EXPIRED:
      throw AccessError(ErrorKind::Forbidden, "pkcs11_pin_expired", "the token's user PIN has expired (" + call + ")");
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_USER_PIN_NOT_INITIALIZED:
      throw UnavailableError("pkcs11_not_logged_in", "the signing token is not logged in", call);
    case CKR_SESSION_CLOSED:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_COUNT:
    case CKR_DEVICE_REMOVED:
    case CKR_DEVICE_ERROR:
    case CKR_DEVICE_MEMORY:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_TOKEN_NOT_RECOGNIZED:
    case CKR_HOST_MEMORY:
    case CKR_CRYPTOKI_NOT_INITIALIZED:
      throw UnavailableError("pkcs11_unavailable", "the signing token is not available", call);
    default:
      throw InternalError("PKCS#11 " + call, "pkcs11_failure");
  }
}

std::string paddedText(const CK_UTF8CHAR* text, std::size_t width) {
  std::string out(reinterpret_cast<const char*>(text), width);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

void DlClose::operator()(void* handle) const noexcept {
  dlclose(handle);
}

}  // namespace p11

namespace {

// One Pkcs11Module per module path and process: C_Initialize may be called only once until
// C_Finalize (§5.4), and a module that is being finalised must finish before it is loaded again.
struct Registry {
  std::mutex mutex;
  std::condition_variable released;
  std::map<std::string, std::weak_ptr<Pkcs11Module>> modules;
};

Registry& registry() {
  static auto* instance = new Registry;  // never destroyed: module deleters may run at exit
  return *instance;
}

std::unique_ptr<Pkcs11Module::State> initialize(const std::string& path) {
  auto state = std::make_unique<Pkcs11Module::State>();
  state->path = path;
  auto invalid = [&](const std::string& why) {
    return InputError("pkcs11_module_invalid", "cannot use PKCS#11 module " + path + ": " + why);
  };
  // RTLD_LOCAL: a vendor library's symbols must not resolve anything else in the process.
  state->library.reset(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!state->library) {
    const char* why = dlerror();
    throw invalid(why != nullptr ? why : "dlopen failed");
  }
  void* symbol = dlsym(state->library.get(), "C_GetFunctionList");
  if (symbol == nullptr) throw invalid("no C_GetFunctionList");
  // POSIX guarantees that a dlsym result converts to a function pointer.
  const auto getFunctionList = reinterpret_cast<CK_C_GetFunctionList>(symbol);
  CK_FUNCTION_LIST* functions = nullptr;
  if (const CK_RV rv = getFunctionList(&functions); rv != CKR_OK || functions == nullptr) {
    throw invalid("C_GetFunctionList: " + p11::rvName(rv));
  }
  if (functions->version.major != 2) {
    throw invalid("unsupported Cryptoki version " + std::to_string(functions->version.major));
  }
  state->f = functions;

  // The service signs from several threads: ask the module to use the OS's locks (§5.4 case 2).
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = functions->C_Initialize(&args);
  if (rv == CKR_CANT_LOCK) {
    state->serialized = true;
    rv = functions->C_Initialize(nullptr);
  }
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    // Someone else in the process (another library) initialised it and will finalise it.
    return state;
  }
  if (rv != CKR_OK) throw invalid("C_Initialize: " + p11::rvName(rv));
  state->finalize = true;
  return state;
}

}  // namespace

Pkcs11Module::Pkcs11Module(std::unique_ptr<State> state) : state_(std::move(state)) {}

Pkcs11Module::~Pkcs11Module() {
  if (state_->finalize) state_->f->C_Finalize(nullptr);
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::canonical(path, ec);
  if (ec) {
    throw InputError("pkcs11_module_invalid", "cannot use PKCS#11 module " + path.string() + ": " + ec.message());
  }
  const std::string key = canonical.string();
  Registry& r = registry();
  std::unique_lock lock(r.mutex);
  for (;;) {
    const auto it = r.modules.find(key);
    if (it == r.modules.end()) break;
    if (auto existing = it->second.lock()) return existing;
    r.released.wait(lock);  // its last user is finalising it right now
  }
  // The deleter finalises under the registry's lock, so a new load waits for it to finish.
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(initialize(key)), [key](Pkcs11Module* m) {
    Registry& reg = registry();
    std::lock_guard guard(reg.mutex);
    delete m;
    reg.modules.erase(key);
    reg.released.notify_all();
  });
  r.modules[key] = module;
  return module;
}

const std::string& Pkcs11Module::path() const {
  return state_->path;
}

std::string Pkcs11Module::description() const {
  CK_INFO info{};
  {
    auto guard = state_->lock();
    p11::check(state_->f->C_GetInfo(&info), "C_GetInfo");
  }
  return p11::paddedText(info.manufacturerID, sizeof info.manufacturerID) + " " +
         p11::paddedText(info.libraryDescription, sizeof info.libraryDescription) + " " +
         std::to_string(info.libraryVersion.major) + "." + std::to_string(info.libraryVersion.minor);
}

std::vector<Pkcs11TokenInfo> Pkcs11Module::tokens() const {
  auto guard = state_->lock();
  CK_FUNCTION_LIST* f = state_->f;
  std::vector<CK_SLOT_ID> slots;
  // The list may grow between the two calls (a token inserted): retry while it is too small.
  for (;;) {
    CK_ULONG count = 0;
    p11::check(f->C_GetSlotList(CK_TRUE, nullptr, &count), "C_GetSlotList");
    slots.resize(count);
    const CK_RV rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;
    p11::check(rv, "C_GetSlotList");
    slots.resize(count);
    break;
  }
  std::vector<Pkcs11TokenInfo> out;
  for (const CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    const CK_RV rv = f->C_GetTokenInfo(slot, &info);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED) continue;  // removed meanwhile
    p11::check(rv, "C_GetTokenInfo");
    Pkcs11TokenInfo token;
    token.slot = slot;
    token.label = p11::paddedText(info.label, sizeof info.label);
    token.manufacturer = p11::paddedText(info.manufacturerID, sizeof info.manufacturerID);
    token.model = p11::paddedText(info.model, sizeof info.model);
    token.serialNumber = p11::paddedText(info.serialNumber, sizeof info.serialNumber);
    token.initialized = (info.flags & CKF_TOKEN_INITIALIZED) != 0;
    token.loginRequired = (info.flags & CKF_LOGIN_REQUIRED) != 0;
    out.push_back(std::move(token));
  }
  return out;
}

}  // namespace kyso::pki
