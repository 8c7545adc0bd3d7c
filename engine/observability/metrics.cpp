// SPDX-License-Identifier: Apache-2.0
#include "observability/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace aldis::observability {

namespace {
constexpr double kFirstBound = 1e-6; // 1 us
constexpr double kStepsPerDoubling = 4.0;

std::size_t bucketFor(double seconds) noexcept
{
    if (!(seconds > kFirstBound))
        return 0;
    // ceil(4 * log2(x)) without log2 (this runs once per delivered frame): x = g * 2^(e-1)
    // with g in [1, 2), and the quarter steps of g are compared with 2^(k/4).
    int e = 0;
    const double g = 2.0 * std::frexp(seconds / kFirstBound, &e);
    static_assert(kStepsPerDoubling == 4.0, "the thresholds below are quarter steps");
    const int quarter = g == 1.0 ? 0 : g <= 1.189207115002721 ? 1 : g <= 1.4142135623730951 ? 2 : g <= 1.681792830507429 ? 3 : 4;
    const long idx = 4L * (e - 1) + quarter;
    if (idx >= static_cast<long>(Histogram::kBuckets - 1))
        return Histogram::kBuckets - 1;
    return static_cast<std::size_t>(idx);
}

std::string formatDouble(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
} // namespace

double Histogram::upperBound(std::size_t bucket) noexcept
{
    return kFirstBound * std::exp2(static_cast<double>(bucket) / kStepsPerDoubling);
}

std::size_t Histogram::bucketOf(double seconds) noexcept
{
    return bucketFor(seconds);
}

void HistogramBatch::observe(double seconds) noexcept
{
    const std::size_t b = bucketFor(seconds);
    ++m_counts[b];
    m_low = std::min(m_low, b);
    m_high = std::max(m_high, b);
    ++m_count;
    if (seconds > 0)
        m_sumNanos += static_cast<std::uint64_t>(seconds * 1e9);
}

void HistogramBatch::addTo(Histogram& histogram) noexcept
{
    if (m_count == 0)
        return;
    for (std::size_t b = m_low; b <= m_high; ++b)
        if (m_counts[b])
            histogram.m_counts[b].fetch_add(m_counts[b], std::memory_order_relaxed);
    histogram.m_count.fetch_add(m_count, std::memory_order_relaxed);
    histogram.m_sumNanos.fetch_add(m_sumNanos, std::memory_order_relaxed);
    *this = HistogramBatch();
}

void Histogram::observe(double seconds) noexcept
{
    m_counts[bucketFor(seconds)].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    if (seconds > 0)
        m_sumNanos.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const noexcept
{
    Snapshot s;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        s.counts[i] = m_counts[i].load(std::memory_order_relaxed);
        s.count += s.counts[i];
    }
    s.sum = static_cast<double>(m_sumNanos.load(std::memory_order_relaxed)) / 1e9;
    return s;
}

double Histogram::Snapshot::quantile(double q) const noexcept
{
    if (count == 0)
        return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
    if (rank == 0)
        rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += counts[i];
        if (seen >= rank)
            return upperBound(i);
    }
    return upperBound(kBuckets - 1);
}

void LabeledCounter::add(const std::string& label, std::uint64_t n)
{
    std::lock_guard lock(m_mutex);
    m_values[label] += n;
}

std::map<std::string, std::uint64_t> LabeledCounter::values() const
{
    std::lock_guard lock(m_mutex);
    return m_values;
}

