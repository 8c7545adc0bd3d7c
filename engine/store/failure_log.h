// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/time.h"

#include <cstdint>
#include <string>

namespace aldis::store::detail {

// Logs the failures of one recurring activity of a store (its commits, its
// checkpoints) without flooding the log while a disk stays full: the first failure
// at once, then at most one line per interval saying how many failed meanwhile (a
// new cause at once), and one line when the activity succeeds again. Counting them is the broker's job
// (aldis_store_errors_total); this is what an operator reads to learn the cause.
//
// Threads: belongs to the thread that runs the activity (the store's writer).
class FailureLog {
public:
    // `what` names the activity and its file, e.g. "commits to '/var/lib/aldis/aldis.db'".
    explicit FailureLog(std::string what, Millis interval = std::chrono::seconds(10))
        : m_what(std::move(what)), m_interval(interval)
    {
    }

    // One failure: `cause` says why (a different cause than the last one logged is
    // logged at once), `detail` what it meant for clients.
    void failed(const std::string& cause, const std::string& detail = {});
    // One success: logs the recovery when there were failures before.
    void succeeded();
    bool failing() const noexcept { return m_failures > 0; }

private:
    std::string m_what;
    Millis m_interval;
    std::uint64_t m_failures = 0;  // since the last success
    std::uint64_t m_unlogged = 0;  // since the last line
    Clock::time_point m_lastLine{};
    std::string m_lastCause;       // of the last line
};

} // namespace aldis::store::detail
