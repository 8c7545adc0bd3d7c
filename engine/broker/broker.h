// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"
#include "protocol/command.h"
#include "protocol/frame.h"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aldis::store { class EventStore; }
namespace aldis::observability { struct Metrics; }

namespace aldis::broker {

using protocol::FramePtr;

// The broker's view of a connection. Implemented by the gateway's session.
//
// deliver() is called from broker strands, in the order the frames must reach the
// client; it must queue and return without blocking and must not call back into the
// broker synchronously.
class Subscriber {
public:
    virtual ~Subscriber() = default;
    virtual std::uint64_t clientId() const noexcept = 0;
    virtual const std::string& userId() const noexcept = 0;
    virtual void deliver(FramePtr frame) = 0;
    // A subscribe's catch-up: the replay and what arrived during it, in order.
    virtual void deliverCatchUp(std::vector<FramePtr> frames) = 0;
    // The most replay bytes the connection can take at once. A replay that would not
    // fit is refused with `recovered: false` (the client pages through `history`)
    // rather than sent to overflow the send queue.
    virtual std::size_t catchUpBudget() const noexcept = 0;
    // The server ended this subscription (its namespace was removed): forget it and
    // send `push` (an `unsubscribed` push).
    virtual void subscriptionEnded(const std::string& channel, FramePtr push) = 0;
};

struct SubscribeRequest {
    std::string channel;
    std::optional<protocol::Since> since;
    std::string durable;          // durable subscription name, or empty
    std::string user;
};

struct SubscribeOk {
    std::string epoch;
    std::uint64_t offset = 0;     // the channel's offset when live delivery begins
    bool recovered = false;
    std::uint64_t replayed = 0;
};

struct PublishRequest {
    std::string channel;
    std::string data;             // JSON text
    std::string user;             // empty for the server API
    std::string key;
    Clock::time_point born = Clock::now();
};

struct PublishOk {
    std::uint64_t offset = 0;
    std::string epoch;
    bool duplicate = false;
};

struct HistoryRequest {
    std::string channel;
    std::optional<protocol::Since> since;
    std::uint32_t limit = protocol::kDefaultHistoryLimit;
    bool reverse = false;
};

struct HistoryOk {
    std::string epoch;
    std::uint64_t offset = 0;
    std::string publicationsJson; // a JSON array
};

// One channel as the admin API lists it.
struct ChannelStats {
    std::string name;
    std::size_t subscribers = 0;
    std::uint64_t lastOffset = 0;
    std::string epoch;
    std::uint64_t publications = 0; // since the channel was loaded
};

// A durable publication known to be committed, as the cluster bridge carries it.
struct CommittedPublication {
    std::string channel;
    std::string epoch;
    std::uint64_t offset = 0;
    std::string data;
    std::int64_t ts = 0;
    std::string user;
    std::string key;
    std::int64_t bornMicros = 0;  // unix microseconds when the origin node took the publish
};

// Where this node's committed publications go beyond it: the cluster bridge.
// committed() is called on a store thread, in offset order per channel, and must not
// block. While congested() is true, durable publishes are refused with a retryable
// `unavailable` instead of piling up in memory.
class Replicator {
public:
    virtual ~Replicator() = default;
    virtual bool congested() const = 0;
    // Why a publish to namespace `ns` is refused on this node (its home is another
    // region, or this region is fenced), or nothing. Called on the publisher's thread.
    virtual std::optional<Error> refusePublish(const std::string& ns) const = 0;
    virtual void committed(const CommittedPublication& publication) = 0;
};

struct PresenceOk {
    std::vector<std::pair<std::uint64_t, std::string>> clients; // client id, user
};

// The pub/sub core: per-channel offsets, fan-out in offset order, replay-then-live,
// presence, idempotency and durable subscriptions.
//
// Threads: each channel belongs to one of a fixed set of shards, and all of a
// channel's state lives on its shard's strand, so fan-out takes no lock. Every
// method may be called from any thread; callbacks run on a shard strand and must
// post to the caller's own strand. The Broker is owned by the Node and outlives every
// session and every store callback.
class Broker {
public:
    // A channel with no subscribers, nothing in flight and (for a memory namespace)
    // no history or dedup keys left is dropped after `idleTimeout`; a durable one
    // reloads its state from the store when it is used again.
    static constexpr Millis kDefaultIdleTimeout = std::chrono::minutes(2);

