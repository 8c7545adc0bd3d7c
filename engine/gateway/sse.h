// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/broker.h"
#include "gateway/gather_writer.h"
#include "gateway/inbox.h"
#include "gateway/server_context.h"
#include "gateway/tls.h"
#include "security/jwt.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace aldis::gateway {

// Why GET /v1/sse is refused before its stream starts; the caller answers with a
// plain HTTP JSON error.
struct SseRefusal {
    ErrorCode code = ErrorCode::bad_request;
    std::string message;
    unsigned status = 0; // 0: the HTTP status that goes with `code`
};

// A resume position from `Last-Event-ID` (or `last_event_id`): `<offset>:<epoch>`,
// or a bare `<offset>` (no epoch: the channel's current one).
struct SsePosition {
    std::uint64_t offset = 0;
    std::optional<std::string> epoch;
};

// Parses an event id as the stream writes it; nothing when it is malformed.
std::optional<SsePosition> parseSseEventId(std::string_view id);

// Appends `payload` as the data lines of one event: "data: <line>\n" for each line,
// split where the SSE spec splits them (at "\r\n", "\r" and "\n"), so a payload with
// line breaks arrives whole (the client joins the lines with "\n").
void appendSseData(std::string& out, std::string_view payload);

// One Server-Sent Events stream (GET /v1/sse): a subscribe-only client of one
// channel. The response head, then a `subscribed` event, then every publication of
// the channel as a `pub` event whose id is `<offset>:<epoch>`, in order, with comment
// pings in between, until the node, the token or the client ends it.
//
// Threads: everything runs on the connection's strand (the socket's executor), as for
// a Session; deliver(), deliverCatchUp() and subscriptionEnded() may be called from
// any thread: they append to a small inbox under its own mutex and post one drain to
// the strand only when none is pending. closeWith() and revalidate() dispatch to the
// strand.
//
// Lifetime: created by the HTTP connection (open()), which keeps it while the broker
// subscribe runs and then hands it the socket (start()). It keeps itself alive through
// shared_from_this() in its pending operations; the broker holds it while it is
// subscribed; the registry in ServerContext holds a weak_ptr. It holds a
// client.max_connections slot from open() to its destruction.
//
// Writes: one at a time, gathering what is queued (as a Session does). Publications
// are the broker's shared frames: only the `id:`/`event:` prefix is written per
// stream, and the payload goes out from the shared bytes. The bytes of queued
// publications and pushes count against client.send_queue_bytes; beyond it the
// stream ends with an `error` event (4005), and the client resumes with Last-Event-ID.
class SseStream final : public broker::Subscriber, public std::enable_shared_from_this<SseStream> {
    struct Private {};

public:
    using Socket = boost::asio::ip::tcp::socket;
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    // Checks a GET /v1/sse request whose method and Origin the caller checked: the
    // node accepts clients, the token (`token` query parameter or `Authorization:
    // Bearer`), the channel, the resume position, the subscribe permission, and a
    // client.max_connections slot. On success the stream is registered (the drain and
    // a reload's revalidation reach it) and holds the slot. `strand` is the
    // connection's strand, where the stream runs.
    static std::variant<SseRefusal, std::shared_ptr<SseStream>> open(std::shared_ptr<ServerContext> context,
                                                                     const Request& request,
                                                                     Socket::executor_type strand);

    SseStream(Private, std::shared_ptr<ServerContext> context, Socket::executor_type strand,
              security::Claims claims, std::string channel, std::optional<SsePosition> resume,
              std::string origin);
    ~SseStream() override;

    // Subscribes to the channel (a bare-offset resume first learns the channel's epoch
    // from the broker). `done` runs on the strand with the broker's answer; on success
    // the caller hands over the connection with start(), on failure it answers the
    // request with an HTTP error.
    void subscribe(std::function<void(Result<broker::SubscribeOk>)> done);
    // Takes the connection (plain TCP, or the TLS stream and its context) after a
    // successful subscribe and writes the response head and the `subscribed` event.
    // On the strand.
    void start(Socket socket, const broker::SubscribeOk& ok);
    void start(std::unique_ptr<TlsStream> tls, std::shared_ptr<boost::asio::ssl::context> tlsContext,
               const broker::SubscribeOk& ok);

