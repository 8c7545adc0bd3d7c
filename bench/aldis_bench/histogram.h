// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace aldis::bench {

// A log-linear histogram of latencies in nanoseconds, in the manner of HdrHistogram:
// exact below 128 ns, then 64 buckets per power of two (at most 1.6% error), from
// 1 ns to 2^63 ns. Recording is an index computation and an increment; nothing is
// allocated after construction. Not thread-safe: one per thread, merged at the end.
class Histogram {
public:
    void record(std::uint64_t nanos) noexcept;
    void merge(const Histogram& other) noexcept;
    void reset() noexcept;

    std::uint64_t count() const noexcept { return m_count; }
    std::uint64_t max() const noexcept { return m_max; }
    std::uint64_t min() const noexcept { return m_count ? m_min : 0; }
    double mean() const noexcept;
    // The value at or below which `percent` of the recorded values are (0 to 100),
    // as the middle of its bucket; 0 when empty.
    std::uint64_t percentile(double percent) const noexcept;

    // The percentile spectrum for plots: {percentile, nanoseconds} at 0, 50, 75, 87.5,
    // ... (halving the rest each step) up to the max, as HdrHistogram prints it.
    std::vector<std::pair<double, std::uint64_t>> spectrum() const;

    // {"count":n,"min_us":..,"p50_us":..,"p90_us":..,"p99_us":..,"p999_us":..,"max_us":..,"mean_us":..}
    std::string json(bool withSpectrum = false) const;

private:
    static constexpr int kSubBits = 6;                        // 64 buckets per power of two
    static constexpr int kLinear = 2 << kSubBits;             // 0..127 exact
    static constexpr int kBuckets = kLinear + (63 - kSubBits) * (1 << kSubBits);

    static int indexOf(std::uint64_t v) noexcept;
    static std::uint64_t lowestOf(int index) noexcept;
    static std::uint64_t middleOf(int index) noexcept;

    std::array<std::uint64_t, kBuckets> m_buckets{};
    std::uint64_t m_count = 0;
    std::uint64_t m_min = UINT64_MAX;
    std::uint64_t m_max = 0;
    long double m_sum = 0;
};

} // namespace aldis::bench
