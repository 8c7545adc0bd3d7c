// SPDX-License-Identifier: Apache-2.0
#include "admin/alert_engine.h"

#include <fmt/format.h>

#include <algorithm>

namespace aldis::admin {

AlertEngine::AlertEngine(const config::AlertsConfig& config) : m_config(config) {}

void AlertEngine::setConfig(const config::AlertsConfig& config)
{
    m_config = config;
}

std::vector<AlertRule> AlertEngine::rules() const
{
    return {
        {"p99_latency", m_config.p99LatencyMs, "ms"},
        {"consumer_lag", m_config.consumerLag, "messages"},
        {"connection_drops", m_config.connectionDropPercent, "percent per minute"},
    };
}

std::vector<AlertChange> AlertEngine::evaluate(const StatsSnapshot& s, Clock::time_point now)
{
    std::vector<AlertChange> changes;

    // A second without deliveries says nothing about latency: the condition keeps
    // its previous value rather than clearing on silence.
    const double p99 = s.latency.p99Ms;
    const bool latencyKnown = s.latency.count > 0;
    const auto& latencyState = m_states["p99_latency"];
    const bool latencyHigh = m_config.p99LatencyMs > 0 &&
                             (latencyKnown ? p99 > m_config.p99LatencyMs : latencyState.conditionHeld);
    update("p99_latency", latencyHigh, latencyKnown ? p99 : latencyState.alert.value, m_config.p99LatencyMs,
           latencyKnown ? fmt::format("publish-to-deliver p99 {:.1f} ms is above {:g} ms", p99, m_config.p99LatencyMs)
                        : latencyState.alert.message,
           s, now, changes);

    std::int64_t worstLag = 0;
    std::string worstPartition;
    for (const auto& l : s.lag) {
        if (l.lag > worstLag) {
            worstLag = l.lag;
            worstPartition = fmt::format("{}[{}]", l.topic, l.partition);
        }
    }
    update("consumer_lag", m_config.consumerLag > 0 && static_cast<double>(worstLag) > m_config.consumerLag,
           static_cast<double>(worstLag), m_config.consumerLag,
           fmt::format("bridge partition {} is {} messages behind (threshold {:g})", worstPartition, worstLag,
                       m_config.consumerLag),
           s, now, changes);

    const bool drops = m_config.connectionDropPercent > 0 && s.drops1m >= m_config.connectionDropMinimum &&
                       s.dropPercent1m > m_config.connectionDropPercent;
    update("connection_drops", drops, s.dropPercent1m, m_config.connectionDropPercent,
           fmt::format("{} connections ({:.1f}%) closed in the last minute, above {:g}%", s.drops1m, s.dropPercent1m,
                       m_config.connectionDropPercent),
           s, now, changes);
    return changes;
}

void AlertEngine::update(const std::string& rule, bool condition, double value, double threshold,
                         std::string message, const StatsSnapshot& snapshot, Clock::time_point now,
                         std::vector<AlertChange>& changes)
{
    auto& st = m_states[rule];
    if (condition != st.conditionHeld) {
        st.conditionHeld = condition;
        st.changedAt = now;
    }
    if (st.firing) {
        if (condition) {
            st.alert.value = value;
            st.alert.message = std::move(message);
        }
    }
    const bool held = now - st.changedAt >= m_config.holdFor;
    if (!st.firing && condition && held) {
        st.firing = true;
        st.alert = Alert{rule, snapshot.timeMs, value, threshold, std::move(message)};
        changes.push_back({true, st.alert});
    } else if (st.firing && !condition && held) {
        st.firing = false;
        changes.push_back({false, st.alert});
    }
}

std::vector<Alert> AlertEngine::active() const
{
    std::vector<Alert> out;
    for (const auto& [name, st] : m_states)
        if (st.firing)
            out.push_back(st.alert);
    return out;
}

} // namespace aldis::admin
