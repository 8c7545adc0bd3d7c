// SPDX-License-Identifier: Apache-2.0
#include "gateway/sse.h"

#include "gateway/session.h"
#include "observability/metrics.h"
#include "protocol/channel.h"
#include "protocol/reply.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace aldis::gateway {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxEpochBytes = 128;
constexpr auto kCloseGrace = std::chrono::seconds(2);

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded: %XX escapes and '+' for a space.
std::optional<std::string> urlDecode(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size())
                return std::nullopt;
            const int hi = hexValue(in[i + 1]);
            const int lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

// The first value of query parameter `name` (decoded), nothing when absent; a
// malformed escape makes `bad` true.
std::optional<std::string> queryParam(std::string_view target, std::string_view name, bool& bad)
{
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        const auto key = urlDecode(pair.substr(0, eq));
        if (!key) {
            bad = true;
            continue;
        }
        if (*key != name)
            continue;
        auto value = urlDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (!value)
            bad = true;
        return value;
    }
    return std::nullopt;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string errorEvent(std::uint16_t code, std::string_view reason, bool reconnect)
{
    std::string out = "event: error\ndata: {\"code\":" + std::to_string(code) + ",\"reason\":";
    protocol::appendJsonString(out, reason);
    out += reconnect ? ",\"reconnect\":true}\n\n" : ",\"reconnect\":false}\n\n";
    return out;
}

// The event name of a broker frame: `pub` for a publication, the push's own name for
// join and leave (recognized by the fixed start joinLeavePush() writes), else `push`.
std::string_view eventName(const protocol::OutFrame& frame, std::string_view payload)
{
    if (frame.offset)
        return "pub";
    if (payload.starts_with(R"({"push":"join")"))
        return "join";
    if (payload.starts_with(R"({"push":"leave")"))
        return "leave";
    return "push";
}

bool hasLineBreak(std::string_view s)
{
    return s.find_first_of("\r\n") != std::string_view::npos;
}

} // namespace

std::optional<SsePosition> parseSseEventId(std::string_view id)
{
    const auto colon = id.find(':');
    const auto digits = id.substr(0, colon);
    if (digits.empty() || digits.size() > 20)
        return std::nullopt;
    SsePosition out;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.offset);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
    if (colon == std::string_view::npos)
        return out;
    const auto epoch = id.substr(colon + 1);
    if (epoch.empty() || epoch.size() > kMaxEpochBytes)
        return std::nullopt;
    if (!std::all_of(epoch.begin(), epoch.end(), [](char c) { return c > ' ' && c < 0x7f; }))
        return std::nullopt;
    out.epoch = std::string(epoch);
    return out;
}

void appendSseData(std::string& out, std::string_view payload)
{
    std::size_t start = 0;
    for (;;) {
        const auto brk = payload.find_first_of("\r\n", start);
        out += "data: ";
        out.append(payload.substr(start, brk == std::string_view::npos ? std::string_view::npos : brk - start));
        out += '\n';
        if (brk == std::string_view::npos)
            return;
        start = brk + 1;
        if (payload[brk] == '\r' && start < payload.size() && payload[start] == '\n')
            ++start;
    }
}

