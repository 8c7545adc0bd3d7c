// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to the admin module: the state an AdminServer shares with its HTTP
// connections (admin_http.cpp) and stream sessions (stream_session.cpp). What runs on
// which strand is noted on each member.

#include "admin/admin_json.h"
#include "admin/admin_server.h"
#include "admin/alert_engine.h"
#include "admin/audit_log.h"
#include "admin/stats_sampler.h"
#include "gateway/server_context.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace aldis::gateway { class Server; }

namespace aldis::admin {

namespace detail {
class StreamSession;
// One serialized message, shared by every viewer it is sent to.
std::shared_ptr<const std::string> sharedMessage(const boost::json::object& obj);
} // namespace detail

struct AdminServer::Impl : std::enable_shared_from_this<AdminServer::Impl> {
    Impl(boost::asio::io_context& ioContext, std::shared_ptr<gateway::ServerContext> context,
         gateway::Server& clientServer, NodeFacts nodeFacts)
        : io(ioContext),
          ctx(std::move(context)),
          clients(clientServer),
          facts(std::move(nodeFacts)),
          acceptor(boost::asio::make_strand(ioContext)),
          tickStrand(boost::asio::make_strand(ioContext)),
          ticker(tickStrand),
          sampler(ctx->metrics),
          alerts(ctx->config.load()->alerts),
          audit(ctx->config.load()->node.dataDir / "audit.jsonl")
    {
        rules = alerts.rules();
    }

    boost::asio::io_context& io;
    std::shared_ptr<gateway::ServerContext> ctx;
    gateway::Server& clients;
    NodeFacts facts;
    ClusterView* cluster = nullptr; // set before start(); none on a standalone node
    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::strand<boost::asio::io_context::executor_type> tickStrand;
    boost::asio::steady_timer ticker;
    StatsSampler sampler;     // tick strand only
    AlertEngine alerts;       // tick strand only
    bool metricsInitialised = false; // tick strand only
    AuditLog audit;
    std::atomic<bool> stopped{false};
    std::uint16_t boundPort = 0;
    std::string boundAddress;

    std::mutex streamsMutex;
    std::vector<std::weak_ptr<detail::StreamSession>> streams;

    // What REST answers from the ticker's last run, and the channel samples that
    // give per-channel rates. Admin path only.
    mutable std::mutex cacheMutex;
    std::vector<Alert> activeAlerts;
    std::vector<AlertRule> rules;
    std::string lastState = "serving";
    struct ChannelSample {
        Clock::time_point at{};
        std::unordered_map<std::string, std::uint64_t> publications;
    };
    ChannelSample previousChannels;
    ChannelSample latestChannels;

    std::string listener() const { return boundAddress + ":" + std::to_string(boundPort); }

    std::string state() const;

    boost::json::object nodeInfo() const;

    boost::json::object topology() const;
    boost::json::value clusterJson() const;

    boost::json::object connections(std::size_t limit) const;

    void channels(std::size_t limit, std::string prefix, std::function<void(boost::json::object)> done);

    boost::json::object alertsJson() const;

    boost::json::object eventJson(std::string_view kind, std::string_view text, boost::json::object extra = {}) const;

    void broadcast(const std::shared_ptr<const std::string>& msg);
    void event(std::string_view kind, std::string_view text, boost::json::object extra = {})
    {
        broadcast(detail::sharedMessage(eventJson(kind, text, std::move(extra))));
    }

    // Runs an operator action; returns the HTTP status and the answer.
    std::pair<boost::beast::http::status, boost::json::object> action(std::string_view name,
                                                                       const boost::json::object& body,
                                                                       std::string actor);

    void tick();
    void scheduleTick();
    void accept();
};

} // namespace aldis::admin
