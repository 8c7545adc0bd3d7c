// SPDX-License-Identifier: Apache-2.0
#include "gateway/session.h"

#include "observability/metrics.h"
#include "protocol/reply.h"
#include "security/permissions.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace aldis::gateway {

namespace asio = boost::asio;
using protocol::Op;

namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kTlsReadChunk = 16 * 1024; // one TLS record
constexpr auto kCloseGrace = std::chrono::seconds(2);

bool reconnectAllowed(std::uint16_t code)
{
    switch (code) {
    case 4005: case 4006: case 4007: case 4009: case 1001: case 1011: case 4002:
        return true;
    default:
        return false;
    }
}
} // namespace

Session::Session(Socket socket, std::shared_ptr<ServerContext> context, std::string leftover,
                 std::optional<security::VerifyResult> headerAuth, std::unique_ptr<TlsStream> tls,
                 std::shared_ptr<boost::asio::ssl::context> tlsContext)
    : m_socket(std::move(socket)),
      m_tlsContext(std::move(tlsContext)),
      m_tls(std::move(tls)),
      m_ctx(std::move(context)),
      m_config(m_ctx->config.load()),
      m_parser(m_config->client.maxFrameBytes),
      m_clientId(m_ctx->nextClientId.fetch_add(1)),
      m_headerAuth(std::move(headerAuth)),
      m_tokens(m_config->client.rateBurst),
      m_tokensAt(Clock::now()),
      m_lastSeen(Clock::now()),
      m_pingTimer(m_socket.get_executor()),
      m_authTimer(m_socket.get_executor()),
      m_closeTimer(m_socket.get_executor())
{
    m_in.assign(leftover.begin(), leftover.end());
    boost::system::error_code ec;
    const auto remote = tcpSocket().remote_endpoint(ec);
    if (!ec)
        m_remote = remote.address().to_string() + ":" + std::to_string(remote.port());
    m_connectedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    m_ctx->metrics.connections.add(1);
    m_ctx->metrics.connectionsTotal.add();
}

Session::~Session()
{
    m_ctx->metrics.connections.add(-1);
    m_ctx->admitted.fetch_sub(1); // taken by the upgrade (server.cpp)
    std::lock_guard lock(m_ctx->sessionsMutex);
    m_ctx->sessions.erase(m_clientId);
}

void Session::start()
{
    {
        std::lock_guard lock(m_ctx->sessionsMutex);
        m_ctx->sessions.emplace(m_clientId, weak_from_this());
    }
    asio::dispatch(m_socket.get_executor(), [self = shared_from_this()] {
        // Reads happen only once the socket is readable (see readMore()), and must
        // then never block an io thread.
        boost::system::error_code nb;
        if (!self->m_tls)
            self->m_socket.non_blocking(true, nb);
        if (self->m_closing) // refused before it started (max_connections): read only the close answer
            return self->readMore();
        if (self->m_headerAuth) {
            if (!self->authenticate(*self->m_headerAuth, 0))
                return self->readMore(); // to read the client's answer to our close
        } else {
            self->m_authTimer.expires_after(self->m_config->client.connectTimeout);
            self->m_authTimer.async_wait([self](boost::system::error_code ec) {
                if (!ec && !self->m_authed)
                    self->closeWith(4001, "not authenticated within connect_timeout", false);
            });
        }
        self->armPing();
        if (!self->m_in.empty()) {
            // Frames that arrived with the upgrade request.
            const auto used = self->parseFrames(self->m_in.data(), self->m_in.size());
            self->m_in.erase(self->m_in.begin(), self->m_in.begin() + static_cast<std::ptrdiff_t>(used));
        }
        if (!self->m_peerClosed)
            self->readMore();
    });
}

void Session::readMore()
{
    if (m_socketClosed)
        return;
    if (m_tls) {
        // OpenSSL decrypts into the buffer it is given, so TLS reads hold one.
        if (m_tlsIn.empty())
            m_tlsIn.resize(kTlsReadChunk);
        m_tls->async_read_some(asio::buffer(m_tlsIn),
                               [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                   self->onTlsRead(ec, n);
                               });
        return;
    }
    // Waiting for readability holds no buffer, so an idle connection costs no read
    // memory; bytes are read into a per-thread scratch buffer when they are there.
    m_socket.async_wait(Socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
        if (ec) {
            self->m_closing = true;
            self->shutdownSocket();
            return;
        }
        self->onReadable();
    });
}

