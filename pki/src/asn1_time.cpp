#include "kyso/pki/asn1_time.h"

#include <ctime>

#include "kyso/pki/ossl.h"

namespace kyso::pki {

TimePoint fromAsn1Time(const ASN1_TIME* time) {
  std::tm fields{};
  ossl::check(ASN1_TIME_to_tm(time, &fields), "ASN1_TIME_to_tm");
  return std::chrono::system_clock::from_time_t(timegm(&fields));
}

}  // namespace kyso::pki
