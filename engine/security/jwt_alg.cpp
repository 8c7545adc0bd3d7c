// SPDX-License-Identifier: Apache-2.0
#include "security/jwt_alg.h"

namespace aldis::security::detail {

std::string_view algName(JwtAlg alg) noexcept
{
    switch (alg) {
    case JwtAlg::hs256: return "HS256";
    case JwtAlg::rs256: return "RS256";
    case JwtAlg::es256: return "ES256";
    }
    return "?";
}

std::optional<JwtAlg> algFromName(std::string_view name) noexcept
{
    for (auto alg : kAllAlgs)
        if (algName(alg) == name)
            return alg;
    return std::nullopt;
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

} // namespace aldis::security::detail
