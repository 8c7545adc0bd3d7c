// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/admin_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <memory>
#include <string>

// The admin stream (docs/admin-api.md, "Stream"): one viewer per WebSocket, on its
// own strand. It sends hello and node_up, then whatever the server broadcasts (stats,
// events), and runs the viewer's live tail as a broker subscription. Sends are
// queued (shared, immutable messages) and written one at a time; a viewer with more
// than 4 MiB queued is closed with 1008. A session keeps itself alive through its
// pending operations; the server holds only weak references (Impl::streams).
namespace aldis::admin::detail {

class StreamSession;

// Accepts the upgrade in `request` on `socket` and runs the stream; the session
// registers itself in impl->streams once the handshake is done.
void startStream(boost::asio::ip::tcp::socket socket,
                 boost::beast::http::request<boost::beast::http::string_body> request,
                 std::shared_ptr<AdminServer::Impl> impl);
// Queues `message` (any thread; posts to the session's strand).
void send(StreamSession& session, std::shared_ptr<const std::string> message);
// Closes with `code` once what is queued is written (any thread).
void close(StreamSession& session, boost::beast::websocket::close_code code);

} // namespace aldis::admin::detail
