// The citizens' verification page and its static files, embedded in the binary at build time
// (web/static → web/cmake/EmbedWebAssets.cmake), so an installed kyso serves them without a data
// directory. What is served where, and with which cache and security headers, is decided here;
// api/src/web_handlers.cpp only puts it on the wire.
#pragma once

#include <span>
#include <string_view>

namespace kyso::web {

struct Asset {
  std::string_view name;         // as in web/static: "verify.js"
  std::string_view servedName;   // "verify.1f2e3d4c5b6a7988.js" (content-hashed); a page keeps its name
  std::string_view contentType;  // "text/javascript; charset=utf-8"
  std::string_view etag;         // strong entity tag, quoted: "\"<32 hex digits of the SHA-256>\""
  std::string_view body;
  bool contentHashed = false;  // its URL changes with its content: cacheable for good
};

// Every embedded file, pages included.
std::span<const Asset> assets();

// The page served at /verify.
const Asset& verifyPage();

// "/verify/assets/": where the content-hashed files are served, by their served names.
std::string_view assetPathPrefix();

// A content-hashed file by its served name ("verify.1f2e3d4c5b6a7988.js"); nullptr if there is none.
const Asset* assetByServedName(std::string_view servedName);

// The page's Content-Security-Policy: scripts, styles, images and requests from this origin only,
// no inline script or style, no plugins, no framing, DOM sinks behind Trusted Types.
std::string_view pageSecurityPolicy();

// Cache-Control for an asset: content-hashed files for a year (immutable), pages revalidated by
// their ETag on every use.
std::string_view cacheControl(const Asset& asset);

// Whether an If-None-Match header value (RFC 9110 §13.1.2: "*" or a list of entity tags, weak
// comparison) matches `etag`.
bool ifNoneMatchMatches(std::string_view headerValue, std::string_view etag);

}  // namespace kyso::web
