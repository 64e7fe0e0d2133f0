// The fixture of the remote-signer suites: one partner simulator per suite (stopping a Poco server
// takes a quarter of a second), reset after each test, a fixed clock, and the check every failure
// gets, that no secret of the configuration reached the error.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "kyso/error.h"
#include "kyso/pki/clock.h"
#include "partner_simulator.h"

namespace kyso::test {

class PartnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { simulator = std::make_unique<PartnerSimulator>(); }
  static void TearDownTestSuite() { simulator.reset(); }
  // The routes call into this test's partner model, which goes away.
  void TearDown() override { sim.reset(); }

  // The error of a call, checked to name none of `secrets` in its message or its detail.
  static Error failure(const std::function<void()>& call, std::initializer_list<std::string> secrets) {
    std::optional<Error> error;
    try {
      call();
    } catch (const Error& e) {
      error = e;
    }
    if (!error) throw std::logic_error("the call did not fail");
    for (const std::string& secret : secrets) {
      EXPECT_EQ(std::string(error->what()).find(secret), std::string::npos) << error->what();
      EXPECT_EQ(error->detail().find(secret), std::string::npos) << error->detail();
    }
    return *error;
  }

  static inline std::unique_ptr<PartnerSimulator> simulator;
  PartnerSimulator& sim = *simulator;
  pki::FixedClock clock{pki::parseIso8601("2026-11-27T09:00:00Z")};
};

}  // namespace kyso::test
