// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace aldis::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The server the load goes to, and how it speaks.
enum class Peer { aldis, nats };

struct Target {
    Peer peer = Peer::aldis;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8800;
    std::string path = "/v1/ws";
};

// "ws://HOST:PORT/PATH" (HOST a numeric address); empty optional on a bad URL.
bool parseTarget(std::string_view url, Peer peer, Target& out);

std::int64_t nowNs() noexcept; // steady clock, nanoseconds

class Conn;

// What a connection reports to the scenario that drives it, on the io thread.
class ConnEvents {
public:
    virtual ~ConnEvents() = default;
    // The server accepted the hello: Aldis answered `connect`, NATS answered the PING
    // sent after CONNECT.
    virtual void ready(Conn& conn) = 0;
    // A publication, with its `data` (Aldis) or payload (NATS).
    virtual void publication(Conn& conn, std::string_view data) = 0;
    // A reply to a command (Aldis; id 1 is the connect) or a PONG (NATS, id 0).
    virtual void reply(Conn& conn, std::uint64_t id, bool ok, std::string_view frame) = 0;
    // The connection failed or was closed; `why` says how (close code, error).
    virtual void failed(Conn& conn, const std::string& why) = 0;
};

// One WebSocket client connection of the load generator. It is deliberately thin:
// no Beast stream, no JSON parser. It writes masked frames into one buffer that goes
// out in one write, reads with a non-blocking read into a shared scratch buffer,
// answers pings, and finds what it needs in the frames by their fixed shapes
// (the server's serialization order). All calls on the io thread.
class Conn : public std::enable_shared_from_this<Conn> {
public:
    Conn(asio::io_context& io, ConnEvents& events, const Target& target, std::uint32_t index);

    // Connects from `source` (a loopback address, so more than one port range is
    // usable), upgrades, and sends the hello with `token` (Aldis).
    void start(const asio::ip::address& source, const std::string& token);
    void sendText(std::string_view payload);
    void close();

    std::uint32_t index() const noexcept { return m_index; }
    bool open() const noexcept { return m_state == State::open; }
    bool isReady() const noexcept { return m_ready; }

    // Timestamps of the connection's life (nowNs), for the connect scenario.
    std::int64_t dueNs = 0;      // when it was meant to start
    std::int64_t upgradedNs = 0; // 101 received
    std::int64_t readyNs = 0;    // hello acknowledged

    // Free for the scenario.
    std::uint64_t nextId = 2;
    std::uint32_t tag = 0;

private:
    enum class State { connecting, upgrading, open, closed };

    void onConnected(const boost::system::error_code& ec);
    void waitReadable();
    void onReadable();
    void consume(const char* data, std::size_t size);
    std::size_t consumeUpgrade(const char* data, std::size_t size);
    std::size_t consumeFrames(const char* data, std::size_t size);
    void onMessage(std::string_view payload);
    void onAldis(std::string_view frame);
    void onNats(std::string_view chunk);
    std::size_t natsLines(std::string_view data);
    void sendFrame(unsigned opcode, std::string_view payload);
    void writeMore();
    void fail(const std::string& why);

    asio::io_context& m_io;
    tcp::socket m_socket;
    ConnEvents& m_events;
    const Target& m_target;
    std::uint32_t m_index;
    State m_state = State::connecting;
    bool m_ready = false;
    bool m_writing = false;
    std::uint32_t m_mask;
    std::string m_token;
    std::string m_in;       // an incomplete frame (or upgrade response) kept between reads
    std::string m_natsIn;   // an incomplete NATS protocol line or message
    std::string m_fragments;
    std::string m_out;      // frames waiting for the write in progress
    std::string m_wire;     // frames being written
};

} // namespace aldis::bench
