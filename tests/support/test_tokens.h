// SPDX-License-Identifier: Apache-2.0
#pragma once

// JWTs built by hand for the authentication tests: tokens minted as of a given time
// (so their exp is known, and may be past), and tokens the daemon must refuse (wrong
// key, alg "none", a tampered payload, claims mintHs256() refuses to produce).
// token() in ws_test_client.h is the ordinary valid one.

#include "support/test_support.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace aldis::test {

// base64url without padding, as in JWTs.
std::string base64Url(std::string_view bytes);

// A token minted as if "now" were `now`, so its exp is known (and may be past).
std::string tokenAt(const std::string& sub, std::int64_t now, std::int64_t ttl,
                    std::string_view secret = DaemonProcess::kSecret);
// Expired an hour ago (well beyond any leeway).
std::string expiredToken(const std::string& sub);
// Valid in every way but signed with another secret than the daemon's.
std::string wrongSecretToken(const std::string& sub);
// {"alg":"none"} and an empty signature.
std::string algNoneToken(const std::string& sub);
// A valid token whose payload was replaced (sub changed): the signature no longer fits.
std::string tamperedToken(const std::string& sub);

// An HS256 token with exactly these header and payload claims, signed with the
// daemon's secret: for claims mintHs256() refuses to produce.
std::string signedToken(const std::string& header, const std::string& payload);
// signedToken() with the payload first and the usual HS256 header by default.
std::string claimsToken(const std::string& payload, const std::string& header = R"({"alg":"HS256","typ":"JWT"})");

} // namespace aldis::test
