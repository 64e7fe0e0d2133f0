#include <gtest/gtest.h>

#include "kyso/api/metrics.h"
#include "router.h"

namespace kyso::api {
namespace {

TEST(Router, MatchesTemplatesAndReportsOtherMethods) {
  detail::Router router;
  int hit = 0;
  router.add({"GET", "/v1/signing-sessions/{id}", {}, [&](detail::Exchange&) { hit = 1; }});
  router.add({"POST", "/v1/signing-sessions/{id}/signature", {Role::Signer}, [&](detail::Exchange&) { hit = 2; }});
  router.add({"POST", "/v1/sign/pdf", {Role::Signer}, [&](detail::Exchange&) { hit = 3; }});

  auto m = router.match("GET", "/v1/signing-sessions/abc123");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/signing-sessions/{id}");
  EXPECT_EQ(m.parameters.at("id"), "abc123");

  m = router.match("POST", "/v1/signing-sessions/abc/signature");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->roles, std::vector<Role>{Role::Signer});

  m = router.match("GET", "/v1/sign/pdf");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowedMethods, std::vector<std::string>{"POST"});

  EXPECT_EQ(router.match("GET", "/v1/signing-sessions/").route, nullptr);
  EXPECT_EQ(router.match("GET", "/v1/sign/pdf/extra").allowedMethods.size(), 0u);
  EXPECT_EQ(router.match("GET", "").route, nullptr);
}

TEST(Metrics, RendersCountersAndCumulativeHistograms) {
  Metrics metrics;
  metrics.observeRequest("POST", "/v1/sign/pdf", 200, 0.02);
  metrics.observeRequest("POST", "/v1/sign/pdf", 200, 0.3);
  metrics.observeRequest("POST", "/v1/sign/pdf", 422, 0.001);
  metrics.countSignature("pdf", "B-T", "seal");
  metrics.countError("pdf_encrypted");
  const std::string text = metrics.render();
  EXPECT_NE(text.find("# TYPE kyso_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("kyso_http_requests_total{method=\"POST\",route=\"/v1/sign/pdf\",status=\"200\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("kyso_http_request_duration_seconds_bucket{route=\"/v1/sign/pdf\",le=\"0.005\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("kyso_http_request_duration_seconds_bucket{route=\"/v1/sign/pdf\",le=\"0.025\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("kyso_http_request_duration_seconds_bucket{route=\"/v1/sign/pdf\",le=\"+Inf\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("kyso_http_request_duration_seconds_count{route=\"/v1/sign/pdf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("kyso_signatures_total{format=\"pdf\",level=\"B-T\",key=\"seal\"} 1"), std::string::npos);
  EXPECT_NE(text.find("kyso_errors_total{code=\"pdf_encrypted\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace kyso::api
