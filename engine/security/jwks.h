// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"
#include "security/jwt_alg.h"

#include <string>
#include <vector>

// JWKS (RFC 7517): each usable JWK becomes a SubjectPublicKeyInfo PEM, so libjwt
// verifies with it exactly as with a configured PEM key. Used by
// JwtVerifier::create; no state, safe on any thread.
namespace aldis::security::detail {

// One key taken from a JWKS: its kid (the config key's id when the JWK has none), the
// one algorithm it verifies and its public key as PEM.
struct JwkKey {
    std::string id;
    JwtAlg alg = JwtAlg::rs256;
    std::string pem;
};

// Parses the JWKS of `config` into keys. `allowed` is the config key's allow-list
// (RS256 and/or ES256). A JWK with a `use` other than "sig" is skipped; any other
// JWK this node cannot use is an error, so a mistake in the file is reported at start
// rather than found when a token fails.
Result<std::vector<JwkKey>> keysFromJwks(const config::JwtKeyConfig& config, const std::vector<JwtAlg>& allowed);

} // namespace aldis::security::detail
