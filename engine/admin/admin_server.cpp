// SPDX-License-Identifier: Apache-2.0
#include "admin/admin_server.h"

#include "admin/admin_json.h"
#include "admin/alert_engine.h"
#include "admin/audit_log.h"
#include "admin/stats_sampler.h"
#include "broker/broker.h"
#include "gateway/server.h"
#include "gateway/server_context.h"
#include "gateway/session.h"
#include "observability/metrics.h"
#include "protocol/channel.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace aldis::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::size_t kMaxStreamQueueBytes = 4 * 1024 * 1024;
constexpr std::uint32_t kMaxTailPerSecond = 200;
constexpr std::string_view kTailUser = "aldis-admin";

bool tokenMatches(std::string_view expected, std::string_view presented)
{
    if (expected.empty() || expected.size() != presented.size())
        return false;
    return CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) == 0;
}

// The value of `name` in a query string, undecoded ("" when absent).
std::string queryValue(std::string_view target, std::string_view name)
{
    auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    auto query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

// The payload of a server WebSocket frame built by protocol::makeTextFrame.
std::string_view framePayload(const std::string& bytes)
{
    if (bytes.size() < 2)
        return {};
    const auto len = static_cast<unsigned char>(bytes[1]) & 0x7f;
    const std::size_t header = len < 126 ? 2 : (len == 126 ? 4 : 10);
    if (bytes.size() < header)
        return {};
    return std::string_view(bytes).substr(header);
}

std::shared_ptr<const std::string> message(const json::object& obj)
{
    return std::make_shared<const std::string>(serialize(obj));
}

class StreamSession;

} // namespace

struct AdminServer::Impl : std::enable_shared_from_this<AdminServer::Impl> {
    Impl(asio::io_context& ioContext, std::shared_ptr<gateway::ServerContext> context, gateway::Server& clientServer,
         NodeFacts nodeFacts)
        : io(ioContext),
          ctx(std::move(context)),
          clients(clientServer),
          facts(std::move(nodeFacts)),
          acceptor(asio::make_strand(ioContext)),
          tickStrand(asio::make_strand(ioContext)),
          ticker(tickStrand),
          sampler(ctx->metrics),
          alerts(ctx->config.load()->alerts),
          audit(ctx->config.load()->node.dataDir / "audit.jsonl")
    {
        rules = alerts.rules();
    }

    asio::io_context& io;
    std::shared_ptr<gateway::ServerContext> ctx;
    gateway::Server& clients;
    NodeFacts facts;
    tcp::acceptor acceptor;
    asio::strand<asio::io_context::executor_type> tickStrand;
    asio::steady_timer ticker;
    StatsSampler sampler;     // tick strand only
    AlertEngine alerts;       // tick strand only
    bool metricsInitialised = false; // tick strand only
    AuditLog audit;
    std::atomic<bool> stopped{false};
    std::uint16_t boundPort = 0;
    std::string boundAddress;

    std::mutex streamsMutex;
    std::vector<std::weak_ptr<StreamSession>> streams;

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

    std::string state() const
    {
        if (!ctx->draining.load())
            return "serving";
        std::lock_guard lock(ctx->sessionsMutex);
        return ctx->sessions.empty() ? "drained" : "draining";
    }

    json::object nodeInfo() const
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
            {"cluster", nullptr},
            {"connections", ctx->metrics.connections.value()},
            {"channels", ctx->metrics.channels.value()},
            {"subscriptions", ctx->metrics.subscriptions.value()},
        };
    }

    json::object topology() const
    {
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

    json::object connections(std::size_t limit) const
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

    void channels(std::size_t limit, std::string prefix, std::function<void(json::object)> done)
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

    json::object alertsJson() const
    {
        std::lock_guard lock(cacheMutex);
        json::array r, a;
        for (const auto& rule : rules)
            r.push_back(toJson(rule));
        for (const auto& alert : activeAlerts)
            a.push_back(toJson(alert));
        return json::object{{"rules", std::move(r)}, {"active", std::move(a)}};
    }

    json::object eventJson(std::string_view kind, std::string_view text, json::object extra = {}) const
    {
        json::object e{{"kind", kind}, {"time", nowMs()}, {"node", ctx->nodeId}, {"message", text}};
        for (auto& [k, v] : extra)
            e[k] = std::move(v);
        return json::object{{"type", "event"}, {"event", std::move(e)}};
    }

    void broadcast(const std::shared_ptr<const std::string>& msg);
    void event(std::string_view kind, std::string_view text, json::object extra = {})
    {
        broadcast(message(eventJson(kind, text, std::move(extra))));
    }

    // Runs an operator action; returns the HTTP status and the answer.
    std::pair<http::status, json::object> action(std::string_view name, const json::object& body,
                                                 std::string actor);

    void tick();
    void scheduleTick();
    void accept();
};

