// SPDX-License-Identifier: Apache-2.0
#include "client/backoff.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace aldis::client {

std::chrono::milliseconds backoffCap(const BackoffOptions& options, unsigned attempt) noexcept
{
    const double initial = static_cast<double>(std::max<std::int64_t>(0, options.initial.count()));
    const double max = static_cast<double>(std::max<std::int64_t>(0, options.max.count()));
    const double multiplier = std::max(1.0, options.multiplier);
    const double cap = std::min(max, initial * std::pow(multiplier, static_cast<double>(std::min(attempt, 64u))));
    return std::chrono::milliseconds(static_cast<std::int64_t>(cap));
}

namespace detail {

std::chrono::milliseconds Backoff::jitter(unsigned attempt)
{
    const auto cap = backoffCap(m_options, attempt).count();
    if (cap <= 0)
        return std::chrono::milliseconds(0);
    std::uniform_int_distribution<std::int64_t> pick(0, cap);
    return std::chrono::milliseconds(pick(m_random));
}

} // namespace detail

} // namespace aldis::client
