// SPDX-License-Identifier: Apache-2.0
#include "common/time.h"

#include <charconv>

namespace aldis {

std::optional<Millis> parseDuration(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || value < 0)
        return std::nullopt;
    std::string_view unit(end, text.data() + text.size() - end);
    std::int64_t factor = 0;
    if (unit.empty() || unit == "s") factor = 1000;
    else if (unit == "ms") factor = 1;
    else if (unit == "m") factor = 60'000;
    else if (unit == "h") factor = 3'600'000;
    else if (unit == "d") factor = 86'400'000;
    else return std::nullopt;
    if (value > INT64_MAX / factor)
        return std::nullopt;
    return Millis(value * factor);
}

std::string formatDuration(Millis d)
{
    auto ms = d.count();
    if (ms % 86'400'000 == 0 && ms) return std::to_string(ms / 86'400'000) + "d";
    if (ms % 3'600'000 == 0 && ms) return std::to_string(ms / 3'600'000) + "h";
    if (ms % 60'000 == 0 && ms) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

} // namespace aldis
