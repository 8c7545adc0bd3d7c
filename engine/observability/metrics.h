// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace aldis::observability {

// A monotonically increasing count. Lock-free; relaxed ordering is enough because
// readers only need an eventually consistent figure.
class Counter {
public:
    void add(std::uint64_t n = 1) noexcept { m_value.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> m_value{0};
};

class Gauge {
public:
    void add(std::int64_t n) noexcept { m_value.fetch_add(n, std::memory_order_relaxed); }
    void set(std::int64_t n) noexcept { m_value.store(n, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> m_value{0};
};

// A latency histogram with log-spaced buckets (4 per power of two, from 1 us to about
// 67 s). Observations are lock-free. Quantiles are estimated from the buckets.
class Histogram {
public:
    static constexpr std::size_t kBuckets = 104;

    void observe(double seconds) noexcept;

    struct Snapshot {
        std::array<std::uint64_t, kBuckets> counts{};
        std::uint64_t count = 0;
        double sum = 0;
        double quantile(double q) const noexcept; // seconds
    };
    Snapshot snapshot() const noexcept;

    static double upperBound(std::size_t bucket) noexcept; // seconds
    static std::size_t bucketOf(double seconds) noexcept;

private:
    friend class HistogramBatch;
    std::array<std::atomic<std::uint64_t>, kBuckets> m_counts{};
    std::atomic<std::uint64_t> m_count{0};
    std::atomic<std::uint64_t> m_sumNanos{0};
};

// Observations gathered by one thread and added to a Histogram at once: one atomic
// add per bucket touched instead of three per observation. A session observes every
// frame of a completed write this way.
class HistogramBatch {
public:
    void observe(double seconds) noexcept;
    void addTo(Histogram& histogram) noexcept;

private:
    std::array<std::uint32_t, Histogram::kBuckets> m_counts{};
    std::uint64_t m_count = 0;
    std::uint64_t m_sumNanos = 0;
    std::size_t m_low = Histogram::kBuckets;
    std::size_t m_high = 0;
};

// A counter per label value (for a few label values, such as failure reasons).
class LabeledCounter {
public:
    void add(const std::string& label, std::uint64_t n = 1);
    std::map<std::string, std::uint64_t> values() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::uint64_t> m_values;
};

// A gauge per label value (alert rules by name).
class LabeledGauge {
public:
    void set(const std::string& label, std::int64_t value);
    std::map<std::string, std::int64_t> values() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::int64_t> m_values;
};

// The node's metrics (PROTOCOL.md, "GET /metrics"). One instance per node, shared by
// every module; all members are safe to use from any thread.
struct Metrics {
    Gauge connections;           // WebSocket sessions
    Gauge sseStreams;            // Server-Sent Events streams (GET /v1/sse)
    Counter connectionsTotal;
    Counter publications;
    Counter deliveries;
    Counter commands;
    Counter slowConsumerDisconnects;
    Counter rateLimited;
    Counter tlsHandshakeFailures;
    Counter duplicatePublications;
    Histogram publishToDeliver;
    Histogram handshake;
    Histogram storeAppend;
    Counter storeErrors;         // store requests that failed (disk full, I/O error, database down)
    LabeledCounter authFailures;
    LabeledCounter disconnects;  // by close code
    Gauge channels;
    Gauge subscriptions;
    LabeledGauge alertsActive;   // 1 while the rule fires, by rule name

    // Cluster (the Kafka bridge); zero on a standalone node.
    Counter remotePublications;  // committed on other nodes, received through the bridge
    Counter gapFills;            // store reads that filled a hole in a channel's order
    Counter gapSkipped;          // offsets no longer in the store when a hole was filled
    Counter bridgeRefused;       // publishes refused because the bridge was congested
    Gauge bridgeQueued;          // events waiting for Kafka
    LabeledGauge consumerLag;    // by "topic/partition"

    // Prometheus text exposition format 0.0.4.
    std::string renderPrometheus() const;
};

} // namespace aldis::observability
