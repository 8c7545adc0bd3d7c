// SPDX-License-Identifier: Apache-2.0
#include "broker/broker_internal.h"

#include "observability/metrics.h"
#include "protocol/channel.h"
#include "protocol/reply.h"
#include "store/event_store.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <spdlog/spdlog.h>

#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>

namespace aldis::broker {


namespace {

constexpr std::size_t kShardCount = 64;
constexpr std::size_t kMaxDedupEntries = 100'000;

std::string randomHex(std::size_t bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device rd;
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
        auto b = static_cast<unsigned>(rd()) & 0xffu;
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

Error unknownChannel(std::string_view channel)
{
    return makeError(ErrorCode::unknown_channel,
                     "channel \"" + std::string(channel) + "\" is in namespace \"" +
                         std::string(protocol::namespaceOf(channel)) +
                         "\", which this node does not have; configure it under [namespaces]");
}

} // namespace


Broker::Broker(asio::io_context& io, std::shared_ptr<const config::Config> config,
               store::EventStore* store, observability::Metrics& metrics, Millis idleTimeout)
    : m_config(std::move(config)), m_store(store), m_metrics(metrics),
      m_epochPrefix(randomHex(6)), m_idleTimeout(idleTimeout)
{
    m_shards.reserve(kShardCount);
    for (std::size_t i = 0; i < kShardCount; ++i) {
        m_shards.push_back(std::make_unique<Shard>(io));
        scheduleSweep(*m_shards.back());
    }
}

void Broker::scheduleSweep(Shard& shard)
{
    shard.sweepTimer.expires_after(std::max<Millis>(m_idleTimeout / 2, std::chrono::milliseconds(10)));
    shard.sweepTimer.async_wait([this, &shard](boost::system::error_code ec) {
        if (ec)
            return;
        sweep(shard);
        scheduleSweep(shard);
    });
}

void Broker::sweep(Shard& shard)
{
    const auto idleSince = Clock::now() - m_idleTimeout;
    for (auto it = shard.channels.begin(); it != shard.channels.end();) {
        const Channel& c = *it->second;
        const bool idle = c.subscribers.empty() && c.inFlight == 0 && c.waiting.empty() &&
                          c.load != Channel::Load::loading && c.lastUsed < idleSince &&
                          c.memory.empty() && c.dedup.empty() && c.ahead.empty() && !c.filling;
        if (idle) {
            it = shard.channels.erase(it);
            m_metrics.channels.add(-1);
        } else {
            ++it;
        }
    }
}

Broker::~Broker() = default;

Broker::Shard& Broker::shardFor(std::string_view channel)
{
    return *m_shards[std::hash<std::string_view>{}(channel) % m_shards.size()];
}

std::shared_ptr<const config::Config> Broker::config() const
{
    return m_config.load();
}

void Broker::setConfig(std::shared_ptr<const config::Config> config)
{
    m_config.store(config);
    for (auto& shardPtr : m_shards) {
        Shard* shard = shardPtr.get();
        asio::post(shard->strand, [this, shard, config] {
            for (auto& [name, channel] : shard->channels) {
                if (config->findNamespace(protocol::namespaceOf(name)))
                    continue;
                auto frame = protocol::makeTextFrame(
                    protocol::unsubscribedPush(name, "namespace removed from the configuration"));
                for (auto& [client, entry] : channel->subscribers) {
                    entry.subscriber->subscriptionEnded(name, frame);
                    if (!entry.replaying)
                        m_metrics.subscriptions.add(-1); // replaying ones were never counted
                }
                channel->subscribers.clear();
            }
        });
    }
}

std::optional<config::NamespaceConfig> Broker::namespaceOf(std::string_view channel) const
{
    auto cfg = m_config.load();
    if (const auto* ns = cfg->findNamespace(protocol::namespaceOf(channel)))
        return *ns;
    return std::nullopt;
}

Broker::Channel& Broker::channelOn(Shard& shard, const std::string& name, bool durable)
{
    auto it = shard.channels.find(name);
    if (it != shard.channels.end()) {
        it->second->lastUsed = Clock::now();
        return *it->second;
    }
    auto channel = std::make_unique<Channel>();
    channel->name = name;
    if (!durable) {
        // A memory stream starts empty at every start of the node, and again when an
        // idle channel was dropped and is used anew: a new epoch says so each time.
        channel->epoch = "m" + m_epochPrefix + "." + std::to_string(m_incarnation.fetch_add(1));
        channel->load = Channel::Load::ready;
    }
    m_metrics.channels.add(1);
    return *shard.channels.emplace(name, std::move(channel)).first->second;
}

void Broker::runWhenLoaded(Shard& shard, Channel& channel, bool durable,
                           std::function<void(const Error*)> op)
{
    if (channel.load == Channel::Load::ready)
        return op(nullptr);
    if (!durable || !m_store) {
        channel.load = Channel::Load::ready;
        return op(nullptr);
    }
    channel.waiting.push_back(std::move(op));
    if (channel.load == Channel::Load::loading)
        return;
    channel.load = Channel::Load::loading;
    beginStoreCall(channel);
    m_store->channelState(channel.name, [this, &shard, &channel](Result<store::ChannelState> state) {
        if (!state)
            m_metrics.storeErrors.add();
        asio::post(shard.strand, [&channel, state = std::move(state)]() mutable {
            endStoreCall(channel);
            auto waiting = std::move(channel.waiting);
            channel.waiting.clear();
            if (!state) {
                channel.load = Channel::Load::unloaded;
                for (auto& queued : waiting)
                    queued(&state.error());
                return;
            }
            channel.epoch = state->epoch;
            channel.lastOffset = state->lastOffset;
            channel.load = Channel::Load::ready;
            for (auto& queued : waiting)
                queued(nullptr);
        });
    });
}

void Broker::subscribe(SubscribeRequest request, std::shared_ptr<Subscriber> subscriber,
                       Callback<SubscribeOk> done)
{
    auto ns = namespaceOf(request.channel);
    if (!ns)
        return done(unknownChannel(request.channel));
    if (!request.durable.empty() && !m_store)
        return done(makeError(ErrorCode::unavailable, "durable subscriptions need an event store"));
    Shard& shard = shardFor(request.channel);
    asio::post(shard.strand, [this, &shard, ns = std::move(*ns), request = std::move(request),
                              subscriber = std::move(subscriber), done = std::move(done)]() mutable {
        Channel& channel = channelOn(shard, request.channel, ns.durable);
        if (channel.subscribers.count(subscriber->clientId()))
            return done(makeError(ErrorCode::already_subscribed,
                                  "already subscribed to \"" + request.channel + "\""));
        // The entry exists from now on, holding back live publications until the
        // replay (if any) has been delivered: that is what makes replay-then-live
        // free of gaps and duplicates.
        auto& entry = channel.subscribers[subscriber->clientId()];
        entry.subscriber = subscriber;
        entry.user = request.user;
        entry.durable = request.durable;
        entry.replaying = true;
        runWhenLoaded(shard, channel, ns.durable,
                      [this, &shard, &channel, ns, request = std::move(request),
                       subscriber = std::move(subscriber), done = std::move(done)](const Error* err) mutable {
                          if (err) {
                              channel.subscribers.erase(subscriber->clientId());
                              return done(*err);
                          }
                          startSubscription(shard, channel, ns, std::move(request), std::move(subscriber),
                                            std::move(done));
                      });
    });
}

void Broker::startSubscription(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                               SubscribeRequest request, std::shared_ptr<Subscriber> subscriber,
                               Callback<SubscribeOk> done)
{
    // A channel mirrored from its home region gets its epoch from there, with its
    // first publication; one made up here would differ.
    const bool mirrored = m_replicator && m_replicator->refusePublish(ns.name).has_value();
    if (ns.durable && m_store && channel.epoch.empty() && !mirrored) {
        // A stream without publications yet gets its epoch now, so the subscriber's
        // position (epoch, offset) stays valid once publications arrive. Only
        // subscribe does this; reads (history) create nothing.
        beginStoreCall(channel);
        m_store->ensureChannel(channel.name, [this, &shard, &channel, ns, request = std::move(request),
                                              subscriber = std::move(subscriber),
                                              done = std::move(done)](Result<store::ChannelState> state) mutable {
            if (!state)
                m_metrics.storeErrors.add();
            asio::post(shard.strand, [this, &shard, &channel, ns, request = std::move(request),
                                      subscriber = std::move(subscriber), done = std::move(done),
                                      state = std::move(state)]() mutable {
                endStoreCall(channel);
                if (!state) {
                    channel.subscribers.erase(subscriber->clientId());
                    return done(state.error());
                }
                if (channel.epoch.empty())
                    channel.epoch = state->epoch;
                startSubscription(shard, channel, ns, std::move(request), std::move(subscriber), std::move(done));
            });
        });
        return;
    }
    if (request.durable.empty())
        return replayFrom(shard, channel, ns, std::move(subscriber), std::move(request.since), std::move(done));

    beginStoreCall(channel);
    m_store->loadPosition(
        request.user, request.durable, request.channel,
        [this, &shard, &channel, ns, request, subscriber = std::move(subscriber),
         done = std::move(done)](Result<std::optional<store::Position>> position) mutable {
            if (!position)
                m_metrics.storeErrors.add();
            asio::post(shard.strand, [this, &shard, &channel, ns, request = std::move(request),
                                      subscriber = std::move(subscriber), done = std::move(done),
                                      position = std::move(position)]() mutable {
                endStoreCall(channel);
                if (!position) {
                    channel.subscribers.erase(subscriber->clientId());
                    return done(position.error());
                }
                std::optional<protocol::Since> since = request.since;
                if (position.value()) {
                    since = protocol::Since{position.value()->offset, position.value()->epoch};
                } else {
                    // A new durable subscription starts at `since` when that is a
                    // position in this stream, else now; the start is saved at once,
                    // so what it has not acked is delivered again when it comes back.
                    std::uint64_t start = channel.lastOffset;
                    if (since && since->offset <= channel.lastOffset &&
                        (since->offset == 0 || since->epoch == channel.epoch))
                        start = since->offset;
                    if (!since)
                        since = protocol::Since{start, channel.epoch};
                    m_store->savePosition(request.user, request.durable, request.channel,
                                          store::Position{channel.epoch, start}, [this](Result<void> saved) {
                                              if (!saved)
                                                  m_metrics.storeErrors.add();
                                          });
                }
                replayFrom(shard, channel, ns, std::move(subscriber), since, std::move(done));
            });
        });
}

void Broker::replayFrom(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                        std::shared_ptr<Subscriber> subscriber, std::optional<protocol::Since> since,
                        Callback<SubscribeOk> done, bool caughtUp)
{
    const std::uint64_t top = channel.lastOffset;
    if (!since)
        return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));

