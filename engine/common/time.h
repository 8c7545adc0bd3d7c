// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aldis {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

inline std::int64_t unixMillisNow()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline std::int64_t unixSecondsNow()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// Parses a duration such as "250ms", "5s", "10m", "24h", "7d" (a bare number is
// seconds). Returns nothing when the text is not a duration.
std::optional<Millis> parseDuration(std::string_view text);
std::string formatDuration(Millis d);

} // namespace aldis
