// SPDX-License-Identifier: Apache-2.0
#include "cluster/cluster_link.h"

#include "observability/metrics.h"
#include "protocol/channel.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <future>
#include <thread>

namespace aldis::cluster {

namespace json = boost::json;

ClusterLink::ClusterLink(boost::asio::io_context& io, const config::Config& config, broker::Broker& broker,
                         store::EventStore& store, observability::Metrics& metrics, std::function<SelfReport()> self)
    : m_config(config.cluster),
      m_nodeId(config.node.id),
      m_region(config.node.region),
      m_broker(broker),
      m_metrics(metrics),
      m_self(std::move(self)),
      m_strand(boost::asio::make_strand(io)),
      m_timer(m_strand),
      m_fullConfig(config),
      m_store(store),
      m_members(config.cluster.memberTimeout)
{
    BridgeOptions options;
    options.brokers = m_config.kafka;
    options.eventsTopic = m_config.topicPrefix + "." + m_region + ".events";
    options.membersTopic = m_config.topicPrefix + "." + m_region + ".members";
    options.controlTopic = m_config.topicPrefix + "." + m_region + ".control";
    options.nodeId = m_nodeId;
    options.region = m_region;
    options.partitions = static_cast<int>(m_config.partitions);
    options.maxQueued = m_config.maxQueued;
    m_bridge = std::make_unique<EventBridge>(
        std::move(options), [this](EventRecord record) { onEvent(std::move(record)); },
        [this](std::string node, std::string text) { onMember(std::move(node), std::move(text)); },
        [this](std::string key, std::string text) { onControl(std::move(key), std::move(text)); });
    for (const auto& source : m_config.mirrors) {
        m_mirrors.push_back(std::make_unique<MirrorLink>(
            config, source, store,
            [this, region = source.region](const std::string& channel) { return mirrored(channel, region); },
            [this](const EventRecord& record) { onMirrored(record); }));
    }
}

ClusterLink::~ClusterLink()
{
    stop();
}

Result<void> ClusterLink::start()
{
    if (auto started = m_bridge->start(); !started)
        return started;
    // Serve clients only once every partition is being read: a subscriber that came
    // earlier would miss other nodes' publications of that moment until its
    // channel's next one.
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (!m_bridge->stats().ready) {
        if (Clock::now() >= deadline)
            return makeError(ErrorCode::unavailable, "the events topic " + m_bridge->options().eventsTopic
                                                         + " could not be read within 15 s", true);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& mirror : m_mirrors)
        if (auto started = mirror->start(); !started)
            return started;
    m_heartbeating = true;
    boost::asio::post(m_strand, [this] { heartbeat(); });
    return {};
}

void ClusterLink::stop()
{
    if (!m_bridge)
        return;
    // The timer lives on the strand: cancel it there and wait, so no heartbeat runs
    // after this returns. (A link that never started has no heartbeat to stop, and
    // its io_context may not run.)
    if (!m_heartbeating) {
        for (auto& mirror : m_mirrors)
            mirror->stop();
        m_bridge->stop();
        m_bridge.reset();
        return;
    }
    std::promise<void> cancelled;
    boost::asio::post(m_strand, [this, &cancelled] {
        m_timer.cancel();
        cancelled.set_value();
    });
    if (cancelled.get_future().wait_for(std::chrono::seconds(2)) != std::future_status::ready)
        spdlog::warn("cluster: the heartbeat did not stop within 2 s (io_context stopped?)");
    for (auto& mirror : m_mirrors)
        mirror->stop();
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

void ClusterLink::onMirrored(const EventRecord& mirrored)
{
    // Committed in this region's store now: fanned out here, and sent to this
    // region's other nodes like any publication this node committed.
    EventRecord record = mirrored;
    record.originNode = m_nodeId;
    m_bridge->send(record);
    m_broker.deliverCommitted(broker::CommittedPublication{record.channel, record.epoch, record.offset, record.data,
                                                           record.ts, record.user, record.key, record.bornMicros});
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
                                        {"fenced", fenceConfirmed()},
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
    if (node != m_nodeId && !m_members.update(node, text))
        spdlog::warn("cluster: skipped a malformed heartbeat from {}", node);
}

std::vector<admin::ClusterView::Member> ClusterLink::members() const
{
    std::vector<Member> out;
    const auto me = m_self ? m_self() : SelfReport{};
    out.push_back(Member{m_nodeId, m_region, me.state, me.admin, me.client, unixMillisNow(), me.connections, true});
    for (auto& m : m_members.list())
        out.push_back(std::move(m));
    for (const auto& mirror : m_mirrors)
        for (auto& m : mirror->members())
            out.push_back(std::move(m));
    return out;
}

std::vector<admin::ClusterView::Lag> ClusterLink::lag() const
{
    std::vector<Lag> out;
    if (!m_bridge)
        return out;
    for (const auto& l : m_bridge->lag())
        out.push_back(Lag{l.topic, l.partition, l.lag});
    for (const auto& mirror : m_mirrors)
        for (auto& l : mirror->lag())
            out.push_back(std::move(l));
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

// ---------------------------------------------------------------------------------
// Regions: homes, fences, mirrors

namespace aldis::cluster {

namespace {

std::string shown(const std::string& ns)
{
    return ns.empty() ? std::string("default") : ns;
}

std::string controlJson(json::object fields)
{
    fields["ts"] = unixMillisNow();
    return json::serialize(fields);
}

} // namespace

bool ClusterLink::fenceConfirmed() const
{
    const auto control = m_control.load();
    if (!control->fenced.count(m_region))
        return false;
    // Appends accepted just before the fence commit within milliseconds; a second
    // covers them before this node says it is quiet.
    if (Clock::now() - control->fencedSince < std::chrono::seconds(1))
        return false;
    return m_bridge && m_bridge->stats().queued == 0;
}

void ClusterLink::onControl(std::string key, std::string text)
{
    boost::system::error_code ec;
    const json::value parsed = json::parse(text, ec);
    const json::object* o = ec ? nullptr : parsed.if_object();
    if (!o) {
        spdlog::warn("cluster: skipped a malformed control record {}", key);
        return;
    }
    if (key.rfind("fence:", 0) == 0) {
        const std::string region = key.substr(6);
        const auto* value = o->if_contains("fenced");
        const bool fence = value && value->is_bool() && value->as_bool();
        updateControl([&](ControlState& c) {
            if (fence && c.fenced.insert(region).second) {
                spdlog::warn("cluster: region {} is fenced", region);
                if (region == m_region)
                    c.fencedSince = Clock::now();
            } else if (!fence && c.fenced.erase(region)) {
                spdlog::info("cluster: region {} is no longer fenced", region);
            }
            return true;
        });
    } else if (key.rfind("home:", 0) == 0) {
        const auto* region = o->if_contains("region");
        if (region && region->is_string()) {
            const std::string ns = key.substr(5);
            const std::string home(region->as_string());
            updateControl([&](ControlState& c) {
                if (c.homes[ns] != home)
                    spdlog::warn("cluster: region {} is now the home of namespace {}", home, shown(ns));
                c.homes[ns] = home;
                return true;
            });
        }
    }
}

std::string ClusterLink::homeOf(const std::string& ns) const
{
    const auto control = m_control.load();
    if (auto it = control->homes.find(ns); it != control->homes.end())
        return it->second;
    const auto* settings = m_fullConfig.findNamespace(ns);
    return settings && !settings->homeRegion.empty() ? settings->homeRegion : m_region;
}

std::optional<store::Retention> ClusterLink::mirrored(const std::string& channel, const std::string& source) const
{
    const std::string ns(protocol::namespaceOf(channel));
    const auto* settings = m_fullConfig.findNamespace(ns);
    if (!settings || !settings->durable || homeOf(ns) != source)
        return std::nullopt;
    return store::Retention{settings->historySize, settings->historyTtl};
}

std::optional<Error> ClusterLink::refusePublish(const std::string& ns) const
{
    const std::string home = homeOf(ns);
    if (home != m_region)
        return makeError(ErrorCode::unavailable,
                         "namespace \"" + shown(ns) + "\" is homed in region " + home + ", which numbers its publications; "
                             "publish to a node of region " + home + " (this node is in region " + m_region + ")");
    if (m_control.load()->fenced.count(m_region))
        return makeError(ErrorCode::unavailable,
                         "region " + m_region + " is fenced by an operator and takes no publication until it is "
                             "unfenced or another region is promoted",
                         true);
    return std::nullopt;
}

std::vector<admin::ClusterView::Region> ClusterLink::regions() const
{
    std::vector<std::string> names{m_region};
    for (const auto& mirror : m_mirrors)
        names.push_back(mirror->region());
    std::vector<Region> out;
    for (const auto& name : names) {
        Region r;
        r.name = name;
        r.fenced = m_control.load()->fenced.count(name) > 0;
        for (const auto& [ns, settings] : m_fullConfig.namespaces)
            if (homeOf(ns) == name)
                r.homeOf.push_back(shown(ns));
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<admin::ClusterView::Link> ClusterLink::links() const
{
    std::vector<Link> out;
    for (const auto& mirror : m_mirrors) {
        const auto s = mirror->stats();
        out.push_back(Link{mirror->region(), m_region, s.groupLag, s.applied, s.holes});
    }
    return out;
}

admin::ClusterView::Outcome ClusterLink::fenceRegion(const std::string& region, bool fence)
{
    MirrorLink* mirror = nullptr;
    for (auto& m : m_mirrors)
        if (m->region() == region)
            mirror = m.get();
    if (region != m_region && !mirror)
        return {400, "bad_request",
                "region \"" + region + "\" is neither this node's region (" + m_region
                    + ") nor one it mirrors; send the action to a node that knows it"};
    const bool changed = updateControl([&](ControlState& c) {
        if (fence == (c.fenced.count(region) > 0))
            return false;
        if (fence)
            c.fenced.insert(region);
        else
            c.fenced.erase(region);
        if (fence && region == m_region)
            c.fencedSince = Clock::now();
        return true;
    });
    if (!changed)
        return {409, "conflict", "region " + region + " is " + (fence ? "fenced already" : "not fenced")};
    const std::string record = controlJson(json::object{{"fenced", fence}, {"by", m_nodeId}});
    // This region's nodes learn it from their control topic; the fenced region's
    // nodes from theirs (when its Kafka can be reached: a region cut off learns it
    // when it is back, so its clients must be stopped from the outside meanwhile).
    m_bridge->control("fence:" + region, record);
    if (mirror)
        mirror->control("fence:" + region, record);
    if (!fence)
        return {200, "", "region " + region + " takes publications again (of the namespaces it is home of)"};
    return {200, "",
            "region " + region + " is fenced: its nodes refuse every publish"
                + std::string(mirror ? " once its Kafka delivers the fence (if the region is cut off, stop its "
                                       "clients from reaching it); promote-region can now move its namespaces"
                                     : "")};
}

admin::ClusterView::Outcome ClusterLink::promoteRegion(const std::string& region, const std::string& ns, bool force)
{
    if (region != m_region)
        return {400, "bad_request",
                "send promote-region to a node of region " + region + " (this node is in region " + m_region + ")"};
    std::vector<std::string> namespaces;
    const std::string wanted = ns == "default" ? std::string() : ns;
    for (const auto& [name, settings] : m_fullConfig.namespaces) {
        const std::string home = homeOf(name);
        if (home == m_region)
            continue;
        if (!ns.empty() && name != wanted)
            continue;
        namespaces.push_back(name);
    }
    if (namespaces.empty())
        return {400, "bad_request",
                ns.empty() ? "region " + m_region + " is already the home of every namespace it has"
                           : "namespace \"" + ns + "\" is not configured here, or region " + m_region + " is its home already"};

    std::string done;
    for (const auto& name : namespaces) {
        const std::string source = homeOf(name);
        MirrorLink* mirror = nullptr;
        for (auto& m : m_mirrors)
            if (m->region() == source)
                mirror = m.get();
        if (!mirror)
            return {409, "conflict",
                    "namespace \"" + shown(name) + "\" is homed in region " + source
                        + ", which this region does not mirror; it has none of its publications"};
        if (!m_control.load()->fenced.count(source))
            return {409, "conflict",
                    "region " + source + " is not fenced; fence it first (fence-region " + source
                        + ") so that it stops numbering publications of namespace \"" + shown(name) + "\""};
        if (!force) {
            // Every live node of the old home must say that it applied the fence and
            // that Kafka has all it committed; a silent one may hold publications
            // only in its region's store.
            std::string waiting;
            std::string lost;
            for (const auto& m : mirror->members()) {
                if (m.region != source)
                    continue;
                if (m.lost)
                    lost += (lost.empty() ? "" : ", ") + m.id;
                else if (m.state != "down" && !m.fenced)
                    waiting += (waiting.empty() ? "" : ", ") + m.id;
            }
            if (!lost.empty())
                return {409, "conflict",
                        "node(s) " + lost + " of region " + source + " went silent without stopping; what they "
                        "committed last may be only in region " + source + "'s store. Bring them back, or promote "
                        "with \"force\": true (new epochs)"};
            if (!waiting.empty())
                return {409, "conflict",
                        "waiting for the nodes of region " + source + " to confirm the fence (" + waiting
                            + "); try again in a few seconds, or promote with \"force\": true"};
        }
        const auto lag = force ? mirror->stats().groupLag : mirror->lagNow();
        if (!force && lag != 0)
            return {409, "conflict",
                    lag < 0 ? "cannot tell whether this region has every publication of region " + source
                                  + " (its Kafka does not answer); promote with \"force\": true to go on with new epochs"
                            : "the mirror of region " + source + " is " + std::to_string(lag)
                                  + " events behind; wait until it has caught up, or promote with \"force\": true "
                                    "(new epochs)"};
        std::string renewed;
        if (force) {
            if (name.empty())
                return {400, "bad_request", "a forced promotion of the default namespace is not supported; "
                                            "give home_region to named namespaces"};
            // Blocking, on purpose and rarely: the new epochs must be stored before
            // the first publish in them is accepted.
            auto count = m_store.renewEpochs(name + ":");
            if (!count)
                return {503, "unavailable", count.error().message};
            renewed = "; " + std::to_string(*count) + " channels got new epochs (clients resuming with the old "
                                                       "ones get recovered: false)";
        }
        updateControl([&](ControlState& c) {
            c.homes[name] = m_region;
            return true;
        });
        const std::string record =
            controlJson(json::object{{"region", m_region}, {"forced", force}, {"by", m_nodeId}});
        m_bridge->control("home:" + name, record);
        mirror->control("home:" + name, record);
        if (!done.empty())
            done += "; ";
        done += "namespace \"" + shown(name) + "\" moved from region " + source + " to " + m_region
            + (force ? renewed : " with its epochs and offsets (the mirror had every publication)");
    }
    return {200, "", "region " + m_region + " is home now: " + done};
}

} // namespace aldis::cluster
