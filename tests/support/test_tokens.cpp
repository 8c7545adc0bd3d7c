// SPDX-License-Identifier: Apache-2.0
#include "support/test_tokens.h"

#include "support/ws_test_client.h"

#include "common/time.h"
#include "security/jwt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace aldis::test {

std::string base64Url(std::string_view bytes)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (bytes.size() - i == 1) {
        const unsigned v = at(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (bytes.size() - i == 2) {
        const unsigned v = (at(i) << 16) | (at(i + 1) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::string tokenAt(const std::string& sub, std::int64_t now, std::int64_t ttl, std::string_view secret)
{
    aldis::security::MintOptions options;
    options.sub = sub;
    options.ttlSeconds = ttl;
    options.kid = "test";
    auto minted = aldis::security::mintHs256(secret, options, now);
    return minted ? minted.value() : std::string();
}

std::string expiredToken(const std::string& sub)
{
    return tokenAt(sub, aldis::unixSecondsNow() - 3600, 60);
}

std::string wrongSecretToken(const std::string& sub)
{
    return tokenAt(sub, aldis::unixSecondsNow(), 3600, "another-secret-another-secret-0123456789abc");
}

std::string algNoneToken(const std::string& sub)
{
    const auto exp = aldis::unixSecondsNow() + 3600;
    return base64Url(R"({"alg":"none","typ":"JWT"})") + "." +
           base64Url(R"({"sub":")" + sub + R"(","exp":)" + std::to_string(exp) + "}") + ".";
}

std::string tamperedToken(const std::string& sub)
{
    const auto good = token(sub);
    const auto first = good.find('.');
    const auto second = good.find('.', first + 1);
    const auto exp = aldis::unixSecondsNow() + 3600;
    return good.substr(0, first) + "." + base64Url(R"({"sub":"mallory","exp":)" + std::to_string(exp) + "}") +
           good.substr(second);
}

std::string signedToken(const std::string& header, const std::string& payload)
{
    const auto input = base64Url(header) + "." + base64Url(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLength = 0;
    const std::string_view secret = DaemonProcess::kSecret;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &macLength);
    return input + "." + base64Url(std::string_view(reinterpret_cast<const char*>(mac), macLength));
}

std::string claimsToken(const std::string& payload, const std::string& header)
{
    return signedToken(header, payload);
}

} // namespace aldis::test
