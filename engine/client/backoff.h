// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/client.h"

#include <chrono>
#include <random>

namespace aldis::client::detail {

// Picks the delays of BackoffOptions ("full jitter", see backoffCap() in client.h):
// between reconnect attempts, between publishWithRetry() attempts and between
// attempts to restore a subscription.
//
// Threads: not thread-safe; the ClientCore that owns it uses it on the client strand.
class Backoff {
public:
    explicit Backoff(BackoffOptions options) : m_options(options) {}

    // A uniformly random delay in [0, backoffCap(options, attempt)].
    std::chrono::milliseconds jitter(unsigned attempt);

private:
    BackoffOptions m_options;
    std::mt19937_64 m_random{std::random_device{}()};
};

} // namespace aldis::client::detail
