// SPDX-License-Identifier: Apache-2.0
#include "cluster/cluster_link.h"

#include "observability/metrics.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <future>

namespace aldis::cluster {

namespace json = boost::json;

ClusterLink::ClusterLink(boost::asio::io_context& io, const config::Config& config, broker::Broker& broker,
                         observability::Metrics& metrics, std::function<SelfReport()> self)
    : m_config(config.cluster),
      m_nodeId(config.node.id),
      m_region(config.node.region),
      m_broker(broker),
      m_metrics(metrics),
      m_self(std::move(self)),
      m_strand(boost::asio::make_strand(io)),
      m_timer(m_strand)
{
    BridgeOptions options;
    options.brokers = m_config.kafka;
    options.eventsTopic = m_config.topicPrefix + "." + m_region + ".events";
    options.membersTopic = m_config.topicPrefix + "." + m_region + ".members";
    options.nodeId = m_nodeId;
    options.region = m_region;
    options.partitions = static_cast<int>(m_config.partitions);
    options.maxQueued = m_config.maxQueued;
    m_bridge = std::make_unique<EventBridge>(
        std::move(options), [this](EventRecord record) { onEvent(std::move(record)); },
        [this](std::string node, std::string text) { onMember(std::move(node), std::move(text)); });
}

ClusterLink::~ClusterLink()
{
    stop();
}

Result<void> ClusterLink::start()
{
    if (auto started = m_bridge->start(); !started)
        return started;
    boost::asio::post(m_strand, [this] { heartbeat(); });
    return {};
}

void ClusterLink::stop()
{
    if (!m_bridge)
        return;
    // The timer lives on the strand: cancel it there and wait, so no heartbeat runs
    // after this returns.
    std::promise<void> cancelled;
    boost::asio::post(m_strand, [this, &cancelled] {
        m_timer.cancel();
        cancelled.set_value();
    });
    if (cancelled.get_future().wait_for(std::chrono::seconds(2)) != std::future_status::ready)
        spdlog::warn("cluster: the heartbeat did not stop within 2 s (io_context stopped?)");
    m_bridge->announce(heartbeatJson("down"));
    m_bridge->stop();
    m_bridge.reset();
}

// ---------------------------------------------------------------------------------
// Events

bool ClusterLink::congested() const
{
    return m_bridge && m_bridge->congested();
}

void ClusterLink::committed(const broker::CommittedPublication& p)
{
    EventRecord record{p.channel, p.epoch, p.offset, p.data, p.ts, p.user, p.key, m_nodeId, m_region, p.bornMicros};
    m_bridge->send(record);
}

void ClusterLink::onEvent(EventRecord record)
{
    if (record.originNode == m_nodeId)
        return; // fanned out here when it was committed
    m_broker.deliverCommitted(broker::CommittedPublication{std::move(record.channel), std::move(record.epoch),
                                                           record.offset, std::move(record.data), record.ts,
                                                           std::move(record.user), std::move(record.key),
                                                           record.bornMicros});
}

// ---------------------------------------------------------------------------------
// Membership

std::string ClusterLink::heartbeatJson(const std::string& state) const
{
    const SelfReport me = m_self ? m_self() : SelfReport{};
    return json::serialize(json::object{{"node", m_nodeId},
                                        {"region", m_region},
                                        {"state", state.empty() ? me.state : state},
                                        {"admin", me.admin},
                                        {"client", me.client},
                                        {"connections", me.connections},
                                        {"ts", unixMillisNow()}});
}

void ClusterLink::scheduleHeartbeat()
{
    m_timer.expires_after(m_config.heartbeat);
    m_timer.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            heartbeat();
    });
}

void ClusterLink::heartbeat()
{
    m_bridge->announce(heartbeatJson({}));
    // The bridge's figures go to /metrics at the same pace.
    const auto stats = m_bridge->stats();
    m_metrics.bridgeQueued.set(static_cast<std::int64_t>(stats.queued));
    for (const auto& l : m_bridge->lag())
        m_metrics.consumerLag.set(l.topic + "/" + std::to_string(l.partition), l.lag);
    scheduleHeartbeat();
}

void ClusterLink::onMember(std::string node, std::string text)
{
    if (node == m_nodeId)
        return;
    boost::system::error_code ec;
    const json::value parsed = json::parse(text, ec);
    const json::object* o = ec ? nullptr : parsed.if_object();
    if (!o) {
        spdlog::warn("cluster: skipped a malformed heartbeat from {}", node);
        return;
    }
    auto str = [&](const char* key) {
        const auto* v = o->if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto integer = [&](const char* key) {
        const auto* v = o->if_contains(key);
        return v && v->is_int64() ? v->as_int64() : std::int64_t{0};
    };
    Member m;
    m.id = node;
    m.region = str("region");
    m.state = str("state");
    m.admin = str("admin");
    m.client = str("client");
    m.connections = integer("connections");
    m.lastSeenMs = integer("ts");
    std::lock_guard lock(m_membersMutex);
    auto& slot = m_members[node];
    if (slot.state != m.state)
        spdlog::info("cluster: node {} (region {}) is {}", node, m.region, m.state);
    slot = std::move(m);
}

std::vector<admin::ClusterView::Member> ClusterLink::members() const
{
    std::vector<Member> out;
    const auto me = m_self ? m_self() : SelfReport{};
    out.push_back(Member{m_nodeId, m_region, me.state, me.admin, me.client, unixMillisNow(), me.connections, true});
    const auto now = unixMillisNow();
    std::lock_guard lock(m_membersMutex);
    for (const auto& [id, m] : m_members) {
        Member copy = m;
        if (now - m.lastSeenMs > m_config.memberTimeout.count())
            copy.state = "down"; // silent for too long: crashed, cut off, or stopped
        out.push_back(std::move(copy));
    }
    return out;
}

std::vector<admin::ClusterView::Lag> ClusterLink::lag() const
{
    std::vector<Lag> out;
    if (!m_bridge)
        return out;
    for (const auto& l : m_bridge->lag())
        out.push_back(Lag{l.topic, l.partition, l.lag});
    return out;
}

admin::ClusterView::Info ClusterLink::info() const
{
    Info info;
    if (!m_bridge)
        return info;
    const auto s = m_bridge->stats();
    info.kafka = m_bridge->options().brokers;
    info.eventsTopic = m_bridge->options().eventsTopic;
    info.ready = s.ready;
    info.paused = s.paused;
    info.sent = s.sent;
    info.delivered = s.delivered;
    info.failed = s.failed;
    info.received = s.received;
    info.queued = s.queued;
    return info;
}

bool ClusterLink::pauseBridge()
{
    if (m_bridge->stats().paused)
        return false;
    m_bridge->pause();
    return true;
}

bool ClusterLink::resumeBridge()
{
    if (!m_bridge->stats().paused)
        return false;
    m_bridge->resume();
    return true;
}

} // namespace aldis::cluster