namespace {

// A tail's subscription to one channel: forwards the channel's publications to the
// stream session that asked for it.
class TailSubscriber final : public broker::Subscriber {
public:
    TailSubscriber(std::uint64_t id, std::weak_ptr<StreamSession> session) : m_id(id), m_session(std::move(session))
    {
    }
    std::uint64_t clientId() const noexcept override { return m_id; }
    const std::string& userId() const noexcept override { return m_user; }
    void deliver(broker::FramePtr frame) override;
    void deliverCatchUp(std::vector<broker::FramePtr> frames) override
    {
        for (auto& f : frames)
            deliver(std::move(f));
    }
    std::size_t catchUpBudget() const noexcept override { return 1 << 20; }
    void subscriptionEnded(const std::string& channel, broker::FramePtr push) override;

private:
    std::uint64_t m_id;
    std::string m_user{kTailUser};
    std::weak_ptr<StreamSession> m_session;
};

// One admin stream viewer: a Beast WebSocket with its own strand. Sends are queued
// (shared, immutable messages) and written one at a time; a viewer with more than
// kMaxStreamQueueBytes queued is closed with 1008.
class StreamSession : public std::enable_shared_from_this<StreamSession> {
public:
    StreamSession(tcp::socket socket, std::shared_ptr<AdminServer::Impl> impl)
        : m_ws(std::move(socket)), m_impl(std::move(impl))
    {
    }

    void start(http::request<http::string_body> request)
    {
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.read_message_max(kMaxBody);
        m_ws.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->m_open = true;
            self->enqueue(message(json::object{{"type", "hello"}, {"node", self->m_impl->nodeInfo()}}));
            self->enqueue(message(self->m_impl->eventJson("node_up", "node " + self->m_impl->ctx->nodeId + " is up")));
            {
                std::lock_guard lock(self->m_impl->streamsMutex);
                self->m_impl->streams.push_back(self);
            }
            self->read();
        });
    }

    void send(std::shared_ptr<const std::string> msg)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
            self->enqueue(std::move(msg));
        });
    }

    void closeWith(websocket::close_code code)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), code] {
            self->m_closeCode = code;
            if (!self->m_writing)
                self->finishClose();
        });
    }

    void onTailFrame(std::uint64_t tailId, broker::FramePtr frame)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), tailId, frame = std::move(frame)] {
            self->forwardTail(tailId, *frame);
        });
    }

    void onTailEnded(std::uint64_t tailId)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), tailId] {
            if (!self->m_tail || self->m_tail->clientId() != tailId)
                return;
            self->m_tail.reset();
            self->enqueue(message(json::object{{"type", "tail_stopped"}, {"channel", self->m_tailChannel},
                                               {"reason", "the channel's namespace was removed"}}));
        });
    }

    ~StreamSession() { stopTail(); }

