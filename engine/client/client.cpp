// SPDX-License-Identifier: Apache-2.0
#include "client/client.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace aldis::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

std::chrono::milliseconds backoffCap(const BackoffOptions& options, unsigned attempt) noexcept
{
    const double initial = static_cast<double>(std::max<std::int64_t>(0, options.initial.count()));
    const double max = static_cast<double>(std::max<std::int64_t>(0, options.max.count()));
    const double multiplier = std::max(1.0, options.multiplier);
    const double cap = std::min(max, initial * std::pow(multiplier, static_cast<double>(std::min(attempt, 64u))));
    return std::chrono::milliseconds(static_cast<std::int64_t>(cap));
}

std::string_view toString(State state) noexcept
{
    switch (state) {
    case State::disconnected: return "disconnected";
    case State::connecting: return "connecting";
    case State::connected: return "connected";
    case State::closed: return "closed";
    }
    return "closed";
}

namespace {

constexpr std::size_t kMaxKeyBytes = 128;
// With keep-alive pings on, Beast pings after half of this without a frame from the
// server and gives up after all of it: that finds a dead peer behind a silent network.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kCloseTimeout = std::chrono::seconds(3);

struct Url {
    std::string text;
    std::string host;      // for the resolver (no brackets)
    std::string port;
    std::string hostHeader;
    std::string path;
};

// "ws://host[:port][/path]"; IPv6 hosts in brackets.
Url parseUrl(const std::string& text)
{
    const auto fail = [&](const std::string& why) {
        return std::invalid_argument("aldis client: URL \"" + text + "\" " + why);
    };
    if (text.rfind("wss://", 0) == 0)
        throw fail("uses wss://, which this client does not support yet; use ws:// "
                   "(for example behind a TLS-terminating proxy)");
    if (text.rfind("ws://", 0) != 0)
        throw fail("must start with ws://, as in ws://host:8800/v1/ws");
    Url url;
    url.text = text;
    const std::string rest = text.substr(5);
    const auto slash = rest.find('/');
    url.hostHeader = rest.substr(0, slash);
    url.path = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string portText;
    if (!url.hostHeader.empty() && url.hostHeader.front() == '[') {
        const auto close = url.hostHeader.find(']');
        if (close == std::string::npos)
            throw fail("has an IPv6 address without its closing ']'");
        url.host = url.hostHeader.substr(1, close - 1);
        const auto after = url.hostHeader.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                throw fail("has something other than :port after the IPv6 address");
            portText = after.substr(1);
        }
    } else {
        const auto colon = url.hostHeader.rfind(':');
        url.host = url.hostHeader.substr(0, colon);
        if (colon != std::string::npos)
            portText = url.hostHeader.substr(colon + 1);
    }
    if (url.host.empty())
        throw fail("has no host");
    if (portText.empty()) {
        url.port = "80";
    } else {
        const bool digits = std::all_of(portText.begin(), portText.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || portText.size() > 5 || std::stoul(portText) == 0 || std::stoul(portText) > 65535)
            throw fail("has a port that is not a number from 1 to 65535");
        url.port = portText;
    }
    return url;
}

ErrorCode codeFromString(std::string_view text)
{
    for (auto code : {ErrorCode::bad_request, ErrorCode::unauthorized, ErrorCode::token_expired,
                      ErrorCode::permission_denied, ErrorCode::unknown_op, ErrorCode::unknown_channel,
                      ErrorCode::already_subscribed, ErrorCode::not_subscribed, ErrorCode::payload_too_large,
                      ErrorCode::too_many_requests, ErrorCode::limit_exceeded, ErrorCode::unavailable,
                      ErrorCode::internal})
        if (toString(code) == text)
            return code;
    return ErrorCode::internal;
}

// Whether the same command can succeed later: the node was busy or briefly unable.
bool retryableCode(ErrorCode code)
{
    return code == ErrorCode::unavailable || code == ErrorCode::too_many_requests;
}

Error unavailable(std::string message, bool retryable = true)
{
    return makeError(ErrorCode::unavailable, std::move(message), retryable);
}

std::uint64_t getU64(const json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key)) {
        if (v->is_uint64())
            return v->get_uint64();
        if (v->is_int64() && v->get_int64() >= 0)
            return static_cast<std::uint64_t>(v->get_int64());
    }
    return 0;
}

std::int64_t getI64(const json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key)) {
        if (v->is_int64())
            return v->get_int64();
        if (v->is_uint64())
            return static_cast<std::int64_t>(v->get_uint64());
    }
    return 0;
}