    // Offset 0 means "from the start of the stream", whatever the epoch.
    const bool sameEpoch = since->offset == 0 || since->epoch == channel.epoch;
    if (sameEpoch && since->offset > top && ns.durable && m_store && m_replicator && !caughtUp)
        return catchUpThenReplay(shard, channel, ns, std::move(subscriber), *since, std::move(done));
    if (!sameEpoch || since->offset > top)
        return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));
    const std::uint64_t missing = top - since->offset;
    if (missing == 0)
        return finishSubscription(channel, ns, subscriber, top, true, {}, std::move(done));
    if (missing > ns.historySize)
        return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));

    if (!ns.durable || !m_store) {
        std::vector<FramePtr> frames;
        if (channel.memory.empty() || channel.memory.front().offset > since->offset + 1)
            return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));
        std::size_t bytes = 0;
        for (const auto& pub : channel.memory) {
            if (pub.offset > since->offset) {
                bytes += pub.frame->size();
                frames.push_back(pub.frame);
            }
        }
        if (bytes > subscriber->catchUpBudget())
            return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));
        return finishSubscription(channel, ns, subscriber, top, true, std::move(frames), std::move(done));
    }

    store::ReadRequest read;
    read.channel = channel.name;
    read.after = since->offset;
    read.limit = static_cast<std::uint32_t>(missing);
    read.upTo = top;
    beginStoreCall(channel);
    m_store->read(std::move(read), [this, &shard, &channel, ns, subscriber = std::move(subscriber), top,
                                    after = since->offset, done = std::move(done)](Result<store::ReadResult> result) mutable {
        if (!result)
            m_metrics.storeErrors.add();
        asio::post(shard.strand, [this, &channel, ns, subscriber = std::move(subscriber), top, after,
                                  done = std::move(done), result = std::move(result)]() mutable {
            endStoreCall(channel);
            if (!result) {
                channel.subscribers.erase(subscriber->clientId());
                return done(result.error());
            }
            const auto& pubs = result->publications;
            // Anything but the exact range means the history no longer holds it.
            if (pubs.size() != top - after || pubs.front().offset != after + 1)
                return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));
            std::vector<FramePtr> frames;
            frames.reserve(pubs.size());
            std::size_t bytes = 0;
            for (const auto& pub : pubs) {
                frames.push_back(protocol::makeStoredPublicationFrame(
                    protocol::pubPush(pub.channel, pub.offset, pub.data, pub.ts, pub.user, pub.key), pub.offset));
                bytes += frames.back()->size();
                if (bytes > subscriber->catchUpBudget())
                    return finishSubscription(channel, ns, subscriber, top, false, {}, std::move(done));
            }
            finishSubscription(channel, ns, subscriber, top, true, std::move(frames), std::move(done));
        });
    });
}