void Session::onReadable()
{
    thread_local std::vector<unsigned char> scratch(kReadChunk);
    boost::system::error_code ec;
    const auto n = m_socket.read_some(asio::buffer(scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again)
        return readMore();
    if (ec) {
        // The peer went away (or we closed the socket): nothing more to say.
        m_closing = true;
        return shutdownSocket();
    }
    consume(scratch.data(), n);
}

void Session::onTlsRead(const boost::system::error_code& ec, std::size_t n)
{
    if (ec) {
        // The peer went away (with or without close_notify), a TLS error, or we
        // closed the socket.
        m_closing = true;
        return shutdownSocket();
    }
    consume(m_tlsIn.data(), n);
}

void Session::consume(const unsigned char* data, std::size_t n)
{
    m_lastSeen = Clock::now();
    if (m_in.empty()) {
        // The common case: whole frames, parsed straight from the read buffer.
        const auto used = parseFrames(data, n);
        if (used < n && !m_socketClosed)
            m_in.assign(data + used, data + n);
    } else {
        m_in.insert(m_in.end(), data, data + n);
        const auto used = parseFrames(m_in.data(), m_in.size());
        m_in.erase(m_in.begin(), m_in.begin() + static_cast<std::ptrdiff_t>(used));
        if (m_in.empty())
            m_in.shrink_to_fit(); // give back what one big message needed
    }
    if (!m_peerClosed && !m_socketClosed)
        readMore();
}

std::size_t Session::parseFrames(const unsigned char* data, std::size_t size)
{
    std::size_t pos = 0;
    WsEvent event;
    while (pos < size && !m_socketClosed) {
        const auto used = m_parser.feed(data + pos, size - pos, event);
        if (used == 0)
            break;
        pos += used;
        if (event.kind != WsEvent::Kind::none)
            onEvent(event);
        if (event.kind == WsEvent::Kind::error) {
            // The stream cannot be trusted past a protocol error: read no further.
            m_peerClosed = true;
            return size;
        }
    }
    return pos;
}

void Session::onEvent(WsEvent& event)
{
    switch (event.kind) {
    case WsEvent::Kind::text:
        if (m_closing)
            return;
        if (!isValidUtf8(event.payload))
            return closeWith(4004, "frame is not valid UTF-8", false);
        return onText(event.payload);
    case WsEvent::Kind::binary:
        if (!m_closing)
            closeWith(4004, "binary frames are not part of the protocol; send JSON text frames", false);
        return;
    case WsEvent::Kind::ping:
        // A pong counts against the send queue like a reply: a client that sends
        // pings and reads nothing is a slow consumer (4005), not a way to grow the
        // node's memory.
        enqueue(std::make_shared<protocol::OutFrame>(protocol::OutFrame{makeControlFrame(0xA, event.payload)}), Queued::live);
        return;
    case WsEvent::Kind::pong:
        return;
    case WsEvent::Kind::close:
        m_peerClosed = true;
        if (!m_closeQueued) {
            // The client closes: answer with its code, as RFC 6455 asks.
            m_closing = true;
            m_closeQueued = true;
            m_out.clearQueued();
            const std::uint16_t code = event.code == 1005 ? 1000 : event.code;
            enqueue(std::make_shared<protocol::OutFrame>(protocol::OutFrame{makeCloseFrame(code, "")}), Queued::control);
            armCloseDeadline();
        } else {
            finishClose();
        }
        return;
    case WsEvent::Kind::error:
        closeWith(event.code, event.payload, false);
        return;
    case WsEvent::Kind::none:
        return;
    }
}

void Session::onText(std::string_view text)
{
    m_ctx->metrics.commands.add();
    // Token bucket, charged for every frame (a malformed one costs as much as a good
    // one): refill for the time passed, then take one token.
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_tokensAt).count();
    m_tokensAt = now;
    m_tokens = std::min(m_config->client.rateBurst, m_tokens + elapsed * m_config->client.rateLimit);
    const bool limited = m_tokens < 1.0;
    if (!limited) {
        m_tokens -= 1.0;
        // Refusals are forgiven after a whole second within the rate, not by the next
        // refilled token: a client that keeps going at several times the rate, one
        // command at a time, is closed too (PROTOCOL.md: "a client that keeps going").
        if (now - m_lastViolation > std::chrono::seconds(1))
            m_violations = 0;
    }

    auto parsed = protocol::parseCommand(text);
    if (auto* err = std::get_if<protocol::CommandError>(&parsed)) {
        if (err->fatal)
            return closeWith(4004, err->message, false);
        if (limited)
            return refuseRateLimited(err->id);
        if (!m_authed) {
            // Before connect, anything but connect is unauthorized, broken or not;
            // a broken connect is told what is wrong with it.
            m_ctx->metrics.authFailures.add("not_connected");
            if (err->op == Op::connect)
                sendError(err->id, err->code, err->message);
            else
                sendError(err->id, ErrorCode::unauthorized, "send connect with a token first");
            return closeWith(4001, "the first command must be a valid connect", false);
        }
        return sendError(err->id, err->code, err->message);
    }
    auto& cmd = std::get<protocol::Command>(parsed);
    if (limited)
        return refuseRateLimited(cmd.id);

    if (!m_authed && cmd.op != Op::connect) {
        m_ctx->metrics.authFailures.add("not_connected");
        sendError(cmd.id, ErrorCode::unauthorized, "send connect with a token first");
        return closeWith(4001, "command before connect", false);
    }
    if (!m_inFlight.insert(cmd.id).second)
        return sendError(cmd.id, ErrorCode::bad_request,
                         "id " + std::to_string(cmd.id) + " is already in flight; use a new id per command");
    run(cmd);
}

