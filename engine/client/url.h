// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace aldis::client::detail {

// One of ClientOptions::urls, split for the resolver and the WebSocket handshake.
// Parsed once, in the Client's constructor; read-only afterwards.
struct Url {
    std::string text;
    std::string host;      // for the resolver (no brackets)
    std::string port;
    std::string hostHeader;
    std::string path;
};

// "ws://host[:port][/path]"; IPv6 hosts in brackets; the port defaults to 80.
// Throws std::invalid_argument with a message that says what to change (wss:// is
// refused: this client has no TLS yet).
Url parseUrl(const std::string& text);

} // namespace aldis::client::detail