void Broker::finishSubscription(Channel& channel, const config::NamespaceConfig& ns,
                                const std::shared_ptr<Subscriber>& subscriber, std::uint64_t top,
                                bool recovered, std::vector<FramePtr> replay, Callback<SubscribeOk> done)
{
    auto it = channel.subscribers.find(subscriber->clientId());
    if (it == channel.subscribers.end() || it->second.subscriber != subscriber)
        return done(makeError(ErrorCode::not_subscribed, "the subscription ended before it started"));
    auto& entry = it->second;
    const auto replayed = replay.size();
    // The reply goes first, then the replay, then what arrived meanwhile: the session
    // queues them in this order because they are all posted from this strand.
    done(SubscribeOk{channel.epoch, top, recovered, replayed});
    if (!entry.pending.empty()) {
        replay.insert(replay.end(), entry.pending.begin(), entry.pending.end());
        entry.pending.clear();
    }
    if (!replay.empty())
        entry.subscriber->deliverCatchUp(std::move(replay));
    entry.replaying = false;
    m_metrics.subscriptions.add(1);
    announce(channel, ns, true, subscriber->clientId(), entry.user);
}

void Broker::announce(Channel& channel, const config::NamespaceConfig& ns, bool join,
                      std::uint64_t client, const std::string& user)
{
    if (!ns.joinLeave || channel.subscribers.empty())
        return;
    channel.fanOut(protocol::makeTextFrame(protocol::joinLeavePush(join, channel.name, client, user)), client);
}

