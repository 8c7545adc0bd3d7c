// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/admin_server.h"
#include "broker/broker.h"
#include "cluster/event_bridge.h"
#include "cluster/member_table.h"
#include "cluster/mirror_link.h"
#include "config/config.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace aldis::observability { struct Metrics; }

namespace aldis::cluster {

// What a node says about itself in its heartbeat.
struct SelfReport {
    std::string state;            // serving, draining, drained
    std::string admin;            // admin listener host:port ("" without one)
    std::string client;           // client listener host:port
    std::int64_t connections = 0;
};

// A node's membership in its region's cluster: the event bridge (this node's commits
// out to Kafka, everyone's commits in to the broker), heartbeats on the members topic,
// and the view of the other members that the admin API and the control room show.
//
// Threads: the bridge thread calls the broker (which posts to its strands) and
// updates the member table under a mutex; the heartbeat runs on a strand of the node's
// io_context and never blocks (producing only queues). Every public method may be
// called from any thread.
class ClusterLink final : public broker::Replicator, public admin::ClusterView {
public:
    ClusterLink(boost::asio::io_context& io, const config::Config& config, broker::Broker& broker,
                store::EventStore& store, observability::Metrics& metrics, std::function<SelfReport()> self);
    ~ClusterLink() override;

    // Links to Kafka (blocking up to cluster start timeout: call before serving).
    Result<void> start();
    // Sends a last heartbeat saying "down", flushes and unlinks.
    void stop();

    // broker::Replicator
    bool congested() const override;
    void committed(const broker::CommittedPublication& publication) override;
    std::optional<Error> refusePublish(const std::string& ns) const override;

    // admin::ClusterView
    std::vector<Member> members() const override;
    std::vector<Lag> lag() const override;
    Info info() const override;
    bool pauseBridge() override;
    bool resumeBridge() override;
    std::vector<Region> regions() const override;
    std::vector<Link> links() const override;
    Outcome fenceRegion(const std::string& region, bool fence) override;
    Outcome promoteRegion(const std::string& region, const std::string& ns, bool force) override;

private:
    void onControl(std::string key, std::string json);
    // This region is fenced, and this node has been quiet long enough and has nothing
    // left for Kafka (said in its heartbeat, for promote-region elsewhere).
    bool fenceConfirmed() const;
    // The region whose store numbers namespace `ns` now: a promotion's, else the
    // configured home_region, else this one.
    std::string homeOf(const std::string& ns) const;
    std::optional<store::Retention> mirrored(const std::string& channel, const std::string& source) const;
    void onMirrored(const EventRecord& record);
    void onEvent(EventRecord record);
    void onMember(std::string node, std::string json);
    void heartbeat();
    void scheduleHeartbeat();
    std::string heartbeatJson(const std::string& state) const;

    const config::ClusterConfig m_config;
    const std::string m_nodeId;
    const std::string m_region;
    broker::Broker& m_broker;
    observability::Metrics& m_metrics;
    std::function<SelfReport()> m_self;
    boost::asio::strand<boost::asio::io_context::executor_type> m_strand;
    boost::asio::steady_timer m_timer;
    std::unique_ptr<EventBridge> m_bridge;
    bool m_heartbeating = false;   // start() succeeded: the heartbeat runs on m_strand
    std::vector<std::unique_ptr<MirrorLink>> m_mirrors;
    const config::Config m_fullConfig;   // namespaces and their homes as started
    store::EventStore& m_store;

    // From the region's control topic (and applied at once by this node's actions).
    // Read on every publish, so readers take a snapshot without a lock; writers
    // (rare) copy it, change the copy and publish it, one at a time.
    struct ControlState {
        std::set<std::string> fenced;               // regions
        Clock::time_point fencedSince{};            // when this node's region was fenced
        std::map<std::string, std::string> homes;   // namespace -> region, by promotions
    };
    std::atomic<std::shared_ptr<const ControlState>> m_control{std::make_shared<const ControlState>()};
    std::mutex m_controlWrite;
    // Runs `change` on a copy of the state and publishes it; returns what it returned.
    template <typename Change>
    auto updateControl(Change change)
    {
        std::lock_guard lock(m_controlWrite);
        auto next = std::make_shared<ControlState>(*m_control.load());
        auto result = change(*next);
        m_control.store(std::move(next));
        return result;
    }

    MemberTable m_members; // the other nodes of this region
};

} // namespace aldis::cluster
