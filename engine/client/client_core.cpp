// SPDX-License-Identifier: Apache-2.0
#include "client/client_core.h"

#include "client/messages.h"

#include <boost/json.hpp>

#include <optional>
#include <stdexcept>

namespace aldis::client::detail {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kCloseTimeout = std::chrono::seconds(3);

ClientOptions withDefaults(ClientOptions options)
{
    if (options.requestTimeout <= std::chrono::milliseconds::zero())
        options.requestTimeout = std::chrono::seconds(10);
    return options;
}

} // namespace

ClientCore::ClientCore(ClientOptions options)
    : m_options(withDefaults(std::move(options))),
      m_strand(asio::make_strand(m_io)),
      m_work(asio::make_work_guard(m_io)),
      m_reconnectTimer(m_strand),
      m_connectTimer(m_strand),
      m_stopTimer(m_strand),
      m_pending(m_strand, m_options.requestTimeout),
      m_subscriptions(*this),
      m_backoff(m_options.backoff)
{
    if (m_options.urls.empty())
        throw std::invalid_argument("aldis client: no URL given; set ClientOptions::urls to ws://host:8800/v1/ws");
    if (!m_options.tokenProvider)
        throw std::invalid_argument("aldis client: no tokenProvider; set one that returns the JWT to connect with");
    for (const auto& url : m_options.urls)
        m_urls.push_back(parseUrl(url));
}

ClientCore::~ClientCore()
{
    stop();
    if (m_thread.joinable())
        m_thread.detach(); // destroyed from its own callback: undefined, but no terminate()
}

void ClientCore::start()
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

void ClientCore::stop()
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

void ClientCore::setState(State state)
{
    if (m_state.load() == state)
        return;
    m_state.store(state);
    if (m_handlers.state)
        m_handlers.state(state);
}

void ClientCore::reportError(Error error)
{
    if (m_handlers.error)
        m_handlers.error(error);
}

std::uint64_t ClientCore::authedConnection() const noexcept
{
    return m_conn && m_conn->authed ? m_conn->number : 0;
}

// --- connecting

void ClientCore::startConnect()
{
    if (m_stopping || m_closed)
        return;
    Connection::Events& events = *this;
    auto c = std::make_shared<Connection>(m_strand, m_urls[m_urlIndex], events);
    c->number = ++m_connections;
    c->urlIndex = m_urlIndex;
    m_conn = c;
    setState(State::connecting);

    m_connectTimer.expires_after(m_options.requestTimeout);
    m_connectTimer.async_wait([this, c](boost::system::error_code ec) {
        if (ec || c->ended() || c->authed)
            return;
        endConnection(c, 1006, "no connection within requestTimeout", false);
    });
    c->start(m_options.requestTimeout);
}

void ClientCore::onConnectionOpen(const ConnectionPtr& c)
{
    sendConnect(c);
}

void ClientCore::sendConnect(const ConnectionPtr& c)
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
    c->connectId = m_pending.nextId();
    cmd["id"] = c->connectId;
    cmd["op"] = "connect";
    cmd["token"] = token;
    if (!m_options.name.empty())
        cmd["name"] = m_options.name;
    c->send(json::serialize(cmd));
}

void ClientCore::onConnectReply(const ConnectionPtr& c, const json::object& reply)
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
    if (c->ended() || m_conn != c)
        return; // a callback stopped the client
    // Restore subscriptions first, then send what waited for the connection.
    m_subscriptions.resumeAll();
    sendQueued();
}

void ClientCore::onConnectionFrame(const ConnectionPtr& c, std::string_view text)
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
            return m_subscriptions.onPublication(frame);
        if (kind == "disconnect") {
            const auto code = getU64(frame, "code");
            c->disconnectPush = Connection::DisconnectPush{static_cast<std::uint16_t>(code <= 0xffff ? code : 1006),
                                                           getString(frame, "reason"), getBool(frame, "reconnect")};
        } else if (kind == "unsubscribed") {
            m_subscriptions.onUnsubscribed(getString(frame, "channel"));
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
    m_pending.answer(id, frame);
}

