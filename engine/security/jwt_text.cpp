// SPDX-License-Identifier: Apache-2.0
#include "security/jwt_text.h"

#include <cstddef>
#include <cstdint>

namespace aldis::security::detail {

namespace {

// Values copied from a token into a message are cut to this and made printable, so a
// hostile claim cannot flood or garble logs.
constexpr std::size_t kMaxQuotedBytes = 64;

int base64UrlValue(char c) noexcept
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

} // namespace

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

Error configError(const config::JwtKeyConfig& key, std::string_view what)
{
    return makeError(ErrorCode::bad_request,
                     "auth key " + shown(key.id) + ": " + std::string(what));
}

} // namespace aldis::security::detail
