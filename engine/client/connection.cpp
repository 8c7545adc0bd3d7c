// SPDX-License-Identifier: Apache-2.0
#include "client/connection.h"

#include <boost/asio/buffer.hpp>

namespace aldis::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// With keep-alive pings on, Beast pings after half of this without a frame from the
// server and gives up after all of it: that finds a dead peer behind a silent network.
constexpr auto kIdleTimeout = std::chrono::seconds(60);

} // namespace

Connection::Connection(const Strand& strand, Url url, Events& events)
    : m_url(std::move(url)), m_events(events), m_ws(strand), m_resolver(strand)
{
}

void Connection::start(std::chrono::milliseconds handshakeTimeout)
{
    m_resolver.async_resolve(m_url.host, m_url.port, [self = shared_from_this(), handshakeTimeout](
                                                         boost::system::error_code ec,
                                                         tcp::resolver::results_type results) {
        if (self->m_ended)
            return;
        if (ec)
            return self->m_events.onConnectionLost(self, 1006,
                                                   "cannot resolve " + self->m_url.host + ": " + ec.message(), false);
        auto& tcpStream = beast::get_lowest_layer(self->m_ws);
        tcpStream.async_connect(results, [self, handshakeTimeout](boost::system::error_code ec2, const tcp::endpoint&) {
            if (self->m_ended)
                return;
            if (ec2)
                return self->m_events.onConnectionLost(
                    self, 1006, "cannot connect to " + self->m_url.text + ": " + ec2.message(), false);
            beast::get_lowest_layer(self->m_ws).expires_never();
            boost::system::error_code ignored;
            beast::get_lowest_layer(self->m_ws).socket().set_option(tcp::no_delay(true), ignored);
            websocket::stream_base::timeout timeouts;
            timeouts.handshake_timeout = handshakeTimeout;
            timeouts.idle_timeout = kIdleTimeout;
            timeouts.keep_alive_pings = true;
            self->m_ws.set_option(timeouts);
            self->m_ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
                req.set(beast::http::field::user_agent, "aldis-client/1");
            }));
            self->m_ws.text(true);
            self->m_ws.async_handshake(self->m_url.hostHeader, self->m_url.path, [self](boost::system::error_code ec3) {
                if (self->m_ended)
                    return;
                if (ec3)
                    return self->m_events.onConnectionLost(
                        self, 1006, "WebSocket handshake with " + self->m_url.text + " failed: " + ec3.message(),
                        false);
                self->m_open = true;
                self->readNext();
                self->m_events.onConnectionOpen(self);
            });
        });
    });
}

void Connection::readNext()
{
    m_ws.async_read(m_buffer, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        if (self->m_ended)
            return;
        if (ec) {
            if (ec == websocket::error::closed) {
                // A close frame without a status code reads as 1005 (RFC 6455, 7.1.5).
                const auto& reason = self->m_ws.reason();
                const auto code = reason.code == websocket::close_code::none ? 1005 : reason.code;
                return self->m_events.onConnectionLost(self, static_cast<std::uint16_t>(code),
                                                       std::string(reason.reason.c_str()), true);
            }
            if (self->disconnectPush)
                return self->m_events.onConnectionLost(self, self->disconnectPush->code,
                                                       self->disconnectPush->reason, true);
            return self->m_events.onConnectionLost(self, 1006, "connection lost: " + ec.message(), false);
        }
        const auto data = self->m_buffer.data();
        self->m_events.onConnectionFrame(self, std::string_view(static_cast<const char*>(data.data()), data.size()));
        self->m_buffer.consume(self->m_buffer.size());
        if (!self->m_ended)
            self->readNext();
    });
}

void Connection::send(std::string frame)
{
    m_outbox.push_back(std::move(frame));
    if (!m_writing)
        writeNext();
}

void Connection::writeNext()
{
    if (m_ended || m_outbox.empty()) {
        m_writing = false;
        return;
    }
    m_writing = true;
    m_ws.async_write(asio::buffer(m_outbox.front()), [self = shared_from_this()](boost::system::error_code ec,
                                                                                  std::size_t) {
        if (self->m_ended)
            return;
        if (ec)
            return self->m_events.onConnectionLost(self, 1006, "write failed: " + ec.message(), false);
        self->m_outbox.pop_front();
        self->writeNext();
    });
}

void Connection::close(std::function<void()> done)
{
    m_ws.async_close(websocket::close_code::normal,
                     [self = shared_from_this(), done = std::move(done)](boost::system::error_code) { done(); });
}

void Connection::end()
{
    m_ended = true;
    boost::system::error_code ignored;
    beast::get_lowest_layer(m_ws).socket().close(ignored);
    m_resolver.cancel();
}

} // namespace aldis::client::detail
