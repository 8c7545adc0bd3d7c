// SPDX-License-Identifier: Apache-2.0
#pragma once

// A blocking WebSocket client that speaks the Aldis protocol (PROTOCOL.md) against a
// daemon on loopback, and helpers to configure the daemon and open authenticated
// connections.
//
// Every wait takes a timeout that is only a guard against a hung test: no test asserts
// on how long something took. Nothing here throws; failures come back as empty
// optionals, false, or an `error` text, so QtTest macros in the test decide.
//
// The other test clients and the checks are in their own headers, included here so a
// suite that includes this one has them all: raw_tcp_client.h, http_test_client.h,
// protocol_checks.h and test_tokens.h.

#include "support/http_test_client.h"
#include "support/protocol_checks.h"
#include "support/raw_tcp_client.h"
#include "support/test_client_common.h"
#include "support/test_tokens.h"

#include <boost/json/object.hpp>
#include <boost/json/value_ref.hpp>

#include <QString>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aldis::test {

class DaemonProcess;

// A WebSocket connection to `/v1/ws`.
//
// Threads: the Beast stream lives on a private io_context run by one background
// thread. Reads, writes and raw socket writes are all performed there, so reading,
// writing and the automatic pong/close replies never race (a synchronous Beast stream
// read from one thread while another writes is not safe). The public methods may be
// called from any thread; several threads may send on one client.
//
// Every message the server sends is parsed and queued in arrival order (a frame that
// is not a JSON object is queued as {"__raw": text}). request() picks the reply with
// its id out of the queue and leaves pushes and other replies queued in order.
class WsTestClient {
public:
    struct Options {
        Headers headers;                // e.g. {"Authorization", "Bearer ..."}, {"Origin", ...}
        std::string target = "/v1/ws";
        int receiveBufferBytes = 0;     // SO_RCVBUF before connecting; 0 keeps the system's
        int timeoutMs = kDefaultTimeoutMs;
    };

    // Connects and upgrades. On failure returns null; `httpError` gets a description
    // and `httpStatus` the HTTP status when the server refused the upgrade (0 when it
    // did not answer with HTTP at all).
    static std::unique_ptr<WsTestClient> open(std::uint16_t port, Headers headers = {},
                                              std::string* httpError = nullptr, int* httpStatus = nullptr);
    static std::unique_ptr<WsTestClient> openWith(std::uint16_t port, const Options& options,
                                                  std::string* httpError = nullptr, int* httpStatus = nullptr);
    ~WsTestClient();
    WsTestClient(const WsTestClient&) = delete;
    WsTestClient& operator=(const WsTestClient&) = delete;

    // Sending. Each returns once the bytes are written (false on error or timeout).
    bool sendText(std::string_view text);
    bool sendBinary(std::string_view bytes);
    bool send(const boost::json::object& command);
    // Bytes written as they are on the TCP socket, bypassing the WebSocket layer: for
    // malformed frames (see clientFrame()).
    bool sendRaw(std::string_view bytes);

    // A client-to-server frame built by hand: `opcode` 0x1 text, 0x2 binary, 0x0
    // continuation, 0x8 close, 0x9 ping; masked unless `masked` is false; `rsv` are the
    // three reserved bits (0..7).
    static std::string clientFrame(unsigned opcode, std::string_view payload, bool fin = true,
                                   bool masked = true, unsigned rsv = 0);

    // Receiving.
    std::uint64_t nextId();
    // The oldest queued message of any kind.
    std::optional<boost::json::object> next(int timeoutMs = kDefaultTimeoutMs);
    // The oldest queued push (a message with "push"); replies stay queued.
    std::optional<boost::json::object> nextPush(int timeoutMs = kDefaultTimeoutMs);
    // The reply with this id (the first such message), wherever it is in the queue.
    std::optional<boost::json::object> reply(std::uint64_t id, int timeoutMs = kDefaultTimeoutMs);
    // Gives `command` an "id" when it has none, sends it and waits for its reply.
    std::optional<boost::json::object> request(boost::json::object command, int timeoutMs = kDefaultTimeoutMs);
    // {"op":"connect","token":token} through request().
    std::optional<boost::json::object> connect(const std::string& token, int timeoutMs = kDefaultTimeoutMs);
    std::optional<boost::json::object> connect(const QString& token, int timeoutMs = kDefaultTimeoutMs);
    std::size_t queued() const;
    // Removes and returns everything queued now.
    std::vector<boost::json::object> takeAll();

    // The server's close: the close code from its close frame, or 1006 when the TCP
    // connection ended without one. Empty when still open after `timeoutMs`.
    std::optional<int> waitClosed(int timeoutMs = kDefaultTimeoutMs);
    bool isClosed() const;
    int closeCode() const;
    std::string closeReason() const;
    // Client-initiated close handshake (code 1000); returns when it is done.
    bool close(int timeoutMs = kDefaultTimeoutMs);
    // Drops the TCP connection without a close frame.
    void abort();

    // Stops reading from the socket once the read in progress has completed (that is,
    // after the next message arrives), so the kernel buffers fill and the server's
    // writes stall (slow-consumer tests); resume reads again. The read in progress
    // still answers pings; once it completed, no ping is answered until resumed.
    void pauseReading();
    void resumeReading();

    // Why the last call failed (timeout, closed, write error, ...).
    std::string lastError() const;

    struct State;

private:
    explicit WsTestClient(std::shared_ptr<State> state);
    bool write(int kind, std::string_view bytes);
    std::shared_ptr<State> m;
};

// A command object {"op": op, fields...}; request() adds the id.
boost::json::object cmd(std::string_view op,
                        std::initializer_list<std::pair<boost::json::string_view, boost::json::value_ref>> fields = {});
// A token for `sub` signed with DaemonProcess's key, with a permissions claim if given.
std::string token(const std::string& sub, const QString& permissionsJson = {});
// A WebSocket to the daemon on `port`, authenticated as `sub` with connect; nullptr
// (and a warning saying why) when that fails.
std::unique_ptr<WsTestClient> connected(std::uint16_t port, const std::string& sub, const Headers& headers = {},
                                        int receiveBufferBytes = 0);
// A complete daemon config like DaemonProcess writes, with extra settings in the
// [client] and [auth] tables (which DaemonProcess's `extraToml` cannot reach: a TOML
// table may not be opened twice) and `extraToml` (namespaces, [store]) appended.
// Uses the daemon's data folder and, once it has started, its port.
void writeDaemonConfig(DaemonProcess& daemon, const QString& clientToml, const QString& extraToml,
                       const QString& authToml = {});

} // namespace aldis::test