std::string getString(const json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

bool getBool(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

json::object sinceJson(const Since& since)
{
    json::object o;
    o["offset"] = since.offset;
    o["epoch"] = since.epoch;
    return o;
}

Publication publicationFrom(const json::object& o)
{
    Publication p;
    p.channel = getString(o, "channel");
    p.offset = getU64(o, "offset");
    if (const auto* data = o.if_contains("data"))
        p.dataJson = json::serialize(*data);
    else
        p.dataJson = "null";
    p.ts = getI64(o, "ts");
    p.user = getString(o, "user");
    p.key = getString(o, "key");
    return p;
}

SubscribeReply subscribeReplyFrom(const json::object& o)
{
    return SubscribeReply{getString(o, "channel"), getString(o, "epoch"), getU64(o, "offset"),
                          getBool(o, "recovered"), getU64(o, "replayed")};
}

template <typename T>
std::pair<Callback<T>, std::future<Result<T>>> promised()
{
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    return {[promise](Result<T> result) { promise->set_value(std::move(result)); }, std::move(future)};
}

// Turns a reply into Result<void>, dropping its (empty) `ok`.
Callback<json::object> toVoid(Callback<void> done)
{
    return [done = std::move(done)](Result<json::object> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    };
}

} // namespace

// The client's state and logic, owned by the Client. post(), start(), stop() and
// state() are called from any thread; everything else runs on m_strand, on the client
// thread that start() creates (or, for a client stopped before it started, on the
// thread that calls stop()). Handlers capture `this`: the io_context is stopped and
// the thread joined before any member goes away.
class Client::Impl {
public:
    explicit Impl(ClientOptions options);
    ~Impl();

    // --- any thread
    // Posts `fn` to the strand; false once the client is stopped (fn is not run).
    template <typename Fn>
    bool post(Fn&& fn)
    {
        std::lock_guard lock(m_acceptMutex);
        if (!m_accepting)
            return false;
        asio::post(m_strand, std::forward<Fn>(fn));
        return true;
    }
    void start();
    void stop();
    State state() const noexcept { return m_state.load(); }

    // --- client thread (the strand)
    using Done = Callback<json::object>;

    struct Handlers {
        std::function<void(State)> state;
        std::function<void(const ConnectInfo&)> connected;
        std::function<void(const DisconnectInfo&)> disconnected;
        std::function<void(const Publication&)> publication;
        std::function<void(const json::object&)> push;
        std::function<void(const std::string&)> resync;
        std::function<void(const std::string&, std::uint64_t, std::uint64_t)> gap;
        std::function<void(const Error&)> error;
    };
    Handlers m_handlers;

    // Any thread: replaces one handler, in order with the events.
    template <typename Handler>
    void setHandler(Handler Handlers::*member, Handler handler)
    {
        post([this, member, handler = std::move(handler)]() mutable { m_handlers.*member = std::move(handler); });
    }

    void request(std::string_view op, json::object fields, Done done);
    void subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done);
    void unsubscribe(std::string channel, Callback<void> done);
    void publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done);
    void publishWithRetry(std::string channel, std::shared_ptr<const json::value> data, std::string key,
                          unsigned attempts, unsigned attempt, Callback<PublishReply> done);
    void ack(std::string channel, std::uint64_t offset, Callback<void> done);
    // Runs `run` after `delay`, or `abort` if the client stops first.
    void after(std::chrono::milliseconds delay, std::function<void()> run, std::function<void()> abort);
    std::chrono::milliseconds jitter(unsigned attempt);

private:
    // One WebSocket connection (or attempt). A new one per attempt, so that handlers of
    // an old one can tell (`ended`) and do nothing.
    struct Connection {
        explicit Connection(const asio::strand<asio::io_context::executor_type>& strand)
            : ws(strand), resolver(strand)
        {
        }
        websocket::stream<beast::tcp_stream> ws;
        tcp::resolver resolver;
        beast::flat_buffer buffer;
        std::deque<std::string> outbox;    // front() is being written while `writing`
        bool writing = false;
        bool open = false;                 // WebSocket handshake done
        bool authed = false;               // `connect` answered ok
        bool ended = false;
        std::uint64_t number = 0;
        std::size_t urlIndex = 0;
        std::uint64_t connectId = 0;
        std::optional<Error> connectError; // the error reply to `connect`
        struct DisconnectPush {
            std::uint16_t code = 1006;
            std::string reason;
            bool reconnect = true;
        };
        std::optional<DisconnectPush> disconnectPush;
    };
    using ConnectionPtr = std::shared_ptr<Connection>;

    struct Request {
        std::string frame;
        SteadyClock::time_point deadline;
        Done done;
        std::uint64_t sentOn = 0;          // connection number; 0 while queued
    };

    // A subscription the application asked for. `live` once the server confirmed it:
    // from then on it is restored after every reconnect until unsubscribe().
    struct Sub {
        std::uint64_t generation = 0;
        std::string durable;
        bool live = false;
        bool onServer = false;             // confirmed on the current connection
        std::string epoch;
        std::uint64_t last = 0;            // the last offset delivered (or skipped by a resync)
        unsigned retries = 0;
    };

    struct Delayed {
        std::shared_ptr<asio::steady_timer> timer;
        std::function<void()> abort;
    };

    void setState(State state);
    void startConnect();
    void sendConnect(const ConnectionPtr& c);
    void readNext(const ConnectionPtr& c);
    void send(const ConnectionPtr& c, std::string frame);
    void writeNext(const ConnectionPtr& c);
    void endConnection(const ConnectionPtr& c, std::uint16_t code, std::string reason, bool closeFrame);
    void scheduleReconnect(bool nextUrl);
    void closeForGood(Error error);
    void beginStop();
    void finishStop();

    void onFrame(const ConnectionPtr& c, std::string_view text);
    void onConnectReply(const ConnectionPtr& c, const json::object& reply);
    void onPublicationPush(const json::object& push);
    void resubscribe(const std::string& channel, Sub& sub);
    void onResubscribed(const std::string& channel, std::uint64_t generation, Result<json::object> result);
    void dropSubscription(const std::string& channel, const std::string& reason);
    void sendQueued();
    void failSent(std::uint64_t connection, const std::string& why);
    void failAll(const Error& error);
    void armSweep();
    void sweep();
    void reportError(Error error);

    ClientOptions m_options;
    std::vector<Url> m_urls;

    // Declared first: destroyed last, after everything that holds its handlers.
    asio::io_context m_io;
    asio::strand<asio::io_context::executor_type> m_strand;
    asio::executor_work_guard<asio::io_context::executor_type> m_work;
    std::thread m_thread;

    std::mutex m_acceptMutex;              // guards m_accepting, m_started and starting m_thread
    bool m_accepting = true;
    bool m_started = false;
    std::atomic<State> m_state{State::disconnected};

    // Client thread only, from here on.
    asio::steady_timer m_reconnectTimer;
    asio::steady_timer m_connectTimer;
    asio::steady_timer m_sweepTimer;
    asio::steady_timer m_stopTimer;
    bool m_sweepArmed = false;
    ConnectionPtr m_conn;
    std::uint64_t m_connections = 0;
    std::size_t m_urlIndex = 0;
    unsigned m_attempt = 0;
    bool m_stopping = false;
    bool m_stopped = false;
    bool m_closed = false;                 // closed for good (fatal close code)
    std::string m_closedReason;

    std::uint64_t m_nextId = 0;
    std::map<std::uint64_t, Request> m_requests;   // by id, so also by deadline
    std::unordered_map<std::string, Sub> m_subs;
    std::uint64_t m_subGenerations = 0;
    std::map<std::uint64_t, Delayed> m_delayed;
    std::uint64_t m_nextDelayed = 0;
    std::mt19937_64 m_random{std::random_device{}()};
};

