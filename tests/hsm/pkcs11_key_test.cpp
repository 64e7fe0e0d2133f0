// The PKCS#11 key source against SoftHSM2: modules, tokens and logins, keys generated inside the
// token, signatures checked by OpenSSL with the exported public key, and the token's own refusal
// to hand out a private key (asked directly through PKCS#11, not through our code).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <p11-kit/pkcs11.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/pkcs11.h"
#include "soft_hsm.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

using test::expectThrow;

// Verifies with OpenSSL alone: RSA PKCS#1 v1.5 with the DigestInfo, or DER ECDSA.
bool verifies(EVP_PKEY* publicKey, DigestAlgorithm algorithm, ByteView digest, ByteView signature) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(publicKey, nullptr),
                                                                  &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  if (EVP_PKEY_get_base_id(publicKey) == EVP_PKEY_RSA) EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING);
  EVP_PKEY_CTX_set_signature_md(ctx.get(), evpMd(algorithm));
  return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size()) == 1;
}

std::string uniqueLabel(const std::string& prefix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return prefix + "-" + test->name();
}

class Pkcs11Test : public ::testing::Test {
 protected:
  const test::SoftHsm& hsm = test::softHsm();
  std::shared_ptr<Pkcs11Module> module = Pkcs11Module::load(hsm.module);
  std::shared_ptr<Pkcs11Token> token = Pkcs11Token::open(module, hsm.token, test::pin(hsm.pin));
};

// Without a token opened by the fixture: PKCS#11 keeps one login per application and token, so a
// login test needs nobody else logged in.
class Pkcs11Login : public ::testing::Test {
 protected:
  const test::SoftHsm& hsm = test::softHsm();
  std::shared_ptr<Pkcs11Module> module = Pkcs11Module::load(hsm.module);
};

TEST_F(Pkcs11Login, Module_LoadedTwice_IsOneInstanceWithBothTokens) {
  EXPECT_EQ(Pkcs11Module::load(hsm.module), module);
  EXPECT_NE(module->description().find("SoftHSM"), std::string::npos) << module->description();
  // SoftHSM also shows one empty, uninitialised slot for the next token.
  const auto tokens = module->tokens();
  for (const std::string& label : {hsm.token, hsm.spareToken}) {
    const auto t = std::find_if(tokens.begin(), tokens.end(), [&](const auto& info) { return info.label == label; });
    ASSERT_NE(t, tokens.end()) << label;
    EXPECT_TRUE(t->initialized);
    EXPECT_TRUE(t->loginRequired);
    EXPECT_EQ(t->manufacturer, "SoftHSM project");
  }
}

TEST_F(Pkcs11Login, Module_ReleasedAndLoadedAgain_WorksAfterFinalize) {
  module.reset();  // C_Finalize, dlclose
  module = Pkcs11Module::load(hsm.module);
  auto token = Pkcs11Token::open(module, hsm.token, test::pin(hsm.pin));
  EXPECT_EQ(token->info().label, hsm.token);
}

TEST(Pkcs11Module, MissingFile_IsModuleInvalid) {
  const auto e = expectThrow<InputError>([] { Pkcs11Module::load("/nonexistent/libpkcs11.so"); });
  EXPECT_EQ(e.code(), "pkcs11_module_invalid");
}

TEST(Pkcs11Module, LibraryWithoutCryptoki_IsModuleInvalid) {
  std::string library;
  for (const char* path : {"/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"}) {
    if (std::filesystem::exists(path)) library = path;
  }
  if (library.empty()) GTEST_SKIP() << "no libz.so.1 to load";
  const auto e = expectThrow<InputError>([&] { Pkcs11Module::load(library); });
  EXPECT_EQ(e.code(), "pkcs11_module_invalid");
  EXPECT_NE(std::string(e.what()).find("C_GetFunctionList"), std::string::npos) << e.what();
}

TEST_F(Pkcs11Login, UnknownTokenLabel_IsTokenNotFound) {
  const auto e = expectThrow<NotFoundError>([&] { Pkcs11Token::open(module, "no-such-token", test::pin(hsm.pin)); });
  EXPECT_EQ(e.code(), "pkcs11_token_not_found");
  EXPECT_NE(std::string(e.what()).find("no-such-token"), std::string::npos);
}

TEST_F(Pkcs11Login, WrongPin_IsLoginFailedWithoutThePin) {
  const auto e = expectThrow<AccessError>([&] { Pkcs11Token::open(module, hsm.token, test::pin("86420")); });
  EXPECT_EQ(e.code(), "pkcs11_login_failed");
  EXPECT_EQ(e.kind(), ErrorKind::Unauthenticated);
  EXPECT_EQ(std::string(e.what()).find("86420"), std::string::npos) << e.what();
  // The failure left nothing behind: the right PIN still logs in.
  EXPECT_NO_THROW(Pkcs11Token::open(module, hsm.token, test::pin(hsm.pin)));
}