    Broker(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
           store::EventStore* store, observability::Metrics& metrics,
           Millis idleTimeout = kDefaultIdleTimeout);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    template <typename T>
    using Callback = std::function<void(Result<T>)>;

    void subscribe(SubscribeRequest request, std::shared_ptr<Subscriber> subscriber,
                   Callback<SubscribeOk> done);
    void unsubscribe(std::string channel, std::uint64_t clientId, Callback<bool> done);
    // Ends every listed subscription of a connection that is going away.
    void unsubscribeAll(std::vector<std::string> channels, std::uint64_t clientId);
    void publish(PublishRequest request, Callback<PublishOk> done);
    void history(HistoryRequest request, Callback<HistoryOk> done);
    void presence(std::string channel, Callback<PresenceOk> done);
    void ack(std::string user, std::string durable, std::string channel, std::uint64_t offset,
             Callback<bool> done);

    // The cluster bridge, set once before the node serves (nothing on a standalone node).
    void setReplicator(Replicator* replicator) { m_replicator = replicator; }
    // A publication committed on another node (from the bridge; any thread). It is
    // fanned out in offset order with this node's own: a hole before it is filled from
    // the store first, and one already delivered is dropped. Channels nobody uses on
    // this node ignore it (they load from the store when used).
    void deliverCommitted(CommittedPublication publication);

    // Every channel held in memory, gathered shard by shard on their strands; `done`
    // runs on the strand of the shard that finished last.
    void channelStats(std::function<void(std::vector<ChannelStats>)> done);

    // The namespace settings of a channel, or nothing when its namespace is not
    // configured. Reads the current configuration.
    std::optional<config::NamespaceConfig> namespaceOf(std::string_view channel) const;

    // Swaps the configuration (SIGHUP). Channels whose namespace disappeared end their
    // subscriptions with an `unsubscribed` push.
    void setConfig(std::shared_ptr<const config::Config> config);
    std::shared_ptr<const config::Config> config() const;

    struct Channel;
    struct Shard;

private:
    Shard& shardFor(std::string_view channel);
    // The following run on the shard's strand.
    Channel& channelOn(Shard& shard, const std::string& name, bool durable);
    void runWhenLoaded(Shard& shard, Channel& channel, bool durable,
                       std::function<void(const Error*)> op);
    void startSubscription(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                           SubscribeRequest request, std::shared_ptr<Subscriber> subscriber,
                           Callback<SubscribeOk> done);
    void replayFrom(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                    std::shared_ptr<Subscriber> subscriber, std::optional<protocol::Since> since,
                    Callback<SubscribeOk> done, bool caughtUp = false);
    void catchUpThenReplay(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                           std::shared_ptr<Subscriber> subscriber, protocol::Since since,
                           Callback<SubscribeOk> done);
    void finishSubscription(Channel& channel, const config::NamespaceConfig& ns,
                            const std::shared_ptr<Subscriber>& subscriber, std::uint64_t top,
                            bool recovered, std::vector<FramePtr> replay, Callback<SubscribeOk> done);
    void publishMemory(Channel& channel, const config::NamespaceConfig& ns, PublishRequest request,
                       Callback<PublishOk> done);
    void publishDurable(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                        PublishRequest request, Callback<PublishOk> done);
    void sequence(Shard& shard, Channel& channel, const std::string& epoch, std::uint64_t offset,
                  std::function<FramePtr()> frame);
    void drainAhead(Shard& shard, Channel& channel);
    void fillGap(Shard& shard, Channel& channel);
    void announce(Channel& channel, const config::NamespaceConfig& ns, bool join,
                  std::uint64_t client, const std::string& user);
    void scheduleSweep(Shard& shard);
    void sweep(Shard& shard);

    std::vector<std::unique_ptr<Shard>> m_shards;
    std::atomic<std::shared_ptr<const config::Config>> m_config;
    store::EventStore* m_store;
    Replicator* m_replicator = nullptr;
    observability::Metrics& m_metrics;
    std::string m_epochPrefix;  // memory epochs: new on every start ...
    std::atomic<std::uint64_t> m_incarnation{0}; // ... and for every re-created channel
    Millis m_idleTimeout;
};

} // namespace aldis::broker
