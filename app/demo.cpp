// SPDX-License-Identifier: Apache-2.0
#include "app/demo.h"

#include "client/client.h"
#include "security/jwt.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace aldis::app {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void onSignal(int)
{
    g_stop.store(true);
}

} // namespace

int runDemo(const DemoOptions& options, const config::Config& config)
{
    const config::JwtKeyConfig* hs = nullptr;
    for (const auto& key : config.auth.keys)
        for (const auto& alg : key.algorithms)
            if (alg == "HS256" && !hs)
                hs = &key;
    if (!hs) {
        std::fprintf(stderr, "aldis demo: the configuration has no HS256 key to sign demo tokens with\n");
        return 2;
    }
    const std::string url =
        options.url.empty() ? "ws://localhost:" + std::to_string(config.client.port) + "/v1/ws" : options.url;
    auto tokenFor = [&](const std::string& sub) -> std::string {
        security::MintOptions mint;
        mint.sub = sub;
        mint.ttlSeconds = 24 * 3600;
        mint.issuer = config.auth.issuer;
        mint.audience = config.auth.audience;
        mint.kid = hs->id;
        auto token = security::mintHs256(hs->secret, mint, unixSecondsNow());
        return token ? token.value() : std::string();
    };
    auto makeClient = [&](const std::string& sub) {
        client::ClientOptions o;
        o.urls = {url};
        o.name = "aldis-demo";
        o.tokenProvider = [token = tokenFor(sub)] { return token; };
        o.requestTimeout = std::chrono::seconds(5);
        return std::make_unique<client::Client>(std::move(o));
    };

    std::vector<std::string> channels;
    for (unsigned c = 1; c <= options.channels; ++c)
        channels.push_back("demo-room-" + std::to_string(c));

    std::atomic<std::uint64_t> delivered{0};
    std::atomic<std::uint64_t> published{0};
    std::atomic<std::uint64_t> failed{0};
    std::vector<std::unique_ptr<client::Client>> clients;
    std::vector<std::future<Result<client::SubscribeReply>>> subscribed;
    try {
        for (unsigned s = 0; s < options.subscribers; ++s) {
            auto c = makeClient("demo-subscriber-" + std::to_string(s + 1));
            c->onPublication([&delivered](const client::Publication&) { delivered.fetch_add(1); });
            c->start();
            for (const auto& channel : channels)
                subscribed.push_back(c->subscribe(channel));
            clients.push_back(std::move(c));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aldis demo: %s (give --url ws://HOST:PORT/v1/ws)\n", e.what());
        return 2;
    }
    // Publishing starts once every subscriber is in, so each one sees every publication.
    for (auto& f : subscribed) {
        auto r = f.get();
        if (!r) {
            std::fprintf(stderr, "aldis demo: cannot reach a node at %s (subscribing): %s\n", url.c_str(),
                         r.error().message.c_str());
            return 1;
        }
    }
    auto publisher = makeClient("demo-publisher");
    std::atomic<bool> refused{false};
    publisher->onError([&refused](const Error& e) {
        std::fprintf(stderr, "aldis demo: %s\n", e.message.c_str());
        refused.store(true);
    });
    publisher->start();
    auto first = publisher->ping().get();
    if (!first) {
        std::fprintf(stderr, "aldis demo: cannot reach a node at %s: %s\n", url.c_str(), first.error().message.c_str());
        return 1;
    }
    std::printf("aldis demo: %u subscribers on %zu channels, publishing %.0f/s to %s (Ctrl-C stops)\n",
                options.subscribers, channels.size(), options.rate, url.c_str());
    std::fflush(stdout);

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    const auto start = Clock::now();
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options.rate));
    auto next = start;
    auto report = start + std::chrono::seconds(1);
    std::uint64_t n = 0;
    std::uint64_t lastPublished = 0, lastDelivered = 0;
    while (!g_stop.load() && !refused.load()) {
        const auto now = Clock::now();
        if (options.duration.count() > 0 && now - start >= options.duration)
            break;
        if (now >= report) {
            const auto p = published.load(), d = delivered.load();
            std::printf("published %llu/s, delivered %llu/s (total %llu published, %llu delivered, %llu failed)\n",
                        static_cast<unsigned long long>(p - lastPublished),
                        static_cast<unsigned long long>(d - lastDelivered), static_cast<unsigned long long>(p),
                        static_cast<unsigned long long>(d), static_cast<unsigned long long>(failed.load()));
            std::fflush(stdout);
            lastPublished = p;
            lastDelivered = d;
            report += std::chrono::seconds(1);
        }
        if (now < next) {
            std::this_thread::sleep_until(std::min(next, report));
            continue;
        }
        const auto& channel = channels[n % channels.size()];
        publisher->publish(channel, "{\"n\":" + std::to_string(n) + ",\"text\":\"hello from aldis demo\"}", {},
                           [&published, &failed](Result<client::PublishReply> r) {
                               (r ? published : failed).fetch_add(1);
                           });
        ++n;
        next += interval;
    }
    // Publications still in flight get their answers before the clients stop (a
    // stopped client would fail them).
    const auto settle = Clock::now() + std::chrono::seconds(5);
    while (published.load() + failed.load() < n && Clock::now() < settle)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Every subscriber is on every channel: each publication is delivered to all of them.
    const auto expected = published.load() * options.subscribers;
    const auto delivery = Clock::now() + std::chrono::seconds(2);
    while (delivered.load() < expected && Clock::now() < delivery)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    publisher->stop();
    for (auto& c : clients)
        c->stop();
    std::printf("aldis demo: published %llu, delivered %llu, failed %llu\n",
                static_cast<unsigned long long>(published.load()), static_cast<unsigned long long>(delivered.load()),
                static_cast<unsigned long long>(failed.load()));
    return refused.load() ? 1 : 0;
}

} // namespace aldis::app
