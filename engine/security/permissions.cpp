// SPDX-License-Identifier: Apache-2.0
#include "security/permissions.h"

#include "protocol/channel.h"

namespace aldis::security {

// A trailing `*` is the only wildcard: "chat:*" is the prefix "chat:", "*" the empty
// prefix (every channel). Anything else must be equal byte for byte. An empty pattern
// matches nothing, so a default-constructed string can never grant access.
bool patternMatches(std::string_view pattern, std::string_view channel) noexcept
{
    if (pattern.empty())
        return false;
    if (pattern.back() == '*') {
        pattern.remove_suffix(1);
        return channel.substr(0, pattern.size()) == pattern;
    }
    return pattern == channel;
}

bool anyPatternMatches(const std::vector<std::string>& patterns, std::string_view channel) noexcept
{
    for (const auto& pattern : patterns)
        if (patternMatches(pattern, channel))
            return true;
    return false;
}

bool isValidPattern(std::string_view pattern) noexcept
{
    if (pattern.empty() || pattern.size() > protocol::kMaxChannelBytes)
        return false;
    // The `*` may only be the last byte; everything before it is channel characters.
    if (pattern.back() == '*')
        pattern.remove_suffix(1);
    for (char c : pattern)
        if (!protocol::isChannelChar(c))
            return false;
    return true;
}

// The users of a user channel are everything after the first `#`, split on `,`.
// Empty entries (`dm#,alice` or a bare trailing `#`) name nobody, and an empty `user`
// never matches, so an anonymous holder cannot read `inbox#`.
bool userChannelAllows(std::string_view channel, std::string_view user) noexcept
{
    const auto hash = channel.find('#');
    if (hash == std::string_view::npos)
        return true;
    if (user.empty())
        return false;
    std::string_view users = channel.substr(hash + 1);
    while (true) {
        const auto comma = users.find(',');
        if (users.substr(0, comma) == user)
            return true;
        if (comma == std::string_view::npos)
            return false;
        users.remove_prefix(comma + 1);
    }
}

} // namespace aldis::security
