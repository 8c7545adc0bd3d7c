// SPDX-License-Identifier: Apache-2.0
#pragma once

// Many raw TCP connections to the daemon at once, for load tests: slowloris (requests
// sent a byte at a time) and connection floods (an upgrade request and the first frames
// sent in one go). One background thread drives them all, so a connection costs the
// test a socket, not a thread.

#include "support/test_client_common.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aldis::test {

// Threads: the sockets live on a private io_context run by one background thread; the
// public methods may be called from any thread (they post to it and wait). A close
// frame from the node is answered with a masked close frame carrying the same code, as
// a well-behaved client does. Nothing here throws; every wait takes a guard timeout
// only (no test asserts on how long something took).
class SocketSwarm {
public:
    // What one connection sends once connected.
    struct Plan {
        std::string bytes;
        // Zero: everything at once. Otherwise the first `atOnce` bytes at once, then
        // one byte every `drip` (the connections' first drips are spread over one
        // interval, so the node sees a steady trickle).
        std::chrono::milliseconds drip{0};
        std::size_t atOnce = 0;
    };

    // What happened to one connection.
    struct Connection {
        bool connected = false;           // the TCP connect succeeded
        std::string connectError;         // why not
        std::size_t sent = 0;             // bytes of its plan written
        bool sentAll = false;
        std::string received;             // what the node sent (the first 64 KiB)
        bool upgraded = false;            // `received` starts with an HTTP 101
        std::vector<std::string> texts;   // text frames after the 101 (the first 16)
        int closeCode = 0;                // from the node's close frame; 0: none
        bool ended = false;               // the node ended the TCP connection (EOF or reset)
        std::string endReason;            // the read error that ended it
        std::chrono::milliseconds endedAfter{0}; // from the connect to the end
    };

    struct Summary {
        std::size_t total = 0;
        std::size_t connected = 0;
        std::size_t connectFailed = 0;
        std::size_t sentAll = 0;
        std::size_t upgraded = 0;
        std::size_t ended = 0;
        std::map<int, std::size_t> closeCodes; // close code -> connections that got it
        std::size_t open() const { return connected - ended; }
        std::size_t withCloseCode(int code) const
        {
            auto it = closeCodes.find(code);
            return it == closeCodes.end() ? 0 : it->second;
        }
    };

    explicit SocketSwarm(std::uint16_t port);
    ~SocketSwarm();
    SocketSwarm(const SocketSwarm&) = delete;
    SocketSwarm& operator=(const SocketSwarm&) = delete;

    // Starts `count` more connections; plan(i) is what the i-th of them sends. Returns
    // at once: the connects go on in the background (see waitFor()).
    void open(std::size_t count, const std::function<Plan(std::size_t)>& plan);

    Summary summary() const;
    std::vector<Connection> connections() const;
    // Polls summary() until `done` holds or the guard timeout expires; returns the last
    // summary (the caller checks it).
    Summary waitFor(const std::function<bool(const Summary&)>& done, int timeoutMs = kDefaultTimeoutMs) const;
    // Closes every connection from this side: the flood goes away.
    void closeAll();

    struct State;

private:
    std::shared_ptr<State> m;
};

// "GET /v1/ws" with the upgrade headers for `port`, as RawTcpClient::upgradeRequest.
std::string upgradeRequestFor(std::uint16_t port, const Headers& headers = {});

} // namespace aldis::test
