// SPDX-License-Identifier: Apache-2.0
#include "conn.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>

#include <array>
#include <chrono>
#include <cstring>
#include <random>

namespace aldis::bench {

namespace {

constexpr std::size_t kScratch = 256 * 1024;

std::uint64_t parseUnsigned(std::string_view s, std::size_t& pos) noexcept
{
    std::uint64_t v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
        v = v * 10 + static_cast<std::uint64_t>(s[pos++] - '0');
    return v;
}

std::string upgradeRequest(const Target& t)
{
    std::string r = "GET " + t.path + " HTTP/1.1\r\nHost: " + t.host + ":" + std::to_string(t.port)
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\nUser-Agent: aldis-bench\r\n\r\n";
    return r;
}

} // namespace

bool parseTarget(std::string_view url, Peer peer, Target& out)
{
    constexpr std::string_view scheme = "ws://";
    if (url.substr(0, scheme.size()) != scheme)
        return false;
    url.remove_prefix(scheme.size());
    const auto slash = url.find('/');
    const std::string_view hostPort = url.substr(0, slash);
    out.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    const auto colon = hostPort.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    out.host = std::string(hostPort.substr(0, colon));
    std::size_t pos = colon + 1;
    const auto port = parseUnsigned(hostPort, pos);
    if (pos != hostPort.size() || port == 0 || port > 65535)
        return false;
    out.port = static_cast<std::uint16_t>(port);
    out.peer = peer;
    boost::system::error_code ec;
    asio::ip::make_address(out.host, ec);
    return !ec;
}

std::int64_t nowNs() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Conn::Conn(asio::io_context& io, ConnEvents& events, const Target& target, std::uint32_t index)
    : m_io(io), m_socket(io), m_events(events), m_target(target), m_index(index)
{
    static std::mt19937 random{std::random_device{}()};
    m_mask = static_cast<std::uint32_t>(random()) | 1u;
}

void Conn::start(const asio::ip::address& source, const std::string& token)
{
    m_token = token;
    boost::system::error_code ec;
    const tcp::endpoint server(asio::ip::make_address(m_target.host), m_target.port);
    m_socket.open(server.protocol(), ec);
    if (!ec) {
        // Take the port at connect(), not at bind(): with a source address bound, the
        // kernel could otherwise use each port once for all destinations.
        const int one = 1;
        ::setsockopt(m_socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        m_socket.set_option(tcp::no_delay(true), ec);
        if (!source.is_unspecified())
            m_socket.bind(tcp::endpoint(source, 0), ec);
    }
    if (ec)
        return fail("socket: " + ec.message());
    m_socket.async_connect(server, [self = shared_from_this()](const boost::system::error_code& e) { self->onConnected(e); });
}

void Conn::onConnected(const boost::system::error_code& ec)
{
    if (m_state == State::closed)
        return;
    if (ec)
        return fail("connect: " + ec.message());
    m_state = State::upgrading;
    m_out += upgradeRequest(m_target);
    writeMore();
    waitReadable();
}

void Conn::sendText(std::string_view payload)
{
    // NATS over WebSocket is binary frames holding the text protocol.
    sendFrame(m_target.peer == Peer::nats ? 0x2 : 0x1, payload);
}

void Conn::close()
{
    if (m_state == State::closed)
        return;
    m_state = State::closed;
    boost::system::error_code ignored;
    m_socket.close(ignored);
}

void Conn::fail(const std::string& why)
{
    if (m_state == State::closed)
        return;
    close();
    m_events.failed(*this, why);
}

void Conn::sendFrame(unsigned opcode, std::string_view payload)
{
    if (m_state == State::closed)
        return;
    unsigned char header[14];
    std::size_t n = 0;
    header[n++] = static_cast<unsigned char>(0x80 | opcode);
    if (payload.size() < 126) {
        header[n++] = static_cast<unsigned char>(0x80 | payload.size());
    } else if (payload.size() <= 0xFFFF) {
        header[n++] = 0x80 | 126;
        header[n++] = static_cast<unsigned char>(payload.size() >> 8);
        header[n++] = static_cast<unsigned char>(payload.size());
    } else {
        header[n++] = 0x80 | 127;
        for (int i = 7; i >= 0; --i)
            header[n++] = static_cast<unsigned char>(static_cast<std::uint64_t>(payload.size()) >> (8 * i));
    }
    std::memcpy(header + n, &m_mask, 4);
    n += 4;
    m_out.append(reinterpret_cast<const char*>(header), n);
    const std::size_t at = m_out.size();
    m_out.append(payload);
    // Mask 8 bytes at a time; the key repeats every 4, so a doubled key lines up.
    const std::uint64_t mask8 = (static_cast<std::uint64_t>(m_mask) << 32) | m_mask;
    char* p = m_out.data() + at;
    std::size_t i = 0;
    for (; i + 8 <= payload.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= mask8;
        std::memcpy(p + i, &w, 8);
    }
    const auto* key = reinterpret_cast<const unsigned char*>(&m_mask);
    for (; i < payload.size(); ++i)
        p[i] = static_cast<char>(static_cast<unsigned char>(p[i]) ^ key[i % 4]);
    if (m_state != State::connecting && m_state != State::upgrading)
        writeMore();
}

void Conn::writeMore()
{
    if (m_writing || m_out.empty() || m_state == State::closed)
        return;
    m_writing = true;
    m_wire.swap(m_out);
    m_out.clear();
    asio::async_write(m_socket, asio::buffer(m_wire), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->m_writing = false;
        self->m_wire.clear();
        if (ec)
            return self->fail("write: " + ec.message());
        self->writeMore();
    });
}

void Conn::waitReadable()
{
    m_socket.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
        if (self->m_state == State::closed)
            return;
        if (ec)
            return self->fail("read: " + ec.message());
        self->onReadable();
    });
}

