// SPDX-License-Identifier: Apache-2.0
#include "security/jwt.h"

#include <boost/json.hpp>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace aldis::security {

namespace detail {

// The algorithms a key may be configured for. Everything else (none, HS384, PS256,
// ...) is refused before any crypto runs.
enum class JwtAlg { hs256, rs256, es256 };

} // namespace detail

// One configured verification key. `secret` is used for HS256 and `publicKeyPem`
// (validated at creation: RSA for RS256, EC P-256 for ES256) for RS256/ES256, so a
// key allowed for both HS256 and RS256 can never feed its PEM text to HMAC.
struct JwtVerifier::Key {
    std::string id;
    std::vector<detail::JwtAlg> algorithms;
    std::string secret;
    std::string publicKeyPem;

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

using detail::JwtAlg;

// Larger tokens are refused before any decoding: a permission list that needs more
// than this belongs in namespace settings, and it bounds the work an unauthenticated
// peer can cause.
constexpr std::size_t kMaxTokenBytes = 32 * 1024;

// Values copied from a token into a message are cut to this and made printable, so a
// hostile claim cannot flood or garble logs.
constexpr std::size_t kMaxQuotedBytes = 64;

constexpr std::array<JwtAlg, 3> kAllAlgs{JwtAlg::hs256, JwtAlg::rs256, JwtAlg::es256};

std::string_view algName(JwtAlg alg) noexcept
{
    switch (alg) {
    case JwtAlg::hs256: return "HS256";
    case JwtAlg::rs256: return "RS256";
    case JwtAlg::es256: return "ES256";
    }
    return "?";
}

// Exact, case-sensitive names (RFC 7515 4.1.1). libjwt itself compares without case,
// which is one reason the header is read here first.
std::optional<JwtAlg> algFromName(std::string_view name) noexcept
{
    for (auto alg : kAllAlgs)
        if (algName(alg) == name)
            return alg;
    return std::nullopt;
}

jwt_alg_t toLibjwt(JwtAlg alg) noexcept
{
    switch (alg) {
    case JwtAlg::hs256: return JWT_ALG_HS256;
    case JwtAlg::rs256: return JWT_ALG_RS256;
    case JwtAlg::es256: return JWT_ALG_ES256;
    }
    return JWT_ALG_INVAL;
}

struct JwtFree {
    void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

struct CFree {
    void operator()(char* p) const noexcept { std::free(p); }
};

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};

struct BnFree {
    void operator()(BIGNUM* bn) const noexcept { BN_free(bn); }
};

struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* bld) const noexcept { OSSL_PARAM_BLD_free(bld); }
};

struct ParamFree {
    void operator()(OSSL_PARAM* params) const noexcept { OSSL_PARAM_free(params); }
};

AuthFailure fail(std::string reason, std::string message,
                 ErrorCode code = ErrorCode::unauthorized)
{
    return AuthFailure{code, std::move(reason), std::move(message)};
}

// A token-supplied string, quoted, cut to kMaxQuotedBytes and with anything outside
// printable ASCII replaced by '?'.
std::string shown(std::string_view text)
{
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < kMaxQuotedBytes; ++i) {
        const char c = text[i];
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (text.size() > kMaxQuotedBytes)
        out += "...";
    out += '\'';
    return out;
}

bool isBase64UrlChar(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '_';
}

int base64UrlValue(char c) noexcept
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// Unpadded base64url (RFC 7515 2). Padding, whitespace and the standard alphabet are
// refused: a JWT never holds them.
std::optional<std::string> base64UrlDecode(std::string_view in)
{
    if (in.size() % 4 == 1)
        return std::nullopt;
    std::string out;
    out.reserve(in.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        const int v = base64UrlValue(c);
        if (v < 0)
            return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xffu);
        }
    }
    return out;
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

Error configError(const config::JwtKeyConfig& key, std::string_view what)
{
    return makeError(ErrorCode::bad_request,
                     "auth key " + shown(key.id) + ": " + std::string(what));
}

