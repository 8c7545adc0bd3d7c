// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: JWT parsing and verification with an HS256 key, as the node does
// for every connect and refresh.
#include "config/config.h"
#include "security/jwt.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
std::shared_ptr<const aldis::security::JwtVerifier> verifier()
{
    static const auto made = [] {
        aldis::config::AuthConfig auth;
        aldis::config::JwtKeyConfig key;
        key.id = "fuzz";
        key.algorithms = {"HS256"};
        key.secret = "fuzz-secret-fuzz-secret-fuzz-secret-0123";
        auth.keys.push_back(key);
        auto v = aldis::security::JwtVerifier::create(auth);
        if (!v)
            std::abort();
        return v.value();
    }();
    return made;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view token(reinterpret_cast<const char*>(data), size);
    (void)verifier()->verify(token, 1'800'000'000);
    return 0;
}
