// SPDX-License-Identifier: Apache-2.0
// aldis-cluster-bench: publish on one node, receive on another, through the Kafka
// bridge. Open-loop: publication i is due at start + i / rate, and its latency is
// measured from that due time (not from when it was actually sent), so a stall in
// the node or in the publisher shows up in the figures instead of being hidden.
//
//   aldis-cluster-bench --publish ws://127.0.0.1:8800/v1/ws --subscribe ws://127.0.0.1:8810/v1/ws
//                       --secret S [--rate 10000] [--duration 10s] [--publishers 10] [--channels 10]
//
// --rate 0 publishes as fast as the nodes answer (each publisher keeps --window
// publishes in flight) and reports the bridge's throughput. Prints a table and one
// JSON line. The nodes must accept the secret (an [[auth.keys]] HS256 key) and a
// client.rate_limit above rate / publishers.

#include "client/client.h"
#include "security/jwt.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace aldis;
using namespace std::chrono;

namespace {

struct Options {
    std::string publishUrl;
    std::string subscribeUrl;
    std::string secret;
    double rate = 10000;
    seconds duration{10};
    unsigned publishers = 10;
    unsigned channels = 10;
    unsigned window = 64;
    std::string prefix = "bench";
};

std::int64_t wallMicros()
{
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

[[noreturn]] void usage(const char* why)
{
    std::fprintf(stderr,
                 "aldis-cluster-bench: %s\nusage: aldis-cluster-bench --publish URL --subscribe URL --secret S "
                 "[--rate N] [--duration 10s] [--publishers N] [--channels N] [--window N] [--prefix P]\n",
                 why);
    std::exit(2);
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(("missing value after " + a).c_str());
            return argv[++i];
        };
        if (a == "--publish")
            o.publishUrl = value();
        else if (a == "--subscribe")
            o.subscribeUrl = value();
        else if (a == "--secret")
            o.secret = value();
        else if (a == "--rate")
            o.rate = std::stod(value());
        else if (a == "--duration")
            o.duration = seconds(std::stoi(value()));
        else if (a == "--publishers")
            o.publishers = static_cast<unsigned>(std::stoul(value()));
        else if (a == "--channels")
            o.channels = static_cast<unsigned>(std::stoul(value()));
        else if (a == "--window")
            o.window = static_cast<unsigned>(std::stoul(value()));
        else if (a == "--prefix")
            o.prefix = value();
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.publishUrl.empty() || o.subscribeUrl.empty() || o.secret.empty())
        usage("--publish, --subscribe and --secret are required");
    if (o.publishers == 0 || o.channels == 0)
        usage("--publishers and --channels must be at least 1");
    return o;
}