    std::uint64_t clientId() const noexcept override { return m_clientId; }
    const std::string& userId() const noexcept override { return m_claims.sub; }
    void deliver(broker::FramePtr frame) override;
    void deliverCatchUp(std::vector<broker::FramePtr> frames) override;
    std::size_t catchUpBudget() const noexcept override;
    void subscriptionEnded(const std::string& channel, broker::FramePtr push) override;

    // Ends the stream with an `error` event {"code","reason","reconnect"} (the
    // WebSocket close codes: 4001, 4002, 4005, 4007), then closes. Any thread.
    void closeWith(std::uint16_t code, std::string reason, bool reconnect);
    // After a reload: ends the stream with 4001 when `verifier` no longer accepts its
    // token (its key was removed, or its user revoked). Any thread.
    void revalidate(std::shared_ptr<const security::JwtVerifier> verifier);

private:
    // What waits to be written: a frame of the broker (a publication or a push, made
    // into an event at write time), or the node's own bytes (the response head, the
    // `subscribed`, `unsubscribed` and `error` events, pings).
    struct Item {
        broker::FramePtr frame;
        std::string text;      // when frame is null
        bool counted = false;  // counts against send_queue_bytes (broker frames)
        bool live = false;     // a live delivery (not a catch-up): observed in the histogram

        std::size_t size() const noexcept { return frame ? frame->size() : text.size(); }
        std::size_t countedBytes() const noexcept { return counted ? frame->size() : 0; }
    };
    struct Inbound {
        broker::FramePtr frame;
        bool ended = false;    // the subscription ended; frame is the `unsubscribed` push
        bool live = true;
    };

    void subscribeFrom(std::optional<protocol::Since> since, std::function<void(Result<broker::SubscribeOk>)> done);
    void begin(const broker::SubscribeOk& ok);
    Socket& tcpSocket() { return m_tls ? m_tls->next_layer().socket() : m_socket; }
    void readMore();
    void armPing();
    void armExpiry();
    void armCloseDeadline();
    void hand(Inbound inbound);
    void drainInbox();
    void enqueue(Item item);
    void writeMore();
    void onWritten(const boost::system::error_code& ec);
    void closeNow(std::uint16_t code, std::string reason, bool reconnect);
    void endWith(std::string lastEvent);
    void leaveChannel();
    void shutdownSocket();

    // The connection's strand. Kept apart from m_socket, which start() assigns while
    // broker threads may already be posting deliveries.
    const Socket::executor_type m_strand;
    Socket m_socket; // plain TCP once started; under TLS never opened
    std::shared_ptr<boost::asio::ssl::context> m_tlsContext; // outlives m_tls
    std::unique_ptr<TlsStream> m_tls;
    std::shared_ptr<ServerContext> m_ctx;
    std::shared_ptr<const config::Config> m_config;
    std::uint64_t m_clientId;
    security::Claims m_claims;
    std::string m_channel;
    std::optional<SsePosition> m_resume;
    std::string m_origin;      // echoed in Access-Control-Allow-Origin (checked by the caller)
    std::string m_idSuffix;    // ":<epoch>", or empty when the channel has no epoch yet

    Inbox<Inbound> m_inbox;              // the broker's hand-over, one drain posted at a time
    // The queue and the write in flight: prefixes and small payloads copied, big
    // payloads from the shared frames; queuedBytes() counts the `counted` items.
    GatherWriter<Item> m_out;
    std::array<char, 512> m_readBuffer{}; // what a client sends is read and dropped

    std::optional<std::string> m_pendingEnd; // the last event, when the end came before start()
    bool m_subscribed = false;     // the broker holds this stream
    bool m_started = false;
    bool m_counted = false;        // in the aldis_sse_streams gauge
    bool m_closing = false;        // no more deliveries
    bool m_closeQueued = false;    // the last event is queued; close once it is written
    bool m_socketClosed = false;
    boost::asio::steady_timer m_pingTimer;
    boost::asio::steady_timer m_authTimer;
    boost::asio::steady_timer m_closeTimer;
};

} // namespace aldis::gateway