// Loads the PEM the way libjwt 1.10 does when verifying (PEM_read_bio_PUBKEY, a
// SubjectPublicKeyInfo "BEGIN PUBLIC KEY" block), so a key that passes here is a key
// libjwt can use, and checks that its type fits the algorithm. `pem` is the key's
// configured PEM, or one made from a JWK (then `context` names the JWK).
Result<void> checkPublicKey(const config::JwtKeyConfig& key, const std::string& pem, JwtAlg alg,
                            std::string_view context = {})
{
    auto refuse = [&key, context](std::string_view what) {
        return configError(key, std::string(context) + std::string(what));
    };
    const std::string_view name = algName(alg);
    if (pem.empty())
        return refuse(std::string(name) + " needs a public key; set public_key_file or jwks_file");
    if (pem.size() > static_cast<std::size_t>(INT_MAX))
        return refuse("the public key is too large");

    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        return makeError(ErrorCode::internal, "out of memory while reading a public key");
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
        PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();   // a failed parse leaves entries on this thread's OpenSSL error queue
    if (!pkey) {
        if (pem.find("PRIVATE KEY") != std::string::npos)
            return refuse("the PEM holds a private key; configure the public key "
                          "(openssl pkey -in key.pem -pubout)");
        return refuse("the public key is not a PEM \"BEGIN PUBLIC KEY\" block; "
                      "convert it with: openssl pkey -pubin -in key.pem -pubout");
    }

    if (alg == JwtAlg::rs256) {
        if (!EVP_PKEY_is_a(pkey.get(), "RSA"))
            return refuse("RS256 needs an RSA public key, but the PEM holds another key type");
        if (EVP_PKEY_get_bits(pkey.get()) < 2048)
            return refuse("the RSA key has " + std::to_string(EVP_PKEY_get_bits(pkey.get()))
                          + " bits; RS256 needs at least 2048");
        return {};
    }
    // ES256: EC on P-256 only (RFC 7518 3.4).
    if (!EVP_PKEY_is_a(pkey.get(), "EC"))
        return refuse("ES256 needs an EC P-256 public key, but the PEM holds another key type");
    std::array<char, 64> group{};
    std::size_t groupLength = 0;
    if (EVP_PKEY_get_group_name(pkey.get(), group.data(), group.size(), &groupLength) != 1) {
        ERR_clear_error();
        return refuse("cannot read the curve of the EC key; ES256 needs P-256");
    }
    const std::string_view curve(group.data(), groupLength);
    if (curve != "prime256v1" && curve != "P-256")
        return refuse("the EC key is on curve " + std::string(curve)
                      + "; ES256 needs P-256 (prime256v1)");
    return {};
}

std::string joinAlgs(const std::vector<JwtAlg>& algs)
{
    std::string out;
    for (auto alg : algs) {
        if (!out.empty())
            out += ", ";
        out += algName(alg);
    }
    return out;
}

// ---------------------------------------------------------------------------
// JWKS (RFC 7517): each usable JWK becomes a SubjectPublicKeyInfo PEM, so libjwt
// verifies with it exactly as with a configured PEM key.

// One key taken from a JWKS: its kid (the config key's id when the JWK has none), the
// one algorithm it verifies and its public key as PEM.
struct JwkKey {
    std::string id;
    JwtAlg alg = JwtAlg::rs256;
    std::string pem;
};

// The largest RSA modulus OpenSSL verifies with (OPENSSL_RSA_MAX_MODULUS_BITS).
constexpr int kMaxRsaBits = 16384;

// A JWK member as a string: nullopt when absent; sets `error` when present but not a
// string.
std::optional<std::string_view> jwkString(const boost::json::object& jwk, std::string_view name,
                                          std::string& error)
{
    const auto* value = jwk.if_contains(name);
    if (!value)
        return std::nullopt;
    const auto* text = value->if_string();
    if (!text) {
        error = std::string(name) + " must be a string";
        return std::nullopt;
    }
    return std::string_view(text->data(), text->size());
}

// A base64url-encoded big-endian integer or coordinate (RFC 7518 6.2, 6.3). Trailing
// '=' padding, which RFC 7518 forbids but some issuers write, is tolerated.
std::optional<std::string> jwkBytes(const boost::json::object& jwk, std::string_view name,
                                    std::string& error)
{
    auto text = jwkString(jwk, name, error);
    if (!error.empty())
        return std::nullopt;
    if (!text || text->empty()) {
        error = "the member " + std::string(name) + " is missing or empty";
        return std::nullopt;
    }
    std::string_view encoded = *text;
    for (int i = 0; i < 2 && !encoded.empty() && encoded.back() == '='; ++i)
        encoded.remove_suffix(1);
    auto bytes = base64UrlDecode(encoded);
    if (!bytes || bytes->empty()) {
        error = std::string(name) + " is not base64url";
        return std::nullopt;
    }
    return bytes;
}

