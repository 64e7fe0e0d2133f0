#include "kyso/pki/pkcs11.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>
#include <span>
#include <tuple>
#include <utility>

#include "ecdsa_signature.h"
#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "pkcs11_module.h"

namespace kyso::pki {

// ---------------------------------------------------------------------------------------------
// The PIN

Pkcs11Pin Pkcs11Pin::take(std::string& pin) {
  Pkcs11Pin out(Bytes(pin.begin(), pin.end()));
  kyso::wipe(pin);
  return out;
}

Pkcs11Pin Pkcs11Pin::fromFile(const std::filesystem::path& path) {
  std::string text = readFile(path, 4096);
  const std::size_t end = text.find_first_of("\r\n");
  Pkcs11Pin out(Bytes(text.begin(), end == std::string::npos ? text.end() : text.begin() + checkedCast<long>(end)));
  kyso::wipe(text);
  if (out.empty()) throw InputError("pkcs11_pin_missing", "the PIN file " + path.string() + " is empty");
  return out;
}

Pkcs11Pin& Pkcs11Pin::operator=(Pkcs11Pin&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
  }
  return *this;
}

Pkcs11Pin::~Pkcs11Pin() {
  wipe();
}

void Pkcs11Pin::wipe() {
  kyso::wipe(value_);
}

// ---------------------------------------------------------------------------------------------
// Sessions

struct Pkcs11Token::State {
  std::shared_ptr<Pkcs11Module> module;
  Pkcs11Module::State* m = nullptr;
  CK_FUNCTION_LIST* f = nullptr;
  Pkcs11TokenInfo info;
  // Opened first and closed last: it holds the login, which ends with the application's last
  // session on the token (C_CloseSession, §5.6). Used only to log in.
  CK_SESSION_HANDLE anchor = CK_INVALID_HANDLE;
  std::mutex poolMutex;
  std::mutex generateMutex;
  std::vector<CK_SESSION_HANDLE> idle;

  static constexpr std::size_t kMaxIdle = 16;

  CK_SESSION_HANDLE openSession(bool readWrite) {
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    const CK_FLAGS flags = CKF_SERIAL_SESSION | (readWrite ? CKF_RW_SESSION : 0);
    p11::check(f->C_OpenSession(info.slot, flags, nullptr, nullptr, &session), "C_OpenSession");
    return session;
  }

  ~State() {
    for (const CK_SESSION_HANDLE session : idle) f->C_CloseSession(session);
    if (anchor != CK_INVALID_HANDLE) f->C_CloseSession(anchor);
  }
};

