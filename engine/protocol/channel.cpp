// SPDX-License-Identifier: Apache-2.0
#include "protocol/channel.h"

namespace aldis::protocol {

bool isChannelChar(char c) noexcept
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '_': case '.': case ':': case '@': case '=': case ',': case ';': case '/': case '-': case '#':
        return true;
    default:
        return false;
    }
}

bool isValidChannel(std::string_view channel) noexcept
{
    if (channel.empty() || channel.size() > kMaxChannelBytes)
        return false;
    for (char c : channel)
        if (!isChannelChar(c))
            return false;
    return true;
}

std::string_view namespaceOf(std::string_view channel) noexcept
{
    auto colon = channel.find(':');
    if (colon == std::string_view::npos)
        return {};
    return channel.substr(0, colon);
}

} // namespace aldis::protocol