void Conn::onReadable()
{
    thread_local std::array<char, kScratch> scratch;
    boost::system::error_code ec;
    m_socket.non_blocking(true, ec);
    const std::size_t n = m_socket.read_some(asio::buffer(scratch), ec);
    if (ec == asio::error::would_block)
        return waitReadable();
    if (ec)
        return fail(ec == asio::error::eof ? "closed by the server without a close frame" : "read: " + ec.message());
    if (m_in.empty()) {
        consume(scratch.data(), n);
    } else {
        m_in.append(scratch.data(), n);
        std::string buffered;
        buffered.swap(m_in);
        consume(buffered.data(), buffered.size());
    }
    if (m_state != State::closed)
        waitReadable();
}

void Conn::consume(const char* data, std::size_t size)
{
    std::size_t used = 0;
    if (m_state == State::upgrading) {
        used = consumeUpgrade(data, size);
        if (m_state != State::open) {
            if (m_state == State::upgrading)
                m_in.assign(data, size);
            return;
        }
    }
    used += consumeFrames(data + used, size - used);
    if (m_state != State::closed && used < size)
        m_in.assign(data + used, size - used);
}

std::size_t Conn::consumeUpgrade(const char* data, std::size_t size)
{
    const std::string_view text(data, size);
    const auto end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (size > 16384)
            fail("the upgrade response has no end");
        return 0;
    }
    if (text.substr(0, 12) != "HTTP/1.1 101") {
        const auto line = text.substr(0, text.find("\r\n"));
        fail("upgrade refused: " + std::string(line));
        return 0;
    }
    m_state = State::open;
    upgradedNs = nowNs();
    if (m_target.peer == Peer::aldis)
        sendText("{\"id\":1,\"op\":\"connect\",\"token\":\"" + m_token + "\",\"name\":\"aldis-bench\"}");
    else
        sendText("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"echo\":true,\"name\":\"aldis-bench\"}\r\nPING\r\n");
    writeMore();
    return end + 4;
}

