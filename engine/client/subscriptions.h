// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/client.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>

namespace aldis::client::detail {

class ClientCore;

// The subscriptions the application asked for, and their resume: for each channel
// the epoch and the last offset delivered, so that after a reconnect the client
// subscribes again `since` that position, drops what it has seen already and reports
// gaps and resyncs (README.md, "Resume").
//
// Threads: the client strand only; it calls the application's handlers there. Owned
// by the ClientCore, whose requests, timers and handlers it uses.
class Subscriptions {
public:
    explicit Subscriptions(ClientCore& core) : m_core(core) {}

    void subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done);
    void unsubscribe(std::string channel, Callback<void> done);

    // A {"push": "pub"}: delivered once, in offset order, if still subscribed.
    void onPublication(const boost::json::object& push);
    // The server ended the subscription ({"push": "unsubscribed"}).
    void onUnsubscribed(const std::string& channel) { m_subs.erase(channel); }
    // `connect` succeeded: subscribes again to every confirmed channel.
    void resumeAll();
    // The connection ended: no subscription is on the server any more.
    void connectionLost();

private:
    // `live` once the server confirmed it: from then on it is restored after every
    // reconnect until unsubscribe().
    struct Sub {
        std::uint64_t generation = 0;
        std::string durable;
        bool live = false;
        bool onServer = false;             // confirmed on the current connection
        std::string epoch;
        std::uint64_t last = 0;            // the last offset delivered (or skipped by a resync)
        unsigned retries = 0;
    };

    void resubscribe(const std::string& channel, Sub& sub);
    void onResubscribed(const std::string& channel, std::uint64_t generation, Result<boost::json::object> result);
    // Forgets `channel` and reports it with a synthesized {"push": "unsubscribed"}.
    void drop(const std::string& channel, const std::string& reason);

    ClientCore& m_core;
    std::unordered_map<std::string, Sub> m_subs;
    std::uint64_t m_generations = 0;
};

} // namespace aldis::client::detail