namespace {

// A session borrowed from the token's pool for one operation (signing, searching), or a fresh
// read-write session for creating objects. Back into the pool afterwards unless it was lost.
class Session {
 public:
  Session(Pkcs11Token::State& token, bool readWrite)
      : token_(token), pooled_(!readWrite), exceptions_(std::uncaught_exceptions()) {
    if (pooled_) {
      std::lock_guard lock(token_.poolMutex);
      if (!token_.idle.empty()) {
        handle_ = token_.idle.back();
        token_.idle.pop_back();
        return;
      }
    }
    handle_ = token_.openSession(readWrite);
  }
  ~Session() {
    // Left by an exception, the session may still have an operation active: close it.
    if (pooled_ && !lost_ && std::uncaught_exceptions() == exceptions_) {
      std::lock_guard lock(token_.poolMutex);
      if (token_.idle.size() < Pkcs11Token::State::kMaxIdle) {
        token_.idle.push_back(handle_);
        return;
      }
    }
    token_.f->C_CloseSession(handle_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  CK_SESSION_HANDLE get() const { return handle_; }
  CK_FUNCTION_LIST* f() const { return token_.f; }

  // Checks a call's result; a session that the failure lost is dropped, not pooled.
  void check(CK_RV rv, std::string_view what) {
    if (rv == CKR_OK) return;
    // A session with an operation left active would refuse the next one.
    if (p11::sessionLost(rv) || rv == CKR_OPERATION_ACTIVE) lost_ = true;
    p11::fail(rv, what);
  }

 private:
  Pkcs11Token::State& token_;
  bool pooled_;
  bool lost_ = false;
  int exceptions_;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

// A template entry pointing at a value that outlives the call.
template <typename T>
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, T& value) {
  return CK_ATTRIBUTE{type, &value, sizeof value};
}
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, Bytes& value) {
  return CK_ATTRIBUTE{type, value.data(), value.size()};
}
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, std::string& value) {
  return CK_ATTRIBUTE{type, value.data(), value.size()};
}

std::vector<CK_OBJECT_HANDLE> findObjects(Session& session, std::span<CK_ATTRIBUTE> match) {
  CK_FUNCTION_LIST* f = session.f();
  session.check(f->C_FindObjectsInit(session.get(), match.data(), match.size()), "C_FindObjectsInit");
  std::vector<CK_OBJECT_HANDLE> out;
  CK_RV rv = CKR_OK;
  for (;;) {
    std::array<CK_OBJECT_HANDLE, 32> batch{};
    CK_ULONG count = 0;
    rv = f->C_FindObjects(session.get(), batch.data(), batch.size(), &count);
    if (rv != CKR_OK || count == 0) break;
    out.insert(out.end(), batch.begin(), batch.begin() + checkedCast<long>(count));
  }
  // Always end the search: an active find operation blocks the session's next one.
  const CK_RV final = f->C_FindObjectsFinal(session.get());
  session.check(rv, "C_FindObjects");
  session.check(final, "C_FindObjectsFinal");
  return out;
}

// A variable-length attribute; nullopt when the object does not have it or will not reveal it.
std::optional<Bytes> readAttribute(Session& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE query{type, nullptr, 0};
  CK_RV rv = session.f()->C_GetAttributeValue(session.get(), object, &query, 1);
  if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID) return std::nullopt;
  session.check(rv, "C_GetAttributeValue");
  if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION) return std::nullopt;
  Bytes value(query.ulValueLen);
  query.pValue = value.data();
  rv = session.f()->C_GetAttributeValue(session.get(), object, &query, 1);
  session.check(rv, "C_GetAttributeValue");
  value.resize(query.ulValueLen);
  return value;
}

bool readBool(Session& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, bool fallback) {
  const auto value = readAttribute(session, object, type);
  return value && value->size() == sizeof(CK_BBOOL) ? value->front() != CK_FALSE : fallback;
}

std::optional<CK_ULONG> readUlong(Session& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  const auto value = readAttribute(session, object, type);
  if (!value || value->size() != sizeof(CK_ULONG)) return std::nullopt;
  CK_ULONG out = 0;
  std::copy(value->begin(), value->end(), reinterpret_cast<std::uint8_t*>(&out));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public keys: from the token's attributes to an EVP_PKEY, through OpenSSL's own decoders and
// OSSL_PARAM builders.

ossl::Ptr<EVP_PKEY> publicKeyFromParams(const char* type, const OSSL_PARAM* params) {
  auto ctx = ossl::own(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), "EVP_PKEY_CTX_new_from_name");
  ossl::check(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
  EVP_PKEY* key = nullptr;
  ossl::check(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)),
              "EVP_PKEY_fromdata");
  return ossl::Ptr<EVP_PKEY>(key);
}

// CKA_MODULUS and CKA_PUBLIC_EXPONENT are big-endian unsigned integers (§2.1.2 of the mechanisms).
ossl::Ptr<EVP_PKEY> rsaPublicKey(ByteView modulus, ByteView exponent) {
  auto n = ossl::own(BN_bin2bn(modulus.data(), checkedCast<int>(modulus.size()), nullptr), "BN_bin2bn");
  auto e = ossl::own(BN_bin2bn(exponent.data(), checkedCast<int>(exponent.size()), nullptr), "BN_bin2bn");
  auto builder = ossl::own(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new");
  ossl::check(OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()), "OSSL_PARAM_BLD_push_BN");
  ossl::check(OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()), "OSSL_PARAM_BLD_push_BN");
  auto params = ossl::own(OSSL_PARAM_BLD_to_param(builder.get()), "OSSL_PARAM_BLD_to_param");
  return publicKeyFromParams("RSA", params.get());
}