// A public key of `type` ("RSA" or "EC") built with EVP_PKEY_fromdata from the
// parameters in `builder`, written as PEM. `refusal` is the error when OpenSSL refuses
// the parameters.
std::optional<std::string> pemFromParams(const char* type, OSSL_PARAM_BLD* builder,
                                         std::string_view refusal, std::string& error)
{
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    const bool built = params && ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1
        && EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) == 1;
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(raw);
    if (!built || !pkey) {
        ERR_clear_error();
        error = refusal;
        return std::nullopt;
    }
    if (std::string_view(type) == "EC") {
        // The point must be on the curve. EVP_PKEY_fromdata checks this as well; the
        // explicit check does not depend on that.
        std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
            EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
        if (!check || EVP_PKEY_public_check(check.get()) != 1) {
            ERR_clear_error();
            error = refusal;
            return std::nullopt;
        }
    }
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) {
        ERR_clear_error();
        error = "OpenSSL cannot write it as PEM";
        return std::nullopt;
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    if (!data || size <= 0) {
        error = "OpenSSL cannot write it as PEM";
        return std::nullopt;
    }
    return std::string(data, static_cast<std::size_t>(size));
}

// kty "RSA": n and e (RFC 7518 6.3.1).
std::optional<std::string> rsaPem(const boost::json::object& jwk, std::string& error)
{
    const auto n = jwkBytes(jwk, "n", error);
    if (!n)
        return std::nullopt;
    const auto e = jwkBytes(jwk, "e", error);
    if (!e)
        return std::nullopt;
    auto toBn = [](const std::string& bytes) {
        return std::unique_ptr<BIGNUM, BnFree>(
            BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
    };
    if (n->size() > kMaxRsaBits / 8 + 1 || e->size() > kMaxRsaBits / 8 + 1) {
        error = "the key is larger than " + std::to_string(kMaxRsaBits) + " bits";
        return std::nullopt;
    }
    auto modulus = toBn(*n);
    auto exponent = toBn(*e);
    if (!modulus || !exponent) {
        error = "out of memory";
        return std::nullopt;
    }
    if (BN_num_bits(modulus.get()) > kMaxRsaBits) {
        error = "n has " + std::to_string(BN_num_bits(modulus.get())) + " bits; at most "
            + std::to_string(kMaxRsaBits) + " are supported";
        return std::nullopt;
    }
    if (!BN_is_odd(exponent.get()) || BN_num_bits(exponent.get()) < 2) {
        error = "e must be an odd number of at least 3 (usually 65537, \"AQAB\")";
        return std::nullopt;
    }
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1
        || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
        ERR_clear_error();
        error = "out of memory";
        return std::nullopt;
    }
    return pemFromParams("RSA", builder.get(), "OpenSSL refuses n and e as an RSA public key",
                         error);
}

// kty "EC", crv "P-256": x and y, 32 bytes each (RFC 7518 6.2.1), as an uncompressed
// point.
std::optional<std::string> ecPem(const boost::json::object& jwk, std::string& error)
{
    constexpr std::size_t kCoordinateBytes = 32;
    std::string point(1, '\x04');
    for (const char* name : {"x", "y"}) {
        const auto coordinate = jwkBytes(jwk, name, error);
        if (!coordinate)
            return std::nullopt;
        if (coordinate->size() != kCoordinateBytes) {
            error = std::string(name) + " has " + std::to_string(coordinate->size())
                + " bytes; P-256 needs " + std::to_string(kCoordinateBytes);
            return std::nullopt;
        }
        point += *coordinate;
    }
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder
        || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                           "prime256v1", 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                            point.data(), point.size()) != 1) {
        ERR_clear_error();
        error = "out of memory";
        return std::nullopt;
    }
    return pemFromParams("EC", builder.get(), "x and y are not a point on P-256", error);
}