void Session::refuseRateLimited(std::uint64_t id)
{
    m_ctx->metrics.rateLimited.add();
    m_lastViolation = Clock::now();
    if (++m_violations > m_config->client.rateViolationsBeforeClose)
        return closeWith(4006, "too many requests; back off before reconnecting", true);
    sendError(id, ErrorCode::too_many_requests,
              "more than " + std::to_string(static_cast<long>(m_config->client.rateLimit)) +
                  " commands per second; slow down");
}

void Session::run(protocol::Command& cmd)
{
    switch (cmd.op) {
    case Op::connect: return doConnect(cmd);
    case Op::refresh: return doRefresh(cmd);
    case Op::subscribe: return doSubscribe(cmd);
    case Op::unsubscribe: return doUnsubscribe(cmd);
    case Op::publish: return doPublish(cmd);
    case Op::ack: return doAck(cmd);
    case Op::history: return doHistory(cmd);
    case Op::presence: return doPresence(cmd);
    case Op::ping: return reply(cmd.id, "{}");
    }
}

bool Session::authenticate(const security::VerifyResult& result, std::uint64_t replyId)
{
    auto refuse = [&](const security::AuthFailure& failure) {
        m_ctx->metrics.authFailures.add(failure.reason);
        const bool expired = failure.code == ErrorCode::token_expired;
        if (replyId)
            replyError(replyId, failure.code, failure.message);
        closeWith(expired ? 4002 : 4001, failure.message, expired);
        return false;
    };
    if (const auto* failure = std::get_if<security::AuthFailure>(&result))
        return refuse(*failure);
    // A token in the upgrade request was verified before this session was registered,
    // so a reload in between (a key removed, a user revoked) did not reach it; the
    // verifier in force now has the last word.
    if (auto failure = m_ctx->verifier.load()->revalidate(std::get<security::Claims>(result)))
        return refuse(*failure);
    m_claims = std::get<security::Claims>(result);
    m_user = m_claims.sub;
    {
        std::lock_guard lock(m_infoMutex);
        m_infoUser = m_user;
    }
    m_authed = true;
    armExpiry();
    return true;
}

