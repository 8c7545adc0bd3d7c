// SPDX-License-Identifier: Apache-2.0
#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

namespace aldis::bench {

int Histogram::indexOf(std::uint64_t v) noexcept
{
    if (v < static_cast<std::uint64_t>(kLinear))
        return static_cast<int>(v);
    const int msb = 63 - std::countl_zero(v); // >= kSubBits + 1
    const int shift = msb - kSubBits;
    const auto sub = static_cast<int>((v >> shift) & ((1u << kSubBits) - 1));
    return kLinear + (msb - kSubBits - 1) * (1 << kSubBits) + sub;
}

std::uint64_t Histogram::lowestOf(int index) noexcept
{
    if (index < kLinear)
        return static_cast<std::uint64_t>(index);
    const int rel = index - kLinear;
    const int msb = rel / (1 << kSubBits) + kSubBits + 1;
    const auto sub = static_cast<std::uint64_t>(rel % (1 << kSubBits));
    const int shift = msb - kSubBits;
    return ((std::uint64_t{1} << kSubBits) | sub) << shift;
}

std::uint64_t Histogram::middleOf(int index) noexcept
{
    if (index < kLinear)
        return static_cast<std::uint64_t>(index);
    const std::uint64_t low = lowestOf(index);
    const std::uint64_t high = index + 1 < kBuckets ? lowestOf(index + 1) : low;
    return low + (high - low) / 2;
}

void Histogram::record(std::uint64_t nanos) noexcept
{
    ++m_buckets[static_cast<std::size_t>(indexOf(nanos))];
    ++m_count;
    m_min = std::min(m_min, nanos);
    m_max = std::max(m_max, nanos);
    m_sum += static_cast<long double>(nanos);
}

void Histogram::merge(const Histogram& other) noexcept
{
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    m_sum += other.m_sum;
}

void Histogram::reset() noexcept
{
    *this = Histogram();
}

double Histogram::mean() const noexcept
{
    return m_count ? static_cast<double>(m_sum / static_cast<long double>(m_count)) : 0.0;
}

std::uint64_t Histogram::percentile(double percent) const noexcept
{
    if (m_count == 0)
        return 0;
    if (percent >= 100.0)
        return m_max;
    // The rank of the value asked for, 1-based: the smallest value with at least
    // that share of the values at or below it.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(m_count))));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += m_buckets[static_cast<std::size_t>(i)];
        if (seen >= rank)
            return std::clamp(middleOf(i), min(), m_max);
    }
    return m_max;
}

std::vector<std::pair<double, std::uint64_t>> Histogram::spectrum() const
{
    std::vector<std::pair<double, std::uint64_t>> out;
    if (m_count == 0)
        return out;
    // Five points per halving of what is left (0, 10, 20, ... 50, 55, ... 75, ...),
    // so the tail is drawn in as much detail as the count allows.
    for (int half = 0; half < 40; ++half) {
        const double low = 100.0 * (1.0 - std::pow(0.5, half));
        const double high = 100.0 * (1.0 - std::pow(0.5, half + 1));
        if (static_cast<double>(m_count) * (100.0 - low) / 100.0 < 1.0)
            break;
        for (int step = 0; step < 5; ++step) {
            const double p = low + (high - low) * step / 5.0;
            out.emplace_back(p, percentile(std::max(p, 1e-9)));
        }
    }
    out.emplace_back(100.0, m_max);
    return out;
}

std::string Histogram::json(bool withSpectrum) const
{
    char buffer[512];
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
    std::snprintf(buffer, sizeof buffer,
                  "{\"count\":%llu,\"min_us\":%.1f,\"mean_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
                  "\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f",
                  static_cast<unsigned long long>(m_count), us(min()), mean() / 1000.0, us(percentile(50)),
                  us(percentile(90)), us(percentile(99)), us(percentile(99.9)), us(m_max));
    std::string out = buffer;
    if (withSpectrum) {
        out += ",\"spectrum\":[";
        bool first = true;
        for (const auto& [p, v] : spectrum()) {
            std::snprintf(buffer, sizeof buffer, "%s[%.6f,%.1f]", first ? "" : ",", p, us(v));
            out += buffer;
            first = false;
        }
        out += "]";
    }
    out += "}";
    return out;
}

} // namespace aldis::bench
