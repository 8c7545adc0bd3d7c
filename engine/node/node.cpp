// SPDX-License-Identifier: Apache-2.0
#include "node/node.h"

#include "admin/admin_server.h"
#include "broker/broker.h"
#include "cluster/cluster_link.h"
#include "gateway/server.h"
#include "gateway/server_context.h"
#include "gateway/tls.h"
#include "security/jwt.h"
#include "store/store_factory.h"

#include <boost/asio/executor_work_guard.hpp>
#include <spdlog/spdlog.h>

namespace aldis::node {

namespace {
using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
}

Node::Node(std::shared_ptr<const config::Config> config) : m_config(std::move(config)) {}

Node::~Node()
{
    stop();
}

std::shared_ptr<const config::Config> Node::config() const
{
    return m_context ? m_context->config.load() : m_config;
}

Result<void> Node::start()
{
    auto verifier = security::JwtVerifier::create(m_config->auth);
    if (!verifier)
        return verifier.error();

    m_store = store::makeStore(m_config->store);
    if (auto opened = m_store->open(); !opened)
        return opened.error();

    std::shared_ptr<boost::asio::ssl::context> tls;
    if (m_config->client.tlsEnabled()) {
        auto made = gateway::makeTlsContext(m_config->client);
        if (!made)
            return made.error();
        tls = std::move(made.value());
    }

    m_broker = std::make_unique<broker::Broker>(m_io, m_config, m_store.get(), m_metrics);
    m_context = std::make_shared<gateway::ServerContext>(*m_broker, m_metrics);
    m_context->nodeId = m_config->node.id;
    m_context->region = m_config->node.region;
    m_context->config.store(m_config);
    m_context->verifier.store(verifier.value());
    m_context->tls.store(std::move(tls));
    m_server = std::make_unique<gateway::Server>(m_io, m_context);
    try {
        m_server->start();
    } catch (const std::exception& e) {
        m_store->close();
        return makeError(ErrorCode::unavailable,
                         "cannot listen on " + m_config->client.address + ":" +
                             std::to_string(m_config->client.port) + ": " + e.what() +
                             " (set client.address / client.port)");
    }

    if (m_config->cluster.enabled()) {
        m_cluster = std::make_unique<cluster::ClusterLink>(m_io, *m_config, *m_broker, *m_store, m_metrics,
                                                           [this] { return selfReport(); });
        if (auto linked = m_cluster->start(); !linked) {
            m_cluster.reset();
            m_server->stopAccepting();
            m_server.reset();
            m_store->close();
            return makeError(ErrorCode::unavailable, "cannot join the cluster: " + linked.error().message +
                                                         " (check cluster.kafka)");
        }
        m_broker->setReplicator(m_cluster.get());
    }

    if (m_config->admin.enabled) {
        admin::NodeFacts facts;
        facts.version = ALDIS_VERSION;
        facts.startedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        facts.clientListener = m_config->client.address + ":" + std::to_string(m_server->port());
        facts.storeBackend = m_config->store.backend;
        facts.storePath = store::describeLocation(m_config->store);
        m_admin = std::make_unique<admin::AdminServer>(m_io, m_context, *m_server, std::move(facts));
        m_admin->setClusterView(m_cluster.get());
        try {
            m_admin->start();
        } catch (const std::exception& e) {
            m_admin.reset();
            m_server->stopAccepting();
            m_server.reset();
            m_store->close();
            m_cluster.reset();
            return makeError(ErrorCode::unavailable,
                             "cannot listen for the admin API on " + m_config->admin.address + ":" +
                                 std::to_string(m_config->admin.port) + ": " + e.what() +
                                 " (set admin.port, or admin.enabled = false)");
        }
    }

    unsigned threads = m_config->node.threads ? m_config->node.threads : std::max(1u, std::thread::hardware_concurrency());
    auto guard = std::make_shared<WorkGuard>(m_io.get_executor());
    for (unsigned i = 0; i < threads; ++i)
        m_threads.emplace_back([this, guard] { m_io.run(); });
    m_running = true;
    m_context->ready.store(true);
    spdlog::info("node {} (region {}) listening on {}:{} with {} threads, store {}", m_config->node.id,
                 m_config->node.region, m_config->client.address, m_server->port(), threads,
                 store::describeLocation(m_config->store));
    if (m_admin)
        spdlog::info("admin API on {}:{} (docs/admin-api.md)", m_admin->address(), m_admin->port());
    return {};
}

std::uint16_t Node::port() const noexcept
{
    return m_server ? m_server->port() : 0;
}

std::uint16_t Node::adminPort() const noexcept
{
    return m_admin ? m_admin->port() : 0;
}

std::size_t Node::drain(std::chrono::milliseconds timeout)
{
    if (!m_running)
        return 0;
    m_context->draining.store(true);
    m_server->stopAccepting();
    const auto closed = m_server->closeAll(4007, "node is draining; reconnect to another node and resume", true);
    spdlog::info("draining: closing {} clients", closed);
    waitForSessions(timeout);
    stop();
    return closed;
}

bool Node::waitForSessions(std::chrono::milliseconds timeout)
{
    // Runs on the controlling thread, never an io thread: polling here costs nothing
    // the clients would notice.
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        {
            std::lock_guard lock(m_context->sessionsMutex);
            if (m_context->sessions.empty())
                return true;
        }
        if (Clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

Result<std::vector<std::string>> Node::reload(std::shared_ptr<const config::Config> next)
{
    auto verifier = security::JwtVerifier::create(next->auth);
    if (!verifier)
        return verifier.error();
    auto current = config();
    std::vector<std::string> ignored;
    if (next->client.address != current->client.address || next->client.port != current->client.port)
        ignored.push_back("client.address/client.port");
    // The certificate and key are read again (renewed files take effect without a
    // restart); turning TLS on or off changes the listener's scheme and needs one.
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (next->client.tlsEnabled() != current->client.tlsEnabled()) {
        ignored.push_back("client.tls_cert_file/client.tls_key_file (turning TLS on or off)");
    } else if (next->client.tlsEnabled()) {
        auto made = gateway::makeTlsContext(next->client);
        if (!made)
            return made.error();
        tls = std::move(made.value());
    }
    const auto& ns = next->store;
    const auto& cs = current->store;
    if (ns != cs)
        ignored.push_back("store");
    const auto& nc = next->cluster;
    const auto& cc = current->cluster;
    if (nc.kafka != cc.kafka || nc.topicPrefix != cc.topicPrefix || nc.partitions != cc.partitions ||
        nc.maxQueued != cc.maxQueued || nc.heartbeat != cc.heartbeat || nc.memberTimeout != cc.memberTimeout ||
        nc.mirrors != cc.mirrors)
        ignored.push_back("cluster");
    if (next->node.threads != current->node.threads)
        ignored.push_back("node.threads");
    if (next->node.id != current->node.id || next->node.region != current->node.region)
        ignored.push_back("node.id/node.region");
    if (next->admin.enabled != current->admin.enabled || next->admin.address != current->admin.address ||
        next->admin.port != current->admin.port)
        ignored.push_back("admin.enabled/admin.address/admin.port");
    // Settings that need a restart keep their running values.
    auto merged = std::make_shared<config::Config>(*next);
    merged->client.address = current->client.address;
    merged->client.port = current->client.port;
    if (!tls) {
        merged->client.tlsCertFile = current->client.tlsCertFile;
        merged->client.tlsKeyFile = current->client.tlsKeyFile;
        merged->client.tlsMinVersion = current->client.tlsMinVersion;
    }
    merged->store = current->store;
    merged->cluster = current->cluster;
    merged->node.threads = current->node.threads;
    merged->node.id = current->node.id;
    merged->node.region = current->node.region;
    merged->admin.enabled = current->admin.enabled;
    merged->admin.address = current->admin.address;
    merged->admin.port = current->admin.port;
    // No token in the new file (admin.enabled = false there, so none was made): the
    // running listener keeps the one it has rather than locking everyone out.
    if (merged->admin.token.empty())
        merged->admin.token = current->admin.token;
    // A channel's stream is either in the store or in memory for the life of the
    // process: switching would restart offsets without a new epoch. And the cluster
    // link learned each namespace's home when it started (a region moves a home
    // with promote-region, not with a reload).
    for (auto& [name, settings] : merged->namespaces) {
        const std::string shown = name.empty() ? std::string("default") : name;
        const auto* running = current->findNamespace(name);
        if (running && running->durable != settings.durable) {
            settings.durable = running->durable;
            ignored.push_back("namespaces." + shown + ".durable");
        }
        const std::string runningHome = running ? running->homeRegion : std::string();
        if (merged->cluster.enabled() && settings.homeRegion != runningHome) {
            settings.homeRegion = runningHome;
            ignored.push_back("namespaces." + shown + ".home_region");
        }
    }
    m_context->verifier.store(verifier.value());
    if (tls)
        m_context->tls.store(std::move(tls));
    m_context->config.store(merged);
    m_broker->setConfig(merged);
    // Connections whose key was removed or whose user was revoked end now.
    m_server->revalidateAll();
    return ignored;
}

void Node::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_context->ready.store(false);
    if (m_admin)
        m_admin->stop();
    m_server->stopAccepting();
    if (m_server->closeAll(4007, "node is shutting down", true) > 0)
        waitForSessions(std::chrono::seconds(3)); // a session answers its in-flight commands first
    // Every queued append is committed (or failed) before the io threads stop, so
    // nothing acknowledged is lost and nothing unacknowledged is claimed.
    m_store->close();
    // After the store: every commit has gone to the bridge, which flushes it to Kafka.
    if (m_cluster)
        m_cluster->stop();
    m_io.stop();
    for (auto& t : m_threads)
        t.join();
    m_threads.clear();
    m_admin.reset();
    m_server.reset();
    m_cluster.reset();
}

cluster::SelfReport Node::selfReport() const
{
    cluster::SelfReport me;
    if (!m_context->draining.load()) {
        me.state = "serving";
    } else {
        std::lock_guard lock(m_context->sessionsMutex);
        me.state = m_context->sessions.empty() ? "drained" : "draining";
    }
    me.client = m_config->client.address + ":" + std::to_string(port());
    if (m_admin)
        me.admin = m_admin->address() + ":" + std::to_string(m_admin->port());
    me.connections = m_metrics.connections.value();
    return me;
}

} // namespace aldis::node
