// SPDX-License-Identifier: Apache-2.0
#pragma once

// A blocking client of GET /v1/sse that reads the response head and then the event
// stream as an EventSource would (https://html.spec.whatwg.org/#event-stream-interpretation),
// while keeping the raw bytes for byte-exact checks. Header-only, so the support
// library needs no new source file.
//
// Threads: used from the test's thread only; each call runs the private io_context
// until it is done or its guard timeout expires. Nothing here throws.

#include "support/test_client_common.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace aldis::test {

class SseTestClient {
public:
    struct Event {
        std::string event = "message"; // the `event:` field, or the default type
        std::string data;              // the data lines joined with "\n"
        std::optional<std::string> id; // the `id:` field of this event, if it had one
    };

    // Connects to 127.0.0.1:`port`; a small `receiveBufferBytes` (SO_RCVBUF) makes the
    // node's writes stall soon when the test stops reading.
    explicit SseTestClient(std::uint16_t port, int receiveBufferBytes = 0) : m_port(port)
    {
        boost::system::error_code ec;
        m_socket.open(boost::asio::ip::tcp::v4(), ec);
        if (receiveBufferBytes > 0)
            m_socket.set_option(boost::asio::socket_base::receive_buffer_size(receiveBufferBytes), ec);
        bool done = false;
        m_socket.async_connect({boost::asio::ip::make_address("127.0.0.1"), port},
                               [&](boost::system::error_code e) {
                                   ec = e;
                                   done = true;
                               });
        m_io.run_for(std::chrono::milliseconds(kDefaultTimeoutMs));
        m_connected = done && !ec;
    }
    ~SseTestClient()
    {
        boost::system::error_code ignored;
        m_socket.close(ignored);
    }
    SseTestClient(const SseTestClient&) = delete;
    SseTestClient& operator=(const SseTestClient&) = delete;

    // Sends `method target` with `headers` and reads the response head. False (with
    // error()) when the connection failed or no head came in time.
    bool request(const std::string& target, const Headers& headers = {}, const std::string& method = "GET",
                 int timeoutMs = kDefaultTimeoutMs)
    {
        if (!m_connected)
            return fail("not connected");
        std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(m_port) +
                          "\r\nAccept: text/event-stream\r\n";
        for (const auto& [name, value] : headers)
            out += name + ": " + value + "\r\n";
        out += "\r\n";
        boost::system::error_code ec;
        boost::asio::write(m_socket, boost::asio::buffer(out), ec);
        if (ec)
            return fail("write: " + ec.message());
        std::size_t end;
        while ((end = m_buf.find("\r\n\r\n")) == std::string::npos)
            if (!fill(timeoutMs))
                return fail("no response head: " + m_error);
        const std::string head = m_buf.substr(0, end);
        m_pos = end + 4;
        m_head = head + "\r\n\r\n";
        const auto sp = head.find(' ');
        m_status = sp == std::string::npos ? 0 : std::atoi(head.c_str() + sp + 1);
        std::size_t lineStart = head.find("\r\n");
        while (lineStart != std::string::npos) {
            lineStart += 2;
            const auto lineEnd = head.find("\r\n", lineStart);
            const auto line = head.substr(lineStart, lineEnd == std::string::npos ? std::string::npos : lineEnd - lineStart);
            if (const auto colon = line.find(':'); colon != std::string::npos) {
                std::string name = line.substr(0, colon);
                std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
                auto value = line.substr(colon + 1);
                value.erase(0, value.find_first_not_of(' '));
                m_headers[name] = value;
            }
            lineStart = lineEnd;
        }
        return true;
    }

    int status() const { return m_status; }
    std::string header(const std::string& lowerName) const
    {
        const auto it = m_headers.find(lowerName);
        return it == m_headers.end() ? std::string() : it->second;
    }
    const std::string& head() const { return m_head; }

    // The body of a plain (Content-Length) response, such as a JSON error.
    std::string body(int timeoutMs = kDefaultTimeoutMs)
    {
        const auto length = static_cast<std::size_t>(std::atoll(header("content-length").c_str()));
        while (m_buf.size() - m_pos < length)
            if (!fill(timeoutMs))
                break;
        return m_buf.substr(m_pos, length);
    }

