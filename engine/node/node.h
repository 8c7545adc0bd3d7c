// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"
#include "observability/metrics.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace aldis::store { class EventStore; }
namespace aldis::broker { class Broker; }
namespace aldis::gateway { class Server; struct ServerContext; }
namespace aldis::admin { class AdminServer; }
namespace aldis::cluster { class ClusterLink; struct SelfReport; }

namespace aldis::node {

// One Aldis node: the event store, the broker, the client listener, the admin API and
// the io_context threads that run them. The daemon and the control room's embedded node are both a
// Node.
//
// Threads: start(), drain(), reload() and stop() are called from one controlling
// thread (the app's main thread); the node runs its own io threads.
class Node {
public:
    explicit Node(std::shared_ptr<const config::Config> config);
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Opens the store, binds the listener and starts the io threads; the node is
    // ready when this returns ok.
    Result<void> start();

    std::uint16_t port() const noexcept;
    // The admin API's port (0 when admin.enabled is false).
    std::uint16_t adminPort() const noexcept;

    // Graceful stop: /ready turns 503, no new connections, every client gets the
    // `disconnect` push and 4007, pending commits finish; returns once all sessions
    // are gone or `timeout` passed, then stops. Returns the number of clients closed.
    std::size_t drain(std::chrono::milliseconds timeout);

    // Swaps namespaces, permissions and keys without dropping connections. Settings
    // that need a restart (listener address, store) are kept and named in the result.
    Result<std::vector<std::string>> reload(std::shared_ptr<const config::Config> config);

    void stop();

    observability::Metrics& metrics() noexcept { return m_metrics; }
    std::shared_ptr<const config::Config> config() const;

private:
    // True once every client session has ended, false when `timeout` passed first.
    bool waitForSessions(std::chrono::milliseconds timeout);
    // What this node announces in its cluster heartbeat.
    cluster::SelfReport selfReport() const;

    std::shared_ptr<const config::Config> m_config;
    observability::Metrics m_metrics;
    boost::asio::io_context m_io;
    std::unique_ptr<store::EventStore> m_store;
    std::unique_ptr<broker::Broker> m_broker;
    std::shared_ptr<gateway::ServerContext> m_context;
    std::unique_ptr<gateway::Server> m_server;
    std::unique_ptr<admin::AdminServer> m_admin;
    std::unique_ptr<cluster::ClusterLink> m_cluster; // none on a standalone node
    std::vector<std::thread> m_threads;
    bool m_running = false;
};

} // namespace aldis::node
