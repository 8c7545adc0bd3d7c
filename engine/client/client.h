// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::client {

namespace detail {
class ClientCore;
}

// Delays between connection attempts: before attempt n (0-based, counted since the
// last successful `connect`) the client waits a uniformly random time in
// [0, min(max, initial * multiplier^n)] ("full jitter"), so that many clients cut off
// at once do not come back at once.
struct BackoffOptions {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{10'000};
    double multiplier = 2.0;
};

// The upper bound of the delay before attempt `attempt` (0-based).
std::chrono::milliseconds backoffCap(const BackoffOptions& options, unsigned attempt) noexcept;

struct ClientOptions {
    // "ws://host:port/v1/ws", tried in turn: a failed attempt and a drained node
    // (close code 4007) move on to the next one. wss:// is not supported yet.
    std::vector<std::string> urls;
    // Called on the client thread before each connection attempt; a fixed token is
    // `[] { return token; }`. It must not block for long.
    std::function<std::string()> tokenProvider;
    std::string name;                 // client software, sent with `connect`
    BackoffOptions backoff;
    // false: one connection attempt; when it fails or the connection ends, the client
    // is closed.
    bool autoReconnect = true;
    // How long a command may wait for its reply, counted from the call (time spent
    // waiting for a connection included). Also bounds each connection attempt.
    std::chrono::milliseconds requestTimeout{10'000};
};

enum class State { disconnected, connecting, connected, closed };
std::string_view toString(State state) noexcept;

// A position in a channel's stream (PROTOCOL.md, "Ordering and delivery").
struct Since {
    std::uint64_t offset = 0;
    std::string epoch;
};

struct SubscribeOptions {
    std::optional<Since> since;       // replay what came after this position
    std::string durable;              // durable subscription name, or empty
};

struct HistoryOptions {
    std::optional<Since> since;
    std::uint32_t limit = 100;        // 1 to 1000
    bool reverse = false;             // newest first
};

struct Publication {
    std::string channel;
    std::uint64_t offset = 0;
    std::string dataJson;             // the `data` value as JSON text
    std::int64_t ts = 0;              // unix milliseconds
    std::string user;                 // the publisher's sub; empty for the server API
    std::string key;                  // idempotency key, or empty
};

struct ConnectInfo {
    std::string url;                  // the URL this connection went to
    std::uint64_t clientId = 0;
    std::string user;
    std::string node;
    std::string region;
    std::int64_t expiresAt = 0;       // unix seconds
    std::chrono::seconds pingInterval{0};
};

// Why a connection (or a connection attempt) ended.
struct DisconnectInfo {
    std::string url;
    std::uint16_t code = 1006;        // the close code; 1006 when there was no close frame
    std::string reason;
    bool willReconnect = false;
};

struct SubscribeReply {
    std::string channel;
    std::string epoch;
    std::uint64_t offset = 0;         // the channel's offset when live delivery began
    bool recovered = false;
    std::uint64_t replayed = 0;
};

struct PublishReply {
    std::uint64_t offset = 0;
    std::string epoch;
    bool duplicate = false;
};

struct HistoryReply {
    std::string epoch;
    std::uint64_t offset = 0;
    std::vector<Publication> publications;
};

struct PresenceClient {
    std::uint64_t clientId = 0;
    std::string user;
};

struct PresenceReply {
    std::uint64_t count = 0;
    std::vector<PresenceClient> clients;
};

struct RefreshReply {
    std::int64_t expiresAt = 0;
};

template <typename T>
using Callback = std::function<void(Result<T>)>;

// A client of one Aldis node (or of a list of nodes to fail over between): one
// WebSocket connection that it keeps open, resuming every subscription after a
// reconnect without losing or repeating a publication where the server still has it.
//
// Threads: the Client owns one thread running its own io_context; all its state lives
// on one strand there. Every public method may be called from any thread: it posts to
// the strand and returns at once. Every callback (the handlers set with on...() and the
// Callback overloads) runs on that client thread, one at a time, in order; callbacks
// must not block and must not call stop(). A callback may call the other methods.
// The one exception: once the client is stopped, a request fails at once on the
// calling thread.
//
// Requests: a request made while the client is not connected waits (up to
// requestTimeout) and is sent once the connection is back. A request already sent
// when the connection drops fails with `unavailable` (retryable): the server may or
// may not have run it. publishWithRetry() makes that safe for publications.
//
// Errors: a server error reply becomes an Error with its protocol code and message;
// a timeout, a lost connection or a stopped client give `unavailable` (retryable
// except when the client is closed).
class Client {
public:
    // Throws std::invalid_argument when `urls` is empty or holds a URL it cannot use,
    // or when there is no tokenProvider.
    explicit Client(ClientOptions options);
    ~Client();  // stop()
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Handlers. Set them before start() to see every event; setting one later takes
    // effect from the next event on.
    void onStateChanged(std::function<void(State)> handler);
    void onConnected(std::function<void(const ConnectInfo&)> handler);
    void onDisconnected(std::function<void(const DisconnectInfo&)> handler);
    // Publications of subscribed channels, in offset order, each at most once.
    void onPublication(std::function<void(const Publication&)> handler);
    // Every other push (join, leave, unsubscribed, disconnect) as received. A
    // subscription the client could not restore after a reconnect ends with a
    // synthesized {"push": "unsubscribed", "channel", "reason"}.
    void onPush(std::function<void(const boost::json::object&)> handler);
    // After a reconnect the server no longer had what this client missed on `channel`
    // (recovered: false): reload the channel's state; live delivery goes on.
    void onResyncNeeded(std::function<void(const std::string& channel)> handler);
    // A publication skipped offsets within one epoch. It should never happen.
    void onGap(std::function<void(const std::string& channel, std::uint64_t expected, std::uint64_t got)> handler);
    // Errors that belong to no request: the connection was refused for good (4001,
    // 4004, 1009: the client is then closed), the token provider threw, the server
    // sent something unreadable.
    void onError(std::function<void(const Error&)> handler);

