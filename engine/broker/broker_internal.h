// SPDX-License-Identifier: Apache-2.0
#pragma once

// The broker's per-channel and per-shard state, shared by its two source files:
// broker.cpp (subscribe, publish, history, presence, acks) and sequencer.cpp (the
// order in which committed publications are fanned out). Not part of the module's
// interface: include only from engine/broker.

#include "broker/broker.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace aldis::broker {

namespace asio = boost::asio;

// A publication kept in memory for replay on a non-durable namespace.
struct MemoryPublication {
    std::uint64_t offset = 0;
    std::string data;
    std::int64_t ts = 0;
    std::string user;
    std::string key;
    FramePtr frame;
};

struct SubscriberEntry {
    std::shared_ptr<Subscriber> subscriber;
    std::string user;
    std::string durable;
    bool replaying = false;
    std::vector<FramePtr> pending;   // live frames held back while replaying
};

// One channel's state. Lives on its shard's strand only.
struct Broker::Channel {
    std::string name;
    enum class Load { unloaded, loading, ready } load = Load::unloaded;
    std::vector<std::function<void(const Error*)>> waiting; // operations queued while loading
    std::string epoch;
    std::uint64_t lastOffset = 0;                 // the last offset fanned out
    std::uint64_t publications = 0;               // fanned out since the channel was loaded
    std::unordered_map<std::uint64_t, SubscriberEntry> subscribers;

    // Committed publications beyond lastOffset + 1, waiting for the hole before them
    // to be filled from the store (in a cluster, other nodes' publications reach this
    // node through Kafka in any order). `filling` while that read is in flight.
    std::map<std::uint64_t, FramePtr> ahead;
    bool filling = false;

    // Store calls in flight whose callbacks come back to this channel: while any is,
    // the channel is not evicted (the callbacks hold a reference to it).
    std::uint32_t inFlight = 0;
    Clock::time_point lastUsed = Clock::now();

    // Non-durable namespaces only.
    std::deque<MemoryPublication> memory;
    std::unordered_map<std::string, std::pair<std::uint64_t, std::int64_t>> dedup;
    std::deque<std::pair<std::int64_t, std::string>> dedupOrder;

    void fanOut(const FramePtr& frame, std::uint64_t except = 0)
    {
        for (auto& [client, entry] : subscribers) {
            if (client == except)
                continue;
            if (entry.replaying)
                entry.pending.push_back(frame);
            else
                entry.subscriber->deliver(frame);
        }
    }
};

struct Broker::Shard {
    explicit Shard(asio::io_context& io) : strand(asio::make_strand(io)), sweepTimer(strand) {}
    asio::strand<asio::io_context::executor_type> strand;
    std::unordered_map<std::string, std::unique_ptr<Channel>> channels;
    asio::steady_timer sweepTimer;
};

// Marks a store call whose callback will come back to `channel` (on its strand):
// begin before the call, end first thing in the callback's strand handler.
inline void beginStoreCall(Broker::Channel& channel) { ++channel.inFlight; }
inline void endStoreCall(Broker::Channel& channel)
{
    --channel.inFlight;
    channel.lastUsed = Clock::now();
}

inline std::int64_t unixMicrosNow()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace aldis::broker