    // The next event (comments and events without data are skipped, as EventSource
    // does); nothing when the stream ended or the guard timeout expired (see ended()).
    std::optional<Event> next(int timeoutMs = kDefaultTimeoutMs)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        Event event;
        bool hasData = false;
        for (;;) {
            std::string line;
            if (!nextLine(line, deadline))
                return std::nullopt;
            if (line.empty()) {
                if (hasData) {
                    event.data.pop_back(); // the "\n" after the last data line
                    if (event.id)
                        m_lastEventId = *event.id;
                    return event;
                }
                event = Event{};
                continue;
            }
            if (line[0] == ':') {
                ++m_comments;
                continue;
            }
            const auto colon = line.find(':');
            const std::string field = line.substr(0, colon);
            std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
            if (!value.empty() && value[0] == ' ')
                value.erase(0, 1);
            if (field == "event") {
                event.event = value;
            } else if (field == "data") {
                event.data += value;
                event.data += '\n';
                hasData = true;
            } else if (field == "id") {
                event.id = value;
            }
        }
    }

    // Waits until the node closes the connection (true), reading and dropping what
    // comes before; false when it stays open for `timeoutMs`.
    bool waitClosed(int timeoutMs = kDefaultTimeoutMs)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        while (!m_eof && std::chrono::steady_clock::now() < deadline)
            fill(static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count()));
        return m_eof;
    }

    bool ended() const { return m_eof && m_pos >= m_buf.size(); }
    int comments() const { return m_comments; }
    const std::string& lastEventId() const { return m_lastEventId; }
    // Everything after the response head read so far, parsed or not.
    std::string rawBody() const { return m_buf.substr(m_head.size()); }
    const std::string& error() const { return m_error; }

private:
    bool fail(std::string why)
    {
        m_error = std::move(why);
        return false;
    }

    // Reads what is there (waiting up to timeoutMs for something); false on EOF,
    // error or timeout.
    bool fill(int timeoutMs)
    {
        if (m_eof)
            return fail("closed");
        char chunk[16 * 1024];
        bool done = false;
        boost::system::error_code ec;
        std::size_t n = 0;
        m_io.restart();
        m_socket.async_read_some(boost::asio::buffer(chunk), [&](boost::system::error_code e, std::size_t got) {
            ec = e;
            n = got;
            done = true;
        });
        m_io.run_for(std::chrono::milliseconds(std::max(timeoutMs, 1)));
        if (!done) {
            m_socket.cancel();
            m_io.restart();
            m_io.run();
            return fail("timeout");
        }
        m_buf.append(chunk, n);
        if (ec) {
            m_eof = true;
            return n > 0 || fail("closed: " + ec.message());
        }
        return true;
    }

    // One line of the stream (without its end: "\r\n", "\r" or "\n").
    bool nextLine(std::string& line, std::chrono::steady_clock::time_point deadline)
    {
        for (;;) {
            const auto brk = m_buf.find_first_of("\r\n", m_pos);
            // A "\r" at the end of what was read may be followed by "\n".
            if (brk != std::string::npos && !(m_buf[brk] == '\r' && brk + 1 == m_buf.size() && !m_eof)) {
                line = m_buf.substr(m_pos, brk - m_pos);
                m_pos = brk + 1;
                if (m_buf[brk] == '\r' && m_pos < m_buf.size() && m_buf[m_pos] == '\n')
                    ++m_pos;
                return true;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                    std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return fail("timeout");
            if (!fill(static_cast<int>(left.count())))
                return false;
        }
    }

    boost::asio::io_context m_io;
    boost::asio::ip::tcp::socket m_socket{m_io};
    std::uint16_t m_port = 0;
    bool m_connected = false;
    bool m_eof = false;
    std::string m_buf;
    std::size_t m_pos = 0;
    std::string m_head;
    int m_status = 0;
    std::map<std::string, std::string> m_headers;
    int m_comments = 0;
    std::string m_lastEventId;
    std::string m_error;
};

} // namespace aldis::test