// Parses the JWKS of `config` into keys. `allowed` is the config key's allow-list
// (RS256 and/or ES256). A JWK with a `use` other than "sig" is skipped; any other
// JWK this node cannot use is an error, so a mistake in the file is reported at start
// rather than found when a token fails.
Result<std::vector<JwkKey>> keysFromJwks(const config::JwtKeyConfig& config,
                                         const std::vector<JwtAlg>& allowed)
{
    const std::string source = config.jwksFile.empty()
        ? std::string("the JWKS")
        : "the JWKS '" + config.jwksFile.string() + "'";
    auto refuse = [&](std::string_view what) {
        return configError(config, source + ": " + std::string(what));
    };
    auto isAllowed = [&allowed](JwtAlg alg) {
        return std::find(allowed.begin(), allowed.end(), alg) != allowed.end();
    };

    if (config.jwksJson.empty())
        return refuse("is empty; expected {\"keys\": [...]}");
    boost::system::error_code ec;
    const boost::json::value root = boost::json::parse(config.jwksJson, ec);
    if (ec)
        return refuse("is not valid JSON (" + ec.message() + ")");
    const auto* object = root.if_object();
    if (!object)
        return refuse("is not a JSON object; expected {\"keys\": [...]}");
    const auto* keysValue = object->if_contains("keys");
    const auto* keys = keysValue ? keysValue->if_array() : nullptr;
    if (!keys)
        return refuse("has no \"keys\" array; expected {\"keys\": [...]}");
    if (keys->empty())
        return refuse("has an empty \"keys\" array");

    std::vector<JwkKey> out;
    for (std::size_t i = 0; i < keys->size(); ++i) {
        std::string label = "keys[" + std::to_string(i) + "]";
        const auto* jwk = (*keys)[i].if_object();
        if (!jwk)
            return refuse(label + " is not a JSON object");
        std::string error;
        auto bad = [&](std::string_view what) { return refuse(label + ": " + std::string(what)); };

        const auto kid = jwkString(*jwk, "kid", error);
        if (!error.empty())
            return bad(error);
        if (kid && kid->empty())
            return bad("kid is empty; give the key an id or remove kid");
        if (kid)
            label += " (kid " + shown(*kid) + ")";

        if (jwk->contains("d"))
            return bad("holds a private key (member d); the JWKS must hold public keys only");
        const auto use = jwkString(*jwk, "use", error);
        if (!error.empty())
            return bad(error);
        if (use && *use != "sig")
            continue;   // an encryption key ("enc") published next to the signing keys

        const auto kty = jwkString(*jwk, "kty", error);
        if (!error.empty())
            return bad(error);
        if (!kty)
            return bad("has no kty; expected \"RSA\" or \"EC\"");
        JwtAlg alg = JwtAlg::rs256;
        if (*kty == "RSA") {
            alg = JwtAlg::rs256;
        } else if (*kty == "EC") {
            alg = JwtAlg::es256;
            const auto crv = jwkString(*jwk, "crv", error);
            if (!error.empty())
                return bad(error);
            if (!crv)
                return bad("has no crv; ES256 needs \"P-256\"");
            if (*crv != "P-256")
                return bad("crv " + shown(*crv) + " is not supported; ES256 needs P-256");
        } else {
            return bad("kty " + shown(*kty)
                       + " is not supported; use RSA keys (RS256) or EC P-256 keys (ES256)"
                       + (*kty == "oct" ? "; configure an HS256 secret as secret in its own "
                                          "[[auth.keys]]"
                                        : ""));
        }

        const auto jwkAlg = jwkString(*jwk, "alg", error);
        if (!error.empty())
            return bad(error);
        if (jwkAlg) {
            const auto named = algFromName(*jwkAlg);
            if (!named || !isAllowed(*named))
                return bad("alg " + shown(*jwkAlg)
                           + " is not among the algorithms configured for this key ("
                           + joinAlgs(allowed) + ")");
            if (*named != alg)
                return bad("alg " + shown(*jwkAlg) + " does not match kty " + shown(*kty) + " ("
                           + shown(*kty) + " keys verify " + std::string(algName(alg)) + ")");
        } else if (!isAllowed(alg)) {
            return bad("a kty " + shown(*kty) + " key verifies " + std::string(algName(alg))
                       + ", which is not among the algorithms configured for this key ("
                       + joinAlgs(allowed) + "); add it or remove the key from the JWKS");
        }

        auto pem = alg == JwtAlg::rs256 ? rsaPem(*jwk, error) : ecPem(*jwk, error);
        if (!pem)
            return bad(error);
        // The PEM is read back as libjwt will read it (and RSA keys need 2048 bits).
        const std::string context = source + ": " + label + ": ";
        if (auto checked = checkPublicKey(config, *pem, alg, context); !checked)
            return std::move(checked).error();
        out.push_back(JwkKey{kid ? std::string(*kid) : config.id, alg, std::move(*pem)});
    }
    if (out.empty())
        return refuse("holds no signing keys (every key has a \"use\" other than \"sig\")");
    return out;
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
    return std::shared_ptr<const JwtVerifier>(std::move(verifier));
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
    bool verified = false;
    for (const Key* key : candidates) {
        const auto material = key->material(*alg);
        jwt_t* raw = nullptr;
        const int rc = jwt_decode(&raw, tokenText.c_str(),
                                  reinterpret_cast<const unsigned char*>(material.data()),
                                  static_cast<int>(material.size()));
        JwtPtr decoded(raw);
        if (rc == 0 && decoded && jwt_get_alg(decoded.get()) == toLibjwt(*alg)) {
            verified = true;
            break;
        }
        // Failed verifications leave entries on this thread's OpenSSL error queue; an
        // Asio SSL stream on the same thread would otherwise read them as its own.
        ERR_clear_error();
    }
    if (!verified)
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

    if (const auto* permissionsValue = payload->if_contains("permissions")) {
        auto parsed = parsePermissions(*permissionsValue);
        if (auto* error = std::get_if<std::string>(&parsed))
            return fail("permissions", std::move(*error));
        claims.permissions = std::get<Permissions>(std::move(parsed));
    }
    return claims;
}

