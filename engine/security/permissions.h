// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aldis::security {

// Token permissions: channel patterns, each a channel name that may end in `*`
// (prefix match). An empty list allows nothing.
struct Permissions {
    std::vector<std::string> subscribe;
    std::vector<std::string> publish;
};

bool patternMatches(std::string_view pattern, std::string_view channel) noexcept;
bool anyPatternMatches(const std::vector<std::string>& patterns, std::string_view channel) noexcept;

// A valid pattern is 1 to 255 bytes of channel characters with at most one `*`, at the end.
bool isValidPattern(std::string_view pattern) noexcept;

// User channels: a channel whose name holds `#` belongs to the users listed after
// the `#` (comma-separated): `ns:inbox#alice`, `dm#alice,bob`. Returns true when the
// channel is not a user channel or `user` is one of its users.
bool userChannelAllows(std::string_view channel, std::string_view user) noexcept;

} // namespace aldis::security