private:
    void enqueue(std::shared_ptr<const std::string> msg)
    {
        if (!m_open || m_closeCode)
            return;
        m_queuedBytes += msg->size();
        if (m_queuedBytes > kMaxStreamQueueBytes) {
            spdlog::warn("admin stream viewer cannot keep up ({} bytes queued); closing it with 1008", m_queuedBytes);
            m_queue.clear();
            m_queuedBytes = 0;
            m_closeCode = websocket::close_code::policy_error;
            if (!m_writing)
                finishClose();
            return;
        }
        m_queue.push_back(std::move(msg));
        if (!m_writing)
            write();
    }

    void write()
    {
        m_writing = true;
        m_ws.text(true);
        m_ws.async_write(asio::buffer(*m_queue.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->m_queuedBytes -= std::min(self->m_queuedBytes, self->m_queue.front()->size());
            self->m_queue.pop_front();
            if (ec) {
                self->m_open = false;
                self->m_queue.clear();
                self->m_writing = false;
                self->stopTail();
                return;
            }
            if (!self->m_queue.empty())
                return self->write();
            self->m_writing = false;
            if (self->m_closeCode)
                self->finishClose();
        });
    }

    void finishClose()
    {
        if (m_closing || !m_open)
            return;
        m_closing = true;
        stopTail();
        m_ws.async_close(*m_closeCode, [self = shared_from_this()](beast::error_code) { self->m_open = false; });
    }

    void read()
    {
        m_ws.async_read(m_in, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                self->m_open = false;
                self->stopTail();
                return;
            }
            const auto text = beast::buffers_to_string(self->m_in.data());
            self->m_in.consume(self->m_in.size());
            self->onMessage(text);
            self->read();
        });
    }

    void error(std::string_view text) { enqueue(message(json::object{{"type", "error"}, {"message", text}})); }

    void onMessage(const std::string& text)
    {
        boost::system::error_code ec;
        auto value = json::parse(text, ec);
        const auto* obj = value.if_object();
        const auto* tail = obj ? obj->if_contains("tail") : nullptr;
        if (ec || !tail) {
            return error("expected {\"tail\":\"CHANNEL\"} or {\"tail\":null}; see docs/admin-api.md");
        }
        if (tail->is_null()) {
            stopTail();
            return enqueue(message(json::object{{"type", "tail_stopped"}, {"channel", m_tailChannel}}));
        }
        if (!tail->is_string())
            return error("\"tail\" must be a channel name or null");
        std::string channel(tail->as_string());
        if (!protocol::isValidChannel(channel))
            return error("\"" + channel + "\" is not a channel name: 1 to 255 of A-Z a-z 0-9 _ . : @ = , ; / - #");
        if (!m_impl->ctx->broker.namespaceOf(channel))
            return error("channel \"" + channel + "\" is in no configured namespace");
        startTail(std::move(channel));
    }

    void startTail(std::string channel)
    {
        stopTail();
        const auto id = m_impl->ctx->nextClientId.fetch_add(1);
        m_tail = std::make_shared<TailSubscriber>(id, weak_from_this());
        m_tailChannel = channel;
        m_tailSecond = Clock::now();
        m_tailSent = 0;
        m_tailDropped = 0;
        broker::SubscribeRequest request;
        request.channel = channel;
        request.user = std::string(kTailUser);
        m_impl->ctx->broker.subscribe(
            std::move(request), m_tail,
            [self = shared_from_this(), id, channel](Result<broker::SubscribeOk> result) {
                asio::post(self->m_ws.get_executor(), [self, id, channel, result = std::move(result)] {
                    if (!self->m_tail || self->m_tail->clientId() != id)
                        return;
                    if (!result) {
                        self->m_tail.reset();
                        return self->error("cannot tail \"" + channel + "\": " + result.error().message);
                    }
                    self->m_tailEpoch = result->epoch;
                    self->enqueue(message(json::object{{"type", "tail_started"}, {"channel", channel},
                                                       {"epoch", result->epoch}, {"offset", result->offset}}));
                });
            });
    }

    void stopTail()
    {
        if (!m_tail)
            return;
        // Once the server stopped, the broker may already be gone (a session can be
        // destroyed with the io_context's pending handlers, after the node's broker):
        // there is nothing left to unsubscribe from.
        if (!m_impl->stopped.load())
            m_impl->ctx->broker.unsubscribe(m_tailChannel, m_tail->clientId(), [](Result<bool>) {});
        m_tail.reset();
    }

    void forwardTail(std::uint64_t tailId, const protocol::OutFrame& frame)
    {
        if (!m_tail || m_tail->clientId() != tailId)
            return;
        const auto now = Clock::now();
        if (now - m_tailSecond >= std::chrono::seconds(1)) {
            if (m_tailDropped > 0)
                enqueue(message(json::object{{"type", "tail_dropped"}, {"channel", m_tailChannel},
                                             {"count", m_tailDropped}}));
            m_tailSecond = now;
            m_tailSent = 0;
            m_tailDropped = 0;
        }
        if (m_tailSent >= kMaxTailPerSecond) {
            ++m_tailDropped;
            return;
        }
        ++m_tailSent;
        boost::system::error_code ec;
        auto value = json::parse(framePayload(frame.bytes), ec);
        auto* push = value.if_object();
        if (ec || !push)
            return;
        json::object out{{"type", "tail"}, {"channel", m_tailChannel}, {"epoch", m_tailEpoch}};
        for (const char* key : {"offset", "data", "user", "key"})
            if (auto* v = push->if_contains(key))
                out[key] = std::move(*v);
        if (auto* ts = push->if_contains("ts"))
            out["time"] = std::move(*ts);
        enqueue(message(out));
    }

    websocket::stream<beast::tcp_stream> m_ws;
    std::shared_ptr<AdminServer::Impl> m_impl;
    beast::flat_buffer m_in;
    std::deque<std::shared_ptr<const std::string>> m_queue;
    std::size_t m_queuedBytes = 0;
    bool m_open = false;
    bool m_writing = false;
    bool m_closing = false;
    std::optional<websocket::close_code> m_closeCode;

    std::shared_ptr<TailSubscriber> m_tail;
    std::string m_tailChannel;
    std::string m_tailEpoch;
    Clock::time_point m_tailSecond{};
    std::uint32_t m_tailSent = 0;
    std::uint64_t m_tailDropped = 0;
};