Client::Impl::Impl(ClientOptions options)
    : m_options(std::move(options)),
      m_strand(asio::make_strand(m_io)),
      m_work(asio::make_work_guard(m_io)),
      m_reconnectTimer(m_strand),
      m_connectTimer(m_strand),
      m_sweepTimer(m_strand),
      m_stopTimer(m_strand)
{
    if (m_options.urls.empty())
        throw std::invalid_argument("aldis client: no URL given; set ClientOptions::urls to ws://host:8800/v1/ws");
    if (!m_options.tokenProvider)
        throw std::invalid_argument("aldis client: no tokenProvider; set one that returns the JWT to connect with");
    for (const auto& url : m_options.urls)
        m_urls.push_back(parseUrl(url));
    if (m_options.requestTimeout <= std::chrono::milliseconds::zero())
        m_options.requestTimeout = std::chrono::seconds(10);
}

Client::Impl::~Impl()
{
    stop();
    if (m_thread.joinable())
        m_thread.detach(); // destroyed from its own callback: undefined, but no terminate()
}

void Client::Impl::start()
{
    std::lock_guard lock(m_acceptMutex);
    if (!m_accepting || m_started)
        return;
    m_started = true;
    asio::post(m_strand, [this] { startConnect(); });
    m_thread = std::thread([this] {
        for (;;) {
            try {
                m_io.run();
                return;
            } catch (...) {
                // A callback threw, against the contract. The client's state is
                // consistent between handlers, so it carries on rather than end the
                // process.
            }
        }
    });
}

void Client::Impl::stop()
{
    bool runHere = false;
    {
        std::lock_guard lock(m_acceptMutex);
        if (m_accepting) {
            m_accepting = false;
            asio::post(m_strand, [this] { beginStop(); });
            // Never started: what was queued (it fails as "stopped") runs on this thread.
            runHere = !m_started;
        }
    }
    if (runHere)
        m_io.run();
    // From a callback (against the contract) the thread cannot join itself: it ends
    // once the close is done, and the destructor joins it.
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id())
        m_thread.join();
}

void Client::Impl::setState(State state)
{
    if (m_state.load() == state)
        return;
    m_state.store(state);
    if (m_handlers.state)
        m_handlers.state(state);
}

void Client::Impl::reportError(Error error)
{
    if (m_handlers.error)
        m_handlers.error(error);
}

// --- connecting

void Client::Impl::startConnect()
{
    if (m_stopping || m_closed)
        return;
    auto c = std::make_shared<Connection>(m_strand);
    c->number = ++m_connections;
    c->urlIndex = m_urlIndex;
    m_conn = c;
    setState(State::connecting);

    m_connectTimer.expires_after(m_options.requestTimeout);
    m_connectTimer.async_wait([this, c](boost::system::error_code ec) {
        if (ec || c->ended || c->authed)
            return;
        endConnection(c, 1006, "no connection within requestTimeout", false);
    });

    const Url& url = m_urls[c->urlIndex];
    c->resolver.async_resolve(url.host, url.port, [this, c](boost::system::error_code ec,
                                                            tcp::resolver::results_type results) {
        if (c->ended)
            return;
        const Url& target = m_urls[c->urlIndex];
        if (ec)
            return endConnection(c, 1006, "cannot resolve " + target.host + ": " + ec.message(), false);
        auto& tcpStream = beast::get_lowest_layer(c->ws);
        tcpStream.async_connect(results, [this, c](boost::system::error_code ec2, const tcp::endpoint&) {
            if (c->ended)
                return;
            const Url& to = m_urls[c->urlIndex];
            if (ec2)
                return endConnection(c, 1006, "cannot connect to " + to.text + ": " + ec2.message(), false);
            beast::get_lowest_layer(c->ws).expires_never();
            boost::system::error_code ignored;
            beast::get_lowest_layer(c->ws).socket().set_option(tcp::no_delay(true), ignored);
            websocket::stream_base::timeout timeouts;
            timeouts.handshake_timeout = m_options.requestTimeout;
            timeouts.idle_timeout = kIdleTimeout;
            timeouts.keep_alive_pings = true;
            c->ws.set_option(timeouts);
            c->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
                req.set(beast::http::field::user_agent, "aldis-client/1");
            }));
            c->ws.text(true);
            c->ws.async_handshake(to.hostHeader, to.path, [this, c](boost::system::error_code ec3) {
                if (c->ended)
                    return;
                if (ec3)
                    return endConnection(
                        c, 1006, "WebSocket handshake with " + m_urls[c->urlIndex].text + " failed: " + ec3.message(),
                        false);
                c->open = true;
                readNext(c);
                sendConnect(c);
            });
        });
    });
}