std::variant<SseRefusal, std::shared_ptr<SseStream>> SseStream::open(std::shared_ptr<ServerContext> ctx,
                                                                     const Request& req,
                                                                     Socket::executor_type strand)
{
    auto cfg = ctx->config.load();
    if (ctx->draining.load() || !ctx->ready.load())
        return SseRefusal{ErrorCode::unavailable, "node is not accepting clients (starting or draining)"};
    const auto target = std::string_view(req.target().data(), req.target().size());
    bool badQuery = false;

    // The token: EventSource cannot set headers, so the query is the browser's way.
    auto refuseAuth = [&](const char* reason, ErrorCode code, std::string message) {
        ctx->metrics.authFailures.add(reason);
        return SseRefusal{code, std::move(message)};
    };
    std::string token;
    const auto auth = std::string_view(req[http::field::authorization]);
    if (!auth.empty()) {
        if (auth.size() <= 7 || lower(auth.substr(0, 7)) != "bearer ")
            return refuseAuth("malformed", ErrorCode::unauthorized, "Authorization must be \"Bearer <jwt>\"");
        token = auth.substr(7);
    } else if (auto fromQuery = queryParam(target, "token", badQuery)) {
        token = std::move(*fromQuery);
    }
    if (token.empty())
        return refuseAuth("malformed", ErrorCode::unauthorized,
                          "GET /v1/sse needs a token: ?token=<jwt> or Authorization: Bearer <jwt>");
    auto verified = ctx->verifier.load()->verify(token, unixSecondsNow());
    if (const auto* failure = std::get_if<security::AuthFailure>(&verified))
        return refuseAuth(failure->reason.c_str(), failure->code, failure->message);
    auto& claims = std::get<security::Claims>(verified);

    auto channel = queryParam(target, "channel", badQuery);
    if (badQuery)
        return SseRefusal{ErrorCode::bad_request, "malformed query string: a bad %-escape"};
    if (!channel || channel->empty())
        return SseRefusal{ErrorCode::bad_request, "GET /v1/sse needs ?channel=NAME"};
    if (!protocol::isValidChannel(*channel))
        return SseRefusal{ErrorCode::bad_request, "invalid channel name \"" + channel->substr(0, 300) +
                                                      "\": use 1 to 255 bytes of [A-Za-z0-9_.:@=,;/-#]"};

    // Last-Event-ID (what EventSource sends when it reconnects) wins over the query
    // parameter of the URL, which a page sets when it opens a new EventSource.
    std::optional<SsePosition> resume;
    std::optional<std::string> lastId;
    if (const auto it = req.find("Last-Event-ID"); it != req.end() && !it->value().empty())
        lastId = std::string(it->value());
    else
        lastId = queryParam(target, "last_event_id", badQuery);
    if (badQuery)
        return SseRefusal{ErrorCode::bad_request, "malformed query string: a bad %-escape"};
    if (lastId && !lastId->empty()) {
        resume = parseSseEventId(*lastId);
        if (!resume)
            return SseRefusal{ErrorCode::bad_request,
                              "bad Last-Event-ID \"" + lastId->substr(0, 300) +
                                  "\": use <offset>:<epoch> as in the id of a `pub` event, or a bare <offset>"};
    }

    if (auto refusal = channelRefusal(claims, *channel, false))
        return SseRefusal{ErrorCode::permission_denied, std::move(*refusal)};

    if (ctx->admitted.fetch_add(1) >= static_cast<std::int64_t>(cfg->client.maxConnections)) {
        ctx->admitted.fetch_sub(1);
        return SseRefusal{ErrorCode::limit_exceeded, "connection limit reached (client.max_connections); try again later",
                          503};
    }
    // The Origin (allowed by the caller) is echoed in Access-Control-Allow-Origin;
    // one with anything but visible ASCII is not (it would not be a valid origin).
    std::string origin(req[http::field::origin]);
    if (!std::all_of(origin.begin(), origin.end(), [](char c) { return c > ' ' && c < 0x7f; }))
        origin.clear();
    auto stream = std::make_shared<SseStream>(Private{}, ctx, std::move(strand), std::move(claims),
                                              std::move(*channel), std::move(resume), std::move(origin));
    {
        std::lock_guard lock(ctx->sessionsMutex);
        ctx->sessions.emplace(stream->m_clientId, stream->weak_from_this());
    }
    // A reload between the verification above and the registration did not reach
    // this stream; the verifier in force now has the last word (as for a Session).
    if (auto failure = ctx->verifier.load()->revalidate(stream->m_claims)) {
        ctx->metrics.authFailures.add(failure->reason);
        return SseRefusal{failure->code, failure->message};
    }
    return stream;
}

SseStream::SseStream(Private, std::shared_ptr<ServerContext> context, Socket::executor_type strand,
                     security::Claims claims, std::string channel, std::optional<SsePosition> resume,
                     std::string origin)
    : m_strand(strand),
      m_socket(strand),
      m_ctx(std::move(context)),
      m_config(m_ctx->config.load()),
      m_clientId(m_ctx->nextClientId.fetch_add(1)),
      m_claims(std::move(claims)),
      m_channel(std::move(channel)),
      m_resume(std::move(resume)),
      m_origin(std::move(origin)),
      m_pingTimer(strand),
      m_authTimer(strand),
      m_closeTimer(strand)
{
}

