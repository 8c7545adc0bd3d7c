// SPDX-License-Identifier: Apache-2.0
#include "security/jwt.h"

#include "security/crypto_ptr.h"
#include "security/jwks.h"
#include "security/jwt_alg.h"
#include "security/jwt_text.h"
#include "security/public_key.h"

#include <boost/json.hpp>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>

namespace aldis::security {

// One configured verification key. `secret` is used for HS256 and `publicKeyPem`
// (validated at creation: RSA for RS256, EC P-256 for ES256) for RS256/ES256, so a
// key allowed for both HS256 and RS256 can never feed its PEM text to HMAC.
struct JwtVerifier::Key {
    std::string id;
    std::vector<detail::JwtAlg> algorithms;
    std::string secret;
    std::string publicKeyPem;
    std::uint64_t fingerprint = 0; // of the algorithms and material; see Claims

    bool allows(detail::JwtAlg alg) const noexcept
    {
        for (auto a : algorithms)
            if (a == alg)
                return true;
        return false;
    }

    std::string_view material(detail::JwtAlg alg) const noexcept
    {
        return alg == detail::JwtAlg::hs256 ? std::string_view(secret)
                                            : std::string_view(publicKeyPem);
    }
};

namespace {

using detail::algFromName;
using detail::algName;
using detail::base64UrlDecode;
using detail::checkPublicKey;
using detail::configError;
using detail::isBase64UrlChar;
using detail::joinAlgs;
using detail::JwtAlg;
using detail::JwtPtr;
using detail::kAllAlgs;
using detail::keysFromJwks;
using detail::shown;

// Larger tokens are refused before any decoding: a permission list that needs more
// than this belongs in namespace settings, and it bounds the work an unauthenticated
// peer can cause.
constexpr std::size_t kMaxTokenBytes = 32 * 1024;

jwt_alg_t toLibjwt(JwtAlg alg) noexcept
{
    switch (alg) {
    case JwtAlg::hs256: return JWT_ALG_HS256;
    case JwtAlg::rs256: return JWT_ALG_RS256;
    case JwtAlg::es256: return JWT_ALG_ES256;
    }
    return JWT_ALG_INVAL;
}

AuthFailure fail(std::string reason, std::string message,
                 ErrorCode code = ErrorCode::unauthorized)
{
    return AuthFailure{code, std::move(reason), std::move(message)};
}

// A base64url part holding a JSON object, or nothing.
std::optional<boost::json::object> decodeObject(std::string_view part)
{
    auto text = base64UrlDecode(part);
    if (!text)
        return std::nullopt;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(*text, ec);
    if (ec || !value.is_object())
        return std::nullopt;
    return std::move(value.get_object());
}

enum class Rounding { down, up };

// A NumericDate (RFC 7519 2): JSON numbers may arrive as int64, uint64 or double.
// Values beyond int64 saturate; a fractional time is rounded in the direction that
// makes the check stricter (exp down, nbf up).
std::optional<std::int64_t> numericDate(const boost::json::value& value, Rounding rounding)
{
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    if (value.is_int64())
        return value.get_int64();
    if (value.is_uint64())
        return value.get_uint64() > static_cast<std::uint64_t>(kMax)
            ? kMax : static_cast<std::int64_t>(value.get_uint64());
    if (value.is_double()) {
        double d = value.get_double();
        if (!std::isfinite(d))
            return std::nullopt;
        d = rounding == Rounding::down ? std::floor(d) : std::ceil(d);
        if (d >= 9.2e18)
            return kMax;
        if (d <= -9.2e18)
            return kMin;
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

// Reads one list of patterns of the `permissions` claim into `out`; returns a message
// for people on failure.
std::optional<std::string> readPatterns(const boost::json::value& value, std::string_view name,
                                        std::vector<std::string>& out)
{
    const auto* array = value.if_array();
    if (!array)
        return "permissions." + std::string(name) + " must be an array of channel patterns";
    out.reserve(array->size());
    for (const auto& item : *array) {
        const auto* text = item.if_string();
        if (!text)
            return "permissions." + std::string(name) + " holds a value that is not a string";
        const std::string_view pattern(text->data(), text->size());
        if (!isValidPattern(pattern))
            return "permissions." + std::string(name) + " holds " + shown(pattern)
                + ", which is not a channel pattern (1 to 255 channel characters, "
                  "optionally ending in '*')";
        out.emplace_back(pattern);
    }
    return std::nullopt;
}

// `{"subscribe": [...], "publish": [...]}`. A missing list is an empty one (allows
// nothing). Unknown members are refused rather than ignored, so a misspelt list
// ("publsh") is reported instead of silently granting less than intended.
std::variant<Permissions, std::string> parsePermissions(const boost::json::value& value)
{
    const auto* object = value.if_object();
    if (!object)
        return std::string("permissions must be an object "
                           "{\"subscribe\": [...], \"publish\": [...]}");
    Permissions permissions;
    for (const auto& member : *object) {
        const std::string_view key(member.key().data(), member.key().size());
        std::optional<std::string> error;
        if (key == "subscribe")
            error = readPatterns(member.value(), key, permissions.subscribe);
        else if (key == "publish")
            error = readPatterns(member.value(), key, permissions.publish);
        else
            error = "permissions holds the unknown member " + shown(key)
                + "; only subscribe and publish are understood";
        if (error)
            return std::move(*error);
    }
    return permissions;
}

bool audienceContains(const boost::json::value& aud, std::string_view wanted)
{
    if (const auto* text = aud.if_string())
        return std::string_view(text->data(), text->size()) == wanted;
    if (const auto* array = aud.if_array()) {
        for (const auto& item : *array)
            if (const auto* text = item.if_string())
                if (std::string_view(text->data(), text->size()) == wanted)
                    return true;
    }
    return false;
}

} // namespace

JwtVerifier::~JwtVerifier() = default;

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::create(const config::AuthConfig& auth)
{
    if (auth.leeway.count() < 0)
        return makeError(ErrorCode::bad_request, "auth leeway is negative; use 0s or more");

    std::shared_ptr<JwtVerifier> verifier(new JwtVerifier());
    verifier->m_issuer = auth.issuer;
    verifier->m_audience = auth.audience;
    verifier->m_revokedSubjects = auth.revokedSubjects;
    verifier->m_leewaySeconds = std::chrono::ceil<std::chrono::seconds>(auth.leeway).count();

    for (const auto& config : auth.keys) {
        if (config.algorithms.empty())
            return configError(config, "no algorithms are allowed; set algorithms to one of "
                                       "HS256, RS256, ES256");
        std::vector<JwtAlg> allowed;
        for (const auto& name : config.algorithms) {
            const auto alg = algFromName(name);
            if (!alg)
                return configError(config, "algorithm " + shown(name)
                                               + " is not supported; use HS256, RS256 or ES256");
            if (std::find(allowed.begin(), allowed.end(), *alg) == allowed.end())
                allowed.push_back(*alg);
        }

        // A JWKS becomes one key per JWK: its kid is the id a token's kid selects, and
        // it allows only the algorithm of its type (RS256 for RSA, ES256 for EC P-256).
        if (!config.jwksJson.empty() || !config.jwksFile.empty()) {
            if (std::find(allowed.begin(), allowed.end(), JwtAlg::hs256) != allowed.end())
                return configError(config, "HS256 cannot be verified with a JWKS; a JWKS key "
                                           "allows RS256 and/or ES256 (configure the HS256 "
                                           "secret as its own key)");
            if (!config.secret.empty())
                return configError(config, "a key with a JWKS cannot also have a secret");
            if (!config.publicKeyPem.empty())
                return configError(config, "has both a JWKS and a public key; keep one");
            auto jwks = keysFromJwks(config, allowed);
            if (!jwks)
                return std::move(jwks).error();
            for (auto& jwk : *jwks) {
                Key key;
                key.id = std::move(jwk.id);
                key.algorithms = {jwk.alg};
                key.publicKeyPem = std::move(jwk.pem);
                verifier->m_keys.push_back(std::move(key));
            }
            continue;
        }

        Key key;
        key.id = config.id;
        for (const auto alg : allowed) {
            if (alg == JwtAlg::hs256) {
                if (config.secret.empty())
                    return configError(config, "HS256 needs a secret");
                if (config.secret.size() > static_cast<std::size_t>(INT_MAX))
                    return configError(config, "the secret is too large");
            } else if (auto checked = checkPublicKey(config, config.publicKeyPem, alg); !checked) {
                return std::move(checked).error();
            }
            key.algorithms.push_back(alg);
        }
        // Only the material an allowed algorithm uses is kept.
        if (key.allows(JwtAlg::hs256))
            key.secret = config.secret;
        if (key.allows(JwtAlg::rs256) || key.allows(JwtAlg::es256))
            key.publicKeyPem = config.publicKeyPem;
        verifier->m_keys.push_back(std::move(key));
    }
    for (auto& key : verifier->m_keys) {
        std::string identity = key.id + '\n' + key.secret + '\n' + key.publicKeyPem;
        for (auto alg : key.algorithms)
            identity += algName(alg);
        key.fingerprint = std::hash<std::string>{}(identity);
    }
    return std::shared_ptr<const JwtVerifier>(std::move(verifier));
}

std::optional<AuthFailure> JwtVerifier::revalidate(const Claims& claims) const
{
    if (std::find(m_revokedSubjects.begin(), m_revokedSubjects.end(), claims.sub) != m_revokedSubjects.end())
        return AuthFailure{ErrorCode::unauthorized, "revoked",
                           "user " + shown(claims.sub) + " is revoked on this node (auth.revoked_subjects)"};
    for (const auto& key : m_keys)
        if (key.fingerprint == claims.keyFingerprint)
            return std::nullopt;
    return AuthFailure{ErrorCode::unauthorized, "revoked",
                       "the key that signed this token is no longer configured (auth.keys changed); "
                       "get a new token"};
}

// Thread safety: only const members are read. libjwt 1.10 keeps no global state on
// this path (no allocator hooks; jansson and OpenSSL 3 objects are per call), so
// concurrent calls are safe. See README.md for the libjwt notes.
VerifyResult JwtVerifier::verify(std::string_view token, std::int64_t nowUnixSeconds) const
{
    // 1. Shape: three base64url parts, bounded size.
    if (token.empty())
        return fail("malformed", "no token was given; send a JWT in the Authorization header "
                                 "or the connect command");
    if (token.size() > kMaxTokenBytes)
        return fail("malformed", "the token is " + std::to_string(token.size())
                                     + " bytes; the limit is " + std::to_string(kMaxTokenBytes));
    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return fail("malformed", "the token is not a JWT: it must be three base64url parts "
                                 "separated by '.'");
    const auto headerPart = token.substr(0, dot1);
    const auto payloadPart = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const auto signaturePart = token.substr(dot2 + 1);
    // Checking every byte also guarantees that no NUL reaches libjwt, which reads the
    // token as a C string.
    for (char c : token)
        if (c != '.' && !isBase64UrlChar(c))
            return fail("malformed", "the token holds characters outside base64url; send it "
                                     "exactly as issued");

    auto header = decodeObject(headerPart);
    if (!header)
        return fail("malformed", "the token header is not a base64url-encoded JSON object");
    auto payload = decodeObject(payloadPart);
    if (!payload)
        return fail("malformed", "the token payload is not a base64url-encoded JSON object");

    // 2. Algorithm and candidate keys, decided here before any crypto.
    const auto* algValue = header->if_contains("alg");
    if (!algValue)
        return fail("algorithm", "the token header has no alg; this node accepts only signed "
                                 "tokens (HS256, RS256 or ES256)");
    const auto* algText = algValue->if_string();
    if (!algText)
        return fail("malformed", "the token header alg is not a string");
    const std::string_view algString(algText->data(), algText->size());
    if (algString == "none")
        return fail("algorithm", "the token is unsigned (alg none); this node accepts only "
                                 "signed tokens");
    const auto alg = algFromName(algString);
    if (!alg)
        return fail("algorithm", "the token algorithm " + shown(algString)
                                     + " is not supported; this node accepts HS256, RS256 "
                                       "and ES256 as configured");
    // libjwt 1.10 refuses any typ other than "JWT" (without case); say so clearly.
    if (const auto* typ = header->if_contains("typ")) {
        const auto* typText = typ->if_string();
        if (!typText || typText->size() != 3 || (((*typText)[0] | 0x20) != 'j')
            || (((*typText)[1] | 0x20) != 'w') || (((*typText)[2] | 0x20) != 't'))
            return fail("malformed", "the token header typ must be \"JWT\" or absent");
    }
    // RFC 7515 4.1.11: extensions marked critical must be understood; none are.
    if (header->contains("crit"))
        return fail("malformed", "the token header lists critical extensions (crit), which "
                                 "this node does not support");
    std::optional<std::string_view> kid;
    if (const auto* kidValue = header->if_contains("kid")) {
        const auto* kidText = kidValue->if_string();
        if (!kidText)
            return fail("malformed", "the token header kid is not a string");
        kid = std::string_view(kidText->data(), kidText->size());
    }

    std::vector<const Key*> candidates;
    bool algConfigured = false;
    for (const auto& key : m_keys) {
        if (!key.allows(*alg))
            continue;
        algConfigured = true;
        if (!kid || key.id == *kid)
            candidates.push_back(&key);
    }
    if (candidates.empty()) {
        if (algConfigured)
            return fail("algorithm", "no key with id " + shown(*kid) + " accepts "
                                         + std::string(algName(*alg))
                                         + "; check the kid the token issuer sets");
        std::vector<JwtAlg> configured;
        for (auto a : kAllAlgs)
            for (const auto& key : m_keys)
                if (key.allows(a)) {
                    configured.push_back(a);
                    break;
                }
        return fail("algorithm", "this node accepts no key for " + std::string(algName(*alg))
                                     + (configured.empty()
                                            ? std::string("; it has no keys configured")
                                            : "; it accepts " + joinAlgs(configured)));
    }

    // 3. Signature, through libjwt, with the material the allow-list picked. libjwt's
    // own reading of alg must agree with ours (it resolves duplicate members and case
    // its own way), otherwise the token is refused.
    if (signaturePart.empty())
        return fail("signature", "the token has no signature");
    const std::string tokenText(token);
    const Key* verifiedBy = nullptr;
    for (const Key* key : candidates) {
        const auto material = key->material(*alg);
        jwt_t* raw = nullptr;
        const int rc = jwt_decode(&raw, tokenText.c_str(),
                                  reinterpret_cast<const unsigned char*>(material.data()),
                                  static_cast<int>(material.size()));
        JwtPtr decoded(raw);
        if (rc == 0 && decoded && jwt_get_alg(decoded.get()) == toLibjwt(*alg)) {
            verifiedBy = key;
            break;
        }
        // Failed verifications leave entries on this thread's OpenSSL error queue; an
        // Asio SSL stream on the same thread would otherwise read them as its own.
        ERR_clear_error();
    }
    if (!verifiedBy)
        return fail("signature", candidates.size() == 1
                                     ? "the token signature does not verify with "
                                           + (candidates.front()->id.empty()
                                                  ? "the " + std::string(algName(*alg)) + " key"
                                                  : "key " + shown(candidates.front()->id))
                                           + "; get a token signed by this node's issuer"
                                     : "the token signature does not verify with any of the "
                                           + std::to_string(candidates.size()) + " "
                                           + std::string(algName(*alg))
                                           + " keys; get a token signed by this node's issuer");

    // 4. Claims, read from the payload decoded above (libjwt's copy is not used).
    Claims claims;
    claims.keyFingerprint = verifiedBy->fingerprint;
    const auto* expValue = payload->if_contains("exp");
    if (!expValue)
        return fail("missing_exp", "the token has no exp claim; this node accepts only tokens "
                                   "that expire");
    const auto exp = numericDate(*expValue, Rounding::down);
    if (!exp)
        return fail("missing_exp", "the token exp claim is not a number of seconds");
    if (*exp < nowUnixSeconds - m_leewaySeconds)
        return fail("expired", "token expired " + std::to_string(nowUnixSeconds - *exp)
                                   + " s ago; get a new token and reconnect or send refresh",
                    ErrorCode::token_expired);
    claims.exp = *exp;

    if (const auto* nbfValue = payload->if_contains("nbf")) {
        const auto nbf = numericDate(*nbfValue, Rounding::up);
        if (!nbf)
            return fail("not_yet_valid", "the token nbf claim is not a number of seconds");
        if (*nbf > nowUnixSeconds + m_leewaySeconds)
            return fail("not_yet_valid", "the token is not valid for another "
                                             + std::to_string(*nbf - nowUnixSeconds)
                                             + " s (nbf); check the clocks of the token issuer "
                                               "and of this node");
    }

    if (const auto* iss = payload->if_contains("iss"); iss && !iss->is_string())
        return fail("issuer", "the token iss claim must be a string");
    if (!m_issuer.empty()) {
        const auto* iss = payload->if_contains("iss");
        const auto* issText = iss ? iss->if_string() : nullptr;
        if (!issText)
            return fail("issuer", "the token has no iss claim; this node accepts tokens issued by "
                                      + shown(m_issuer));
        const std::string_view issuer(issText->data(), issText->size());
        if (issuer != m_issuer)
            return fail("issuer", "the token was issued by " + shown(issuer)
                                      + "; this node accepts tokens issued by " + shown(m_issuer));
    }

    if (const auto* aud = payload->if_contains("aud"); !m_audience.empty()) {
        if (!aud || !audienceContains(*aud, m_audience))
            return fail("audience", "the token audience (aud) does not include "
                                        + shown(m_audience) + ", the audience of this node");
    } else if (aud) {
        // RFC 7519 4.1.3: a token meant for a named audience is refused by a recipient
        // that does not identify with it.
        return fail("audience", "the token is meant for an audience (aud) and this node has "
                                "none; set auth.audience, or mint the token without aud");
    }

    const auto* sub = payload->if_contains("sub");
    const auto* subText = sub ? sub->if_string() : nullptr;
    if (!subText || subText->empty())
        return fail("missing_sub", "the token has no sub claim (the user id); the token issuer "
                                   "must set it");
    claims.sub.assign(subText->data(), subText->size());
    if (std::find(m_revokedSubjects.begin(), m_revokedSubjects.end(), claims.sub) != m_revokedSubjects.end())
        return fail("revoked", "user " + shown(claims.sub) + " is revoked on this node (auth.revoked_subjects)");

    if (const auto* permissionsValue = payload->if_contains("permissions")) {
        auto parsed = parsePermissions(*permissionsValue);
        if (auto* error = std::get_if<std::string>(&parsed))
            return fail("permissions", std::move(*error));
        claims.permissions = std::get<Permissions>(std::move(parsed));
    }
    return claims;
}

// Both sides are hashed with SHA-256 and the digests compared with CRYPTO_memcmp, so
// the time taken depends neither on where the keys differ nor on their lengths. Every
// key is compared (no early return) so the time does not tell which key matched.
bool apiKeyMatches(const std::vector<std::string>& keys, std::string_view presented)
{
    if (presented.empty())
        return false;
    auto digest = [](std::string_view text, std::array<unsigned char, 32>& out) {
        unsigned int length = 0;
        return EVP_Digest(text.data(), text.size(), out.data(), &length, EVP_sha256(), nullptr) == 1
            && length == out.size();
    };
    std::array<unsigned char, 32> wanted{};
    if (!digest(presented, wanted))
        return false;
    bool matched = false;
    for (const auto& key : keys) {
        std::array<unsigned char, 32> candidate{};
        if (key.empty() || !digest(key, candidate))
            continue;
        matched |= CRYPTO_memcmp(candidate.data(), wanted.data(), wanted.size()) == 0;
    }
    return matched;
}

} // namespace aldis::security