void Client::Impl::sendConnect(const ConnectionPtr& c)
{
    std::string token;
    try {
        token = m_options.tokenProvider();
    } catch (const std::exception& e) {
        reportError(unavailable(std::string("the token provider failed: ") + e.what()));
        return endConnection(c, 1006, std::string("the token provider failed: ") + e.what(), false);
    } catch (...) {
        reportError(unavailable("the token provider failed"));
        return endConnection(c, 1006, "the token provider failed", false);
    }
    json::object cmd;
    c->connectId = ++m_nextId;
    cmd["id"] = c->connectId;
    cmd["op"] = "connect";
    cmd["token"] = token;
    if (!m_options.name.empty())
        cmd["name"] = m_options.name;
    send(c, json::serialize(cmd));
}

void Client::Impl::onConnectReply(const ConnectionPtr& c, const json::object& reply)
{
    if (const auto* err = reply.if_contains("error"); err && err->is_object()) {
        const auto code = codeFromString(getString(err->get_object(), "code"));
        // The server closes next (4001 or 4002); the close code decides what follows.
        c->connectError = makeError(code, getString(err->get_object(), "message"), false);
        return;
    }
    const auto* okValue = reply.if_contains("ok");
    if (!okValue || !okValue->is_object())
        return endConnection(c, 1006, "the server's answer to connect has neither ok nor error", false);
    const auto& ok = okValue->get_object();
    c->authed = true;
    m_connectTimer.cancel();
    m_attempt = 0;
    ConnectInfo info{m_urls[c->urlIndex].text,      getU64(ok, "client"),
                     getString(ok, "user"),          getString(ok, "node"),
                     getString(ok, "region"),        getI64(ok, "expires_at"),
                     std::chrono::seconds(getI64(ok, "ping_interval"))};
    setState(State::connected);
    if (m_handlers.connected)
        m_handlers.connected(info);
    if (c->ended || m_conn != c)
        return; // a callback stopped the client
    // Restore subscriptions first, then send what waited for the connection.
    for (auto& [channel, sub] : m_subs)
        if (sub.live)
            resubscribe(channel, sub);
    sendQueued();
}

// --- reading and writing

void Client::Impl::readNext(const ConnectionPtr& c)
{
    c->ws.async_read(c->buffer, [this, c](boost::system::error_code ec, std::size_t) {
        if (c->ended)
            return;
        if (ec) {
            if (ec == websocket::error::closed) {
                // A close frame without a status code reads as 1005 (RFC 6455, 7.1.5).
                const auto code = c->ws.reason().code == websocket::close_code::none ? 1005 : c->ws.reason().code;
                return endConnection(c, static_cast<std::uint16_t>(code), std::string(c->ws.reason().reason.c_str()),
                                     true);
            }
            if (c->disconnectPush)
                return endConnection(c, c->disconnectPush->code, c->disconnectPush->reason, true);
            return endConnection(c, 1006, "connection lost: " + ec.message(), false);
        }
        const auto data = c->buffer.data();
        onFrame(c, std::string_view(static_cast<const char*>(data.data()), data.size()));
        c->buffer.consume(c->buffer.size());
        if (!c->ended)
            readNext(c);
    });
}

void Client::Impl::send(const ConnectionPtr& c, std::string frame)
{
    c->outbox.push_back(std::move(frame));
    if (!c->writing)
        writeNext(c);
}

void Client::Impl::writeNext(const ConnectionPtr& c)
{
    if (c->ended || c->outbox.empty()) {
        c->writing = false;
        return;
    }
    c->writing = true;
    c->ws.async_write(asio::buffer(c->outbox.front()), [this, c](boost::system::error_code ec, std::size_t) {
        if (c->ended)
            return;
        if (ec)
            return endConnection(c, 1006, "write failed: " + ec.message(), false);
        c->outbox.pop_front();
        writeNext(c);
    });
}

void Client::Impl::onFrame(const ConnectionPtr& c, std::string_view text)
{
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object())
        return reportError(
            makeError(ErrorCode::internal, "the server sent a frame that is not a JSON object; ignored"));
    const auto& frame = value.get_object();

    if (const auto* push = frame.if_contains("push")) {
        const auto kind = push->is_string() ? std::string_view(push->get_string()) : std::string_view();
        if (kind == "pub")
            return onPublicationPush(frame);
        if (kind == "disconnect") {
            const auto code = getU64(frame, "code");
            c->disconnectPush = Connection::DisconnectPush{static_cast<std::uint16_t>(code <= 0xffff ? code : 1006),
                                                           getString(frame, "reason"), getBool(frame, "reconnect")};
        } else if (kind == "unsubscribed") {
            m_subs.erase(getString(frame, "channel"));
        }
        if (m_handlers.push)
            m_handlers.push(frame);
        return;
    }

    const auto* idValue = frame.if_contains("id");
    if (!idValue || !(idValue->is_uint64() || idValue->is_int64())) {
        // An error about a frame the server could not read at all ("id": null).
        if (const auto* err = frame.if_contains("error"); err && err->is_object())
            reportError(makeError(codeFromString(getString(err->get_object(), "code")),
                                  "the server refused a frame: " + getString(err->get_object(), "message")));
        return;
    }
    const auto id = getU64(frame, "id");
    if (id == c->connectId)
        return onConnectReply(c, frame);
    auto it = m_requests.find(id);
    if (it == m_requests.end())
        return; // timed out already
    auto done = std::move(it->second.done);
    m_requests.erase(it);
    if (const auto* err = frame.if_contains("error"); err && err->is_object()) {
        const auto code = codeFromString(getString(err->get_object(), "code"));
        return done(makeError(code, getString(err->get_object(), "message"), retryableCode(code)));
    }
    if (const auto* ok = frame.if_contains("ok"); ok && ok->is_object())
        return done(ok->get_object());
    done(makeError(ErrorCode::internal, "the server's reply has neither ok nor error"));
}