void Session::doConnect(protocol::Command& cmd)
{
    if (m_authed) {
        m_inFlight.erase(cmd.id);
        return replyError(cmd.id, ErrorCode::bad_request,
                          "already connected; use refresh to replace the token");
    }
    auto verifier = m_ctx->verifier.load();
    if (!authenticate(verifier->verify(cmd.token, unixSecondsNow()), cmd.id))
        return;
    std::string ok = "{\"client\":" + std::to_string(m_clientId) + ",\"user\":";
    protocol::appendJsonString(ok, m_user);
    ok += ",\"node\":";
    protocol::appendJsonString(ok, m_ctx->nodeId);
    ok += ",\"region\":";
    protocol::appendJsonString(ok, m_ctx->region);
    ok += ",\"expires_at\":" + std::to_string(m_claims.exp);
    ok += ",\"ping_interval\":" +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(m_config->client.pingInterval).count());
    ok += '}';
    reply(cmd.id, std::move(ok));
}

void Session::doRefresh(protocol::Command& cmd)
{
    auto result = m_ctx->verifier.load()->verify(cmd.token, unixSecondsNow());
    if (const auto* failure = std::get_if<security::AuthFailure>(&result)) {
        m_ctx->metrics.authFailures.add(failure->reason);
        return replyError(cmd.id, failure->code, failure->message);
    }
    auto& claims = std::get<security::Claims>(result);
    if (claims.sub != m_user)
        return replyError(cmd.id, ErrorCode::unauthorized,
                          "refresh needs a token for the same user (\"" + m_user + "\")");
    m_claims = std::move(claims);
    armExpiry();
    reply(cmd.id, "{\"expires_at\":" + std::to_string(m_claims.exp) + "}");
    dropForbiddenSubscriptions();
}

void Session::dropForbiddenSubscriptions()
{
    if (!m_claims.permissions)
        return;
    std::vector<std::string> forbidden;
    for (const auto& [channel, durable] : m_subscriptions)
        if (!security::anyPatternMatches(m_claims.permissions->subscribe, channel))
            forbidden.push_back(channel);
    for (const auto& channel : forbidden) {
        m_subscriptions.erase(channel);
        m_ctx->broker.unsubscribe(channel, m_clientId, [](Result<bool>) {});
        enqueue(protocol::makeTextFrame(protocol::unsubscribedPush(channel, "your refreshed token does not allow subscribing to it")));
    }
    m_infoSubscriptions.store(m_subscriptions.size(), std::memory_order_relaxed);
}

void Session::revalidate(std::shared_ptr<const security::JwtVerifier> verifier)
{
    asio::dispatch(m_socket.get_executor(), [self = shared_from_this(), verifier = std::move(verifier)] {
        if (!self->m_authed || self->m_closing)
            return;
        if (auto failure = verifier->revalidate(self->m_claims)) {
            self->m_ctx->metrics.authFailures.add(failure->reason);
            self->closeNow(4001, failure->message, false);
        }
    });
}

void Session::armExpiry()
{
    m_authTimer.cancel();
    const auto leeway = m_config->auth.leeway;
    const auto exp = std::chrono::system_clock::time_point(std::chrono::seconds(m_claims.exp)) + leeway;
    const auto expectedExp = m_claims.exp;
    m_authTimer.expires_after(std::chrono::duration_cast<Clock::duration>(exp - std::chrono::system_clock::now()));
    m_authTimer.async_wait([self = shared_from_this(), expectedExp](boost::system::error_code ec) {
        if (!ec && self->m_claims.exp == expectedExp)
            self->closeWith(4002, "token expired and was not refreshed", true);
    });
}

void Session::armPing()
{
    m_pingTimer.expires_after(m_config->client.pingInterval);
    m_pingTimer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->m_closing)
            return;
        const auto interval = self->m_config->client.pingInterval;
        if (Clock::now() - self->m_lastSeen > 2 * interval)
            return self->closeWith(1001, "no answer to pings for 2 ping intervals", true);
        self->enqueue(std::make_shared<protocol::OutFrame>(protocol::OutFrame{makeControlFrame(0x9, "")}), Queued::control);
        self->armPing();
    });
}