void TailSubscriber::deliver(broker::FramePtr frame)
{
    if (!frame->publication)
        return; // join/leave pushes are not part of a tail
    if (auto s = m_session.lock())
        s->onTailFrame(m_id, std::move(frame));
}

void TailSubscriber::subscriptionEnded(const std::string&, broker::FramePtr)
{
    if (auto s = m_session.lock())
        s->onTailEnded(m_id);
}

// One admin HTTP connection: REST requests (keep-alive) until one upgrades to the
// stream.
class AdminHttp : public std::enable_shared_from_this<AdminHttp> {
public:
    AdminHttp(tcp::socket socket, std::shared_ptr<AdminServer::Impl> impl)
        : m_stream(std::move(socket)), m_impl(std::move(impl))
    {
    }

    void start() { read(); }

private:
    void read()
    {
        m_parser.emplace();
        m_parser->header_limit(8 * 1024);
        m_parser->body_limit(kMaxBody);
        m_stream.expires_after(std::chrono::seconds(30));
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRequest(ec); });
    }

    void onRequest(beast::error_code ec)
    {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            return close();
        if (ec) {
            m_keepAlive = false;
            if (ec == http::error::body_limit)
                return respond(http::status::payload_too_large,
                               errorJson("payload_too_large", "admin request bodies are at most 64 KiB"));
            return respond(http::status::bad_request, errorJson("bad_request", "bad HTTP request: " + ec.message()));
        }
        auto& req = m_parser->get();
        m_keepAlive = req.keep_alive();
        const auto target = std::string_view(req.target().data(), req.target().size());
        const auto path = target.substr(0, target.find('?'));

        auto cfg = m_impl->ctx->config.load();
        std::string presented;
        const auto auth = req[http::field::authorization];
        if (auth.size() > 7 && beast::iequals(auth.substr(0, 7), "Bearer "))
            presented = std::string(auth.substr(7));
        else if (path == "/v1/admin/stream")
            presented = queryValue(target, "token");
        if (!tokenMatches(cfg->admin.token, presented)) {
            auto res = errorJson("unauthorized", presented.empty()
                                                     ? "send the admin token as `Authorization: Bearer TOKEN` (it is "
                                                       "admin.token, or the file admin-token in the node's data folder)"
                                                     : "wrong admin token");
            return respond(http::status::unauthorized, std::move(res));
        }

        if (path == "/v1/admin/stream") {
            if (!websocket::is_upgrade(req))
                return respond(http::status::bad_request,
                               errorJson("bad_request", "/v1/admin/stream is a WebSocket; send an upgrade request"));
            auto session = std::make_shared<StreamSession>(m_stream.release_socket(), m_impl);
            session->start(m_parser->release());
            return;
        }
        route(req, target, path);
    }

    std::optional<std::size_t> limitOf(std::string_view target, std::size_t fallback)
    {
        auto text = queryValue(target, "limit");
        if (text.empty())
            return fallback;
        std::size_t value = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || ptr != text.data() + text.size() || value < 1 || value > 10000)
            return std::nullopt;
        return value;
    }

    void route(const http::request<http::string_body>& req, std::string_view target, std::string_view path)
    {
        const bool get = req.method() == http::verb::get;
        auto needGet = [&]() {
            respond(http::status::method_not_allowed, errorJson("method_not_allowed", "use GET on " + std::string(path)));
        };
        auto badLimit = [&]() {
            respond(http::status::bad_request, errorJson("bad_request", "limit must be a whole number from 1 to 10000"));
        };
        if (path == "/v1/admin/node")
            return get ? respond(http::status::ok, m_impl->nodeInfo()) : needGet();
        if (path == "/v1/admin/topology")
            return get ? respond(http::status::ok, m_impl->topology()) : needGet();
        if (path == "/v1/admin/alerts")
            return get ? respond(http::status::ok, m_impl->alertsJson()) : needGet();
        if (path == "/v1/admin/connections") {
            if (!get)
                return needGet();
            auto limit = limitOf(target, 500);
            return limit ? respond(http::status::ok, m_impl->connections(*limit)) : badLimit();
        }
        if (path == "/v1/admin/audit") {
            if (!get)
                return needGet();
            auto limit = limitOf(target, 100);
            if (!limit)
                return badLimit();
            json::array entries;
            for (const auto& e : m_impl->audit.recent(*limit))
                entries.push_back(toJson(e));
            return respond(http::status::ok, json::object{{"entries", std::move(entries)}});
        }
        if (path == "/v1/admin/channels") {
            if (!get)
                return needGet();
            auto limit = limitOf(target, 100);
            if (!limit)
                return badLimit();
            m_impl->channels(*limit, queryValue(target, "prefix"), [self = shared_from_this()](json::object answer) {
                asio::post(self->m_stream.get_executor(), [self, answer = std::move(answer)]() mutable {
                    self->respond(http::status::ok, std::move(answer));
                });
            });
            return;
        }
        constexpr std::string_view kActions = "/v1/admin/actions/";
        if (path.substr(0, kActions.size()) == kActions) {
            if (req.method() != http::verb::post)
                return respond(http::status::method_not_allowed,
                               errorJson("method_not_allowed", "actions are POST requests"));
            json::object body;
            if (!req.body().empty()) {
                boost::system::error_code ec;
                auto value = json::parse(req.body(), ec);
                if (ec || !value.is_object())
                    return respond(http::status::bad_request,
                                   errorJson("bad_request", "the body must be a JSON object such as "
                                                            "{\"actor\":\"ops\",\"target\":\"n1\",\"reason\":\"...\"}"));
                body = std::move(value.as_object());
            }
            std::string actor(req["X-Aldis-Actor"]);
            auto [status, answer] = m_impl->action(path.substr(kActions.size()), body, std::move(actor));
            return respond(status, std::move(answer));
        }
        respond(http::status::not_found,
                errorJson("not_found", "no such admin endpoint; see docs/admin-api.md (/v1/admin/node, topology, "
                                       "channels, connections, audit, alerts, actions/..., stream)"));
    }

    void respond(http::status status, json::object body)
    {
        auto res = std::make_shared<http::response<http::string_body>>(status, 11);
        res->set(http::field::content_type, "application/json");
        res->set(http::field::cache_control, "no-store");
        res->keep_alive(m_keepAlive);
        res->body() = serialize(body);
        res->prepare_payload();
        http::async_write(m_stream, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !self->m_keepAlive)
                return self->close();
            self->read();
        });
    }

    void close()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream m_stream;
    std::shared_ptr<AdminServer::Impl> m_impl;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    bool m_keepAlive = false;
};

