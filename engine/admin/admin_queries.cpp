// SPDX-License-Identifier: Apache-2.0
// The read side of the admin API: what GET /v1/admin/node, topology, connections,
// channels and alerts answer, and the event envelope. Called from admin connections'
// strands and the ticker; each reads atomics or takes the lock it names.
#include "admin/admin_server_impl.h"

#include "broker/broker.h"
#include "gateway/session.h"
#include "protocol/channel.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace aldis::admin {

namespace json = boost::json;

std::string AdminServer::Impl::state() const
{
    if (!ctx->draining.load())
        return "serving";
    std::lock_guard lock(ctx->sessionsMutex);
    return ctx->sessions.empty() ? "drained" : "draining";
}

json::object AdminServer::Impl::nodeInfo() const
{
    auto cfg = ctx->config.load();
    const auto now = nowMs();
    return json::object{
        {"id", ctx->nodeId},
        {"region", ctx->region},
        {"version", facts.version},
        {"state", state()},
        {"started_at", facts.startedAtMs},
        {"uptime_s", static_cast<double>(now - facts.startedAtMs) / 1000.0},
        {"client_listener", facts.clientListener},
        {"admin_listener", listener()},
        {"store", json::object{{"backend", facts.storeBackend}, {"path", facts.storePath}}},
        {"cluster", clusterJson()},
        {"connections", ctx->metrics.connections.value()},
        {"channels", ctx->metrics.channels.value()},
        {"subscriptions", ctx->metrics.subscriptions.value()},
    };
}

json::value AdminServer::Impl::clusterJson() const
{
    if (!cluster)
        return nullptr;
    const auto info = cluster->info();
    return json::object{{"kafka", info.kafka},           {"events_topic", info.eventsTopic},
                        {"ready", info.ready},           {"paused", info.paused},
                        {"sent", info.sent},             {"delivered", info.delivered},
                        {"failed", info.failed},         {"received", info.received},
                        {"queued", info.queued}};
}

json::object AdminServer::Impl::topology() const
{
    if (cluster) {
        // Regions in name order, each with its members; this node is one of them.
        std::map<std::string, json::array> byRegion;
        byRegion[ctx->region];
        for (const auto& m : cluster->members()) {
            byRegion[m.region].push_back(json::object{{"id", m.id},
                                                      {"state", m.self ? state() : m.state},
                                                      {"self", m.self},
                                                      {"admin", m.self ? listener() : m.admin},
                                                      {"client", m.self ? facts.clientListener : m.client},
                                                      {"connections", m.connections},
                                                      {"last_seen", m.self ? nowMs() : m.lastSeenMs}});
        }
        std::map<std::string, ClusterView::Region> known;
        for (auto& r : cluster->regions()) {
            byRegion[r.name];
            known[r.name] = std::move(r);
        }
        json::array regions;
        for (auto& [name, nodes] : byRegion) {
            json::array homeOf;
            bool fenced = false;
            if (auto it = known.find(name); it != known.end()) {
                fenced = it->second.fenced;
                for (const auto& ns : it->second.homeOf)
                    homeOf.push_back(json::value(ns));
            }
            regions.push_back(json::object{{"name", name},
                                           {"fenced", fenced},
                                           {"home_of", std::move(homeOf)},
                                           {"nodes", std::move(nodes)}});
        }
        json::array links;
        for (const auto& l : cluster->links())
            links.push_back(json::object{{"from", l.from},
                                         {"to", l.to},
                                         {"kind", "mirror"},
                                         {"state", l.lag < 0 ? "unreachable" : "active"},
                                         {"lag", l.lag},
                                         {"applied", l.applied},
                                         {"holes", l.holes}});
        return json::object{{"regions", std::move(regions)}, {"links", std::move(links)}};
    }
    json::array nodes;
    nodes.push_back(json::object{{"id", ctx->nodeId},
                                 {"state", state()},
                                 {"self", true},
                                 {"admin", listener()},
                                 {"client", facts.clientListener},
                                 {"last_seen", nowMs()}});
    json::array regions;
    regions.push_back(json::object{{"name", ctx->region},
                                   {"fenced", false},
                                   {"home_of", json::array{"*"}},
                                   {"nodes", std::move(nodes)}});
    return json::object{{"regions", std::move(regions)}, {"links", json::array{}}};
}