void Broker::unsubscribe(std::string channelName, std::uint64_t clientId, Callback<bool> done)
{
    auto ns = namespaceOf(channelName);
    Shard& shard = shardFor(channelName);
    asio::post(shard.strand, [this, &shard, ns, channelName = std::move(channelName), clientId,
                              done = std::move(done)] {
        auto it = shard.channels.find(channelName);
        if (it == shard.channels.end())
            return done(false);
        Channel& channel = *it->second;
        auto sub = channel.subscribers.find(clientId);
        if (sub == channel.subscribers.end())
            return done(false);
        const bool wasLive = !sub->second.replaying;
        std::string user = std::move(sub->second.user);
        channel.subscribers.erase(sub);
        if (wasLive) {
            m_metrics.subscriptions.add(-1);
            if (ns)
                announce(channel, *ns, false, clientId, user);
        }
        done(true);
    });
}

void Broker::unsubscribeAll(std::vector<std::string> channels, std::uint64_t clientId)
{
    for (auto& channel : channels)
        unsubscribe(std::move(channel), clientId, [](Result<bool>) {});
}

void Broker::publish(PublishRequest request, Callback<PublishOk> done)
{
    auto ns = namespaceOf(request.channel);
    if (!ns)
        return done(unknownChannel(request.channel));
    if (request.data.size() > ns->maxMessageBytes)
        return done(makeError(ErrorCode::payload_too_large,
                              "data is " + std::to_string(request.data.size()) + " bytes; namespace \"" +
                                  ns->name + "\" allows " + std::to_string(ns->maxMessageBytes)));
    // Regions: a namespace homed in another region, or a fenced region, takes no publish here.
    if (m_replicator) {
        if (auto refusal = m_replicator->refusePublish(ns->name))
            return done(std::move(*refusal));
    }
    Shard& shard = shardFor(request.channel);
    asio::post(shard.strand, [this, &shard, ns = std::move(*ns), request = std::move(request),
                              done = std::move(done)]() mutable {
        Channel& channel = channelOn(shard, request.channel, ns.durable);
        if (!ns.durable || !m_store)
            return publishMemory(channel, ns, std::move(request), std::move(done));
        runWhenLoaded(shard, channel, true,
                      [this, &shard, &channel, ns, request = std::move(request),
                       done = std::move(done)](const Error* err) mutable {
                          if (err)
                              return done(*err);
                          publishDurable(shard, channel, ns, std::move(request), std::move(done));
                      });
    });
}