// --- requests

void ClientCore::request(std::string_view op, json::object fields, Done done)
{
    if (m_stopping || m_closed)
        return done(
            unavailable(m_stopping ? "the client is stopped" : "the client is closed: " + m_closedReason, false));
    auto& stored = m_pending.add(op, std::move(fields), std::move(done));
    if (m_conn && m_conn->authed && !m_conn->ended()) {
        stored.sentOn = m_conn->number;
        m_conn->send(std::move(stored.frame)); // never sent again: a lost one fails
    }
    m_pending.armSweep();
}

void ClientCore::sendQueued()
{
    for (auto& frame : m_pending.takeQueued(m_conn->number))
        m_conn->send(std::move(frame));
}

void ClientCore::after(std::chrono::milliseconds delay, std::function<void()> run, std::function<void()> abort)
{
    if (m_stopping || m_closed)
        return abort();
    m_pending.after(delay, std::move(run), std::move(abort));
}

// --- the end of a connection

void ClientCore::onConnectionLost(const ConnectionPtr& c, std::uint16_t code, std::string reason, bool closeFrame)
{
    endConnection(c, code, std::move(reason), closeFrame);
}

void ClientCore::endConnection(const ConnectionPtr& c, std::uint16_t code, std::string reason, bool closeFrame)
{
    if (c->ended())
        return;
    c->end();
    if (m_conn != c)
        return;
    m_conn.reset();
    m_connectTimer.cancel();
    m_pending.failSent(c->number, reason.empty() ? "close code " + std::to_string(code) : reason);
    m_subscriptions.connectionLost();
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

void ClientCore::scheduleReconnect(bool nextUrl)
{
    if (nextUrl)
        m_urlIndex = (m_urlIndex + 1) % m_urls.size();
    setState(State::disconnected);
    const auto delay = m_backoff.jitter(m_attempt);
    if (m_attempt < 64)
        ++m_attempt;
    m_reconnectTimer.expires_after(delay);
    m_reconnectTimer.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            startConnect();
    });
}

void ClientCore::closeForGood(Error error)
{
    m_closed = true;
    m_closedReason = error.message;
    m_reconnectTimer.cancel();
    m_pending.failAll(unavailable("the client is closed: " + error.message, false));
    setState(State::closed);
    reportError(std::move(error));
}

void ClientCore::beginStop()
{
    m_stopping = true;
    m_pending.failAll(unavailable("the client is stopped", false));
    m_reconnectTimer.cancel();
    m_connectTimer.cancel();
    m_pending.stopSweep();
    auto c = m_conn;
    if (!c || !c->open() || c->ended())
        return finishStop();
    m_stopTimer.expires_after(kCloseTimeout);
    m_stopTimer.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            finishStop();
    });
    c->close([this, c] {
        endConnection(c, 1000, "closed by the client", true);
        finishStop();
    });
}

void ClientCore::finishStop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_stopTimer.cancel();
    if (auto c = m_conn) {
        c->end();
        m_conn.reset();
    }
    setState(State::closed);
    m_work.reset();
    m_io.stop();
}

// --- publishing

void ClientCore::publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done)
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

void ClientCore::publishWithRetry(std::string channel, std::shared_ptr<const json::value> data, std::string key,
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
                after(m_backoff.jitter(attempt),
                      [this, channel, data, key, attempts, attempt, shared] {
                          publishWithRetry(channel, data, key, attempts, attempt + 1, std::move(*shared));
                      },
                      [shared] { (*shared)(unavailable("the client stopped between two attempts", false)); });
            });
}

void ClientCore::ack(std::string channel, std::uint64_t offset, Callback<void> done)
{
    json::object fields;
    fields["channel"] = std::move(channel);
    fields["offset"] = offset;
    request("ack", std::move(fields), toVoid(std::move(done)));
}

} // namespace aldis::client::detail