std::optional<std::string> channelRefusal(const security::Claims& claims, std::string_view channel, bool publish)
{
    if (!security::userChannelAllows(channel, claims.sub))
        return "\"" + std::string(channel) + "\" is a user channel that does not belong to \"" + claims.sub + "\"";
    if (claims.permissions) {
        const auto& patterns = publish ? claims.permissions->publish : claims.permissions->subscribe;
        if (!security::anyPatternMatches(patterns, channel))
            return std::string("your token does not allow ") + (publish ? "publishing to" : "subscribing to") + " \"" +
                   std::string(channel) + "\"";
    }
    return std::nullopt;
}

bool Session::mayUse(const protocol::Command& cmd, bool publish)
{
    if (auto refusal = channelRefusal(m_claims, cmd.channel, publish)) {
        replyError(cmd.id, ErrorCode::permission_denied, *refusal);
        return false;
    }
    return true;
}

template <typename T, typename Fn>
broker::Broker::Callback<T> Session::onStrand(Fn fn)
{
    return [self = shared_from_this(), fn = std::move(fn)](Result<T> result) mutable {
        asio::post(self->m_socket.get_executor(),
                   [self, fn = std::move(fn), result = std::move(result)]() mutable { fn(*self, std::move(result)); });
    };
}

void Session::doSubscribe(protocol::Command& cmd)
{
    if (!mayUse(cmd, false))
        return;
    if (m_subscriptions.count(cmd.channel) || m_subscribing.count(cmd.channel))
        return replyError(cmd.id, ErrorCode::already_subscribed, "already subscribed to \"" + cmd.channel + "\"");
    if (m_subscriptions.size() + m_subscribing.size() >= m_config->client.maxSubscriptionsPerConnection)
        return replyError(cmd.id, ErrorCode::limit_exceeded,
                          "a connection may hold " + std::to_string(m_config->client.maxSubscriptionsPerConnection) +
                              " subscriptions (client.max_subscriptions_per_connection)");
    m_subscribing.insert(cmd.channel);
    broker::SubscribeRequest request{cmd.channel, cmd.since, cmd.durable, m_user};
    m_ctx->broker.subscribe(
        std::move(request), shared_from_this(),
        onStrand<broker::SubscribeOk>([id = cmd.id, channel = cmd.channel, durable = cmd.durable](
                                          Session& self, Result<broker::SubscribeOk> result) {
            self.m_subscribing.erase(channel);
            if (!result)
                return self.replyError(id, result.error().code, result.error().message);
            if (self.m_closing) {
                // Draining: the command is answered (every command is), but the
                // subscription is not kept on a connection about to close.
                self.m_ctx->broker.unsubscribe(channel, self.m_clientId, [](Result<bool>) {});
                return self.replyError(id, ErrorCode::unavailable,
                                       "the connection is closing; subscribe again after reconnecting");
            }
            if (self.m_claims.permissions &&
                !security::anyPatternMatches(self.m_claims.permissions->subscribe, channel)) {
                // A refresh with a narrower token came while the subscribe was in flight.
                self.m_ctx->broker.unsubscribe(channel, self.m_clientId, [](Result<bool>) {});
                return self.replyError(id, ErrorCode::permission_denied,
                                       "your refreshed token does not allow subscribing to \"" + channel + "\"");
            }
            self.m_subscriptions.emplace(channel, durable);
            self.m_infoSubscriptions.store(self.m_subscriptions.size(), std::memory_order_relaxed);
            std::string ok = "{\"channel\":";
            protocol::appendJsonString(ok, channel);
            ok += ",\"epoch\":";
            protocol::appendJsonString(ok, result->epoch);
            ok += ",\"offset\":" + std::to_string(result->offset);
            ok += result->recovered ? ",\"recovered\":true" : ",\"recovered\":false";
            ok += ",\"replayed\":" + std::to_string(result->replayed) + "}";
            self.reply(id, std::move(ok));
        }));
}

void Session::doUnsubscribe(protocol::Command& cmd)
{
    const bool wasSubscribed = m_subscriptions.erase(cmd.channel) > 0;
    m_infoSubscriptions.store(m_subscriptions.size(), std::memory_order_relaxed);
    if (!wasSubscribed)
        return replyError(cmd.id, ErrorCode::not_subscribed, "not subscribed to \"" + cmd.channel + "\"");
    m_ctx->broker.unsubscribe(cmd.channel, m_clientId,
                              onStrand<bool>([id = cmd.id](Session& self, Result<bool>) { self.reply(id, "{}"); }));
}

