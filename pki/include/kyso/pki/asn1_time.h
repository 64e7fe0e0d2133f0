// Conversions between ASN1_TIME and std::chrono.
#pragma once

#include "kyso/pki/clock.h"

typedef struct asn1_string_st ASN1_TIME;

namespace kyso::pki {

TimePoint fromAsn1Time(const ASN1_TIME* time);

}  // namespace kyso::pki
