// SPDX-License-Identifier: Apache-2.0
// mintHs256 (declared in jwt.h): HS256 tokens for `aldis token` and tests.
#include "security/jwt.h"

#include "security/crypto_ptr.h"
#include "security/jwt_text.h"

#include <boost/json.hpp>
#include <jwt.h>

#include <climits>
#include <limits>
#include <memory>
#include <utility>

namespace aldis::security {

namespace {

using detail::CFree;
using detail::JwtPtr;
using detail::shown;

} // namespace

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

} // namespace aldis::security