void Session::doPublish(protocol::Command& cmd)
{
    auto ns = m_ctx->broker.namespaceOf(cmd.channel);
    if (ns && !ns->clientPublish)
        return replyError(cmd.id, ErrorCode::permission_denied,
                          "clients may not publish to namespace \"" + ns->name +
                              "\" (client_publish = false); publish with POST /v1/publish");
    if (ns && !mayUse(cmd, true))
        return;
    broker::PublishRequest request{cmd.channel, std::move(cmd.data), m_user, std::move(cmd.key), Clock::now()};
    m_ctx->broker.publish(std::move(request),
                          onStrand<broker::PublishOk>([id = cmd.id](Session& self, Result<broker::PublishOk> result) {
                              if (!result)
                                  return self.replyError(id, result.error().code, result.error().message);
                              std::string ok = "{\"offset\":" + std::to_string(result->offset) + ",\"epoch\":";
                              protocol::appendJsonString(ok, result->epoch);
                              ok += result->duplicate ? ",\"duplicate\":true}" : ",\"duplicate\":false}";
                              self.reply(id, std::move(ok));
                          }));
}

void Session::doAck(protocol::Command& cmd)
{
    auto it = m_subscriptions.find(cmd.channel);
    if (it == m_subscriptions.end())
        return replyError(cmd.id, ErrorCode::not_subscribed, "not subscribed to \"" + cmd.channel + "\"");
    if (it->second.empty())
        return replyError(cmd.id, ErrorCode::bad_request,
                          "the subscription to \"" + cmd.channel + "\" is not durable; subscribe with \"durable\" to ack");
    m_ctx->broker.ack(m_user, it->second, cmd.channel, cmd.offset,
                      onStrand<bool>([id = cmd.id](Session& self, Result<bool> result) {
                          if (!result)
                              return self.replyError(id, result.error().code, result.error().message);
                          self.reply(id, "{}");
                      }));
}

void Session::doHistory(protocol::Command& cmd)
{
    if (!mayUse(cmd, false))
        return;
    broker::HistoryRequest request{cmd.channel, cmd.since, cmd.limit, cmd.reverse};
    m_ctx->broker.history(std::move(request),
                          onStrand<broker::HistoryOk>([id = cmd.id](Session& self, Result<broker::HistoryOk> result) {
                              if (!result)
                                  return self.replyError(id, result.error().code, result.error().message);
                              std::string ok = "{\"epoch\":";
                              protocol::appendJsonString(ok, result->epoch);
                              ok += ",\"offset\":" + std::to_string(result->offset) + ",\"publications\":";
                              ok += result->publicationsJson;
                              ok += '}';
                              self.reply(id, std::move(ok));
                          }));
}

void Session::doPresence(protocol::Command& cmd)
{
    if (!mayUse(cmd, false))
        return;
    m_ctx->broker.presence(cmd.channel, onStrand<broker::PresenceOk>([id = cmd.id](Session& self,
                                                                                   Result<broker::PresenceOk> result) {
        if (!result)
            return self.replyError(id, result.error().code, result.error().message);
        std::string ok = "{\"count\":" + std::to_string(result->clients.size()) + ",\"clients\":[";
        bool first = true;
        for (const auto& [client, user] : result->clients) {
            if (!first)
                ok += ',';
            first = false;
            ok += "{\"client\":" + std::to_string(client) + ",\"user\":";
            protocol::appendJsonString(ok, user);
            ok += '}';
        }
        ok += "]}";
        self.reply(id, std::move(ok));
    }));
}

void Session::reply(std::uint64_t id, std::string okJson)
{
    m_inFlight.erase(id);
    enqueue(protocol::makeTextFrame(protocol::okReply(id, okJson)));
    closeIfDrained();
}

void Session::replyError(std::uint64_t id, ErrorCode code, std::string_view message)
{
    m_inFlight.erase(id);
    sendError(id, code, message);
    closeIfDrained();
}

