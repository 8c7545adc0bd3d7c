// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/backoff.h"
#include "client/client.h"
#include "client/connection.h"
#include "client/pending_requests.h"
#include "client/subscriptions.h"
#include "client/url.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace aldis::client::detail {

// The most characters an idempotency key may have (PROTOCOL.md).
inline constexpr std::size_t kMaxKeyBytes = 128;

// The application's handlers (Client::on...()), called on the client strand.
struct Handlers {
    std::function<void(State)> state;
    std::function<void(const ConnectInfo&)> connected;
    std::function<void(const DisconnectInfo&)> disconnected;
    std::function<void(const Publication&)> publication;
    std::function<void(const boost::json::object&)> push;
    std::function<void(const std::string&)> resync;
    std::function<void(const std::string&, std::uint64_t, std::uint64_t)> gap;
    std::function<void(const Error&)> error;
};

// The client's state and logic behind the public Client, which owns it: the client
// thread and its io_context, the connect / reconnect state machine (one Connection
// per attempt, backoff, failover between URLs, close codes), the dispatch of the
// server's frames, and the commands. The pending requests (PendingRequests) and the
// subscriptions to restore (Subscriptions) are its parts.
//
// Threads: post(), start(), stop(), state() and setHandler() are called from any
// thread; everything else runs on m_strand, on the client thread that start() creates
// (or, for a client stopped before it started, on the thread that calls stop()).
// Handlers capture `this`: the io_context is stopped and the thread joined before any
// member goes away.
class ClientCore final : private Connection::Events {
public:
    explicit ClientCore(ClientOptions options);
    ~ClientCore() override;
    ClientCore(const ClientCore&) = delete;
    ClientCore& operator=(const ClientCore&) = delete;

    // --- any thread
    // Posts `fn` to the strand; false once the client is stopped (fn is not run).
    template <typename Fn>
    bool post(Fn&& fn)
    {
        std::lock_guard lock(m_acceptMutex);
        if (!m_accepting)
            return false;
        boost::asio::post(m_strand, std::forward<Fn>(fn));
        return true;
    }
    void start();
    void stop();
    State state() const noexcept { return m_state.load(); }

    // Replaces one handler, in order with the events.
    template <typename Handler>
    void setHandler(Handler Handlers::*member, Handler handler)
    {
        post([this, member, handler = std::move(handler)]() mutable { m_handlers.*member = std::move(handler); });
    }

    // --- client thread (the strand)
    using Done = PendingRequests::Done;

    // Sends the command {"id", "op", fields...} now if connected, else once `connect`
    // succeeded; `done` gets the reply's `ok` or an error.
    void request(std::string_view op, boost::json::object fields, Done done);
    void publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done);
    void publishWithRetry(std::string channel, std::shared_ptr<const boost::json::value> data, std::string key,
                          unsigned attempts, unsigned attempt, Callback<PublishReply> done);
    void ack(std::string channel, std::uint64_t offset, Callback<void> done);
    Subscriptions& subscriptions() noexcept { return m_subscriptions; }

    // Runs `run` after `delay`, or `abort` if the client stops or closes first.
    void after(std::chrono::milliseconds delay, std::function<void()> run, std::function<void()> abort);
    std::chrono::milliseconds jitter(unsigned attempt) { return m_backoff.jitter(attempt); }
    const Handlers& handlers() const noexcept { return m_handlers; }
    // The number of the current connection once `connect` succeeded on it, else 0.
    std::uint64_t authedConnection() const noexcept;

private:
    // Connection::Events
    void onConnectionOpen(const ConnectionPtr& c) override;
    void onConnectionFrame(const ConnectionPtr& c, std::string_view text) override;
    void onConnectionLost(const ConnectionPtr& c, std::uint16_t code, std::string reason,
                          bool closeFrame) override;

    void setState(State state);
    void startConnect();
    void sendConnect(const ConnectionPtr& c);
    void onConnectReply(const ConnectionPtr& c, const boost::json::object& reply);
    void sendQueued();
    void endConnection(const ConnectionPtr& c, std::uint16_t code, std::string reason, bool closeFrame);
    void scheduleReconnect(bool nextUrl);
    void closeForGood(Error error);
    void beginStop();
    void finishStop();
    void reportError(Error error);

    Handlers m_handlers;                   // client thread only
    ClientOptions m_options;
    std::vector<Url> m_urls;

    // Declared first: destroyed last, after everything that holds its handlers.
    boost::asio::io_context m_io;
    Strand m_strand;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
    std::thread m_thread;

    std::mutex m_acceptMutex;              // guards m_accepting, m_started and starting m_thread
    bool m_accepting = true;
    bool m_started = false;
    std::atomic<State> m_state{State::disconnected};

    // Client thread only, from here on.
    boost::asio::steady_timer m_reconnectTimer;
    boost::asio::steady_timer m_connectTimer;
    boost::asio::steady_timer m_stopTimer;
    ConnectionPtr m_conn;
    std::uint64_t m_connections = 0;
    std::size_t m_urlIndex = 0;
    unsigned m_attempt = 0;
    bool m_stopping = false;
    bool m_stopped = false;
    bool m_closed = false;                 // closed for good (fatal close code)
    std::string m_closedReason;

    PendingRequests m_pending;
    Subscriptions m_subscriptions;
    Backoff m_backoff;
};

} // namespace aldis::client::detail