std::string stringField(const json::object& body, const char* key)
{
    const auto* v = body.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

} // namespace

void AdminServer::Impl::broadcast(const std::shared_ptr<const std::string>& msg)
{
    std::vector<std::shared_ptr<StreamSession>> live;
    {
        std::lock_guard lock(streamsMutex);
        std::erase_if(streams, [](const auto& weak) { return weak.expired(); });
        for (const auto& weak : streams)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (const auto& s : live)
        s->send(msg);
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
    const auto snapshot = sampler.sample(now, nowMs());
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
    broadcast(message(stats));
}

void AdminServer::Impl::accept()
{
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped.load() || ec == asio::error::operation_aborted)
            return;
        if (!ec)
            std::make_shared<AdminHttp>(std::move(socket), self)->start();
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

void AdminServer::stop()
{
    if (m_impl->stopped.exchange(true))
        return;
    m_impl->event("node_down", "node " + m_impl->ctx->nodeId + " is stopping");
    std::vector<std::shared_ptr<StreamSession>> live;
    {
        std::lock_guard lock(m_impl->streamsMutex);
        for (const auto& weak : m_impl->streams)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
        m_impl->streams.clear();
    }
    for (const auto& s : live)
        s->closeWith(websocket::close_code::going_away);
    asio::post(m_impl->acceptor.get_executor(), [impl = m_impl] {
        beast::error_code ec;
        impl->acceptor.close(ec);
    });
    asio::post(m_impl->tickStrand, [impl = m_impl] { impl->ticker.cancel(); });
}

} // namespace aldis::admin
