// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aldis::gateway { class Server; struct ServerContext; }

namespace aldis::admin {

// What the admin API shows of the node's cluster, and the cluster actions it runs.
// engine/cluster implements it; a standalone node has none. Every method may be called
// from any thread.
class ClusterView {
public:
    struct Member {
        std::string id;
        std::string region;
        std::string state;            // serving, draining, drained, down
        std::string admin;            // admin listener host:port
        std::string client;           // client listener host:port
        std::int64_t lastSeenMs = 0;  // unix ms of its last heartbeat
        std::int64_t connections = 0;
        bool self = false;
        // Its region is fenced, it refuses publishes and everything it committed
        // has reached Kafka: a promotion elsewhere may count on its publications.
        bool fenced = false;
        // Went silent without saying it stopped (crashed, cut off): what it committed
        // may be only in its region's store.
        bool lost = false;
    };
    struct Lag {
        std::string topic;
        std::int32_t partition = 0;
        std::int64_t lag = 0;
    };
    struct Info {
        std::string kafka;
        std::string eventsTopic;
        bool ready = false;           // the bridge reads every partition
        bool paused = false;
        std::uint64_t sent = 0;
        std::uint64_t delivered = 0;
        std::uint64_t failed = 0;
        std::uint64_t received = 0;
        std::uint64_t queued = 0;
    };

    // A region as this node knows it: its own, and those it mirrors.
    struct Region {
        std::string name;
        bool fenced = false;
        std::vector<std::string> homeOf;  // namespaces whose home it is ("*": those with no home_region)
    };
    // A mirror: `to` (this region) copies the namespaces homed in `from`.
    struct Link {
        std::string from;
        std::string to;
        std::int64_t lag = -1;         // events of `from` not yet stored here; -1 unknown
        std::uint64_t applied = 0;
        std::uint64_t holes = 0;
    };
    // The answer to a region action: an HTTP status, an error code ("" when it
    // worked) and what happened.
    struct Outcome {
        int status = 200;
        std::string errorCode;
        std::string message;
    };

    virtual ~ClusterView() = default;
    virtual std::vector<Member> members() const = 0;
    virtual std::vector<Lag> lag() const = 0;
    virtual Info info() const = 0;
    // pause-bridge / resume-bridge on this node; false when it already was.
    virtual bool pauseBridge() = 0;
    virtual bool resumeBridge() = 0;
    virtual std::vector<Region> regions() const = 0;
    virtual std::vector<Link> links() const = 0;
    // fence-region / unfence-region: a fenced region takes no publish.
    virtual Outcome fenceRegion(const std::string& region, bool fence) = 0;
    // promote-region: this node's region becomes the home of `ns` (every namespace
    // homed in a fenced region this one mirrors when `ns` is empty). `force` when the
    // mirror may lack publications: their channels get new epochs.
    virtual Outcome promoteRegion(const std::string& region, const std::string& ns, bool force) = 0;
};

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

    // The node's cluster, when it has one; set before start(). Not owned.
    void setClusterView(ClusterView* view);

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace aldis::admin
