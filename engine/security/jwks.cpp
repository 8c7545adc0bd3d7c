// SPDX-License-Identifier: Apache-2.0
#include "security/jwks.h"

#include "security/crypto_ptr.h"
#include "security/jwt_text.h"
#include "security/public_key.h"

#include <boost/json.hpp>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

namespace aldis::security::detail {

namespace {

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

} // namespace

Result<std::vector<JwkKey>> keysFromJwks(const config::JwtKeyConfig& config, const std::vector<JwtAlg>& allowed)
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

} // namespace aldis::security::detail
