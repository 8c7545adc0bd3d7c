// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"
#include "security/jwt_alg.h"

#include <string>
#include <string_view>

// The check every RS256/ES256 public key passes, whether configured as a PEM or made
// from a JWK. No state; safe on any thread.
namespace aldis::security::detail {

// Loads the PEM the way libjwt 1.10 does when verifying (PEM_read_bio_PUBKEY, a
// SubjectPublicKeyInfo "BEGIN PUBLIC KEY" block), so a key that passes here is a key
// libjwt can use, and checks that its type fits the algorithm: RSA of at least 2048
// bits for RS256, EC P-256 for ES256. `pem` is the key's configured PEM, or one made
// from a JWK (then `context` names the JWK and starts the message).
Result<void> checkPublicKey(const config::JwtKeyConfig& key, const std::string& pem, JwtAlg alg,
                            std::string_view context = {});

} // namespace aldis::security::detail
