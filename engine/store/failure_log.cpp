// SPDX-License-Identifier: Apache-2.0
#include "store/failure_log.h"

#include <spdlog/spdlog.h>

namespace aldis::store::detail {

void FailureLog::failed(const std::string& cause, const std::string& detail)
{
    ++m_failures;
    const auto now = Clock::now();
    if (m_failures > 1 && now - m_lastLine < m_interval && cause == m_lastCause) {
        ++m_unlogged;
        return;
    }
    const std::string tail = detail.empty() ? std::string() : " (" + detail + ")";
    if (m_failures == 1)
        spdlog::error("store: {} failed: {}{}", m_what, cause, tail);
    else
        spdlog::error("store: {} still fail ({} more failures since the last report): {}{}", m_what,
                      m_unlogged + 1, cause, tail);
    m_unlogged = 0;
    m_lastLine = now;
    m_lastCause = cause;
}

void FailureLog::succeeded()
{
    if (m_failures == 0)
        return;
    spdlog::warn("store: {} succeed again, after {} failures", m_what, m_failures);
    m_failures = 0;
    m_unlogged = 0;
}

} // namespace aldis::store::detail