void Session::sendError(std::uint64_t id, ErrorCode code, std::string_view message)
{
    enqueue(protocol::makeTextFrame(protocol::errorReply(id, code, message)));
}

void Session::closeIfDrained()
{
    if (m_pendingClose && m_inFlight.empty()) {
        auto pending = std::move(*m_pendingClose);
        m_pendingClose.reset();
        closeNow(pending.code, std::move(pending.reason), pending.reconnect);
    }
}

Session::Info Session::info() const
{
    Info info;
    info.client = m_clientId;
    {
        std::lock_guard lock(m_infoMutex);
        info.user = m_infoUser;
    }
    info.remote = m_remote;
    info.connectedAtMs = m_connectedAtMs;
    info.subscriptions = m_infoSubscriptions.load(std::memory_order_relaxed);
    info.messagesOut = m_messagesOut.load(std::memory_order_relaxed);
    info.queuedBytes = m_infoQueuedBytes.load(std::memory_order_relaxed);
    return info;
}

void Session::deliver(broker::FramePtr frame)
{
    hand(Inbound{std::move(frame), nullptr, Queued::live});
}

std::size_t Session::catchUpBudget() const noexcept
{
    // A quarter of the queue stays free for the live traffic that follows.
    return m_config->client.sendQueueBytes / 4 * 3;
}

void Session::deliverCatchUp(std::vector<broker::FramePtr> frames)
{
    if (m_inbox.pushEach(frames, [](broker::FramePtr& frame) { return Inbound{std::move(frame), nullptr, Queued::catchUp}; }))
        asio::post(m_socket.get_executor(), [self = shared_from_this()] { self->drainInbox(); });
}

void Session::subscriptionEnded(const std::string& channel, broker::FramePtr push)
{
    hand(Inbound{std::move(push), std::make_unique<std::string>(channel), Queued::live});
}

void Session::hand(Inbound inbound)
{
    if (m_inbox.push(std::move(inbound))) // else a drain is on its way and takes this one too
        asio::post(m_socket.get_executor(), [self = shared_from_this()] { self->drainInbox(); });
}

void Session::drainInbox()
{
    m_inbox.drain([this](Inbound& in) {
        if (in.endedChannel) {
            const bool wasSubscribed = m_subscriptions.erase(*in.endedChannel) > 0;
            m_infoSubscriptions.store(m_subscriptions.size(), std::memory_order_relaxed);
            if (wasSubscribed)
                enqueue(std::move(in.frame));
        } else {
            enqueue(std::move(in.frame), in.kind);
        }
    });
}

void Session::enqueue(broker::FramePtr frame, Queued kind)
{
    if (m_socketClosed || (m_closeQueued && kind != Queued::control))
        return;
    if (kind != Queued::control && m_out.queuedBytes() + frame->size() > m_config->client.sendQueueBytes) {
        m_ctx->metrics.slowConsumerDisconnects.add();
        // What is not yet on the wire is dropped: the client resumes with `since`.
        m_out.clearQueued();
        return closeNow(4005, "slow consumer: the send queue overflowed; resume with since", true);
    }
    m_out.push({std::move(frame), kind});
    if (!m_out.active())
        writeMore();
}

void Session::writeMore()
{
    if (m_socketClosed || !m_out.takeBatch())
        return m_out.idle(); // an idle session gives back what a burst made it hold
    // Frames under 2 KiB are copied, so that one send() carries them all; bigger ones
    // go out from their shared bytes, kept alive in m_out.writing().
    for (const auto& item : m_out.writing())
        m_out.add(item.frame->bytes);
    auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->onWritten(ec); };
    if (m_tls)
        asio::async_write(*m_tls, m_out.finish(), std::move(done));
    else
        asio::async_write(m_socket, m_out.finish(), std::move(done));
}

