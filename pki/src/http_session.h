// Private to pki: the one place outbound HTTP(S) connections are opened (httpExchange and the
// partners' REST adapters), so TLS peers are verified the same way everywhere.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <memory>

namespace kyso::pki {

// A session to the URI's host and port: TLS when the scheme is https, verified against the
// system's CA certificates; plain HTTP otherwise.
std::unique_ptr<Poco::Net::HTTPClientSession> openHttpSession(const Poco::URI& uri);

}  // namespace kyso::pki
