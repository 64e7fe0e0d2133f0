#include "distinguished_name.h"

namespace kyso::pki {

ossl::Ptr<X509_NAME> toX509Name(const DistinguishedName& dn) {
  auto name = ossl::own(X509_NAME_new(), "X509_NAME_new");
  for (const auto& attribute : dn) {
    const int type = attribute.type == "C" ? MBSTRING_ASC : MBSTRING_UTF8;
    ossl::check(X509_NAME_add_entry_by_txt(name.get(), attribute.type.c_str(), type,
                                           reinterpret_cast<const unsigned char*>(attribute.value.c_str()), -1, -1, 0),
                "X509_NAME_add_entry_by_txt " + attribute.type);
  }
  return name;
}

}  // namespace kyso::pki
