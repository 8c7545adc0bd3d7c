// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/url.h"
#include "common/error.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace aldis::client::detail {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// One WebSocket connection, or the attempt to make one: resolve, TCP connect,
// WebSocket handshake, then a read loop and a write queue (one async_write at a
// time). It knows nothing of the protocol; it reports to its Events.
//
// A new Connection per attempt, so that a handler of an old one can tell (`ended()`)
// and does nothing. Threads: created, used and ended on the client strand; every
// handler it starts runs there. Owned by shared_ptr: by the ClientCore while it is the
// current connection, and by each of its pending operations.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    // Where a connection reports, on the strand. None is called once the connection
    // has ended.
    class Events {
    public:
        virtual ~Events() = default;
        // The WebSocket handshake is done; the read loop is running.
        virtual void onConnectionOpen(const std::shared_ptr<Connection>& c) = 0;
        virtual void onConnectionFrame(const std::shared_ptr<Connection>& c, std::string_view text) = 0;
        // The attempt failed or the connection ended: `code` is the close code (1006
        // without a close frame), `closeFrame` whether the server closed it.
        virtual void onConnectionLost(const std::shared_ptr<Connection>& c, std::uint16_t code,
                                      std::string reason, bool closeFrame) = 0;
    };

    // The server's {"push": "disconnect"}: what a read error after it reports.
    struct DisconnectPush {
        std::uint16_t code = 1006;
        std::string reason;
        bool reconnect = true;
    };

    Connection(const Strand& strand, Url url, Events& events);

    // Resolves, connects and shakes hands; `handshakeTimeout` bounds the handshake.
    void start(std::chrono::milliseconds handshakeTimeout);
    // Queues a text frame; written after the ones before it.
    void send(std::string frame);
    // Sends a close frame with 1000 and calls `done` when the close handshake ended
    // (or failed).
    void close(std::function<void()> done);
    // Marks the connection ended, closes its socket and cancels a pending resolve:
    // every handler still pending then does nothing.
    void end();

    bool open() const noexcept { return m_open; }
    bool ended() const noexcept { return m_ended; }

    // The protocol state of this connection, kept here for the ClientCore (the
    // connection itself only reads `disconnectPush`).
    std::uint64_t number = 0;
    std::size_t urlIndex = 0;
    bool authed = false;                   // `connect` answered ok
    std::uint64_t connectId = 0;
    std::optional<Error> connectError;     // the error reply to `connect`
    std::optional<DisconnectPush> disconnectPush;

private:
    void readNext();
    void writeNext();

    Url m_url;
    Events& m_events;
    boost::beast::websocket::stream<boost::beast::tcp_stream> m_ws;
    boost::asio::ip::tcp::resolver m_resolver;
    boost::beast::flat_buffer m_buffer;
    std::deque<std::string> m_outbox;      // front() is being written while m_writing
    bool m_writing = false;
    bool m_open = false;                   // WebSocket handshake done
    bool m_ended = false;
};

using ConnectionPtr = std::shared_ptr<Connection>;

} // namespace aldis::client::detail
