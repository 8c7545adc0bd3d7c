// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/server_context.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace aldis::gateway {

class Session;

// The client listener: accepts TCP connections and serves HTTP on them (/health,
// /ready, /metrics, POST /v1/publish) until a request upgrades to the WebSocket
// protocol at /v1/ws, which hands the socket to a Session.
//
// Threads: the acceptor runs on its own strand; each accepted connection gets a strand
// of its own. Owned by the Node; stop() before the io_context stops.
class Server {
public:
    Server(boost::asio::io_context& io, std::shared_ptr<ServerContext> context);
    ~Server();

    // Binds and starts accepting. Throws std::system_error when the address cannot be
    // bound (start-up is the one place exceptions are used).
    void start();
    std::uint16_t port() const noexcept { return m_port; }
    void stopAccepting();
    // Closes every session with `code` (the drain uses 4007) and a disconnect push.
    std::size_t closeAll(std::uint16_t code, const std::string& reason, bool reconnect);
    // After a reload: every session checks its token against the new verifier (see
    // Session::revalidate).
    void revalidateAll();

    ServerContext& context() { return *m_ctx; }

private:
    void accept();
    std::vector<std::shared_ptr<Session>> openSessions();

    boost::asio::io_context& m_io;
    std::shared_ptr<ServerContext> m_ctx;
    boost::asio::ip::tcp::acceptor m_acceptor;
    boost::asio::steady_timer m_acceptRetry;     // after a failed accept (EMFILE)
    Clock::time_point m_lastAcceptWarning{};
    std::uint16_t m_port = 0;
};

} // namespace aldis::gateway
