// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/admin_server.h"

#include <boost/asio/ip/tcp.hpp>

#include <memory>

// The admin API's HTTP side (docs/admin-api.md, "REST"): checks the bearer token,
// routes REST requests to the server's answers and actions, and hands an upgrade at
// /v1/admin/stream to a stream session. One connection per accepted socket, on the
// socket's strand, keep-alive with a 30 s idle timeout and 64 KiB bodies.
namespace aldis::admin::detail {

void serveHttp(boost::asio::ip::tcp::socket socket, std::shared_ptr<AdminServer::Impl> impl);

} // namespace aldis::admin::detail
