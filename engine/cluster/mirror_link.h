// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/admin_server.h"
#include "cluster/event_codec.h"
#include "cluster/kafka.h"
#include "cluster/member_table.h"
#include "common/error.h"
#include "config/config.h"
#include "store/event_store.h"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace aldis::cluster {

// Mirrors another region into this one ([[cluster.mirrors]]): reads the source
// region's events topic and stores each publication of the namespaces homed there in
// this region's store under its home epoch and offset (EventStore::replicate), then
// hands it on to be fanned out here. It also reads the source region's heartbeats
// (for the topology) and can write to its control topic (fences).
//
// The mirroring nodes of a region share one consumer group per source region
// (`aldis.<region>.mirror.<source>`), so each partition is applied by one node, and
// another takes over when that node goes. Offsets are committed after the store
// committed: a crash repeats publications, which replicate() skips.
//
// Per channel the publications are applied in offset order: one that arrives early
// (Kafka's order is the order the source's nodes produced in, not offset order)
// waits up to `holeWait` for the ones before it, then is applied anyway, leaving a
// hole that replays answer with `recovered: false`.
//
// Threads: one thread of its own runs the consumers and calls the store (blocking)
// and the handlers. Every public method may be called from any thread.
class MirrorLink {
public:
    // Whether a channel's publications are mirrored into this region now, with the
    // retention of its namespace here; nothing when they are not.
    using Wanted = std::function<std::optional<store::Retention>(const std::string& channel)>;
    // A publication committed in this region's store by the mirror.
    using Applied = std::function<void(const EventRecord& record)>;

    struct Stats {
        std::uint64_t applied = 0;
        std::uint64_t skipped = 0;   // already stored, or of namespaces not mirrored
        std::uint64_t holes = 0;     // offsets given up on after holeWait
        std::uint64_t failures = 0;  // store batches that failed (and were retried)
        std::int64_t groupLag = -1;  // events of the source not yet applied here; -1 unknown
    };

    MirrorLink(const config::Config& config, const config::MirrorConfig& source, store::EventStore& store,
               Wanted wanted, Applied applied);
    ~MirrorLink();
    MirrorLink(const MirrorLink&) = delete;
    MirrorLink& operator=(const MirrorLink&) = delete;

    Result<void> start();
    void stop();

    const std::string& region() const { return m_source.region; }
    // Writes a record to the source region's control topic (a fence).
    void control(const std::string& key, const std::string& json);

    Stats stats() const;
    // The group's lag asked of Kafka now (blocking up to 2 s); -1 when Kafka does not
    // answer. For promote-region, which must not trust a figure a second old.
    std::int64_t lagNow();
    std::vector<admin::ClusterView::Lag> lag() const;
    std::vector<admin::ClusterView::Member> members() const;

    static constexpr Millis holeWait{2000};

private:
    struct ChannelState {
        bool known = false;
        std::string epoch;
        std::uint64_t applied = 0;
        std::map<std::uint64_t, std::pair<EventRecord, Clock::time_point>> early;
    };

    void loop();
    void take(EventRecord record, std::vector<store::ReplicaPublication>& batch,
              std::vector<EventRecord>& records);
    void release(ChannelState& state, std::vector<store::ReplicaPublication>& batch,
                 std::vector<EventRecord>& records, bool giveUp);
    bool apply(std::vector<store::ReplicaPublication>& batch, std::vector<EventRecord>& records);
    void onMember(const rd_kafka_message_t* message);
    void refreshLag();
    // The group's lag per partition from Kafka (blocking); nothing when it does not answer.
    std::optional<std::vector<admin::ClusterView::Lag>> queryLag();

    const config::MirrorConfig m_source;
    const std::string m_region;
    const std::string m_nodeId;
    std::string m_eventsTopic;
    std::string m_membersTopic;
    std::string m_controlTopic;
    store::EventStore& m_store;
    Wanted m_wanted;
    Applied m_applied;

    kafka::Handle m_events;    // consumer group member
    kafka::Handle m_watcher;   // heartbeats, assigned
    kafka::Handle m_producer;  // control records to the source region
    std::thread m_thread;
    std::atomic<bool> m_running{false};
    bool m_stopping = false;   // mirror thread: a record could not be taken; commit nothing more
    std::map<std::string, ChannelState> m_channels; // mirror thread only
    Clock::time_point m_nextLag{};

    std::atomic<std::uint64_t> m_appliedCount{0};
    std::atomic<std::uint64_t> m_skipped{0};
    std::atomic<std::uint64_t> m_holes{0};
    std::atomic<std::uint64_t> m_failures{0};
    mutable std::mutex m_mutex;
    std::vector<admin::ClusterView::Lag> m_lag;                 // guarded
    std::int64_t m_groupLag = -1;                               // guarded
    MemberTable m_members;                                      // the source region's nodes
};

} // namespace aldis::cluster