std::unique_ptr<client::Client> makeClient(const Options& o, const std::string& url, const std::string& sub)
{
    client::ClientOptions options;
    options.urls = {url};
    options.name = "aldis-cluster-bench";
    options.requestTimeout = seconds(30);
    options.tokenProvider = [secret = o.secret, sub] {
        security::MintOptions mint;
        mint.sub = sub;
        auto token = security::mintHs256(secret, mint, duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
        return token ? token.value() : std::string();
    };
    return std::make_unique<client::Client>(std::move(options));
}

double percentile(const std::vector<double>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(index, sorted.size() - 1)];
}

} // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);

    // The receiver, on the other node: latency of every publication it gets.
    std::mutex samplesMutex;
    std::vector<double> latencyMs;
    latencyMs.reserve(static_cast<std::size_t>(std::max(o.rate, 1.0) * static_cast<double>(o.duration.count()) * 1.2));
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::int64_t> firstReceived{0};
    std::atomic<std::int64_t> lastReceived{0};
    std::atomic<std::uint64_t> gaps{0};
    auto receiver = makeClient(o, o.subscribeUrl, "bench-receiver");
    receiver->onPublication([&](const client::Publication& p) {
        const auto now = wallMicros();
        // dataJson is {"t":<due time, unix us>,...}
        const char* t = std::strstr(p.dataJson.c_str(), "\"t\":");
        if (!t)
            return;
        const auto due = std::strtoll(t + 4, nullptr, 10);
        {
            std::lock_guard lock(samplesMutex);
            latencyMs.push_back(static_cast<double>(now - due) / 1000.0);
        }
        std::int64_t zero = 0;
        firstReceived.compare_exchange_strong(zero, now);
        lastReceived = now;
        received.fetch_add(1, std::memory_order_relaxed);
    });
    receiver->onGap([&](const std::string&, std::uint64_t, std::uint64_t) { gaps.fetch_add(1); });
    receiver->start();
    for (unsigned c = 0; c < o.channels; ++c) {
        auto r = receiver->subscribe(o.prefix + std::to_string(c)).get();
        if (!r) {
            std::cerr << "aldis-cluster-bench: subscribe failed: " << r.error().message << "\n";
            return 1;
        }
    }

    std::vector<std::unique_ptr<client::Client>> publishers;
    for (unsigned p = 0; p < o.publishers; ++p) {
        publishers.push_back(makeClient(o, o.publishUrl, "bench-publisher-" + std::to_string(p)));
        publishers.back()->start();
        if (auto r = publishers.back()->ping().get(); !r) {
            std::cerr << "aldis-cluster-bench: cannot reach " << o.publishUrl << ": " << r.error().message << "\n";
            return 1;
        }
    }

    std::atomic<std::uint64_t> acked{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> sent{0};
    std::mutex errorMutex;
    std::string firstError;
    auto onReply = [&](Result<client::PublishReply> r) {
        if (r) {
            acked.fetch_add(1, std::memory_order_relaxed);
        } else {
            failed.fetch_add(1, std::memory_order_relaxed);
            std::lock_guard lock(errorMutex);
            if (firstError.empty())
                firstError = r.error().message;
        }
    };
    auto publishOne = [&](std::uint64_t i, std::int64_t dueMicros) {
        auto& client = *publishers[i % publishers.size()];
        const std::string channel = o.prefix + std::to_string(i % o.channels);
        std::string data = "{\"t\":" + std::to_string(dueMicros) + ",\"i\":" + std::to_string(i) + "}";
        sent.fetch_add(1, std::memory_order_relaxed);
        client.publish(channel, std::move(data), {}, onReply);
    };

    const auto start = steady_clock::now();
    const auto startWall = wallMicros();
    const auto end = start + o.duration;
    if (o.rate > 0) {
        // Open loop: send what is due, sleep until the next one is.
        const double perUs = o.rate / 1e6;
        std::uint64_t i = 0;
        while (steady_clock::now() < end) {
            const auto elapsed = duration_cast<microseconds>(steady_clock::now() - start).count();
            const auto due = static_cast<std::uint64_t>(static_cast<double>(elapsed) * perUs);
            for (; i < due; ++i)
                publishOne(i, startWall + static_cast<std::int64_t>(static_cast<double>(i) / perUs));
            std::this_thread::sleep_for(microseconds(200));
        }
    } else {
        // Closed loop, for throughput: at most window * publishers in flight.
        std::uint64_t i = 0;
        const std::uint64_t inFlight = static_cast<std::uint64_t>(o.window) * o.publishers;
        while (steady_clock::now() < end) {
            while (sent.load() - acked.load() - failed.load() < inFlight)
                publishOne(i++, wallMicros());
            std::this_thread::sleep_for(microseconds(100));
        }
    }
    const double sendSeconds = duration<double>(steady_clock::now() - start).count();
    // Wait for the stragglers (up to 30 s).
    const auto deadline = steady_clock::now() + seconds(30);
    while (steady_clock::now() < deadline && (acked + failed < sent || received < acked))
        std::this_thread::sleep_for(milliseconds(20));

    for (auto& p : publishers)
        p->stop();
    receiver->stop();

    std::vector<double> sorted;
    {
        std::lock_guard lock(samplesMutex);
        sorted = latencyMs;
    }
    std::sort(sorted.begin(), sorted.end());
    const double receiveSeconds = std::max(1e-6, static_cast<double>(lastReceived - firstReceived) / 1e6);
    const double deliveredPerS = static_cast<double>(received) / receiveSeconds;
    const double sentPerS = static_cast<double>(sent) / sendSeconds;

    std::printf("cross-node publish-to-deliver (%s -> %s)\n", o.publishUrl.c_str(), o.subscribeUrl.c_str());
    std::printf("  mode           %s\n", o.rate > 0 ? "open loop (latency from the due time)" : "closed loop (throughput)");
    std::printf("  offered        %.0f msg/s over %u publishers, %u channels\n", sentPerS, o.publishers, o.channels);
    std::printf("  sent / acked   %llu / %llu (failed %llu%s%s)\n", static_cast<unsigned long long>(sent.load()),
                static_cast<unsigned long long>(acked.load()), static_cast<unsigned long long>(failed.load()),
                firstError.empty() ? "" : ": ", firstError.c_str());
    std::printf("  received       %llu on the other node, %.0f msg/s, gaps %llu\n",
                static_cast<unsigned long long>(received.load()), deliveredPerS,
                static_cast<unsigned long long>(gaps.load()));
    std::printf("  latency ms     p50 %.2f  p90 %.2f  p95 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 95), percentile(sorted, 99),
                percentile(sorted, 99.9), sorted.empty() ? 0.0 : sorted.back());
    std::printf("{\"offered_per_s\":%.0f,\"sent\":%llu,\"acked\":%llu,\"failed\":%llu,\"received\":%llu,"
                "\"delivered_per_s\":%.0f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,"
                "\"max_ms\":%.3f}\n",
                sentPerS, static_cast<unsigned long long>(sent.load()), static_cast<unsigned long long>(acked.load()),
                static_cast<unsigned long long>(failed.load()), static_cast<unsigned long long>(received.load()),
                deliveredPerS, percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
                percentile(sorted, 99.9), sorted.empty() ? 0.0 : sorted.back());
    return received.load() == acked.load() && failed.load() == 0 ? 0 : 1;
}
