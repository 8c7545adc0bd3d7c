// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: channel names, namespaces and permission patterns. The input is
// "pattern\nchannel\nuser"; invariants are checked, not only crashes.
#include "protocol/channel.h"
#include "security/permissions.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto next = [&in] {
        const auto nl = in.find('\n');
        const std::string_view part = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
        return part;
    };
    const std::string_view pattern = next();
    const std::string_view channel = next();
    const std::string_view user = in;

    using namespace aldis;
    const bool validChannel = protocol::isValidChannel(channel);
    const std::string_view ns = protocol::namespaceOf(channel);
    if (ns.size() > channel.size())
        __builtin_trap();
    const bool validPattern = security::isValidPattern(pattern);
    const bool matches = security::patternMatches(pattern, channel);
    // A valid channel is matched by itself as a pattern, and by "*".
    if (validChannel && security::isValidPattern(channel) && !security::patternMatches(channel, channel))
        __builtin_trap();
    if (validChannel && !security::patternMatches("*", channel))
        __builtin_trap();
    // A prefix pattern matches exactly the channels that start with its prefix.
    if (validPattern && !pattern.empty() && pattern.back() == '*' && validChannel
        && matches != (channel.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1)))
        __builtin_trap();
    (void)security::userChannelAllows(channel, user);
    return 0;
}