void Broker::publishMemory(Channel& channel, const config::NamespaceConfig& ns, PublishRequest request,
                           Callback<PublishOk> done)
{
    const auto now = unixMillisNow();
    if (!request.key.empty()) {
        const auto window = m_config.load()->store.dedupWindow.count();
        while (!channel.dedupOrder.empty() &&
               (channel.dedupOrder.front().first < now - window || channel.dedupOrder.size() > kMaxDedupEntries)) {
            channel.dedup.erase(channel.dedupOrder.front().second);
            channel.dedupOrder.pop_front();
        }
        if (auto it = channel.dedup.find(request.key); it != channel.dedup.end()) {
            m_metrics.duplicatePublications.add();
            return done(PublishOk{it->second.first, channel.epoch, true});
        }
    }
    const auto offset = ++channel.lastOffset;
    ++channel.publications;
    auto frame = protocol::makePublicationFrame(
        protocol::pubPush(channel.name, offset, request.data, now, request.user, request.key), request.born, offset);
    if (!request.key.empty()) {
        channel.dedup.emplace(request.key, std::pair{offset, now});
        channel.dedupOrder.emplace_back(now, request.key);
    }
    if (ns.historySize > 0) {
        channel.memory.push_back({offset, std::move(request.data), now, std::move(request.user),
                                  std::move(request.key), frame});
        const auto oldest = now - ns.historyTtl.count();
        while (channel.memory.size() > ns.historySize ||
               (!channel.memory.empty() && channel.memory.front().ts < oldest))
            channel.memory.pop_front();
    }
    channel.fanOut(frame);
    m_metrics.publications.add();
    m_metrics.deliveries.add(channel.subscribers.size());
    done(PublishOk{offset, channel.epoch, false});
}


