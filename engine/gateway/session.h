// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/broker.h"
#include "gateway/gather_writer.h"
#include "gateway/inbox.h"
#include "gateway/server_context.h"
#include "gateway/tls.h"
#include "gateway/ws_frame.h"
#include "protocol/command.h"
#include "security/jwt.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace aldis::gateway {

// Why a user with `claims` may not subscribe to (`publish` false) or publish to
// `channel`, or nothing when it may: the user-channel rule, then the token's
// `permissions` patterns. The one check behind subscribe, history, presence and
// publish on a WebSocket, and GET /v1/sse.
std::optional<std::string> channelRefusal(const security::Claims& claims, std::string_view channel, bool publish);

// One client WebSocket connection after the upgrade: reads and parses frames, runs
// commands, and writes replies and pushes.
//
// Threads: everything runs on the connection's strand (the socket's executor);
// deliver() and closeWith() may be called from anywhere and post to it. Lifetime: the
// session keeps itself alive through shared_from_this() in its pending operations;
// the broker holds it while it is subscribed.
//
// Writes: frames are shared, immutable buffers (a publication's frame is built once
// for all subscribers); everything queued is sent with one gathered write, and the
// bytes queued are capped (overflow closes with 4005).
class Session final : public broker::Subscriber, public std::enable_shared_from_this<Session> {
public:
    using Socket = boost::asio::ip::tcp::socket;

    // Under TLS, `socket` is an unopened socket on the connection's strand and `tls`
    // the connection (its handshake done); `tlsContext` is what it was made with.
    Session(Socket socket, std::shared_ptr<ServerContext> context, std::string leftover,
            std::optional<security::VerifyResult> headerAuth, std::unique_ptr<TlsStream> tls = nullptr,
            std::shared_ptr<boost::asio::ssl::context> tlsContext = nullptr);
    ~Session() override;

    void start();

    std::uint64_t clientId() const noexcept override { return m_clientId; }
    const std::string& userId() const noexcept override { return m_user; }
    void deliver(broker::FramePtr frame) override;
    void deliverCatchUp(std::vector<broker::FramePtr> frames) override;
    std::size_t catchUpBudget() const noexcept override;
    void subscriptionEnded(const std::string& channel, broker::FramePtr push) override;

    // Sends the `disconnect` push and a close frame with `code`, then closes.
    void closeWith(std::uint16_t code, std::string reason, bool reconnect);

    // After a reload: closes the connection with 4001 when `verifier` no longer
    // accepts its token (its key was removed, or its user revoked). Any thread.
    void revalidate(std::shared_ptr<const security::JwtVerifier> verifier);

    // What the admin API lists (docs/admin-api.md, connections). Safe from any thread:
    // the figures are relaxed atomics updated on the strand, the user a copy under a
    // mutex taken only at connect/refresh and by this call.
    struct Info {
        std::uint64_t client = 0;
        std::string user;
        std::string remote;
        std::int64_t connectedAtMs = 0;
        std::uint64_t subscriptions = 0;
        std::uint64_t messagesOut = 0;
        std::uint64_t queuedBytes = 0;
    };
    Info info() const;

private:
    // Live traffic (publications, replies, pongs) and a subscribe's catch-up (replay)
    // count against the send queue cap; the node's own control frames (its pings,
    // the disconnect push and close) do not. Only live publications are observed in
    // the publish-to-deliver histogram.
    enum class Queued { live, catchUp, control };
    struct QueuedFrame {
        broker::FramePtr frame;
        Queued kind;

        std::size_t size() const noexcept { return frame->size(); }
        std::size_t countedBytes() const noexcept { return kind == Queued::control ? 0 : frame->size(); }
    };
    // What the broker hands over, from its strands, in the order it must reach the
    // client: a frame to queue, or the end of a subscription (`ended`).
    struct Inbound {
        broker::FramePtr frame;
        std::unique_ptr<std::string> endedChannel; // set: the subscription ended; kept small
        Queued kind = Queued::live;
    };
    struct PendingClose {
        std::uint16_t code;
        std::string reason;
        bool reconnect;
    };

