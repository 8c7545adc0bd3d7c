// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace aldis::gateway { class Server; struct ServerContext; }

namespace aldis::admin {

// Facts about the node that do not change while it runs.
struct NodeFacts {
    std::string version;
    std::int64_t startedAtMs = 0;
    std::string clientListener;   // "0.0.0.0:8800"
    std::string storeBackend;
    std::string storePath;
};

// The admin API (docs/admin-api.md): REST for node info, topology, channels,
// connections, the audit log, alerts and operator actions, and a WebSocket stream of
// stats snapshots (every second), events and a live channel tail. It also runs the
// alert rules, so a headless node alerts too.
//
// Threads: the acceptor and the ticker each run on a strand of the node's io_context;
// every admin connection gets a strand of its own. Nothing here is on the client
// message path: it reads the node's metrics (atomics) and asks the broker for channel
// lists like any other caller. Owned by the Node; stop() before the io_context stops.
class AdminServer {
public:
    AdminServer(boost::asio::io_context& io, std::shared_ptr<gateway::ServerContext> context,
                gateway::Server& clients, NodeFacts facts);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    // Binds admin.address:admin.port and starts accepting and ticking. Throws
    // std::system_error when the address cannot be bound.
    void start();
    std::uint16_t port() const noexcept;
    std::string address() const;

    // Sends `node_down` to every stream, closes them with 1001 and stops accepting.
    void stop();

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace aldis::admin