// CKA_EC_PARAMS is the DER ECParameters (RFC 5480 §2.1.1; we accept named curves only) and
// CKA_EC_POINT the DER OCTET STRING around the X9.62 point. Some older modules return the bare
// point; it is accepted when it does not parse as an OCTET STRING.
ossl::Ptr<EC_GROUP> ecGroup(ByteView ecParams) {
  const unsigned char* p = ecParams.data();
  ossl::Ptr<EC_GROUP> group(d2i_ECPKParameters(nullptr, &p, checkedCast<long>(ecParams.size())));
  if (!group || p != ecParams.data() + ecParams.size()) {
    throw InputError("unsupported_key", ossl::drainErrors("the token's CKA_EC_PARAMS cannot be decoded"));
  }
  return group;
}

ossl::Ptr<EVP_PKEY> ecPublicKey(ByteView ecParams, ByteView ecPoint) {
  const ossl::Ptr<EC_GROUP> group = ecGroup(ecParams);
  const int curve = EC_GROUP_get_curve_name(group.get());
  if (curve == NID_undef) throw InputError("unsupported_key", "the token's key is on an unnamed curve");

  // A bare uncompressed point starts with 04, the OCTET STRING tag, so "it parses" is not enough:
  // the content must also have the length of a point on this curve.
  const auto fieldBytes = checkedCast<std::size_t>((EC_GROUP_get_degree(group.get()) + 7) / 8);
  auto isPoint = [&](ByteView candidate) {
    return (candidate.size() == 1 + 2 * fieldBytes && candidate.front() == 0x04) ||
           (candidate.size() == 1 + fieldBytes && (candidate.front() == 0x02 || candidate.front() == 0x03));
  };
  const unsigned char* q = ecPoint.data();
  ossl::Ptr<ASN1_OCTET_STRING> wrapped(d2i_ASN1_OCTET_STRING(nullptr, &q, checkedCast<long>(ecPoint.size())));
  ossl::clearErrors();
  ByteView point = ecPoint;
  if (wrapped && q == ecPoint.data() + ecPoint.size()) {
    const ByteView inner(ASN1_STRING_get0_data(wrapped.get()),
                         checkedCast<std::size_t>(ASN1_STRING_length(wrapped.get())));
    if (isPoint(inner)) point = inner;
  }
  if (!isPoint(point)) throw InputError("unsupported_key", "the token's CKA_EC_POINT is not a point on its curve");

  auto builder = ossl::own(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new");
  ossl::check(OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(curve), 0),
              "OSSL_PARAM_BLD_push_utf8_string");
  ossl::check(OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
              "OSSL_PARAM_BLD_push_octet_string");
  auto params = ossl::own(OSSL_PARAM_BLD_to_param(builder.get()), "OSSL_PARAM_BLD_to_param");
  return publicKeyFromParams("EC", params.get());
}

// The DER OID of P-256 for CKA_EC_PARAMS (namedCurve choice of ECParameters, RFC 5480 §2.1.1).
Bytes p256Params() {
  const ASN1_OBJECT* oid = OBJ_nid2obj(NID_X9_62_prime256v1);  // static table entry, not owned
  return ossl::toDer(i2d_ASN1_OBJECT, oid, "i2d_ASN1_OBJECT");
}

// CKM_ECDSA answers r||s, each half as long as the group order (§2.3.1); CMS wants the DER
// Ecdsa-Sig-Value (RFC 5753 §7.2 via RFC 3279 §2.2.3).
Bytes ecdsaRawToDer(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    throw InternalError("the token returned an ECDSA signature of odd length " + std::to_string(raw.size()),
                        "pkcs11_failure");
  }
  return ecdsaSignatureToDer(raw);
}

