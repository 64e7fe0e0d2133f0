#include "ecdsa_signature.h"

#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

Bytes ecdsaSignatureToDer(ByteView raw) {
  const std::size_t half = raw.size() / 2;
  auto r = ossl::own(BN_bin2bn(raw.data(), checkedCast<int>(half), nullptr), "BN_bin2bn");
  auto s = ossl::own(BN_bin2bn(raw.data() + half, checkedCast<int>(half), nullptr), "BN_bin2bn");
  auto sig = ossl::own(ECDSA_SIG_new(), "ECDSA_SIG_new");
  ossl::check(ECDSA_SIG_set0(sig.get(), r.get(), s.get()), "ECDSA_SIG_set0");
  r.release();  // owned by sig now
  s.release();
  return ossl::toDer(i2d_ECDSA_SIG, sig.get(), "i2d_ECDSA_SIG");
}

}  // namespace kyso::pki
