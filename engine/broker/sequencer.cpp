// SPDX-License-Identifier: Apache-2.0
// The broker's sequencer: committed publications, this node's and (in a cluster)
// the other nodes', are fanned out per channel in offset order. One beyond
// lastOffset + 1 waits in Channel::ahead while the hole before it is read from the
// store; one at or below it was delivered already. Runs on the channel's strand.

#include "broker/broker_internal.h"

#include "observability/metrics.h"
#include "protocol/frame.h"
#include "protocol/reply.h"
#include "store/event_store.h"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace aldis::broker {

namespace {

// The steady-clock instant of a wall-clock birth on another node, for the
// publish-to-deliver histogram (nodes' clocks are assumed in sync, as with NTP).
Clock::time_point bornAt(std::int64_t bornMicros)
{
    const auto age = std::chrono::microseconds(std::max<std::int64_t>(0, unixMicrosNow() - bornMicros));
    return Clock::now() - age;
}

constexpr std::uint32_t kMaxGapRead = 1000;
constexpr auto kGapRetry = std::chrono::milliseconds(200);

} // namespace

void Broker::deliverCommitted(CommittedPublication pub)
{
    auto ns = namespaceOf(pub.channel);
    if (!ns || !ns->durable || !m_store)
        return;
    m_metrics.remotePublications.add();
    Shard& shard = shardFor(pub.channel);
    asio::post(shard.strand, [this, &shard, pub = std::move(pub)]() mutable {
        auto it = shard.channels.find(pub.channel);
        if (it == shard.channels.end())
            return; // not used here: it loads from the store when it is
        Channel& channel = *it->second;
        auto shared = std::make_shared<CommittedPublication>(std::move(pub));
        auto run = [this, &shard, &channel, shared](const Error* err) {
            if (err)
                return;
            const auto& p = *shared;
            sequence(shard, channel, p.epoch, p.offset, [&] {
                return protocol::makePublicationFrame(
                    protocol::pubPush(p.channel, p.offset, p.data, p.ts, p.user, p.key), bornAt(p.bornMicros), p.offset);
            });
        };
        // A channel still loading learns its last offset from a read that may have
        // started before this commit: it waits, so the publication is not lost.
        if (channel.load == Channel::Load::loading)
            channel.waiting.push_back(std::move(run));
        else if (channel.load == Channel::Load::ready)
            run(nullptr);
    });
}

void Broker::sequence(Shard& shard, Channel& channel, const std::string& epoch, std::uint64_t offset,
                      std::function<FramePtr()> frame)
{
    if (epoch != channel.epoch) {
        if (!channel.epoch.empty()) {
            // The stream was replaced (a forced promotion gave the channel a new
            // epoch): offsets of the old one mean nothing in it. Subscribers are told
            // to subscribe again, and learn `recovered: false` when they resume.
            auto push = protocol::makeTextFrame(
                protocol::unsubscribedPush(channel.name, "the channel's stream was replaced by a failover (new "
                                                         "epoch); subscribe again"));
            for (auto& [client, entry] : channel.subscribers) {
                entry.subscriber->subscriptionEnded(channel.name, push);
                if (!entry.replaying)
                    m_metrics.subscriptions.add(-1);
            }
            channel.subscribers.clear();
            channel.ahead.clear();
            spdlog::warn("broker: channel {} has a new epoch {} (was {})", channel.name, epoch, channel.epoch);
            // The new stream's offsets go on from the old one's: what lies between
            // belongs to it and is not filled from the store.
            channel.lastOffset = offset - 1;
        }
        channel.epoch = epoch;
    }
    if (offset <= channel.lastOffset)
        return; // delivered already: this node's own, or filled from the store
    if (channel.subscribers.empty() && !channel.filling) {
        // Nobody to deliver to: only the position matters.
        channel.ahead.clear();
        channel.publications += offset - channel.lastOffset;
        channel.lastOffset = offset;
        return;
    }
    channel.ahead.emplace(offset, frame());
    drainAhead(shard, channel);
}

void Broker::drainAhead(Shard& shard, Channel& channel)
{
    while (!channel.ahead.empty() && channel.ahead.begin()->first <= channel.lastOffset + 1) {
        auto next = channel.ahead.extract(channel.ahead.begin());
        if (next.key() <= channel.lastOffset)
            continue;
        channel.lastOffset = next.key();
        ++channel.publications;
        channel.fanOut(next.mapped());
        m_metrics.deliveries.add(channel.subscribers.size());
    }
    if (!channel.ahead.empty() && !channel.filling)
        fillGap(shard, channel);
}