    void readMore();
    void onReadable();
    void onTlsRead(const boost::system::error_code& ec, std::size_t n);
    void consume(const unsigned char* data, std::size_t n);
    Socket& tcpSocket() { return m_tls ? m_tls->next_layer().socket() : m_socket; }
    std::size_t parseFrames(const unsigned char* data, std::size_t size);
    void onEvent(WsEvent& event);
    void onText(std::string_view text);
    void run(protocol::Command& cmd);
    void doConnect(protocol::Command& cmd);
    void doRefresh(protocol::Command& cmd);
    void doSubscribe(protocol::Command& cmd);
    void doUnsubscribe(protocol::Command& cmd);
    void doPublish(protocol::Command& cmd);
    void doAck(protocol::Command& cmd);
    void doHistory(protocol::Command& cmd);
    void doPresence(protocol::Command& cmd);

    bool mayUse(const protocol::Command& cmd, bool publish);
    // Ends, with an `unsubscribed` push, the subscriptions the current token's
    // permissions no longer allow (after a refresh with a narrower token).
    void dropForbiddenSubscriptions();
    bool authenticate(const security::VerifyResult& result, std::uint64_t replyId);
    void armExpiry();
    void armPing();
    void reply(std::uint64_t id, std::string okJson);
    void replyError(std::uint64_t id, ErrorCode code, std::string_view message);
    // An error for a command that is not (or not yet) in flight.
    void sendError(std::uint64_t id, ErrorCode code, std::string_view message);
    void refuseRateLimited(std::uint64_t id);
    void closeIfDrained();
    void closeNow(std::uint16_t code, std::string reason, bool reconnect);
    // Runs `fn` on this session's strand once the broker answers.
    template <typename T, typename Fn>
    broker::Broker::Callback<T> onStrand(Fn fn);

    void hand(Inbound inbound);
    void drainInbox();
    void enqueue(broker::FramePtr frame, Queued kind = Queued::live);
    void writeMore();
    void onWritten(const boost::system::error_code& ec);
    void armCloseDeadline();
    void leaveAllChannels();
    void finishClose();
    void shutdownSocket();

    Socket m_socket; // plain TCP; under TLS unopened, used for its executor (the strand)
    std::shared_ptr<boost::asio::ssl::context> m_tlsContext; // outlives m_tls
    std::unique_ptr<TlsStream> m_tls;
    std::vector<unsigned char> m_tlsIn; // TLS reads need a buffer while waiting
    std::shared_ptr<ServerContext> m_ctx;
    std::shared_ptr<const config::Config> m_config;
    FrameParser m_parser;
    std::vector<unsigned char> m_in;   // an incomplete frame carried over; usually empty

    std::uint64_t m_clientId;
    bool m_authed = false;
    std::string m_user;
    security::Claims m_claims;
    std::optional<security::VerifyResult> m_headerAuth;

    std::unordered_map<std::string, std::string> m_subscriptions; // channel -> durable name
    std::unordered_set<std::string> m_subscribing;
    std::unordered_set<std::uint64_t> m_inFlight;

    double m_tokens;
    Clock::time_point m_tokensAt;
    std::uint32_t m_violations = 0;
    Clock::time_point m_lastViolation{};

    Inbox<Inbound> m_inbox; // the broker's hand-over, one drain posted at a time
    // The send queue and the write in flight; queuedBytes() counts live and catch-up
    // frames, not control frames.
    GatherWriter<QueuedFrame> m_out;
    std::optional<PendingClose> m_pendingClose;

    bool m_closing = false;        // no more commands or deliveries
    bool m_closeQueued = false;    // our close frame is in the queue
    bool m_peerClosed = false;
    bool m_socketClosed = false;
    Clock::time_point m_lastSeen;

    // Read by info() from other threads.
    mutable std::mutex m_infoMutex;
    std::string m_infoUser;
    std::string m_remote;
    std::int64_t m_connectedAtMs = 0;
    std::atomic<std::uint64_t> m_infoSubscriptions{0};
    std::atomic<std::uint64_t> m_messagesOut{0};
    std::atomic<std::uint64_t> m_infoQueuedBytes{0};
    boost::asio::steady_timer m_pingTimer;
    boost::asio::steady_timer m_authTimer;   // connect timeout, then token expiry
    boost::asio::steady_timer m_closeTimer;
};

} // namespace aldis::gateway