// The token's description of a private key; nullopt for key types we cannot sign with.
std::optional<Pkcs11KeyInfo> describe(Session& session, CK_OBJECT_HANDLE object) {
  const auto type = readUlong(session, object, CKA_KEY_TYPE);
  if (!type || (*type != CKK_RSA && *type != CKK_EC)) return std::nullopt;
  Pkcs11KeyInfo info;
  info.algorithm = *type == CKK_RSA ? KeyAlgorithm::Rsa : KeyAlgorithm::Ecdsa;
  const Bytes label = readAttribute(session, object, CKA_LABEL).value_or(Bytes{});
  info.label.assign(label.begin(), label.end());
  info.id = readAttribute(session, object, CKA_ID).value_or(Bytes{});
  info.sensitive = readBool(session, object, CKA_SENSITIVE, false);
  info.extractable = readBool(session, object, CKA_EXTRACTABLE, true);
  info.alwaysSensitive = readBool(session, object, CKA_ALWAYS_SENSITIVE, false);
  info.neverExtractable = readBool(session, object, CKA_NEVER_EXTRACTABLE, false);
  info.local = readBool(session, object, CKA_LOCAL, false);
  if (info.algorithm == KeyAlgorithm::Rsa) {
    if (const auto bits = readUlong(session, object, CKA_MODULUS_BITS)) {
      info.bits = checkedCast<unsigned>(*bits);
    } else if (const auto modulus = readAttribute(session, object, CKA_MODULUS)) {
      info.bits = checkedCast<unsigned>(8 * modulus->size());
    }
  } else if (const auto params = readAttribute(session, object, CKA_EC_PARAMS)) {
    // A private EC key carries its domain parameters too (PKCS#11 Current Mechanisms §2.3.4): the
    // field size is the curve's degree (256 for P-256). A curve OpenSSL cannot decode stays 0.
    try {
      info.bits = checkedCast<unsigned>(EC_GROUP_get_degree(ecGroup(*params).get()));
    } catch (const InputError&) {
      ossl::clearErrors();
    }
  }
  return info;
}

// The public half of a private key: the public key object with the same CKA_ID (the
// convention pkcs11-tool and CA middleware follow) or, for RSA, the modulus and exponent that
// the private key object carries too.
ossl::Ptr<EVP_PKEY> publicKeyOf(Session& session, CK_OBJECT_HANDLE object, const Pkcs11KeyInfo& info) {
  std::vector<CK_OBJECT_HANDLE> publics;
  CK_OBJECT_CLASS publicClass = CKO_PUBLIC_KEY;
  CK_KEY_TYPE keyType = info.algorithm == KeyAlgorithm::Rsa ? CKK_RSA : CKK_EC;
  Bytes id = info.id;
  if (!id.empty()) {
    std::array<CK_ATTRIBUTE, 3> match{attribute(CKA_CLASS, publicClass), attribute(CKA_KEY_TYPE, keyType),
                                      attribute(CKA_ID, id)};
    publics = findObjects(session, match);
  }
  ossl::Ptr<EVP_PKEY> key;
  if (info.algorithm == KeyAlgorithm::Rsa) {
    const CK_OBJECT_HANDLE source = publics.empty() ? object : publics.front();
    const auto modulus = readAttribute(session, source, CKA_MODULUS);
    const auto exponent = readAttribute(session, source, CKA_PUBLIC_EXPONENT);
    if (modulus && exponent) key = rsaPublicKey(*modulus, *exponent);
  } else if (!publics.empty()) {
    const auto params = readAttribute(session, publics.front(), CKA_EC_PARAMS);
    const auto point = readAttribute(session, publics.front(), CKA_EC_POINT);
    if (params && point) key = ecPublicKey(*params, *point);
  }
  return key;
}