void Broker::fillGap(Shard& shard, Channel& channel)
{
    // Every offset below one known committed is committed too (the store assigns a
    // channel's offsets under a lock held until commit), so the hole is in the store.
    channel.filling = true;
    store::ReadRequest read;
    read.channel = channel.name;
    read.after = channel.lastOffset;
    read.upTo = channel.ahead.begin()->first - 1;
    read.limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(*read.upTo - read.after, kMaxGapRead));
    m_metrics.gapFills.add();
    beginStoreCall(channel);
    m_store->read(read, [this, &shard, &channel, read](Result<store::ReadResult> result) {
        if (!result)
            m_metrics.storeErrors.add();
        asio::post(shard.strand, [this, &shard, &channel, read, result = std::move(result)]() mutable {
            endStoreCall(channel);
            channel.filling = false;
            if (!result) {
                spdlog::warn("broker: cannot fill a hole in channel {} after offset {}: {} (retrying)",
                             channel.name, read.after, result.error().message);
                auto timer = std::make_shared<asio::steady_timer>(shard.strand, kGapRetry);
                channel.filling = true;
                beginStoreCall(channel);
                timer->async_wait([this, &shard, &channel, timer](boost::system::error_code) {
                    endStoreCall(channel);
                    channel.filling = false;
                    drainAhead(shard, channel);
                });
                return;
            }
            for (const auto& pub : result->publications) {
                if (pub.offset > channel.lastOffset)
                    channel.ahead.try_emplace(pub.offset, protocol::makeStoredPublicationFrame(
                                                              protocol::pubPush(pub.channel, pub.offset, pub.data, pub.ts,
                                                                                pub.user, pub.key),
                                                              pub.offset));
            }
            // Fewer than asked: the rest is gone from the history (retention). Those
            // offsets are skipped, as a replay would skip them.
            if (result->publications.size() < read.limit && !channel.ahead.empty()) {
                const std::uint64_t firstKept = result->publications.empty() ? channel.ahead.begin()->first
                                                                             : result->publications.front().offset;
                if (firstKept > channel.lastOffset + 1) {
                    m_metrics.gapSkipped.add(firstKept - channel.lastOffset - 1);
                    spdlog::warn("broker: channel {}: offsets {}..{} are no longer in the store; skipped",
                                 channel.name, channel.lastOffset + 1, firstKept - 1);
                    channel.lastOffset = firstKept - 1;
                }
            }
            drainAhead(shard, channel);
        });
    });
}

// In a cluster, a client can resume at an offset this node has not fanned out yet: it
// saw the publication on another node, and this node's bridge has not read it from
// Kafka yet (or is paused). The store has it (a publication is committed before any
// node delivers it), so the channel catches up from the store first, through the
// sequencer as for a hole (its other subscribers get those offsets now, and the
// bridge's copies are dropped later), and the replay starts from there. Without this
// the resume would answer `recovered: false` at an older offset, and the client would
// get the offsets it already had once more when the bridge caught up.
void Broker::catchUpThenReplay(Shard& shard, Channel& channel, const config::NamespaceConfig& ns,
                               std::shared_ptr<Subscriber> subscriber, protocol::Since since,
                               Callback<SubscribeOk> done)
{
    store::ReadRequest read;
    read.channel = channel.name;
    read.after = channel.lastOffset;
    read.upTo = since.offset;
    read.limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(since.offset - channel.lastOffset, kMaxGapRead));
    beginStoreCall(channel);
    m_store->read(read, [this, &shard, &channel, ns, subscriber = std::move(subscriber), since,
                         done = std::move(done)](Result<store::ReadResult> result) mutable {
        if (!result)
            m_metrics.storeErrors.add();
        asio::post(shard.strand, [this, &shard, &channel, ns, subscriber = std::move(subscriber), since,
                                  done = std::move(done), result = std::move(result)]() mutable {
            endStoreCall(channel);
            if (!result) {
                channel.subscribers.erase(subscriber->clientId());
                return done(result.error());
            }
            for (const auto& pub : result->publications)
                if (pub.offset > channel.lastOffset)
                    channel.ahead.try_emplace(pub.offset, protocol::makeStoredPublicationFrame(
                                                              protocol::pubPush(pub.channel, pub.offset, pub.data, pub.ts,
                                                                                pub.user, pub.key),
                                                              pub.offset));
            drainAhead(shard, channel);
            // What was fanned out to this subscriber while it waited is at or below the
            // channel's offset now: older than `since`, or in the replay that follows.
            // (A join or leave among it is dropped with it.)
            if (auto it = channel.subscribers.find(subscriber->clientId());
                it != channel.subscribers.end() && it->second.subscriber == subscriber)
                it->second.pending.clear();
            // Still short of `since` (an offset the store does not have): recovered: false.
            replayFrom(shard, channel, ns, std::move(subscriber), since, std::move(done), true);
        });
    });
}


} // namespace aldis::broker