TEST_F(Pkcs11Login, EmptyPin_IsPinMissing) {
  const auto e = expectThrow<InputError>([&] { Pkcs11Token::open(module, hsm.token, test::pin("")); });
  EXPECT_EQ(e.code(), "pkcs11_pin_missing");
}

TEST_F(Pkcs11Login, PinFile_FirstLineIsThePin) {
  test::TempDir dir;
  test::writeFile(dir / "pin", hsm.pin + "\n");
  auto token = Pkcs11Token::open(module, hsm.token, Pkcs11Pin::fromFile(dir / "pin"));
  EXPECT_EQ(token->info().label, hsm.token);
  test::writeFile(dir / "empty", "\n");
  EXPECT_EQ(expectThrow<InputError>([&] { Pkcs11Pin::fromFile(dir / "empty"); }).code(), "pkcs11_pin_missing");
  EXPECT_EQ(expectThrow<InputError>([&] { Pkcs11Pin::fromFile(dir / "absent"); }).code(), "file_unreadable");
}

TEST(Pkcs11Pin, Take_WipesTheCallersCopy) {
  std::string text = "secret-pin";
  auto pin = Pkcs11Pin::take(text);
  EXPECT_TRUE(text.empty());
  EXPECT_EQ(std::string(asChars(pin.bytes())), "secret-pin");
  pin.wipe();
  EXPECT_TRUE(pin.empty());
}

TEST_F(Pkcs11Test, GenerateRsa_KeyIsListedFoundAndNeverLeavesTheToken) {
  const std::string label = uniqueLabel("rsa");
  auto key = token->generateKey(KeyAlgorithm::Rsa, label);
  const Pkcs11KeyInfo& info = key->info();
  EXPECT_EQ(info.label, label);
  EXPECT_EQ(info.id.size(), 16u);
  EXPECT_EQ(info.algorithm, KeyAlgorithm::Rsa);
  EXPECT_EQ(info.bits, 2048u);
  EXPECT_TRUE(info.sensitive);
  EXPECT_FALSE(info.extractable);
  EXPECT_TRUE(info.alwaysSensitive);
  EXPECT_TRUE(info.neverExtractable);
  EXPECT_TRUE(info.local);
  EXPECT_EQ(key->maxSignatureSize(), 256u);
  EXPECT_EQ(EVP_PKEY_get_base_id(key->publicKey()), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(key->publicKey()), 2048);

  const auto keys = token->keys();
  const auto listed = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.label == label; });
  ASSERT_NE(listed, keys.end());
  EXPECT_EQ(listed->id, info.id);
  EXPECT_EQ(listed->algorithm, KeyAlgorithm::Rsa);
  EXPECT_EQ(listed->bits, 2048u);

  EXPECT_EQ(EVP_PKEY_eq(token->findKey(label)->publicKey(), key->publicKey()), 1);
  EXPECT_EQ(EVP_PKEY_eq(token->findKeyById(info.id)->publicKey(), key->publicKey()), 1);
}

TEST_F(Pkcs11Test, GenerateEc_IsP256) {
  const std::string label = uniqueLabel("ec");
  const Bytes id = fromHex("6b79736f2d6563");
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, label, id);
  EXPECT_EQ(key->info().id, id);
  EXPECT_EQ(key->info().algorithm, KeyAlgorithm::Ecdsa);
  EXPECT_EQ(key->info().bits, 256u);
  EXPECT_TRUE(key->info().neverExtractable);
  EXPECT_FALSE(key->info().extractable);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key->publicKey(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr),
            1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(key->maxSignatureSize(), 72u);
  EXPECT_EQ(EVP_PKEY_eq(token->findKey(label)->publicKey(), key->publicKey()), 1);

  // The listing reads the private key object alone: the field size comes from its CKA_EC_PARAMS.
  const auto keys = token->keys();
  const auto listed = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.label == label; });
  ASSERT_NE(listed, keys.end());
  EXPECT_EQ(listed->algorithm, KeyAlgorithm::Ecdsa);
  EXPECT_EQ(listed->bits, 256u);
}

TEST_F(Pkcs11Test, Generate_TakenLabelOrId_IsConflict) {
  const std::string label = uniqueLabel("dup");
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, label);
  EXPECT_EQ(expectThrow<ConflictError>([&] { token->generateKey(KeyAlgorithm::Ecdsa, label); }).code(),
            "pkcs11_key_exists");
  EXPECT_EQ(
      expectThrow<ConflictError>([&] { token->generateKey(KeyAlgorithm::Rsa, label + "-2", key->info().id); }).code(),
      "pkcs11_key_exists");
}