std::string describeKey(std::string_view label, ByteView id) {
  return label.empty() ? "with id " + toHex(id) : "'" + std::string(label) + "'";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The token

Pkcs11Token::Pkcs11Token(std::unique_ptr<State> state) : state_(std::move(state)) {}

Pkcs11Token::~Pkcs11Token() {
  const auto module = state_->module;  // may be the last reference: it must outlive the lock
  auto guard = state_->m->lock();
  state_.reset();  // closes the sessions, which ends the login
}

const Pkcs11TokenInfo& Pkcs11Token::info() const {
  return state_->info;
}

const std::shared_ptr<Pkcs11Module>& Pkcs11Token::module() const {
  return state_->module;
}

std::shared_ptr<Pkcs11Token> Pkcs11Token::open(std::shared_ptr<Pkcs11Module> module, std::string_view label,
                                               Pkcs11Pin pin) {
  if (!module) throw InternalError("no PKCS#11 module");
  std::optional<Pkcs11TokenInfo> found;
  for (auto& token : module->tokens()) {
    if (token.label != label) continue;
    if (found) {
      throw InputError("pkcs11_token_ambiguous",
                       "several PKCS#11 tokens are labelled '" + std::string(label) + "'; relabel one of them");
    }
    found = std::move(token);
  }
  if (!found) throw NotFoundError("pkcs11_token_not_found", "no PKCS#11 token labelled '" + std::string(label) + "'");

  // Declared before the state, so that a failure below closes the sessions under the lock and
  // the module outlives both.
  const std::shared_ptr<Pkcs11Module> keepModule = module;
  auto guard = module->state_->lock();
  auto state = std::make_unique<State>();
  state->m = module->state_.get();
  state->f = state->m->f;
  state->module = std::move(module);
  state->info = std::move(*found);
  state->anchor = state->openSession(false);

  CK_TOKEN_INFO tokenInfo{};
  p11::check(state->f->C_GetTokenInfo(state->info.slot, &tokenInfo), "C_GetTokenInfo");
  const bool pinPad = (tokenInfo.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
  if (pin.empty() && !pinPad) {
    throw InputError("pkcs11_pin_missing", "no PIN given for token '" + std::string(label) + "'");
  }
  // C_Login takes a non-const pointer but only reads the PIN: no second copy of it is made.
  auto* pinText = pin.empty() ? nullptr : const_cast<CK_UTF8CHAR*>(pin.bytes().data());
  const CK_RV rv = state->f->C_Login(state->anchor, CKU_USER, pinText, pin.bytes().size());
  pin.wipe();
  if (rv != CKR_USER_ALREADY_LOGGED_IN) p11::check(rv, "C_Login");
  return std::shared_ptr<Pkcs11Token>(new Pkcs11Token(std::move(state)));
}

std::vector<Pkcs11KeyInfo> Pkcs11Token::keys() const {
  auto guard = state_->m->lock();
  Session session(*state_, false);
  CK_OBJECT_CLASS privateKey = CKO_PRIVATE_KEY;
  std::array<CK_ATTRIBUTE, 1> match{attribute(CKA_CLASS, privateKey)};
  std::vector<Pkcs11KeyInfo> out;
  for (const CK_OBJECT_HANDLE object : findObjects(session, match)) {
    if (auto info = describe(session, object)) out.push_back(std::move(*info));
  }
  std::sort(out.begin(), out.end(), [](const Pkcs11KeyInfo& a, const Pkcs11KeyInfo& b) {
    return std::tie(a.label, a.id) < std::tie(b.label, b.id);
  });
  return out;
}

// Builds the key object for a private key handle: its description and its public half.
struct Pkcs11KeyFactory {
  static std::shared_ptr<Pkcs11Key> make(std::shared_ptr<const Pkcs11Token> token, Session& session,
                                         CK_OBJECT_HANDLE object) {
    auto info = describe(session, object);
    if (!info) throw InputError("unsupported_key", "the token key is neither RSA nor EC");
    auto publicKey = publicKeyOf(session, object, *info);
    if (!publicKey) {
      throw NotFoundError("pkcs11_public_key_missing",
                          "the token has no public key for the private key " + describeKey(info->label, info->id));
    }
    if (info->bits == 0) info->bits = checkedCast<unsigned>(EVP_PKEY_get_bits(publicKey.get()));
    return std::shared_ptr<Pkcs11Key>(new Pkcs11Key(std::move(token), object, std::move(*info), std::move(publicKey)));
  }
};

namespace {

// The one private key with `label` or `id`.
CK_OBJECT_HANDLE findPrivateKey(Session& session, std::string_view label, ByteView id) {
  CK_OBJECT_CLASS privateKey = CKO_PRIVATE_KEY;
  std::string labelValue(label);
  Bytes idValue(id.begin(), id.end());
  std::vector<CK_ATTRIBUTE> match{attribute(CKA_CLASS, privateKey)};
  match.push_back(label.empty() ? attribute(CKA_ID, idValue) : attribute(CKA_LABEL, labelValue));
  const auto found = findObjects(session, match);
  if (found.empty()) {
    throw NotFoundError("pkcs11_key_not_found", "the token has no private key " + describeKey(label, id));
  }
  if (found.size() > 1) {
    throw InputError("pkcs11_key_ambiguous",
                     "the token has " + std::to_string(found.size()) + " private keys " + describeKey(label, id));
  }
  return found.front();
}

}  // namespace

std::shared_ptr<Pkcs11Key> Pkcs11Token::findKey(std::string_view label) const {
  if (label.empty()) throw InputError("pkcs11_label_missing", "no key label given");
  auto guard = state_->m->lock();
  Session session(*state_, false);
  return Pkcs11KeyFactory::make(shared_from_this(), session, findPrivateKey(session, label, {}));
}

std::shared_ptr<Pkcs11Key> Pkcs11Token::findKeyById(ByteView id) const {
  if (id.empty()) throw InputError("pkcs11_id_missing", "no key id given");
  auto guard = state_->m->lock();
  Session session(*state_, false);
  return Pkcs11KeyFactory::make(shared_from_this(), session, findPrivateKey(session, {}, id));
}

std::shared_ptr<Pkcs11Key> Pkcs11Token::generateKey(KeyAlgorithm algorithm, const std::string& label, Bytes id) {
  if (label.empty()) throw InputError("pkcs11_label_missing", "a key generated on a token needs a label");
  if (id.empty()) id = randomBytes(16);
  auto guard = state_->m->lock();
  // One generation at a time per token, so two callers cannot both pass the uniqueness check.
  std::lock_guard generating(state_->generateMutex);
  Session session(*state_, true);
  {
    CK_OBJECT_CLASS privateKey = CKO_PRIVATE_KEY;
    std::string labelValue = label;
    std::array<CK_ATTRIBUTE, 2> byLabel{attribute(CKA_CLASS, privateKey), attribute(CKA_LABEL, labelValue)};
    if (!findObjects(session, byLabel).empty()) {
      throw ConflictError("pkcs11_key_exists", "the token already has a key labelled '" + label + "'");
    }
    std::array<CK_ATTRIBUTE, 1> byId{attribute(CKA_ID, id)};
    if (!findObjects(session, byId).empty()) {
      throw ConflictError("pkcs11_key_exists", "the token already has an object with id " + toHex(id));
    }
  }

  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  std::string labelValue = label;
  CK_ULONG modulusBits = 2048;
  Bytes publicExponent{0x01, 0x00, 0x01};  // 65537
  Bytes ecParams = p256Params();
  std::vector<CK_ATTRIBUTE> publicTemplate{
      attribute(CKA_TOKEN, yes),  attribute(CKA_PRIVATE, no), attribute(CKA_VERIFY, yes),
      attribute(CKA_ENCRYPT, no), attribute(CKA_WRAP, no),    attribute(CKA_LABEL, labelValue),
      attribute(CKA_ID, id),
  };
  // The private half never leaves the token (§4.9: sensitive and not extractable from birth, so
  // CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE end up true) and may only sign.
  std::vector<CK_ATTRIBUTE> privateTemplate{
      attribute(CKA_TOKEN, yes),      attribute(CKA_PRIVATE, yes), attribute(CKA_SENSITIVE, yes),
      attribute(CKA_EXTRACTABLE, no), attribute(CKA_SIGN, yes),    attribute(CKA_DECRYPT, no),
      attribute(CKA_UNWRAP, no),      attribute(CKA_DERIVE, no),   attribute(CKA_LABEL, labelValue),
      attribute(CKA_ID, id),
  };
  CK_MECHANISM mechanism{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  if (algorithm == KeyAlgorithm::Rsa) {
    publicTemplate.push_back(attribute(CKA_MODULUS_BITS, modulusBits));
    publicTemplate.push_back(attribute(CKA_PUBLIC_EXPONENT, publicExponent));
  } else {
    mechanism.mechanism = CKM_EC_KEY_PAIR_GEN;
    publicTemplate.push_back(attribute(CKA_EC_PARAMS, ecParams));
  }
  CK_OBJECT_HANDLE publicHandle = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE privateHandle = CK_INVALID_HANDLE;
  session.check(
      session.f()->C_GenerateKeyPair(session.get(), &mechanism, publicTemplate.data(), publicTemplate.size(),
                                     privateTemplate.data(), privateTemplate.size(), &publicHandle, &privateHandle),
      "C_GenerateKeyPair");
  return Pkcs11KeyFactory::make(shared_from_this(), session, privateHandle);
}

// ---------------------------------------------------------------------------------------------
// The key

Pkcs11Key::Pkcs11Key(std::shared_ptr<const Pkcs11Token> token, unsigned long handle, Pkcs11KeyInfo info,
                     ossl::Ptr<EVP_PKEY> publicKey)
    : token_(std::move(token)),
      handle_(handle),
      info_(std::move(info)),
      publicKey_(std::move(publicKey)),
      maxSignatureSize_(checkedCast<std::size_t>(EVP_PKEY_get_size(publicKey_.get()))) {}

Pkcs11Key::~Pkcs11Key() = default;

Bytes Pkcs11Key::signDigest(DigestAlgorithm algorithm, ByteView digest) const {
  if (digest.size() != digestSize(algorithm)) {
    throw InputError("invalid_digest", "digest length does not match " + std::string(digestName(algorithm)));
  }
  const bool rsa = info_.algorithm == KeyAlgorithm::Rsa;
  // CKM_RSA_PKCS pads what it is given (PKCS#1 v1.5 type 1) without hashing: it must be given
  // the DigestInfo. CKM_ECDSA signs the digest itself.
  Bytes input = rsa ? digestInfo(algorithm, digest) : Bytes(digest.begin(), digest.end());
  // RSA: as long as the modulus. ECDSA: r||s, twice the order's length.
  const auto rawSize = rsa ? checkedCast<std::size_t>(EVP_PKEY_get_size(publicKey_.get()))
                           : 2 * checkedCast<std::size_t>((EVP_PKEY_get_bits(publicKey_.get()) + 7) / 8);
  Pkcs11Token::State& token = *token_->state_;
  auto guard = token.m->lock();
  Session session(token, false);
  CK_MECHANISM mechanism{rsa ? CKM_RSA_PKCS : CKM_ECDSA, nullptr, 0};
  Bytes signature(rawSize);
  session.check(session.f()->C_SignInit(session.get(), &mechanism, handle_), "C_SignInit");
  CK_ULONG length = signature.size();
  CK_RV rv = session.f()->C_Sign(session.get(), input.data(), input.size(), signature.data(), &length);
  if (rv == CKR_BUFFER_TOO_SMALL) {  // the operation stays active for a second try (§5.2)
    signature.resize(length);
    rv = session.f()->C_Sign(session.get(), input.data(), input.size(), signature.data(), &length);
  }
  session.check(rv, "C_Sign");
  signature.resize(length);
  if (!rsa) return ecdsaRawToDer(signature);
  // An RSA signature is exactly as long as the modulus (RFC 8017 §8.2.1 step 2c, I2OSP).
  if (signature.size() < rawSize) signature.insert(signature.begin(), rawSize - signature.size(), 0);
  return signature;
}

// ---------------------------------------------------------------------------------------------

std::shared_ptr<Pkcs11Key> openPkcs11Key(const Pkcs11KeyReference& reference, Pkcs11Pin pin) {
  auto token = Pkcs11Token::open(Pkcs11Module::load(reference.module), reference.token, std::move(pin));
  return reference.keyLabel.empty() ? token->findKeyById(reference.keyId) : token->findKey(reference.keyLabel);
}

}  // namespace kyso::pki