void Broker::publishDurable(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                            PublishRequest request, Callback<PublishOk> done)
{
    if (m_replicator && m_replicator->congested()) {
        m_metrics.bridgeRefused.add();
        return done(makeError(ErrorCode::unavailable,
                              "the cluster bridge is behind (too many publications wait for Kafka); try again",
                              true));
    }
    store::AppendRequest append;
    append.channel = request.channel;
    append.data = std::move(request.data);
    append.ts = unixMillisNow();
    append.user = std::move(request.user);
    append.key = std::move(request.key);
    append.retention = store::Retention{ns.historySize, ns.historyTtl};
    const auto enqueued = Clock::now();
    // The store keeps the request's fields; the fan-out needs them again to build the
    // frame, so the ones it needs are captured separately.
    auto frameFields = std::make_shared<store::AppendRequest>(append);
    beginStoreCall(channel);
    m_store->append(std::move(append), [this, &shard, &channel, frameFields, born = request.born, enqueued,
                                        done = std::move(done)](Result<store::AppendResult> result) mutable {
        m_metrics.storeAppend.observe(std::chrono::duration<double>(Clock::now() - enqueued).count());
        if (!result)
            m_metrics.storeErrors.add();
        // On the store thread, so the bridge gets a channel's publications in offset order.
        if (m_replicator && result && !result->duplicate) {
            const auto age = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - born);
            m_replicator->committed(CommittedPublication{frameFields->channel, result->epoch, result->offset,
                                                         frameFields->data, result->ts, frameFields->user,
                                                         frameFields->key, unixMicrosNow() - age.count()});
        }
        asio::post(shard.strand, [this, &shard, &channel, frameFields, born, result = std::move(result),
                                  done = std::move(done)]() mutable {
            endStoreCall(channel);
            if (!result)
                return done(result.error());
            if (result->duplicate) {
                m_metrics.duplicatePublications.add();
                return done(PublishOk{result->offset, result->epoch, true});
            }
            m_metrics.publications.add();
            // Store callbacks of one channel arrive in offset order; with other nodes
            // appending too, the sequencer fills any hole before this offset first.
            sequence(shard, channel, result->epoch, result->offset, [&] {
                return protocol::makePublicationFrame(
                    protocol::pubPush(channel.name, result->offset, frameFields->data, result->ts,
                                      frameFields->user, frameFields->key),
                    born, result->offset);
            });
            done(PublishOk{result->offset, result->epoch, false});
        });
    });
}


void Broker::history(HistoryRequest request, Callback<HistoryOk> done)
{
    auto ns = namespaceOf(request.channel);
    if (!ns)
        return done(unknownChannel(request.channel));
    Shard& shard = shardFor(request.channel);
    asio::post(shard.strand, [this, &shard, ns = std::move(*ns), request = std::move(request),
                              done = std::move(done)]() mutable {
        Channel& channel = channelOn(shard, request.channel, ns.durable);
        runWhenLoaded(shard, channel, ns.durable, [this, &shard, &channel, ns, request = std::move(request),
                                                   done = std::move(done)](const Error* err) mutable {
            if (err)
                return done(*err);
            const std::uint64_t after = request.since ? request.since->offset : 0;
            const std::uint64_t top = channel.lastOffset;
            if (!ns.durable || !m_store) {
                std::string out = "[";
                std::size_t n = 0;
                auto add = [&](const MemoryPublication& pub) {
                    if (n++)
                        out += ',';
                    protocol::appendPublication(out, channel.name, pub.offset, pub.data, pub.ts, pub.user, pub.key);
                };
                if (request.reverse) {
                    for (auto it = channel.memory.rbegin(); it != channel.memory.rend() && n < request.limit; ++it)
                        if (it->offset > after)
                            add(*it);
                } else {
                    for (const auto& pub : channel.memory) {
                        if (n >= request.limit)
                            break;
                        if (pub.offset > after)
                            add(pub);
                    }
                }
                out += ']';
                return done(HistoryOk{channel.epoch, top, std::move(out)});
            }
            store::ReadRequest read;
            read.channel = channel.name;
            read.after = after;
            read.limit = request.limit;
            read.reverse = request.reverse;
            read.upTo = top;
            beginStoreCall(channel);
            m_store->read(std::move(read), [this, &shard, &channel, top, done = std::move(done)](Result<store::ReadResult> result) mutable {
                if (!result)
                    m_metrics.storeErrors.add();
                asio::post(shard.strand, [&channel, top, done = std::move(done), result = std::move(result)]() mutable {
                    endStoreCall(channel);
                    if (!result)
                        return done(result.error());
                    std::string out = "[";
                    bool first = true;
                    for (const auto& pub : result->publications) {
                        if (!first)
                            out += ',';
                        first = false;
                        protocol::appendPublication(out, pub.channel, pub.offset, pub.data, pub.ts, pub.user, pub.key);
                    }
                    out += ']';
                    done(HistoryOk{channel.epoch, top, std::move(out)});
                });
            });
        });
    });
}