SseStream::~SseStream()
{
    if (m_counted)
        m_ctx->metrics.sseStreams.add(-1);
    m_ctx->admitted.fetch_sub(1); // taken by open()
    std::lock_guard lock(m_ctx->sessionsMutex);
    m_ctx->sessions.erase(m_clientId);
}

void SseStream::subscribe(std::function<void(Result<broker::SubscribeOk>)> done)
{
    if (!m_resume)
        return subscribeFrom(std::nullopt, std::move(done));
    if (m_resume->epoch || m_resume->offset == 0) // offset 0: from the start, whatever the epoch
        return subscribeFrom(protocol::Since{m_resume->offset, m_resume->epoch.value_or("")}, std::move(done));
    // A bare offset resumes in the channel's current epoch, which history tells.
    broker::HistoryRequest request{m_channel, std::nullopt, 1, true};
    m_ctx->broker.history(std::move(request), [self = shared_from_this(), done = std::move(done)](
                                                  Result<broker::HistoryOk> result) mutable {
        asio::post(self->m_strand, [self, done = std::move(done), result = std::move(result)]() mutable {
            if (!result)
                return done(result.error());
            self->subscribeFrom(protocol::Since{self->m_resume->offset, result->epoch}, std::move(done));
        });
    });
}

void SseStream::subscribeFrom(std::optional<protocol::Since> since,
                              std::function<void(Result<broker::SubscribeOk>)> done)
{
    broker::SubscribeRequest request{m_channel, std::move(since), {}, m_claims.sub};
    auto answer = [self = shared_from_this(), done = std::move(done)](Result<broker::SubscribeOk> result) mutable {
        asio::post(self->m_strand, [self, done = std::move(done), result = std::move(result)]() mutable {
            if (result) {
                self->m_subscribed = true;
                if (self->m_closing) // closed (a drain, a reload) while the broker worked
                    self->leaveChannel();
            }
            done(std::move(result));
        });
    };
    m_ctx->broker.subscribe(std::move(request), shared_from_this(), std::move(answer));
}

void SseStream::start(Socket socket, const broker::SubscribeOk& ok)
{
    m_socket = std::move(socket);
    boost::system::error_code nb;
    m_socket.non_blocking(true, nb); // reads happen once readable, never blocking an io thread
    begin(ok);
}

void SseStream::start(std::unique_ptr<TlsStream> tls, std::shared_ptr<asio::ssl::context> tlsContext,
                      const broker::SubscribeOk& ok)
{
    m_tlsContext = std::move(tlsContext);
    m_tls = std::move(tls);
    begin(ok);
}

void SseStream::begin(const broker::SubscribeOk& ok)
{
    m_started = true;
    m_counted = true;
    m_ctx->metrics.sseStreams.add(1);
    m_idSuffix = ok.epoch.empty() ? std::string() : ":" + ok.epoch;
    // No Content-Length: the body is the stream and ends when the connection does.
    std::string head = "HTTP/1.1 200 OK\r\nServer: aldis\r\nContent-Type: text/event-stream\r\n"
                       "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n";
    if (!m_origin.empty())
        head += "Access-Control-Allow-Origin: " + m_origin + "\r\nVary: Origin\r\n";
    head += "\r\n";
    if (m_pendingEnd) {
        // Ended (a drain, a reload) while the broker subscribed: say so, and close.
        auto last = std::move(*m_pendingEnd);
        m_pendingEnd.reset();
        m_out.clearQueued();
        m_out.push(Item{nullptr, std::move(head), false, false});
        readMore();
        return endWith(std::move(last));
    }
    head += "event: subscribed\ndata: {\"channel\":";
    protocol::appendJsonString(head, m_channel);
    head += ",\"epoch\":";
    protocol::appendJsonString(head, ok.epoch);
    head += ",\"offset\":" + std::to_string(ok.offset);
    head += ok.recovered ? ",\"recovered\":true" : ",\"recovered\":false";
    head += ",\"replayed\":" + std::to_string(ok.replayed) + "}\n\n";
    // Before anything the broker handed over already.
    m_out.pushFront(Item{nullptr, std::move(head), false, false});
    armPing();
    armExpiry();
    readMore();
    writeMore();
}