namespace {
void counter(std::string& out, const char* name, const char* help, std::uint64_t v)
{
    out += "# HELP "; out += name; out += ' '; out += help; out += '\n';
    out += "# TYPE "; out += name; out += " counter\n";
    out += name; out += ' '; out += std::to_string(v); out += '\n';
}

void gauge(std::string& out, const char* name, const char* help, std::int64_t v)
{
    out += "# HELP "; out += name; out += ' '; out += help; out += '\n';
    out += "# TYPE "; out += name; out += " gauge\n";
    out += name; out += ' '; out += std::to_string(v); out += '\n';
}

void histogram(std::string& out, const char* name, const char* help, const Histogram& h)
{
    auto s = h.snapshot();
    out += "# HELP "; out += name; out += ' '; out += help; out += '\n';
    out += "# TYPE "; out += name; out += " histogram\n";
    std::uint64_t cumulative = 0;
    // Every 4th bucket (powers of two) keeps the exposition short; the sum of the
    // skipped buckets is carried in the cumulative counts.
    for (std::size_t i = 0; i < Histogram::kBuckets - 1; ++i) {
        cumulative += s.counts[i];
        if (i % 4 != 0)
            continue;
        out += name; out += "_bucket{le=\""; out += formatDouble(Histogram::upperBound(i));
        out += "\"} "; out += std::to_string(cumulative); out += '\n';
    }
    out += name; out += "_bucket{le=\"+Inf\"} "; out += std::to_string(s.count); out += '\n';
    out += name; out += "_sum "; out += formatDouble(s.sum); out += '\n';
    out += name; out += "_count "; out += std::to_string(s.count); out += '\n';
}

void labeled(std::string& out, const char* name, const char* help, const char* label,
             const LabeledCounter& c)
{
    out += "# HELP "; out += name; out += ' '; out += help; out += '\n';
    out += "# TYPE "; out += name; out += " counter\n";
    for (const auto& [value, n] : c.values()) {
        out += name; out += '{'; out += label; out += "=\""; out += value; out += "\"} ";
        out += std::to_string(n); out += '\n';
    }
}
void labeledGauge(std::string& out, const char* name, const char* help, const char* label, const LabeledGauge& g)
{
    out += "# HELP "; out += name; out += ' '; out += help; out += '\n';
    out += "# TYPE "; out += name; out += " gauge\n";
    for (const auto& [value, n] : g.values()) {
        out += name; out += '{'; out += label; out += "=\""; out += value; out += "\"} ";
        out += std::to_string(n); out += '\n';
    }
}
} // namespace

void LabeledGauge::set(const std::string& label, std::int64_t value)
{
    std::lock_guard lock(m_mutex);
    m_values[label] = value;
}

std::map<std::string, std::int64_t> LabeledGauge::values() const
{
    std::lock_guard lock(m_mutex);
    return m_values;
}

std::string Metrics::renderPrometheus() const
{
    std::string out;
    out.reserve(16 * 1024);
    gauge(out, "aldis_connections", "Open client WebSocket connections.", connections.value());
    counter(out, "aldis_connections_total", "Client WebSocket connections accepted.", connectionsTotal.value());
    gauge(out, "aldis_sse_streams", "Open Server-Sent Events streams (GET /v1/sse).", sseStreams.value());
    counter(out, "aldis_publications_total", "Publications accepted (not counting duplicates).", publications.value());
    counter(out, "aldis_duplicate_publications_total", "Publishes answered as duplicates of an earlier key.", duplicatePublications.value());
    counter(out, "aldis_deliveries_total", "Publications handed to subscriber connections.", deliveries.value());
    counter(out, "aldis_commands_total", "Client commands received.", commands.value());
    counter(out, "aldis_rate_limited_total", "Commands refused with too_many_requests.", rateLimited.value());
    counter(out, "aldis_tls_handshake_failures_total",
            "TLS handshakes on the client listener that failed or timed out.", tlsHandshakeFailures.value());
    counter(out, "aldis_slow_consumer_disconnects_total", "Connections closed with 4005 (send queue overflow).", slowConsumerDisconnects.value());
    gauge(out, "aldis_channels", "Channels with state on this node.", channels.value());
    gauge(out, "aldis_subscriptions", "Active subscriptions on this node.", subscriptions.value());
    histogram(out, "aldis_publish_to_deliver_seconds", "From a publication entering the node to its frame being written to a subscriber.", publishToDeliver);
    histogram(out, "aldis_handshake_seconds", "From TCP accept to the WebSocket upgrade response being written.", handshake);
    histogram(out, "aldis_store_append_seconds", "From a durable publish entering the store queue to its commit.", storeAppend);
    counter(out, "aldis_store_errors_total",
            "Event store requests that failed (disk full, I/O error, database unreachable).", storeErrors.value());
    labeled(out, "aldis_auth_failures_total", "Refused tokens and API keys by reason.", "reason", authFailures);
    labeled(out, "aldis_disconnects_total", "Connections closed by the server, by close code.", "code", disconnects);
    labeledGauge(out, "aldis_alerts_active", "1 while an alert rule fires, by rule.", "rule", alertsActive);
    counter(out, "aldis_bridge_received_total", "Publications committed on other nodes and received through the Kafka bridge.", remotePublications.value());
    counter(out, "aldis_bridge_gap_fills_total", "Event store reads that filled a hole in a channel's order.", gapFills.value());
    counter(out, "aldis_bridge_gap_skipped_total", "Offsets no longer in the event store when a hole was filled.", gapSkipped.value());
    counter(out, "aldis_bridge_refused_total", "Publishes refused with unavailable because the bridge was behind.", bridgeRefused.value());
    gauge(out, "aldis_bridge_queued", "Events waiting for Kafka.", bridgeQueued.value());
    labeledGauge(out, "aldis_bridge_consumer_lag", "Events in a partition of the events topic not read yet.", "partition", consumerLag);
    return out;
}

} // namespace aldis::observability