    // Starts the client thread and the first connection attempt. Call once.
    void start();
    // Closes the connection with 1000, fails every pending request with
    // `unavailable` and joins the client thread. Final: the client cannot be
    // restarted. Safe to call more than once; never from a callback.
    void stop();
    State state() const noexcept;

    std::future<Result<SubscribeReply>> subscribe(std::string channel, SubscribeOptions options = {});
    void subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done);
    std::future<Result<void>> unsubscribe(std::string channel);
    void unsubscribe(std::string channel, Callback<void> done);
    // `dataJson` must be one JSON value (object, array, string, number, ...); `key` is
    // an optional idempotency key (1 to 128 characters).
    std::future<Result<PublishReply>> publish(std::string channel, std::string dataJson, std::string key = {});
    void publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done);
    // Publishes and, on a retryable error, tries again with the same key (so the
    // publication happens once), waiting with the client's backoff between attempts,
    // `attempts` times in all. `key` is required.
    std::future<Result<PublishReply>> publishWithRetry(std::string channel, std::string dataJson, std::string key,
                                                       unsigned attempts);
    void publishWithRetry(std::string channel, std::string dataJson, std::string key, unsigned attempts,
                          Callback<PublishReply> done);
    std::future<Result<HistoryReply>> history(std::string channel, HistoryOptions options = {});
    void history(std::string channel, HistoryOptions options, Callback<HistoryReply> done);
    std::future<Result<PresenceReply>> presence(std::string channel);
    void presence(std::string channel, Callback<PresenceReply> done);
    // Acknowledges `offset` on a durable subscription.
    std::future<Result<void>> ack(std::string channel, std::uint64_t offset);
    void ack(std::string channel, std::uint64_t offset, Callback<void> done);
    std::future<Result<void>> ping();
    void ping(Callback<void> done);
    // Replaces the connection's token. Later reconnects still ask the tokenProvider.
    std::future<Result<RefreshReply>> refresh(std::string token);
    void refresh(std::string token, Callback<RefreshReply> done);

private:
    std::unique_ptr<detail::ClientCore> m_impl;   // client_core.h
};

} // namespace aldis::client