void Session::onWritten(const boost::system::error_code& ec)
{
    const auto now = Clock::now();
    observability::HistogramBatch delivered;
    m_messagesOut.fetch_add(m_out.writing().size(), std::memory_order_relaxed);
    m_out.written([&](const QueuedFrame& item) {
        // Only live frames measure publish-to-deliver: a catch-up frame's birth is
        // the original publication's, which would count the client's absence.
        if (item.kind == Queued::live && item.frame->publication)
            delivered.observe(std::chrono::duration<double>(now - item.frame->born).count());
    });
    delivered.addTo(m_ctx->metrics.publishToDeliver);
    m_infoQueuedBytes.store(m_out.queuedBytes(), std::memory_order_relaxed);
    if (ec) {
        m_closing = true;
        shutdownSocket();
        return;
    }
    if (m_closeQueued && m_out.empty()) {
        m_out.idle();
        // Our close frame is out. If the peer closed first we are done; otherwise
        // it has until the close deadline to answer, as RFC 6455 asks.
        if (m_peerClosed)
            return finishClose();
        return;
    }
    writeMore();
}

void Session::closeWith(std::uint16_t code, std::string reason, bool reconnect)
{
    asio::dispatch(m_socket.get_executor(), [self = shared_from_this(), code, reason = std::move(reason), reconnect]() mutable {
        // Cut off for its rate (4006), a client's last commands were taken, not
        // refused: like a drain's, their replies go out first.
        if ((code == 4007 || code == 4006) && !self->m_inFlight.empty() && !self->m_closeQueued) {
            // Draining: commands already taken (a publish being committed, say) get
            // their replies first, so a client learns the outcome of what it sent.
            self->m_closing = true;
            self->m_pendingClose = PendingClose{code, std::move(reason), reconnect};
            self->m_closeTimer.expires_after(kCloseGrace);
            self->m_closeTimer.async_wait([self](boost::system::error_code ec) {
                if (!ec && self->m_pendingClose) {
                    auto pending = std::move(*self->m_pendingClose);
                    self->m_pendingClose.reset();
                    self->closeNow(pending.code, std::move(pending.reason), pending.reconnect);
                }
            });
            return;
        }
        self->closeNow(code, std::move(reason), reconnect);
    });
}

void Session::closeNow(std::uint16_t code, std::string reason, bool reconnect)
{
    if (m_closeQueued || m_socketClosed)
        return;
    m_closing = true;
    m_closeTimer.cancel();
    m_ctx->metrics.disconnects.add(std::to_string(code));
    spdlog::debug("closing client {} with {}: {}", m_clientId, code, reason);
    leaveAllChannels();
    enqueue(protocol::makeTextFrame(protocol::disconnectPush(code, reason, reconnect && reconnectAllowed(code))),
            Queued::control);
    m_closeQueued = true;
    enqueue(std::make_shared<protocol::OutFrame>(protocol::OutFrame{makeCloseFrame(code, reason)}), Queued::control);
    armCloseDeadline();
}

void Session::armCloseDeadline()
{
    // Bounds the whole close: a peer that reads nothing (its write never completes)
    // or never answers our close frame is cut off, and the socket is given back.
    m_closeTimer.expires_after(kCloseGrace);
    m_closeTimer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->finishClose();
    });
}

void Session::leaveAllChannels()
{
    std::vector<std::string> channels;
    channels.reserve(m_subscriptions.size() + m_subscribing.size());
    for (auto& [channel, durable] : m_subscriptions)
        channels.push_back(channel);
    // A subscribe still in flight is ended too; its reply finds m_closing set.
    for (const auto& channel : m_subscribing)
        channels.push_back(channel);
    m_subscriptions.clear();
    if (!channels.empty())
        m_ctx->broker.unsubscribeAll(std::move(channels), m_clientId);
}

void Session::finishClose()
{
    shutdownSocket();
}

void Session::shutdownSocket()
{
    if (m_socketClosed)
        return;
    m_socketClosed = true;
    m_closing = true;
    leaveAllChannels();
    m_pingTimer.cancel();
    m_authTimer.cancel();
    m_closeTimer.cancel();
    // Under TLS as well: the WebSocket close handshake has ended the conversation,
    // and pending TLS reads and writes end with operation_aborted.
    boost::system::error_code ignored;
    tcpSocket().shutdown(Socket::shutdown_both, ignored);
    tcpSocket().close(ignored);
}

} // namespace aldis::gateway
