// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/stats_sampler.h"
#include "common/time.h"
#include "config/config.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aldis::admin {

struct AlertRule {
    std::string name;       // p99_latency, consumer_lag, connection_drops
    double threshold = 0;   // 0: off
    std::string unit;
};

struct Alert {
    std::string rule;
    std::int64_t sinceMs = 0;
    double value = 0;
    double threshold = 0;
    std::string message;
};

struct AlertChange {
    bool raised = false;    // false: cleared
    Alert alert;
};

// The node's alert rules (docs/admin-api.md, alerts), evaluated on every stats
// snapshot so that headless nodes alert too. A rule fires once its condition held for
// `alerts.for` and clears once it has been false for as long (no flapping on a
// single bad second).
//
// Threads: used from the admin server's ticker strand only.
class AlertEngine {
public:
    explicit AlertEngine(const config::AlertsConfig& config);

    void setConfig(const config::AlertsConfig& config);
    std::vector<AlertRule> rules() const;

    // Evaluates every rule on `snapshot` taken at `now`; returns what changed.
    std::vector<AlertChange> evaluate(const StatsSnapshot& snapshot, Clock::time_point now);
    std::vector<Alert> active() const;

private:
    struct RuleState {
        bool firing = false;
        bool conditionHeld = false;
        Clock::time_point changedAt{};  // when the condition last flipped
        Alert alert;
    };
    void update(const std::string& rule, bool condition, double value, double threshold, std::string message,
                const StatsSnapshot& snapshot, Clock::time_point now, std::vector<AlertChange>& changes);

    config::AlertsConfig m_config;
    std::map<std::string, RuleState> m_states;
};

} // namespace aldis::admin