void Broker::channelStats(std::function<void(std::vector<ChannelStats>)> done)
{
    // Each shard adds its channels on its own strand; the last one to finish calls
    // `done`. The mutex guards only this gathering (admin path, never fan-out).
    struct Gather {
        std::mutex mutex;
        std::vector<ChannelStats> stats;
        std::size_t remaining;
        std::function<void(std::vector<ChannelStats>)> done;
    };
    auto gather = std::make_shared<Gather>();
    gather->remaining = m_shards.size();
    gather->done = std::move(done);
    for (auto& shard : m_shards) {
        asio::post(shard->strand, [gather, &shard = *shard] {
            std::vector<ChannelStats> local;
            local.reserve(shard.channels.size());
            for (const auto& [name, channel] : shard.channels) {
                if (channel->load != Channel::Load::ready)
                    continue;
                local.push_back(ChannelStats{name, channel->subscribers.size(), channel->lastOffset, channel->epoch,
                                             channel->publications});
            }
            std::unique_lock lock(gather->mutex);
            gather->stats.insert(gather->stats.end(), std::make_move_iterator(local.begin()),
                                 std::make_move_iterator(local.end()));
            if (--gather->remaining > 0)
                return;
            auto all = std::move(gather->stats);
            lock.unlock();
            gather->done(std::move(all));
        });
    }
}

void Broker::presence(std::string channelName, Callback<PresenceOk> done)
{
    auto ns = namespaceOf(channelName);
    if (!ns)
        return done(unknownChannel(channelName));
    if (!ns->presence)
        return done(makeError(ErrorCode::bad_request,
                              "presence is turned off for namespace \"" + ns->name + "\" (presence = false)"));
    Shard& shard = shardFor(channelName);
    asio::post(shard.strand, [&shard, channelName = std::move(channelName), done = std::move(done)] {
        PresenceOk ok;
        if (auto it = shard.channels.find(channelName); it != shard.channels.end())
            for (const auto& [client, entry] : it->second->subscribers)
                ok.clients.emplace_back(client, entry.user);
        done(std::move(ok));
    });
}

void Broker::ack(std::string user, std::string durable, std::string channelName, std::uint64_t offset,
                 Callback<bool> done)
{
    auto ns = namespaceOf(channelName);
    if (!ns)
        return done(unknownChannel(channelName));
    if (!m_store)
        return done(makeError(ErrorCode::unavailable, "durable subscriptions need an event store"));
    Shard& shard = shardFor(channelName);
    asio::post(shard.strand, [this, &shard, user = std::move(user), durable = std::move(durable),
                              channelName = std::move(channelName), offset, done = std::move(done)]() mutable {
        auto it = shard.channels.find(channelName);
        if (it == shard.channels.end())
            return done(makeError(ErrorCode::not_subscribed, "not subscribed to \"" + channelName + "\""));
        Channel& channel = *it->second;
        if (offset > channel.lastOffset)
            return done(makeError(ErrorCode::bad_request,
                                  "offset " + std::to_string(offset) + " is beyond the channel's last offset " +
                                      std::to_string(channel.lastOffset)));
        m_store->savePosition(std::move(user), std::move(durable), std::move(channelName),
                              store::Position{channel.epoch, offset},
                              [this, done = std::move(done)](Result<void> saved) {
                                  if (!saved) {
                                      m_metrics.storeErrors.add();
                                      return done(saved.error());
                                  }
                                  done(true);
                              });
    });
}

} // namespace aldis::broker
