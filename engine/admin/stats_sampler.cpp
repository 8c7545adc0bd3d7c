// SPDX-License-Identifier: Apache-2.0
#include "admin/stats_sampler.h"

#include <algorithm>

namespace aldis::admin {

namespace {

observability::Histogram::Snapshot minus(const observability::Histogram::Snapshot& now,
                                         const observability::Histogram::Snapshot& before)
{
    observability::Histogram::Snapshot out;
    for (std::size_t i = 0; i < out.counts.size(); ++i)
        out.counts[i] = now.counts[i] - std::min(now.counts[i], before.counts[i]);
    out.count = now.count - std::min(now.count, before.count);
    out.sum = std::max(0.0, now.sum - before.sum);
    return out;
}

double perSecond(std::uint64_t now, std::uint64_t before, double seconds)
{
    if (seconds <= 0 || now < before)
        return 0;
    return static_cast<double>(now - before) / seconds;
}

} // namespace

LatencySummary LatencySummary::of(const observability::Histogram::Snapshot& snapshot)
{
    LatencySummary out;
    out.count = snapshot.count;
    if (snapshot.count == 0)
        return out;
    out.p50Ms = snapshot.quantile(0.50) * 1000;
    out.p95Ms = snapshot.quantile(0.95) * 1000;
    out.p99Ms = snapshot.quantile(0.99) * 1000;
    for (std::size_t i = 0; i < snapshot.counts.size(); ++i)
        if (snapshot.counts[i] > 0)
            out.buckets.emplace_back(observability::Histogram::upperBound(i) * 1000, snapshot.counts[i]);
    return out;
}

StatsSampler::StatsSampler(const observability::Metrics& metrics) : m_metrics(metrics) {}

StatsSampler::Counters StatsSampler::read(Clock::time_point now) const
{
    Counters c;
    c.at = now;
    c.publications = m_metrics.publications.value();
    c.deliveries = m_metrics.deliveries.value();
    c.commands = m_metrics.commands.value();
    c.accepted = m_metrics.connectionsTotal.value();
    c.open = m_metrics.connections.value();
    const auto open = static_cast<std::uint64_t>(std::max<std::int64_t>(0, c.open));
    c.closed = c.accepted - std::min(c.accepted, open);
    const auto byCode = m_metrics.disconnects.values();
    if (auto it = byCode.find("4007"); it != byCode.end())
        c.drained = it->second;
    return c;
}

StatsSnapshot StatsSampler::sample(Clock::time_point now, std::int64_t wallMs)
{
    const auto current = read(now);
    const auto latency = m_metrics.publishToDeliver.snapshot();
    const auto store = m_metrics.storeAppend.snapshot();

    StatsSnapshot s;
    s.timeMs = wallMs;
    s.connections = current.open;
    s.subscriptions = m_metrics.subscriptions.value();
    s.channels = m_metrics.channels.value();
    if (m_previous) {
        const double seconds = std::chrono::duration<double>(now - m_previous->at).count();
        s.intervalS = seconds;
        s.publicationsPerS = perSecond(current.publications, m_previous->publications, seconds);
        s.deliveriesPerS = perSecond(current.deliveries, m_previous->deliveries, seconds);
        s.commandsPerS = perSecond(current.commands, m_previous->commands, seconds);
        s.connectsPerS = perSecond(current.accepted, m_previous->accepted, seconds);
        s.disconnectsPerS = perSecond(current.closed, m_previous->closed, seconds);
        s.latency = LatencySummary::of(minus(latency, m_previousLatency));
        s.storeAppend = LatencySummary::of(minus(store, m_previousStore));
    }
    s.latencyTotal = LatencySummary::of(latency);

    // Connection drops over the last minute: closed connections, minus those the
    // node closed itself while draining, over the connections open a minute ago plus
    // those accepted since.
    m_minute.push_back(current);
    while (m_minute.size() > 1 && now - m_minute.front().at > std::chrono::seconds(60))
        m_minute.pop_front();
    const auto& oldest = m_minute.front();
    const auto closed = current.closed - std::min(current.closed, oldest.closed);
    const auto drained = current.drained - std::min(current.drained, oldest.drained);
    s.drops1m = closed - std::min(closed, drained);
    const auto population = static_cast<double>(std::max<std::int64_t>(0, oldest.open)) +
                            static_cast<double>(current.accepted - std::min(current.accepted, oldest.accepted));
    s.dropPercent1m = population > 0 ? 100.0 * static_cast<double>(s.drops1m) / population : 0;

    m_previous = current;
    m_previousLatency = latency;
    m_previousStore = store;
    return s;
}

} // namespace aldis::admin
