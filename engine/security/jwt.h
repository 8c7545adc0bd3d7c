// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"
#include "security/permissions.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace aldis::security {

// What a verified token says about its holder.
struct Claims {
    std::string sub;
    std::int64_t exp = 0;                      // unix seconds
    std::optional<Permissions> permissions;    // absent: no restriction beyond namespaces
    // Which configured key verified the token (a hash of its algorithm and material),
    // so that a reload that removes the key can tell which connections it signed.
    std::uint64_t keyFingerprint = 0;
};

// Why a token was refused. `reason` is a short label for the
// aldis_auth_failures_total{reason} metric; `message` is for people.
struct AuthFailure {
    ErrorCode code = ErrorCode::unauthorized;  // token_expired for an expired token
    std::string reason;   // malformed, algorithm, signature, expired, missing_exp,
                          // not_yet_valid, issuer, audience, missing_sub, permissions
    std::string message;
};

using VerifyResult = std::variant<Claims, AuthFailure>;

// Verifies client JWTs against the configured keys (HS256, RS256, ES256 through
// libjwt). The algorithm in the token header is checked against each key's explicit
// allow-list before any signature check, so `alg: none` and HS/RS confusion never
// reach the crypto. Immutable after creation: safe to share between threads; a reload
// builds a new verifier.
class JwtVerifier {
public:
    static Result<std::shared_ptr<const JwtVerifier>> create(const config::AuthConfig& auth);
    ~JwtVerifier();

    VerifyResult verify(std::string_view token, std::int64_t nowUnixSeconds) const;

    // Whether claims this or an earlier verifier accepted still stand after a reload:
    // the key that verified them is still configured and the user is not in
    // auth.revoked_subjects. The failure says which (reason "revoked").
    std::optional<AuthFailure> revalidate(const Claims& claims) const;

private:
    struct Key;
    JwtVerifier() = default;
    std::vector<Key> m_keys;
    std::string m_issuer;
    std::string m_audience;
    std::vector<std::string> m_revokedSubjects;
    std::int64_t m_leewaySeconds = 30;
};

// Mints an HS256 token (for `aldis token` and tests).
struct MintOptions {
    std::string sub;
    std::int64_t ttlSeconds = 3600;
    std::optional<Permissions> permissions;
    std::string issuer;
    std::string audience;
    std::string kid;
};
Result<std::string> mintHs256(std::string_view secret, const MintOptions& options,
                              std::int64_t nowUnixSeconds);

// Checks a presented API key (POST /v1/publish) in constant time per key.
bool apiKeyMatches(const std::vector<std::string>& keys, std::string_view presented);

} // namespace aldis::security