std::size_t Conn::consumeFrames(const char* data, std::size_t size)
{
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    std::size_t pos = 0;
    while (m_state == State::open && size - pos >= 2) {
        const unsigned opcode = p[pos] & 0x0F;
        const bool fin = (p[pos] & 0x80) != 0;
        std::uint64_t length = p[pos + 1] & 0x7F;
        std::size_t header = 2;
        if (length == 126) {
            if (size - pos < 4)
                break;
            length = (std::uint64_t{p[pos + 2]} << 8) | p[pos + 3];
            header = 4;
        } else if (length == 127) {
            if (size - pos < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[pos + 2 + static_cast<std::size_t>(i)];
            header = 10;
        }
        if (size - pos - header < length)
            break;
        const std::string_view payload(data + pos + header, static_cast<std::size_t>(length));
        pos += header + static_cast<std::size_t>(length);
        switch (opcode) {
        case 0x0: // continuation
            m_fragments.append(payload);
            if (fin) {
                std::string whole;
                whole.swap(m_fragments);
                onMessage(whole);
            }
            break;
        case 0x1:
        case 0x2:
            if (fin) {
                onMessage(payload);
            } else {
                m_fragments.assign(payload);
            }
            break;
        case 0x8: {
            unsigned code = payload.size() >= 2
                ? (static_cast<unsigned>(static_cast<unsigned char>(payload[0])) << 8) | static_cast<unsigned char>(payload[1])
                : 1005;
            fail("closed by the server with " + std::to_string(code)
                 + (payload.size() > 2 ? ": " + std::string(payload.substr(2)) : std::string()));
            break;
        }
        case 0x9:
            sendFrame(0xA, payload);
            break;
        default:
            break;
        }
    }
    return pos;
}

void Conn::onMessage(std::string_view payload)
{
    if (m_target.peer == Peer::aldis)
        onAldis(payload);
    else
        onNats(payload);
}

// Aldis frames, in the node's serialization order:
//   {"push":"pub","channel":"c","offset":n,"data":...,"ts":...}
//   {"id":n,"ok":{...}}  or  {"id":n,"error":{...}}
void Conn::onAldis(std::string_view frame)
{
    constexpr std::string_view pub = "{\"push\":\"pub\",";
    constexpr std::string_view id = "{\"id\":";
    if (frame.substr(0, pub.size()) == pub) {
        const auto data = frame.find("\"data\":", pub.size());
        if (data != std::string_view::npos)
            m_events.publication(*this, frame.substr(data + 7));
        return;
    }
    if (frame.substr(0, id.size()) == id) {
        std::size_t pos = id.size();
        const auto n = parseUnsigned(frame, pos);
        const bool ok = frame.substr(pos, 6) == ",\"ok\":";
        if (n == 1 && !m_ready) {
            if (!ok)
                return fail("connect refused: " + std::string(frame));
            m_ready = true;
            readyNs = nowNs();
            return m_events.ready(*this);
        }
        return m_events.reply(*this, n, ok, frame);
    }
    // join/leave/unsubscribed/disconnect pushes: the close frame that follows a
    // disconnect push reports the close.
}

// NATS: a byte stream of protocol lines, cut into WebSocket messages anywhere.
void Conn::onNats(std::string_view chunk)
{
    if (m_natsIn.empty()) {
        const std::size_t used = natsLines(chunk);
        if (used < chunk.size() && m_state != State::closed)
            m_natsIn.assign(chunk.substr(used));
        return;
    }
    m_natsIn.append(chunk);
    std::string buffered;
    buffered.swap(m_natsIn);
    const std::size_t used = natsLines(buffered);
    if (used < buffered.size() && m_state != State::closed)
        m_natsIn.assign(std::string_view(buffered).substr(used));
}

std::size_t Conn::natsLines(std::string_view data)
{
    std::size_t pos = 0;
    while (m_state == State::open) {
        const auto eol = data.find("\r\n", pos);
        if (eol == std::string_view::npos)
            return pos;
        const std::string_view line = data.substr(pos, eol - pos);
        if (line.substr(0, 4) == "MSG ") {
            // MSG <subject> <sid> [reply-to] <#bytes>
            const auto lastSpace = line.rfind(' ');
            std::size_t at = lastSpace + 1;
            const auto bytes = static_cast<std::size_t>(parseUnsigned(line, at));
            if (data.size() < eol + 2 + bytes + 2)
                return pos; // the payload is not all here yet
            m_events.publication(*this, data.substr(eol + 2, bytes));
            pos = eol + 2 + bytes + 2;
            continue;
        }
        pos = eol + 2;
        if (line == "PING") {
            sendText("PONG\r\n");
        } else if (line == "PONG") {
            if (!m_ready) {
                m_ready = true;
                readyNs = nowNs();
                m_events.ready(*this);
            } else {
                m_events.reply(*this, 0, true, line);
            }
        } else if (line.substr(0, 4) == "-ERR") {
            fail("nats: " + std::string(line));
        }
        // INFO and +OK need nothing.
    }
    return pos;
}

} // namespace aldis::bench