TEST_F(Pkcs11Test, FindKey_Unknown_IsKeyNotFound) {
  EXPECT_EQ(expectThrow<NotFoundError>([&] { token->findKey("no-such-key"); }).code(), "pkcs11_key_not_found");
  EXPECT_EQ(expectThrow<NotFoundError>([&] { token->findKeyById(fromHex("00ff00ff")); }).code(),
            "pkcs11_key_not_found");
}

TEST_F(Pkcs11Test, KeysOfAnotherToken_AreNotVisible) {
  auto spare = Pkcs11Token::open(module, hsm.spareToken, test::pin(hsm.pin));
  const std::string label = uniqueLabel("spare");
  spare->generateKey(KeyAlgorithm::Ecdsa, label);
  EXPECT_NO_THROW(spare->findKey(label));
  EXPECT_EQ(expectThrow<NotFoundError>([&] { token->findKey(label); }).code(), "pkcs11_key_not_found");
}

// Asks the token directly, through the module's own PKCS#11 functions, for the private values.
class RawPkcs11 {
 public:
  RawPkcs11(const std::filesystem::path& module, CK_SLOT_ID slot) {
    library_ = dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library_ == nullptr) throw std::runtime_error(dlerror());
    auto getFunctionList = reinterpret_cast<CK_C_GetFunctionList>(dlsym(library_, "C_GetFunctionList"));
    if (getFunctionList == nullptr || getFunctionList(&f_) != CKR_OK) throw std::runtime_error("C_GetFunctionList");
    // Already initialised by the key source, which stays loaded: this view must not finalise it.
    const CK_RV rv = f_->C_Initialize(nullptr);
    if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) throw std::runtime_error("module not initialised by the key source");
    if (f_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session_) != CKR_OK) {
      throw std::runtime_error("C_OpenSession");
    }
  }
  ~RawPkcs11() {
    f_->C_CloseSession(session_);
    dlclose(library_);
  }

  CK_OBJECT_HANDLE privateKey(Bytes id) {
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE match[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, id.data(), id.size()}};
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    CK_ULONG count = 0;
    f_->C_FindObjectsInit(session_, match, 2);
    f_->C_FindObjects(session_, &handle, 1, &count);
    f_->C_FindObjectsFinal(session_);
    if (count != 1) throw std::runtime_error("private key not found");
    return handle;
  }

  CK_RV read(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, CK_ULONG* length = nullptr) {
    CK_ATTRIBUTE attribute{type, nullptr, 0};
    const CK_RV rv = f_->C_GetAttributeValue(session_, object, &attribute, 1);
    if (length != nullptr) *length = attribute.ulValueLen;
    return rv;
  }

  CK_RV makeExtractable(CK_OBJECT_HANDLE object) {
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE attribute{CKA_EXTRACTABLE, &yes, sizeof yes};
    return f_->C_SetAttributeValue(session_, object, &attribute, 1);
  }

  CK_RV wrapWithItself(CK_OBJECT_HANDLE object) {
    // An attempt to get the key out encrypted: there is no wrapping key that may take it.
    CK_MECHANISM mechanism{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
    Bytes out(8192);
    CK_ULONG length = out.size();
    return f_->C_WrapKey(session_, &mechanism, object, object, out.data(), &length);
  }

 private:
  void* library_ = nullptr;
  CK_FUNCTION_LIST* f_ = nullptr;
  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

TEST_F(Pkcs11Test, PrivateKey_TokenRefusesToRevealOrExportIt) {
  auto rsa = token->generateKey(KeyAlgorithm::Rsa, uniqueLabel("rsa"));
  auto ec = token->generateKey(KeyAlgorithm::Ecdsa, uniqueLabel("ec"));
  RawPkcs11 raw(hsm.module, token->info().slot);

  const CK_OBJECT_HANDLE rsaHandle = raw.privateKey(rsa->info().id);
  CK_ULONG length = 0;
  EXPECT_EQ(raw.read(rsaHandle, CKA_PRIVATE_EXPONENT, &length), CKR_ATTRIBUTE_SENSITIVE);
  EXPECT_EQ(length, CK_UNAVAILABLE_INFORMATION);
  EXPECT_EQ(raw.read(rsaHandle, CKA_PRIME_1), CKR_ATTRIBUTE_SENSITIVE);
  EXPECT_NE(raw.read(rsaHandle, CKA_VALUE), CKR_OK);
  EXPECT_EQ(raw.read(rsaHandle, CKA_MODULUS), CKR_OK);  // the public part stays readable

  const CK_OBJECT_HANDLE ecHandle = raw.privateKey(ec->info().id);
  EXPECT_EQ(raw.read(ecHandle, CKA_VALUE, &length), CKR_ATTRIBUTE_SENSITIVE);
  EXPECT_EQ(length, CK_UNAVAILABLE_INFORMATION);

  // CKA_EXTRACTABLE can only go from true to false (§4.9), and nothing may wrap the key.
  EXPECT_NE(raw.makeExtractable(rsaHandle), CKR_OK);
  EXPECT_NE(raw.makeExtractable(ecHandle), CKR_OK);
  EXPECT_NE(raw.wrapWithItself(ecHandle), CKR_OK);
  EXPECT_FALSE(token->findKey(rsa->info().label)->info().extractable);
}

TEST_F(Pkcs11Test, SignDigest_Rsa_VerifiesWithTheExportedPublicKey) {
  auto key = token->generateKey(KeyAlgorithm::Rsa, uniqueLabel("rsa"));
  for (const auto algorithm : {DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512}) {
    SCOPED_TRACE(std::string(digestName(algorithm)));
    Bytes d = digest(algorithm, asBytes("Giấy chứng nhận đăng ký kinh doanh"));
    const Bytes signature = key->signDigest(algorithm, d);
    EXPECT_EQ(signature.size(), 256u);
    EXPECT_TRUE(verifies(key->publicKey(), algorithm, d, signature));
    d[0] ^= 1;
    EXPECT_FALSE(verifies(key->publicKey(), algorithm, d, signature));
  }
}

TEST_F(Pkcs11Test, SignDigest_Ec_IsDerAndVerifies) {
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, uniqueLabel("ec"));
  for (const auto algorithm : {DigestAlgorithm::Sha256, DigestAlgorithm::Sha384}) {
    SCOPED_TRACE(std::string(digestName(algorithm)));
    Bytes d = digest(algorithm, asBytes("Quyết định cấp phép"));
    const Bytes signature = key->signDigest(algorithm, d);
    EXPECT_LE(signature.size(), key->maxSignatureSize());
    EXPECT_EQ(signature.front(), 0x30);  // DER SEQUENCE, not r||s
    EXPECT_TRUE(verifies(key->publicKey(), algorithm, d, signature));
    d[0] ^= 1;
    EXPECT_FALSE(verifies(key->publicKey(), algorithm, d, signature));
  }
}

