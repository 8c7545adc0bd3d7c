// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/admin_server.h"
#include "broker/broker.h"
#include "cluster/event_bridge.h"
#include "config/config.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
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
                observability::Metrics& metrics, std::function<SelfReport()> self);
    ~ClusterLink() override;

    // Links to Kafka (blocking up to cluster start timeout: call before serving).
    Result<void> start();
    // Sends a last heartbeat saying "down", flushes and unlinks.
    void stop();

    // broker::Replicator
    bool congested() const override;
    void committed(const broker::CommittedPublication& publication) override;

    // admin::ClusterView
    std::vector<Member> members() const override;
    std::vector<Lag> lag() const override;
    Info info() const override;
    bool pauseBridge() override;
    bool resumeBridge() override;

private:
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

    mutable std::mutex m_membersMutex;
    std::map<std::string, Member> m_members; // other nodes, by id
};

} // namespace aldis::cluster