json::object AdminServer::Impl::connections(std::size_t limit) const
{
    std::vector<std::shared_ptr<gateway::Session>> live;
    {
        std::lock_guard lock(ctx->sessionsMutex);
        live.reserve(ctx->sessions.size());
        for (const auto& [id, weak] : ctx->sessions)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    std::vector<gateway::Session::Info> infos;
    infos.reserve(live.size());
    for (const auto& s : live)
        infos.push_back(s->info());
    live.clear(); // a session's last reference may go here, outside the registry lock
    std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) { return a.client > b.client; });
    json::array out;
    for (std::size_t i = 0; i < infos.size() && i < limit; ++i) {
        const auto& c = infos[i];
        out.push_back(json::object{{"client", c.client},
                                   {"user", c.user},
                                   {"remote", c.remote},
                                   {"connected_at", c.connectedAtMs},
                                   {"subscriptions", c.subscriptions},
                                   {"messages_out", c.messagesOut},
                                   {"queued_bytes", c.queuedBytes}});
    }
    return json::object{{"total", infos.size()}, {"connections", std::move(out)}};
}

void AdminServer::Impl::channels(std::size_t limit, std::string prefix, std::function<void(json::object)> done)
{
    ctx->broker.channelStats([self = shared_from_this(), limit, prefix = std::move(prefix),
                              done = std::move(done)](std::vector<broker::ChannelStats> stats) {
        const auto now = Clock::now();
        struct Row {
            broker::ChannelStats stats;
            double rate = 0;
        };
        std::vector<Row> rows;
        {
            std::lock_guard lock(self->cacheMutex);
            ChannelSample current{now, {}};
            for (const auto& s : stats)
                current.publications.emplace(s.name, s.publications);
            if (now - self->latestChannels.at >= std::chrono::seconds(1)) {
                self->previousChannels = std::move(self->latestChannels);
                self->latestChannels = std::move(current);
            }
            const auto& base = self->previousChannels;
            const double seconds = std::chrono::duration<double>(now - base.at).count();
            for (auto& s : stats) {
                if (!prefix.empty() && s.name.compare(0, prefix.size(), prefix) != 0)
                    continue;
                double rate = 0;
                if (auto it = base.publications.find(s.name);
                    it != base.publications.end() && seconds > 0 && s.publications >= it->second)
                    rate = static_cast<double>(s.publications - it->second) / seconds;
                rows.push_back(Row{std::move(s), rate});
            }
        }
        std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
            if (a.rate != b.rate)
                return a.rate > b.rate;
            if (a.stats.subscribers != b.stats.subscribers)
                return a.stats.subscribers > b.stats.subscribers;
            return a.stats.name < b.stats.name;
        });
        json::array out;
        for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
            const auto& r = rows[i];
            auto ns = self->ctx->broker.namespaceOf(r.stats.name);
            out.push_back(json::object{{"name", r.stats.name},
                                       {"namespace", std::string(protocol::namespaceOf(r.stats.name))},
                                       {"durable", ns ? ns->durable : false},
                                       {"subscribers", r.stats.subscribers},
                                       {"last_offset", r.stats.lastOffset},
                                       {"epoch", r.stats.epoch},
                                       {"publications", r.stats.publications},
                                       {"rate_per_s", std::round(r.rate * 100) / 100}});
        }
        done(json::object{{"total", rows.size()}, {"channels", std::move(out)}});
    });
}

json::object AdminServer::Impl::alertsJson() const
{
    std::lock_guard lock(cacheMutex);
    json::array r, a;
    for (const auto& rule : rules)
        r.push_back(toJson(rule));
    for (const auto& alert : activeAlerts)
        a.push_back(toJson(alert));
    return json::object{{"rules", std::move(r)}, {"active", std::move(a)}};
}

json::object AdminServer::Impl::eventJson(std::string_view kind, std::string_view text, json::object extra) const
{
    json::object e{{"kind", kind}, {"time", nowMs()}, {"node", ctx->nodeId}, {"message", text}};
    for (auto& [k, v] : extra)
        e[k] = std::move(v);
    return json::object{{"type", "event"}, {"event", std::move(e)}};
}

} // namespace aldis::admin