Result<std::string> mintHs256(std::string_view secret, const MintOptions& options,
                              std::int64_t nowUnixSeconds)
{
    if (secret.empty())
        return makeError(ErrorCode::bad_request, "cannot mint a token: the HS256 secret is empty");
    if (secret.size() > static_cast<std::size_t>(INT_MAX))
        return makeError(ErrorCode::bad_request, "cannot mint a token: the secret is too large");
    if (options.sub.empty())
        return makeError(ErrorCode::bad_request, "cannot mint a token without a subject (sub)");
    if (options.ttlSeconds <= 0
        || options.ttlSeconds > std::numeric_limits<long>::max() - nowUnixSeconds)
        return makeError(ErrorCode::bad_request, "cannot mint a token: the lifetime must be a "
                                                 "positive number of seconds");

    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0 || !raw)
        return makeError(ErrorCode::internal, "out of memory while minting a token");
    JwtPtr jwt(raw);

    int rc = jwt_add_grant(jwt.get(), "sub", options.sub.c_str());
    rc = rc ? rc : jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(nowUnixSeconds));
    rc = rc ? rc : jwt_add_grant_int(jwt.get(), "exp",
                                     static_cast<long>(nowUnixSeconds + options.ttlSeconds));
    if (!rc && !options.issuer.empty())
        rc = jwt_add_grant(jwt.get(), "iss", options.issuer.c_str());
    if (!rc && !options.audience.empty())
        rc = jwt_add_grant(jwt.get(), "aud", options.audience.c_str());
    if (!rc && options.permissions) {
        boost::json::object permissions;
        for (auto [name, patterns] : {std::pair{"subscribe", &options.permissions->subscribe},
                                      std::pair{"publish", &options.permissions->publish}}) {
            boost::json::array array;
            for (const auto& pattern : *patterns) {
                if (!isValidPattern(pattern))
                    return makeError(ErrorCode::bad_request,
                                     "cannot mint a token: " + shown(pattern)
                                         + " is not a channel pattern");
                array.emplace_back(pattern);
            }
            permissions[name] = std::move(array);
        }
        boost::json::object grants;
        grants["permissions"] = std::move(permissions);
        rc = jwt_add_grants_json(jwt.get(), boost::json::serialize(grants).c_str());
    }
    if (!rc && !options.kid.empty())
        rc = jwt_add_header(jwt.get(), "kid", options.kid.c_str());
    if (!rc)
        rc = jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                         reinterpret_cast<const unsigned char*>(secret.data()),
                         static_cast<int>(secret.size()));
    if (rc)
        return makeError(ErrorCode::internal,
                         "libjwt could not build the token (error " + std::to_string(rc) + ")");

    std::unique_ptr<char, CFree> encoded(jwt_encode_str(jwt.get()));
    if (!encoded)
        return makeError(ErrorCode::internal, "libjwt could not encode the token");
    return std::string(encoded.get());
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
