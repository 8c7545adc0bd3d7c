// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace aldis::protocol {

constexpr std::size_t kMaxChannelBytes = 255;

// True for the characters a channel name may hold: [A-Za-z0-9_.:@=,;/-] and `#`
// (which marks a user channel).
bool isChannelChar(char c) noexcept;

// A channel name is 1 to 255 bytes of channel characters.
bool isValidChannel(std::string_view channel) noexcept;

// The namespace of a channel: the part before the first `:`, or "" (the default
// namespace) for a bare name.
std::string_view namespaceOf(std::string_view channel) noexcept;

} // namespace aldis::protocol