void Client::Impl::onPublicationPush(const json::object& push)
{
    const auto channel = getString(push, "channel");
    auto it = m_subs.find(channel);
    if (it == m_subs.end() || !it->second.onServer)
        return; // unsubscribed meanwhile
    Sub& sub = it->second;
    const auto offset = getU64(push, "offset");
    if (offset <= sub.last)
        return; // seen already (a replay that overlaps what was delivered)
    if (offset > sub.last + 1 && m_handlers.gap)
        m_handlers.gap(channel, sub.last + 1, offset);
    sub.last = offset;
    if (m_handlers.publication)
        m_handlers.publication(publicationFrom(push));
}

// --- requests

void Client::Impl::request(std::string_view op, json::object fields, Done done)
{
    if (m_stopping || m_closed)
        return done(
            unavailable(m_stopping ? "the client is stopped" : "the client is closed: " + m_closedReason, false));
    json::object cmd;
    const auto id = ++m_nextId;
    cmd["id"] = id;
    cmd["op"] = op;
    for (auto& field : fields)
        cmd[field.key()] = std::move(field.value());
    Request req{json::serialize(cmd), SteadyClock::now() + m_options.requestTimeout, std::move(done), 0};
    auto& stored = m_requests.emplace(id, std::move(req)).first->second;
    if (m_conn && m_conn->authed && !m_conn->ended) {
        stored.sentOn = m_conn->number;
        send(m_conn, std::move(stored.frame)); // never sent again: a lost one fails
    }
    armSweep();
}

void Client::Impl::sendQueued()
{
    for (auto& [id, req] : m_requests) {
        if (req.sentOn != 0)
            continue;
        req.sentOn = m_conn->number;
        send(m_conn, std::move(req.frame));
    }
}

void Client::Impl::failSent(std::uint64_t connection, const std::string& why)
{
    std::vector<std::uint64_t> ids;
    for (const auto& [id, req] : m_requests)
        if (req.sentOn == connection)
            ids.push_back(id);
    for (auto id : ids) {
        auto node = m_requests.extract(id);
        if (!node.empty())
            node.mapped().done(unavailable("the connection was lost before the reply (" + why +
                                           "); the server may or may not have run the command"));
    }
}

void Client::Impl::failAll(const Error& error)
{
    while (!m_requests.empty()) {
        auto node = m_requests.extract(m_requests.begin());
        node.mapped().done(error);
    }
    while (!m_delayed.empty()) {
        auto node = m_delayed.extract(m_delayed.begin());
        node.mapped().timer->cancel();
        node.mapped().abort();
    }
}

void Client::Impl::armSweep()
{
    if (m_sweepArmed || m_requests.empty() || m_stopping)
        return;
    m_sweepArmed = true;
    m_sweepTimer.expires_at(m_requests.begin()->second.deadline);
    m_sweepTimer.async_wait([this](boost::system::error_code ec) {
        m_sweepArmed = false;
        if (!ec)
            sweep();
    });
}

void Client::Impl::sweep()
{
    // Every request has the same timeout, so ids are in deadline order.
    const auto now = SteadyClock::now();
    while (!m_requests.empty() && m_requests.begin()->second.deadline <= now) {
        auto node = m_requests.extract(m_requests.begin());
        node.mapped().done(unavailable(
            std::string(node.mapped().sentOn ? "no reply" : "no connection to send the command on") + " within " +
            std::to_string(m_options.requestTimeout.count()) + " ms (requestTimeout)"));
    }
    armSweep();
}

void Client::Impl::after(std::chrono::milliseconds delay, std::function<void()> run, std::function<void()> abort)
{
    if (m_stopping || m_closed)
        return abort();
    const auto id = ++m_nextDelayed;
    auto timer = std::make_shared<asio::steady_timer>(m_strand, delay);
    m_delayed.emplace(id, Delayed{timer, std::move(abort)});
    timer->async_wait([this, id, run = std::move(run)](boost::system::error_code) {
        auto node = m_delayed.extract(id);
        if (node.empty())
            return; // aborted
        run();
    });
}

std::chrono::milliseconds Client::Impl::jitter(unsigned attempt)
{
    const auto cap = backoffCap(m_options.backoff, attempt).count();
    if (cap <= 0)
        return std::chrono::milliseconds(0);
    std::uniform_int_distribution<std::int64_t> pick(0, cap);
    return std::chrono::milliseconds(pick(m_random));
}

// --- the end of a connection

void Client::Impl::endConnection(const ConnectionPtr& c, std::uint16_t code, std::string reason, bool closeFrame)
{
    if (c->ended)
        return;
    c->ended = true;
    boost::system::error_code ignored;
    beast::get_lowest_layer(c->ws).socket().close(ignored);
    c->resolver.cancel();
    if (m_conn != c)
        return;
    m_conn.reset();
    m_connectTimer.cancel();
    failSent(c->number, reason.empty() ? "close code " + std::to_string(code) : reason);
    for (auto& [channel, sub] : m_subs)
        sub.onServer = false;
    if (m_stopping)
        return finishStop();

    // PROTOCOL.md, "Close codes". 4002 is not fatal although the server's push says
    // "reconnect": false when a token is already expired at `connect`: the provider is
    // asked for a new one at every attempt.
    const auto closedWith = "closed by the server with " + std::to_string(code) + ": ";
    std::optional<Error> fatal;
    switch (code) {
    case 4001: {
        auto error = c->connectError.value_or(makeError(ErrorCode::unauthorized, reason));
        fatal = makeError(error.code, closedWith + error.message +
                                          "; not reconnecting (give the client a valid token and start a new one)");
        break;
    }
    case 4004:
        fatal = makeError(ErrorCode::bad_request, closedWith + reason + "; not reconnecting");
        break;
    case 1009:
        fatal = makeError(ErrorCode::payload_too_large,
                          closedWith + reason +
                              "; a frame exceeded the node's client.max_frame_bytes; not reconnecting");
        break;
    case 1000: case 1001: case 1005: case 1006: case 1011: case 1012: case 1013:
    case 4002: case 4005: case 4006: case 4007: case 4009:
        break;
    default:
        // A code this client does not know: follow the server's advice.
        if (c->disconnectPush && !c->disconnectPush->reconnect)
            fatal = makeError(ErrorCode::internal, closedWith + reason + "; the server asked not to reconnect");
        break;
    }
    if (!fatal && !m_options.autoReconnect)
        fatal = unavailable(
            "the connection ended (" + std::to_string(code) + ": " + reason + ") and autoReconnect is off", false);
    if (fatal) {
        if (m_handlers.disconnected)
            m_handlers.disconnected(DisconnectInfo{m_urls[c->urlIndex].text, code, reason, false});
        return closeForGood(std::move(*fatal));
    }
    if (m_handlers.disconnected)
        m_handlers.disconnected(DisconnectInfo{m_urls[c->urlIndex].text, code, reason, true});
    if (m_stopping || m_closed)
        return; // a callback stopped the client
    // A drained node (4007) and a failed attempt (no close frame before `connect`
    // succeeded) move on to the next URL; other closes come back to the same node.
    scheduleReconnect(code == 4007 || (!c->authed && !closeFrame));
}

