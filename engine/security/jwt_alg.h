// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The JWT algorithms this node verifies, and their names.
namespace aldis::security::detail {

// The algorithms a key may be configured for. Everything else (none, HS384, PS256,
// ...) is refused before any crypto runs.
enum class JwtAlg { hs256, rs256, es256 };

inline constexpr std::array<JwtAlg, 3> kAllAlgs{JwtAlg::hs256, JwtAlg::rs256, JwtAlg::es256};

std::string_view algName(JwtAlg alg) noexcept;

// Exact, case-sensitive names (RFC 7515 4.1.1). libjwt itself compares without case,
// which is one reason the header is read here first.
std::optional<JwtAlg> algFromName(std::string_view name) noexcept;

// "HS256, RS256" for a message.
std::string joinAlgs(const std::vector<JwtAlg>& algs);

} // namespace aldis::security::detail
