// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <memory>

namespace aldis::gateway {

// A client connection under TLS. The TCP layer is a beast::tcp_stream so that the
// handshake and the HTTP request share the handshake_timeout.
using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

// The client listener's TLS settings as OpenSSL sees them: the certificate chain and
// key read from client.tls_cert_file / tls_key_file, TLS 1.3 only or 1.2 and 1.3
// (client.tls_min_version), no renegotiation, the server's cipher order.
//
// Connections keep the context they were accepted with (a shared_ptr), so a reload
// swaps in a new one for the next connections while open ones go on.
//
// Fails with a message naming the file and OpenSSL's reason (a missing file, a key
// that does not match the certificate, ...).
Result<std::shared_ptr<boost::asio::ssl::context>> makeTlsContext(const config::ClientListenerConfig& client);

} // namespace aldis::gateway