void Client::Impl::scheduleReconnect(bool nextUrl)
{
    if (nextUrl)
        m_urlIndex = (m_urlIndex + 1) % m_urls.size();
    setState(State::disconnected);
    const auto delay = jitter(m_attempt);
    if (m_attempt < 64)
        ++m_attempt;
    m_reconnectTimer.expires_after(delay);
    m_reconnectTimer.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            startConnect();
    });
}

void Client::Impl::closeForGood(Error error)
{
    m_closed = true;
    m_closedReason = error.message;
    m_reconnectTimer.cancel();
    failAll(unavailable("the client is closed: " + error.message, false));
    setState(State::closed);
    reportError(std::move(error));
}

void Client::Impl::beginStop()
{
    m_stopping = true;
    failAll(unavailable("the client is stopped", false));
    m_reconnectTimer.cancel();
    m_connectTimer.cancel();
    m_sweepTimer.cancel();
    auto c = m_conn;
    if (!c || !c->open || c->ended)
        return finishStop();
    m_stopTimer.expires_after(kCloseTimeout);
    m_stopTimer.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            finishStop();
    });
    c->ws.async_close(websocket::close_code::normal, [this, c](boost::system::error_code) {
        endConnection(c, 1000, "closed by the client", true);
        finishStop();
    });
}

void Client::Impl::finishStop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_stopTimer.cancel();
    if (auto c = m_conn) {
        c->ended = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(c->ws).socket().close(ignored);
        m_conn.reset();
    }
    setState(State::closed);
    m_work.reset();
    m_io.stop();
}

// --- subscriptions

void Client::Impl::subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done)
{
    if (m_subs.count(channel))
        return done(makeError(ErrorCode::already_subscribed,
                              "already subscribed to \"" + channel +
                                  "\" (or a subscribe is on its way); unsubscribe first"));
    auto& sub = m_subs[channel];
    sub.generation = ++m_subGenerations;
    sub.durable = options.durable;
    json::object fields;
    fields["channel"] = channel;
    if (options.since)
        fields["since"] = sinceJson(*options.since);
    if (!options.durable.empty())
        fields["durable"] = options.durable;
    const auto generation = sub.generation;
    auto onReply = [this, channel, generation, done = std::move(done)](Result<json::object> r) {
        auto it = m_subs.find(channel);
        const bool current = it != m_subs.end() && it->second.generation == generation;
        if (!r) {
            if (current)
                m_subs.erase(it);
            return done(std::move(r).error());
        }
        auto reply = subscribeReplyFrom(r.value());
        if (!current) {
            // unsubscribe() came first: end what the server just started.
            if (m_conn && m_conn->authed)
                request("unsubscribe", json::object{{"channel", channel}}, [](Result<json::object>) {});
            return done(std::move(reply));
        }
        Sub& confirmed = it->second;
        confirmed.live = true;
        confirmed.onServer = true;
        confirmed.epoch = reply.epoch;
        // Live delivery starts after `offset`; a replay covers the `replayed` before it.
        confirmed.last = reply.recovered ? reply.offset - std::min(reply.offset, reply.replayed) : reply.offset;
        done(std::move(reply));
    };
    request("subscribe", std::move(fields), std::move(onReply));
}

void Client::Impl::resubscribe(const std::string& channel, Sub& sub)
{
    json::object fields;
    fields["channel"] = channel;
    // Offset 0 means "from the start, whatever the epoch": right when nothing was seen.
    fields["since"] = sinceJson(Since{sub.last, sub.epoch});
    if (!sub.durable.empty())
        fields["durable"] = sub.durable;
    const auto generation = sub.generation;
    request("subscribe", std::move(fields), [this, channel, generation](Result<json::object> r) {
        onResubscribed(channel, generation, std::move(r));
    });
}

void Client::Impl::onResubscribed(const std::string& channel, std::uint64_t generation, Result<json::object> result)
{
    auto it = m_subs.find(channel);
    const bool current = it != m_subs.end() && it->second.generation == generation;
    if (!result) {
        if (!current || !m_conn || !m_conn->authed)
            return; // the connection is gone: the next one subscribes again
        Sub& sub = it->second;
        if (result.error().retryable && sub.retries < 10) {
            const auto delay = jitter(sub.retries++);
            const auto connection = m_conn->number;
            after(delay, [this, channel, generation, connection] {
                auto again = m_subs.find(channel);
                if (again != m_subs.end() && again->second.generation == generation && m_conn &&
                    m_conn->number == connection && m_conn->authed && !again->second.onServer)
                    resubscribe(channel, again->second);
            }, [] {});
            return;
        }
        return dropSubscription(channel, "could not subscribe again after a reconnect: " + result.error().message);
    }
    if (!current) {
        if (m_conn && m_conn->authed)
            request("unsubscribe", json::object{{"channel", channel}}, [](Result<json::object>) {});
        return;
    }
    const auto reply = subscribeReplyFrom(result.value());
    Sub& sub = it->second;
    sub.onServer = true;
    sub.retries = 0;
    sub.epoch = reply.epoch;
    if (reply.recovered)
        return; // the replay (if any) follows; what overlaps `last` is dropped
    sub.last = reply.offset;
    if (m_handlers.resync)
        m_handlers.resync(channel);
}

