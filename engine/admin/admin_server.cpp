// SPDX-License-Identifier: Apache-2.0
#include "admin/admin_server.h"

#include "admin/admin_http.h"
#include "admin/admin_server_impl.h"
#include "admin/stream_session.h"
#include "gateway/server.h"
#include "observability/metrics.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace aldis::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

std::string stringField(const json::object& body, const char* key)
{
    const auto* v = body.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

} // namespace

void AdminServer::Impl::broadcast(const std::shared_ptr<const std::string>& msg)
{
    std::vector<std::shared_ptr<detail::StreamSession>> live;
    {
        std::lock_guard lock(streamsMutex);
        std::erase_if(streams, [](const auto& weak) { return weak.expired(); });
        for (const auto& weak : streams)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (const auto& s : live)
        detail::send(*s, msg);
}

std::pair<http::status, json::object> AdminServer::Impl::action(std::string_view name, const json::object& body,
                                                                std::string actor)
{
    if (actor.empty())
        actor = stringField(body, "actor");
    if (actor.empty())
        actor = "unknown";
    auto target = stringField(body, "target");
    const auto reason = stringField(body, "reason");
    const std::string action(name);

    auto finish = [&](http::status status, std::string result, std::string text,
                      std::string_view errorCode = {}) -> std::pair<http::status, json::object> {
        auto entry = audit.append(actor, action, target, result, text);
        event("action", action + " by " + actor + ": " + text, json::object{{"audit", toJson(entry)}});
        json::object answer;
        if (errorCode.empty()) {
            answer = json::object{{"result", result}, {"message", text}};
        } else {
            answer = errorJson(errorCode, text);
        }
        answer["audit"] = toJson(entry);
        return {status, std::move(answer)};
    };

    if (action == "drain") {
        if (target.empty())
            target = ctx->nodeId;
        if (target != ctx->nodeId)
            return finish(http::status::bad_request, "refused",
                          "target \"" + target + "\" is not this node (" + ctx->nodeId +
                              "); send the action to the node you want to drain",
                          "bad_request");
        if (ctx->draining.exchange(true))
            return finish(http::status::conflict, "refused", "the node is already " + state() + "; undrain it first",
                          "conflict");
        const auto closed = clients.closeAll(
            4007, "node drained by an operator; reconnect to another node and resume", true);
        event("state", "node " + ctx->nodeId + " is draining", json::object{{"state", "draining"}});
        std::string text = "closed " + std::to_string(closed) +
                           " clients with 4007; /ready answers 503 and new WebSocket connections are refused "
                           "until undrain (POST /v1/publish still works)";
        if (!reason.empty())
            text += " (reason: " + reason + ")";
        return finish(http::status::ok, "ok", std::move(text));
    }
    if (action == "undrain") {
        if (target.empty())
            target = ctx->nodeId;
        if (!ctx->draining.exchange(false))
            return finish(http::status::conflict, "refused", "the node is serving; there is nothing to undrain",
                          "conflict");
        event("state", "node " + ctx->nodeId + " is serving", json::object{{"state", "serving"}});
        return finish(http::status::ok, "ok", "the node accepts clients again");
    }
    if ((action == "pause-bridge" || action == "resume-bridge") && cluster) {
        if (target.empty())
            target = ctx->nodeId;
        if (target != ctx->nodeId)
            return finish(http::status::bad_request, "refused",
                          "target \"" + target + "\" is not this node (" + ctx->nodeId +
                              "); a bridge is paused on the node that runs it",
                          "bad_request");
        const bool pause = action == "pause-bridge";
        if (!(pause ? cluster->pauseBridge() : cluster->resumeBridge()))
            return finish(http::status::conflict, "refused",
                          std::string("the bridge is already ") + (pause ? "paused" : "running"), "conflict");
        event("state", "bridge of node " + ctx->nodeId + (pause ? " paused" : " resumed"),
              json::object{{"bridge", pause ? "paused" : "running"}});
        std::string text = pause ? "the bridge is paused: this node reads no events from Kafka and holds its own "
                                   "back (they stay committed in the store); publishes are refused once "
                                   "cluster.max_queued events wait"
                                 : "the bridge runs again: held events go out and this node reads on from where it "
                                   "paused, filling holes from the store";
        if (!reason.empty())
            text += " (reason: " + reason + ")";
        return finish(http::status::ok, "ok", std::move(text));
    }
    if ((action == "fence-region" || action == "unfence-region" || action == "promote-region") && cluster) {
        if (target.empty())
            target = ctx->region;
        ClusterView::Outcome outcome;
        if (action == "promote-region") {
            const auto* force = body.if_contains("force");
            outcome = cluster->promoteRegion(target, stringField(body, "namespace"),
                                             force && force->is_bool() && force->as_bool());
        } else {
            outcome = cluster->fenceRegion(target, action == "fence-region");
        }
        std::string text = outcome.message;
        if (!reason.empty())
            text += " (reason: " + reason + ")";
        if (!outcome.errorCode.empty())
            return finish(static_cast<http::status>(outcome.status), "refused", std::move(text), outcome.errorCode);
        event("state", text, json::object{{"region", target}, {"action", action}});
        return finish(static_cast<http::status>(outcome.status), "ok", std::move(text));
    }
    static const std::vector<std::string> kClusterActions = {"pause-bridge", "resume-bridge", "fence-region",
                                                             "unfence-region", "promote-region"};
    if (std::find(kClusterActions.begin(), kClusterActions.end(), action) != kClusterActions.end()) {
        if (target.empty())
            target = ctx->region;
        return finish(http::status::conflict, "refused",
                      action + " needs a cluster, and this node is not in a cluster: it runs standalone in region " +
                          ctx->region + " (clusters of nodes and regions come with the Kafka bridge)",
                      "not_in_cluster");
    }
    return finish(http::status::not_found, "refused",
                  "unknown action \"" + action +
                      "\"; the actions are drain, undrain, pause-bridge, resume-bridge, fence-region, "
                      "unfence-region and promote-region",
                  "not_found");
}

void AdminServer::Impl::scheduleTick()
{
    ticker.expires_after(std::chrono::seconds(1));
    ticker.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec || self->stopped.load())
            return;
        self->tick();
        self->scheduleTick();
    });
}