TEST_F(Pkcs11Test, SignDigest_WrongLength_IsInvalidDigest) {
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, uniqueLabel("ec"));
  const Bytes tooShort(20, 0x11);
  EXPECT_EQ(expectThrow<InputError>([&] { key->signDigest(DigestAlgorithm::Sha256, tooShort); }).code(),
            "invalid_digest");
}

TEST_F(Pkcs11Test, SignDigest_FourThreadsAtOnce_AllSignaturesVerify) {
  auto rsa = token->generateKey(KeyAlgorithm::Rsa, uniqueLabel("rsa"));
  auto ec = token->generateKey(KeyAlgorithm::Ecdsa, uniqueLabel("ec"));
  constexpr int kThreads = 4;
  constexpr int kEach = 40;
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const Pkcs11Key& key = (i + t) % 2 == 0 ? *rsa : *ec;
        const Bytes d = sha256(asBytes("document " + std::to_string(t) + "/" + std::to_string(i)));
        try {
          const Bytes signature = key.signDigest(DigestAlgorithm::Sha256, d);
          (verifies(key.publicKey(), DigestAlgorithm::Sha256, d, signature) ? good : bad)++;
        } catch (const std::exception&) {
          bad++;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), kThreads * kEach);
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(Pkcs11Test, OpenPkcs11Key_ByLabelOrId_SharesTheLogin) {
  const std::string label = uniqueLabel("ref");
  auto key = token->generateKey(KeyAlgorithm::Ecdsa, label);
  auto byLabel = openPkcs11Key({hsm.module, hsm.token, label, {}}, test::pin(hsm.pin));
  auto byId = openPkcs11Key({hsm.module, hsm.token, "", key->info().id}, test::pin(hsm.pin));
  EXPECT_EQ(byLabel->token()->module(), module);  // one module instance per process
  const Bytes d = sha256(asBytes("x"));
  EXPECT_TRUE(verifies(key->publicKey(), DigestAlgorithm::Sha256, d, byLabel->signDigest(DigestAlgorithm::Sha256, d)));
  EXPECT_TRUE(verifies(key->publicKey(), DigestAlgorithm::Sha256, d, byId->signDigest(DigestAlgorithm::Sha256, d)));
}

TEST_F(Pkcs11Test, Key_OutlivesItsTokenHandle_AndStillSigns) {
  auto key = token->generateKey(KeyAlgorithm::Rsa, uniqueLabel("rsa"));
  token.reset();
  module.reset();
  const Bytes d = sha256(asBytes("still here"));
  EXPECT_TRUE(verifies(key->publicKey(), DigestAlgorithm::Sha256, d, key->signDigest(DigestAlgorithm::Sha256, d)));
}

}  // namespace
}  // namespace kyso::pki