void Client::Impl::dropSubscription(const std::string& channel, const std::string& reason)
{
    m_subs.erase(channel);
    if (!m_handlers.push)
        return;
    json::object push;
    push["push"] = "unsubscribed";
    push["channel"] = channel;
    push["reason"] = reason;
    m_handlers.push(push);
}

void Client::Impl::unsubscribe(std::string channel, Callback<void> done)
{
    auto it = m_subs.find(channel);
    if (it == m_subs.end())
        return done(makeError(ErrorCode::not_subscribed, "not subscribed to \"" + channel + "\""));
    const bool onServer = it->second.onServer;
    m_subs.erase(it);
    if (!onServer || !m_conn || !m_conn->authed)
        return done(Result<void>()); // nothing on the server (a subscribe on its way is undone on arrival)
    request("unsubscribe", json::object{{"channel", channel}}, [done = std::move(done)](Result<json::object> r) {
        // A lost connection ends the subscription as well.
        if (!r && r.error().code != ErrorCode::unavailable)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

// --- publishing

void Client::Impl::publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done)
{
    boost::system::error_code ec;
    auto data = json::parse(dataJson, ec);
    if (ec)
        return done(makeError(ErrorCode::bad_request, "publish data is not valid JSON (" + ec.message() + ")"));
    if (key.size() > kMaxKeyBytes)
        return done(makeError(ErrorCode::bad_request, "an idempotency key has at most 128 characters"));
    publishWithRetry(std::move(channel), std::make_shared<const json::value>(std::move(data)), std::move(key), 1, 0,
                     std::move(done));
}

void Client::Impl::publishWithRetry(std::string channel, std::shared_ptr<const json::value> data, std::string key,
                                    unsigned attempts, unsigned attempt, Callback<PublishReply> done)
{
    json::object fields;
    fields["channel"] = channel;
    fields["data"] = *data;
    if (!key.empty())
        fields["key"] = key;
    request("publish", std::move(fields),
            [this, channel, data, key, attempts, attempt, done = std::move(done)](Result<json::object> r) mutable {
                if (r) {
                    const auto& ok = r.value();
                    return done(PublishReply{getU64(ok, "offset"), getString(ok, "epoch"), getBool(ok, "duplicate")});
                }
                if (!r.error().retryable || attempt + 1 >= attempts)
                    return done(std::move(r).error());
                auto shared = std::make_shared<Callback<PublishReply>>(std::move(done));
                after(jitter(attempt),
                      [this, channel, data, key, attempts, attempt, shared] {
                          publishWithRetry(channel, data, key, attempts, attempt + 1, std::move(*shared));
                      },
                      [shared] { (*shared)(unavailable("the client stopped between two attempts", false)); });
            });
}

void Client::Impl::ack(std::string channel, std::uint64_t offset, Callback<void> done)
{
    json::object fields;
    fields["channel"] = std::move(channel);
    fields["offset"] = offset;
    request("ack", std::move(fields), toVoid(std::move(done)));
}

// --- Client: the public side

namespace {

Error stoppedError()
{
    return unavailable("the client is stopped", false);
}

} // namespace

Client::Client(ClientOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Client::~Client() = default;

void Client::start() { m_impl->start(); }
void Client::stop() { m_impl->stop(); }
State Client::state() const noexcept { return m_impl->state(); }

void Client::onStateChanged(std::function<void(State)> handler)
{
    m_impl->setHandler(&Impl::Handlers::state, std::move(handler));
}

void Client::onConnected(std::function<void(const ConnectInfo&)> handler)
{
    m_impl->setHandler(&Impl::Handlers::connected, std::move(handler));
}

void Client::onDisconnected(std::function<void(const DisconnectInfo&)> handler)
{
    m_impl->setHandler(&Impl::Handlers::disconnected, std::move(handler));
}

void Client::onPublication(std::function<void(const Publication&)> handler)
{
    m_impl->setHandler(&Impl::Handlers::publication, std::move(handler));
}

void Client::onPush(std::function<void(const boost::json::object&)> handler)
{
    m_impl->setHandler(&Impl::Handlers::push, std::move(handler));
}

void Client::onResyncNeeded(std::function<void(const std::string&)> handler)
{
    m_impl->setHandler(&Impl::Handlers::resync, std::move(handler));
}

void Client::onGap(std::function<void(const std::string&, std::uint64_t, std::uint64_t)> handler)
{
    m_impl->setHandler(&Impl::Handlers::gap, std::move(handler));
}

void Client::onError(std::function<void(const Error&)> handler)
{
    m_impl->setHandler(&Impl::Handlers::error, std::move(handler));
}

void Client::subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done)
{
    auto shared = std::make_shared<Callback<SubscribeReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), options = std::move(options),
                       shared]() mutable {
            impl->subscribe(std::move(channel), std::move(options), std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<SubscribeReply>> Client::subscribe(std::string channel, SubscribeOptions options)
{
    auto [done, future] = promised<SubscribeReply>();
    subscribe(std::move(channel), std::move(options), std::move(done));
    return std::move(future);
}

void Client::unsubscribe(std::string channel, Callback<void> done)
{
    auto shared = std::make_shared<Callback<void>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), shared]() mutable {
            impl->unsubscribe(std::move(channel), std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<void>> Client::unsubscribe(std::string channel)
{
    auto [done, future] = promised<void>();
    unsubscribe(std::move(channel), std::move(done));
    return std::move(future);
}

void Client::publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done)
{
    auto shared = std::make_shared<Callback<PublishReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), dataJson = std::move(dataJson),
                       key = std::move(key), shared]() mutable {
            impl->publish(std::move(channel), std::move(dataJson), std::move(key), std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<PublishReply>> Client::publish(std::string channel, std::string dataJson, std::string key)
{
    auto [done, future] = promised<PublishReply>();
    publish(std::move(channel), std::move(dataJson), std::move(key), std::move(done));
    return std::move(future);
}

void Client::publishWithRetry(std::string channel, std::string dataJson, std::string key, unsigned attempts,
                              Callback<PublishReply> done)
{
    auto shared = std::make_shared<Callback<PublishReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), dataJson = std::move(dataJson),
                       key = std::move(key), attempts, shared]() mutable {
            if (key.empty() || key.size() > kMaxKeyBytes)
                return (*shared)(makeError(ErrorCode::bad_request,
                                           "publishWithRetry needs an idempotency key of 1 to 128 characters: "
                                           "without one a retry could publish twice"));
            boost::system::error_code ec;
            auto data = json::parse(dataJson, ec);
            if (ec)
                return (*shared)(
                    makeError(ErrorCode::bad_request, "publish data is not valid JSON (" + ec.message() + ")"));
            impl->publishWithRetry(std::move(channel), std::make_shared<const json::value>(std::move(data)),
                                   std::move(key), std::max(1u, attempts), 0, std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<PublishReply>> Client::publishWithRetry(std::string channel, std::string dataJson, std::string key,
                                                           unsigned attempts)
{
    auto [done, future] = promised<PublishReply>();
    publishWithRetry(std::move(channel), std::move(dataJson), std::move(key), attempts, std::move(done));
    return std::move(future);
}

void Client::history(std::string channel, HistoryOptions options, Callback<HistoryReply> done)
{
    json::object fields;
    fields["channel"] = std::move(channel);
    if (options.since)
        fields["since"] = sinceJson(*options.since);
    fields["limit"] = options.limit;
    if (options.reverse)
        fields["reverse"] = true;
    auto shared = std::make_shared<Callback<HistoryReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), fields = std::move(fields), shared]() mutable {
            impl->request("history", std::move(fields), [shared](Result<json::object> r) {
                if (!r)
                    return (*shared)(std::move(r).error());
                const auto& ok = r.value();
                HistoryReply reply{getString(ok, "epoch"), getU64(ok, "offset"), {}};
                if (const auto* pubs = ok.if_contains("publications"); pubs && pubs->is_array())
                    for (const auto& pub : pubs->get_array())
                        if (pub.is_object())
                            reply.publications.push_back(publicationFrom(pub.get_object()));
                (*shared)(std::move(reply));
            });
        }))
        (*shared)(stoppedError());
}

std::future<Result<HistoryReply>> Client::history(std::string channel, HistoryOptions options)
{
    auto [done, future] = promised<HistoryReply>();
    history(std::move(channel), std::move(options), std::move(done));
    return std::move(future);
}

void Client::presence(std::string channel, Callback<PresenceReply> done)
{
    auto shared = std::make_shared<Callback<PresenceReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), shared]() mutable {
            impl->request("presence", json::object{{"channel", std::move(channel)}}, [shared](Result<json::object> r) {
                if (!r)
                    return (*shared)(std::move(r).error());
                const auto& ok = r.value();
                PresenceReply reply{getU64(ok, "count"), {}};
                if (const auto* clients = ok.if_contains("clients"); clients && clients->is_array())
                    for (const auto& c : clients->get_array())
                        if (c.is_object())
                            reply.clients.push_back(
                                {getU64(c.get_object(), "client"), getString(c.get_object(), "user")});
                (*shared)(std::move(reply));
            });
        }))
        (*shared)(stoppedError());
}