void AdminServer::Impl::tick()
{
    if (!metricsInitialised) {
        // Every rule is in /metrics from the start (0), not only once it fired.
        for (const auto& rule : alerts.rules())
            ctx->metrics.alertsActive.set(rule.name, 0);
        metricsInitialised = true;
    }
    auto cfg = ctx->config.load();
    alerts.setConfig(cfg->alerts);
    const auto now = Clock::now();
    auto snapshot = sampler.sample(now, nowMs());
    if (cluster) {
        for (const auto& l : cluster->lag())
            snapshot.lag.push_back(PartitionLag{l.topic, l.partition, l.lag});
    }
    const auto changes = alerts.evaluate(snapshot, now);
    for (const auto& change : changes) {
        const auto& a = change.alert;
        ctx->metrics.alertsActive.set(a.rule, change.raised ? 1 : 0);
        if (change.raised)
            spdlog::warn("alert raised: {}: {}", a.rule, a.message);
        else
            spdlog::info("alert cleared: {} (was: {})", a.rule, a.message);
        event(change.raised ? "alert_raised" : "alert_cleared",
              (change.raised ? "alert " : "alert cleared: ") + a.message, json::object{{"alert", toJson(a)}});
    }
    const auto active = alerts.active();
    const auto current = state();
    std::string previous;
    {
        std::lock_guard lock(cacheMutex);
        activeAlerts = active;
        rules = alerts.rules();
        previous = std::exchange(lastState, current);
    }
    if (previous != current && current == "drained")
        event("state", "node " + ctx->nodeId + " is drained", json::object{{"state", current}});

    auto stats = toJson(snapshot);
    stats["node"] = ctx->nodeId;
    stats["region"] = ctx->region;
    stats["state"] = current;
    json::array alertArray;
    for (const auto& a : active)
        alertArray.push_back(toJson(a));
    stats["alerts"] = std::move(alertArray);
    broadcast(detail::sharedMessage(stats));
}

void AdminServer::Impl::accept()
{
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped.load() || ec == asio::error::operation_aborted)
            return;
        if (!ec)
            detail::serveHttp(std::move(socket), self);
        self->accept();
    });
}

AdminServer::AdminServer(asio::io_context& io, std::shared_ptr<gateway::ServerContext> context,
                         gateway::Server& clients, NodeFacts facts)
    : m_impl(std::make_shared<Impl>(io, std::move(context), clients, std::move(facts)))
{
}

AdminServer::~AdminServer()
{
    stop();
}

void AdminServer::start()
{
    auto cfg = m_impl->ctx->config.load();
    const tcp::endpoint endpoint(asio::ip::make_address(cfg->admin.address), cfg->admin.port);
    auto& acceptor = m_impl->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    m_impl->boundPort = acceptor.local_endpoint().port();
    m_impl->boundAddress = cfg->admin.address;
    asio::post(acceptor.get_executor(), [impl = m_impl] { impl->accept(); });
    asio::post(m_impl->tickStrand, [impl = m_impl] { impl->scheduleTick(); });
}

std::uint16_t AdminServer::port() const noexcept
{
    return m_impl->boundPort;
}

std::string AdminServer::address() const
{
    return m_impl->boundAddress;
}

void AdminServer::setClusterView(ClusterView* view)
{
    m_impl->cluster = view;
}

void AdminServer::stop()
{
    if (m_impl->stopped.exchange(true))
        return;
    m_impl->event("node_down", "node " + m_impl->ctx->nodeId + " is stopping");
    std::vector<std::shared_ptr<detail::StreamSession>> live;
    {
        std::lock_guard lock(m_impl->streamsMutex);
        for (const auto& weak : m_impl->streams)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
        m_impl->streams.clear();
    }
    for (const auto& s : live)
        detail::close(*s, websocket::close_code::going_away);
    asio::post(m_impl->acceptor.get_executor(), [impl = m_impl] {
        beast::error_code ec;
        impl->acceptor.close(ec);
    });
    asio::post(m_impl->tickStrand, [impl = m_impl] { impl->ticker.cancel(); });
}

} // namespace aldis::admin
