// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/time.h"
#include "observability/metrics.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aldis::admin {

// Quantiles and non-empty buckets of one histogram (or of the difference of two
// snapshots of it), in milliseconds.
struct LatencySummary {
    std::uint64_t count = 0;
    double p50Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    std::vector<std::pair<double, std::uint64_t>> buckets; // upper bound in ms, count

    static LatencySummary of(const observability::Histogram::Snapshot& snapshot);
};

// How far a bridge consumer is behind on one partition (empty until the bridge exists).
struct PartitionLag {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t lag = 0;
};

// One stats message of the admin stream (docs/admin-api.md, "Stats snapshot").
struct StatsSnapshot {
    std::int64_t timeMs = 0;
    double intervalS = 0;
    std::int64_t connections = 0;
    std::int64_t subscriptions = 0;
    std::int64_t channels = 0;
    double publicationsPerS = 0;
    double deliveriesPerS = 0;
    double commandsPerS = 0;
    double connectsPerS = 0;
    double disconnectsPerS = 0;
    double dropPercent1m = 0;
    std::uint64_t drops1m = 0;      // closed connections in the last minute (not the node's drain)
    LatencySummary latency;         // last interval
    LatencySummary latencyTotal;    // since start
    LatencySummary storeAppend;     // last interval
    std::vector<PartitionLag> lag;
};

// Turns the node's cumulative metrics into per-interval figures: rates are the
// difference between two samples over the time between them; the latency of the
// interval is the difference of two histogram snapshots.
//
// Threads: used from one strand (the admin server's ticker); not thread-safe.
class StatsSampler {
public:
    explicit StatsSampler(const observability::Metrics& metrics);

    // Takes a sample at `now` (steady clock, for intervals) stamped `wallMs`.
    StatsSnapshot sample(Clock::time_point now, std::int64_t wallMs);

private:
    struct Counters {
        Clock::time_point at;
        std::uint64_t publications = 0;
        std::uint64_t deliveries = 0;
        std::uint64_t commands = 0;
        std::uint64_t accepted = 0;
        std::uint64_t closed = 0;       // accepted - open
        std::uint64_t drained = 0;      // closed by the node's own drain (4007)
        std::int64_t open = 0;
    };
    Counters read(Clock::time_point now) const;

    const observability::Metrics& m_metrics;
    std::optional<Counters> m_previous;
    observability::Histogram::Snapshot m_previousLatency;
    observability::Histogram::Snapshot m_previousStore;
    std::deque<Counters> m_minute;  // samples of the last minute, oldest first
};

} // namespace aldis::admin