std::future<Result<PresenceReply>> Client::presence(std::string channel)
{
    auto [done, future] = promised<PresenceReply>();
    presence(std::move(channel), std::move(done));
    return std::move(future);
}

void Client::ack(std::string channel, std::uint64_t offset, Callback<void> done)
{
    auto shared = std::make_shared<Callback<void>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), offset, shared]() mutable {
            impl->ack(std::move(channel), offset, std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<void>> Client::ack(std::string channel, std::uint64_t offset)
{
    auto [done, future] = promised<void>();
    ack(std::move(channel), offset, std::move(done));
    return std::move(future);
}

void Client::ping(Callback<void> done)
{
    auto shared = std::make_shared<Callback<void>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), shared]() mutable {
            impl->request("ping", {}, toVoid(std::move(*shared)));
        }))
        (*shared)(stoppedError());
}

std::future<Result<void>> Client::ping()
{
    auto [done, future] = promised<void>();
    ping(std::move(done));
    return std::move(future);
}

void Client::refresh(std::string token, Callback<RefreshReply> done)
{
    auto shared = std::make_shared<Callback<RefreshReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), token = std::move(token), shared]() mutable {
            impl->request("refresh", json::object{{"token", std::move(token)}}, [shared](Result<json::object> r) {
                if (!r)
                    return (*shared)(std::move(r).error());
                (*shared)(RefreshReply{getI64(r.value(), "expires_at")});
            });
        }))
        (*shared)(stoppedError());
}

std::future<Result<RefreshReply>> Client::refresh(std::string token)
{
    auto [done, future] = promised<RefreshReply>();
    refresh(std::move(token), std::move(done));
    return std::move(future);
}

} // namespace aldis::client