void SseStream::readMore()
{
    if (m_socketClosed)
        return;
    // A client sends nothing on a stream; reading tells when it goes away.
    if (m_tls) {
        m_tls->async_read_some(asio::buffer(m_readBuffer), [self = shared_from_this()](boost::system::error_code ec,
                                                                                        std::size_t) {
            if (ec)
                return self->shutdownSocket();
            self->readMore();
        });
        return;
    }
    m_socket.async_wait(Socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
        if (ec)
            return self->shutdownSocket();
        const auto n = self->m_socket.read_some(asio::buffer(self->m_readBuffer), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again)
            return self->readMore();
        if (ec || n == 0)
            return self->shutdownSocket(); // the client went away
        self->readMore();
    });
}

void SseStream::armPing()
{
    // A comment line keeps proxies (and their idle timeouts) from ending a quiet stream.
    m_pingTimer.expires_after(m_config->client.pingInterval);
    m_pingTimer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->m_closing)
            return;
        self->enqueue(Item{nullptr, ": ping\n\n", false, false});
        self->armPing();
    });
}

void SseStream::armExpiry()
{
    const auto exp = std::chrono::system_clock::time_point(std::chrono::seconds(m_claims.exp)) + m_config->auth.leeway;
    m_authTimer.expires_after(std::chrono::duration_cast<Clock::duration>(exp - std::chrono::system_clock::now()));
    m_authTimer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->closeNow(4002, "token expired; reconnect with a new token and last_event_id", true);
    });
}

void SseStream::armCloseDeadline()
{
    // A client that reads nothing cannot take the last event: it is cut off.
    m_closeTimer.expires_after(kCloseGrace);
    m_closeTimer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->shutdownSocket();
    });
}

std::size_t SseStream::catchUpBudget() const noexcept
{
    // As for a Session: a quarter of the queue stays free for the live traffic.
    return m_config->client.sendQueueBytes / 4 * 3;
}

void SseStream::deliver(broker::FramePtr frame)
{
    hand(Inbound{std::move(frame), false, true});
}

void SseStream::deliverCatchUp(std::vector<broker::FramePtr> frames)
{
    if (m_inbox.pushEach(frames, [](broker::FramePtr& frame) { return Inbound{std::move(frame), false, false}; }))
        asio::post(m_strand, [self = shared_from_this()] { self->drainInbox(); });
}

void SseStream::subscriptionEnded(const std::string&, broker::FramePtr push)
{
    hand(Inbound{std::move(push), true, true});
}

void SseStream::hand(Inbound inbound)
{
    if (m_inbox.push(std::move(inbound))) // else a drain is on its way and takes this one too
        asio::post(m_strand, [self = shared_from_this()] { self->drainInbox(); });
}

void SseStream::drainInbox()
{
    m_inbox.drain([this](Inbound& in) {
        if (m_closing)
            return; // what follows the end is dropped
        if (in.ended) {
            // The broker dropped the subscription (its namespace was removed, or the
            // channel got a new epoch): pass its push on, and end the stream.
            m_subscribed = false;
            m_closing = true;
            std::string event = "event: unsubscribed\n";
            appendSseData(event, protocol::framePayload(*in.frame));
            event += '\n';
            if (m_started)
                endWith(std::move(event));
            else
                m_pendingEnd = std::move(event);
            return;
        }
        enqueue(Item{std::move(in.frame), {}, true, in.live});
    });
}

void SseStream::enqueue(Item item)
{
    if (m_socketClosed || (m_closing && item.frame))
        return;
    if (item.counted && m_out.queuedBytes() + item.frame->size() > m_config->client.sendQueueBytes) {
        m_ctx->metrics.slowConsumerDisconnects.add();
        // What is not yet being written is dropped: the client resumes with
        // Last-Event-ID from the last event it got.
        m_out.dropQueuedIf([](const Item& queued) { return queued.counted; });
        return closeNow(4005, "slow consumer: the send queue overflowed; reconnect with Last-Event-ID", true);
    }
    m_out.push(std::move(item));
    if (m_started && !m_out.active())
        writeMore();
}

