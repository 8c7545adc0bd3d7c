// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/config.h"
#include "security/jwt.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace boost::asio::ssl { class context; }
namespace aldis::broker { class Broker; }
namespace aldis::observability { struct Metrics; }

namespace aldis::gateway {

class Session;
class SseStream;

// One entry of the registry of client connections: a WebSocket session or an SSE
// stream (GET /v1/sse). lock() gives the session, and null for an SSE stream, so the
// code that lists WebSocket sessions (the admin API's connections) reads the registry
// as before; the drain and a reload's revalidation reach both kinds.
struct RegisteredClient {
    RegisteredClient(std::weak_ptr<Session> s) : session(std::move(s)) {}
    RegisteredClient(std::weak_ptr<SseStream> s) : sseStream(std::move(s)) {}
    std::shared_ptr<Session> lock() const { return session.lock(); }

    std::weak_ptr<Session> session;
    std::weak_ptr<SseStream> sseStream;
};

// What every connection of a listener shares: the broker, the metrics, the current
// configuration and verifier (swapped whole on reload), and the registry of open
// sessions and SSE streams (used to drain). Owned by the Server; outlives its
// sessions' strands.
struct ServerContext {
    broker::Broker& broker;
    observability::Metrics& metrics;
    std::string nodeId;
    std::string region;

    std::atomic<std::shared_ptr<const config::Config>> config;
    std::atomic<std::shared_ptr<const security::JwtVerifier>> verifier;
    // Set when client.tls_cert_file is: every connection starts with a TLS handshake
    // under the context current at its accept (a reload swaps it for new ones).
    std::atomic<std::shared_ptr<boost::asio::ssl::context>> tls;
    std::atomic<bool> ready{false};
    std::atomic<bool> draining{false};
    std::atomic<std::uint64_t> nextClientId{1};
    // WebSocket connections and SSE streams admitted and not yet gone. The upgrade
    // (and GET /v1/sse) checks and takes a slot in one step, so a burst of upgrades
    // cannot pass client.max_connections together (the aldis_connections gauge counts
    // a session only once its 101 is written); ~Session and ~SseStream give it back,
    // or the upgrade when its 101 cannot be written.
    std::atomic<std::int64_t> admitted{0};
    // HTTP connections not (yet) upgraded: client.max_http_connections.
    std::atomic<std::int64_t> httpConnections{0};

    // Open sessions and SSE streams by client id (they share the id sequence). The
    // mutex guards only registration and the drain walk, never the message path.
    std::mutex sessionsMutex;
    std::unordered_map<std::uint64_t, RegisteredClient> sessions;

    ServerContext(broker::Broker& b, observability::Metrics& m) : broker(b), metrics(m) {}
};

} // namespace aldis::gateway
