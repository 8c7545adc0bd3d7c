// SPDX-License-Identifier: Apache-2.0
#include "support/raw_tcp_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <chrono>

namespace aldis::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct RawTcpClient::State {
    asio::io_context io;
    tcp::socket socket{io};
    std::uint16_t port = 0;
    std::string received;
    bool connected = false;
    bool eof = false;
};

RawTcpClient::RawTcpClient(std::uint16_t port) : m(std::make_unique<State>())
{
    m->port = port;
    boost::system::error_code ec;
    bool done = false;
    m->socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                            [this, &ec, &done](boost::system::error_code e) {
                                ec = e;
                                done = true;
                            });
    m->io.run_for(std::chrono::milliseconds(kDefaultTimeoutMs));
    m->connected = done && !ec;
    if (!done) {
        m->socket.close(ec);
        m->io.restart();
        m->io.run();
    }
}

RawTcpClient::~RawTcpClient()
{
    boost::system::error_code ignored;
    m->socket.close(ignored);
}

bool RawTcpClient::isConnected() const
{
    return m->connected;
}

bool RawTcpClient::write(std::string_view bytes, int timeoutMs)
{
    boost::system::error_code ec;
    bool done = false;
    m->io.restart();
    asio::async_write(m->socket, asio::buffer(bytes.data(), bytes.size()),
                      [&ec, &done](boost::system::error_code e, std::size_t) {
                          ec = e;
                          done = true;
                      });
    m->io.run_for(std::chrono::milliseconds(timeoutMs));
    if (!done) {
        boost::system::error_code ignored;
        m->socket.close(ignored);
        m->io.restart();
        m->io.run();
        return false;
    }
    return !ec;
}

std::string RawTcpClient::readUntil(const std::function<bool(const std::string&)>& enough, int timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    char chunk[16 * 1024];
    while (!m->eof && !enough(m->received) && std::chrono::steady_clock::now() < deadline) {
        bool done = false;
        m->io.restart();
        m->socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
            done = true;
            m->received.append(chunk, n);
            if (ec)
                m->eof = true;
        });
        m->io.run_until(deadline);
        if (!done) {
            m->socket.cancel();
            m->io.restart();
            m->io.run();
        }
    }
    return m->received;
}

std::string RawTcpClient::upgradeRequest(const Headers& headers) const
{
    std::string out = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(m->port) +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (const auto& [name, value] : headers)
        out += name + ": " + value + "\r\n";
    return out + "\r\n";
}

std::vector<RawTcpClient::Frame> RawTcpClient::framesAfterUpgrade(std::string_view received)
{
    const auto end = received.find("\r\n\r\n");
    return end == std::string_view::npos ? std::vector<Frame>{} : serverFrames(received.substr(end + 4));
}

std::vector<RawTcpClient::Frame> RawTcpClient::serverFrames(std::string_view bytes)
{
    std::vector<Frame> out;
    std::size_t pos = 0;
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    while (bytes.size() - pos >= 2) {
        const unsigned opcode = at(pos) & 0x0f;
        std::uint64_t length = at(pos + 1) & 0x7f;
        std::size_t header = 2;
        if (length == 126) {
            if (bytes.size() - pos < 4)
                break;
            length = (std::uint64_t{at(pos + 2)} << 8) | at(pos + 3);
            header = 4;
        } else if (length == 127) {
            if (bytes.size() - pos < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | at(pos + 2 + static_cast<std::size_t>(i));
            header = 10;
        }
        if (bytes.size() - pos < header + length)
            break;
        out.push_back(Frame{opcode, std::string(bytes.substr(pos + header, static_cast<std::size_t>(length)))});
        pos += header + static_cast<std::size_t>(length);
    }
    return out;
}

} // namespace aldis::test