void SseStream::writeMore()
{
    if (m_socketClosed || !m_out.takeBatch())
        return m_out.idle(); // an idle stream gives back what a burst made it hold
    // The node's own texts are copied (or shared when big); for a broker frame only
    // the `id:`/`event:` prefix is written per stream, and a big payload without line
    // breaks goes out from the shared frame, kept alive in m_out.writing().
    auto& wire = m_out.wire();
    for (const auto& item : m_out.writing()) {
        if (!item.frame) {
            m_out.add(item.text);
            continue;
        }
        const auto& frame = *item.frame;
        const auto payload = protocol::framePayload(frame);
        if (frame.offset) {
            wire += "id: ";
            wire += std::to_string(frame.offset);
            wire += m_idSuffix;
            wire += '\n';
        }
        wire += "event: ";
        wire += eventName(frame, payload);
        wire += '\n';
        if (payload.size() < WireBuffers::kCopyBelow || hasLineBreak(payload)) {
            appendSseData(wire, payload);
            wire += '\n';
        } else {
            wire += "data: ";
            m_out.share(payload);
            wire += "\n\n";
        }
    }
    auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->onWritten(ec); };
    if (m_tls)
        asio::async_write(*m_tls, m_out.finish(), std::move(done));
    else
        asio::async_write(m_socket, m_out.finish(), std::move(done));
}

void SseStream::onWritten(const boost::system::error_code& ec)
{
    const auto now = Clock::now();
    observability::HistogramBatch delivered;
    m_out.written([&](const Item& item) {
        // As for a Session: only live publications measure publish-to-deliver.
        if (item.counted && item.live && item.frame->publication)
            delivered.observe(std::chrono::duration<double>(now - item.frame->born).count());
    });
    delivered.addTo(m_ctx->metrics.publishToDeliver);
    if (ec)
        return shutdownSocket(); // the client went away
    if (m_closeQueued && m_out.empty()) {
        m_out.idle();
        return shutdownSocket(); // the last event is out
    }
    writeMore();
}

void SseStream::closeWith(std::uint16_t code, std::string reason, bool reconnect)
{
    asio::dispatch(m_strand,
                   [self = shared_from_this(), code, reason = std::move(reason), reconnect]() mutable {
                       self->closeNow(code, std::move(reason), reconnect);
                   });
}

void SseStream::revalidate(std::shared_ptr<const security::JwtVerifier> verifier)
{
    asio::dispatch(m_strand, [self = shared_from_this(), verifier = std::move(verifier)] {
        if (self->m_closing)
            return;
        if (auto failure = verifier->revalidate(self->m_claims)) {
            self->m_ctx->metrics.authFailures.add(failure->reason);
            self->closeNow(4001, failure->message, false);
        }
    });
}

void SseStream::closeNow(std::uint16_t code, std::string reason, bool reconnect)
{
    if (m_closeQueued || m_socketClosed || m_pendingEnd)
        return;
    m_closing = true;
    m_ctx->metrics.disconnects.add(std::to_string(code));
    spdlog::debug("closing SSE stream {} with {}: {}", m_clientId, code, reason);
    leaveChannel();
    if (m_started)
        endWith(errorEvent(code, reason, reconnect));
    else
        m_pendingEnd = errorEvent(code, reason, reconnect); // begin() writes it after the head
}

void SseStream::endWith(std::string lastEvent)
{
    m_closing = true;
    m_pingTimer.cancel();
    m_authTimer.cancel();
    enqueue(Item{nullptr, std::move(lastEvent), false, false});
    m_closeQueued = true;
    armCloseDeadline();
}

void SseStream::leaveChannel()
{
    if (std::exchange(m_subscribed, false))
        m_ctx->broker.unsubscribeAll({m_channel}, m_clientId);
}

void SseStream::shutdownSocket()
{
    if (m_socketClosed)
        return;
    m_socketClosed = true;
    m_closing = true;
    leaveChannel();
    m_pingTimer.cancel();
    m_authTimer.cancel();
    m_closeTimer.cancel();
    // Under TLS as well: the response has no framing to finish, and pending TLS reads
    // and writes end with operation_aborted.
    boost::system::error_code ignored;
    tcpSocket().shutdown(Socket::shutdown_both, ignored);
    tcpSocket().close(ignored);
}

} // namespace aldis::gateway
