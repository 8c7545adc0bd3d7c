// SPDX-License-Identifier: Apache-2.0
#pragma once

// Blocking clients for the end-to-end tests: a WebSocket client that speaks the Aldis
// protocol (PROTOCOL.md) against a daemon on loopback, and a small HTTP/1.1 client for
// /health, /ready, /metrics and POST /v1/publish.
//
// Every wait takes a timeout that is only a guard against a hung test: no test asserts
// on how long something took. Nothing here throws; failures come back as empty
// optionals, false, or an `error` text, so QtTest macros in the test decide.

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <QString>
#include <QTest>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aldis::test {

class DaemonProcess;

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr int kDefaultTimeoutMs = 10000;

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

// A bare TCP connection for byte-exact exchanges the WebSocket client cannot make, such
// as frames sent together with the upgrade request.
class RawTcpClient {
public:
    explicit RawTcpClient(std::uint16_t port);
    ~RawTcpClient();
    RawTcpClient(const RawTcpClient&) = delete;
    RawTcpClient& operator=(const RawTcpClient&) = delete;

    bool isConnected() const;
    bool write(std::string_view bytes, int timeoutMs = kDefaultTimeoutMs);
    // Reads until `enough(everything read so far)` holds, the peer closes or the guard
    // timeout expires; returns everything read so far.
    std::string readUntil(const std::function<bool(const std::string&)>& enough, int timeoutMs = kDefaultTimeoutMs);

    // The upgrade request for /v1/ws on this port.
    std::string upgradeRequest(const Headers& headers = {}) const;

    struct Frame {
        unsigned opcode = 0;
        std::string payload;
    };
    // Unmasked server frames in `bytes` (after the HTTP response); stops at an
    // incomplete frame.
    static std::vector<Frame> serverFrames(std::string_view bytes);

private:
    struct State;
    std::unique_ptr<State> m;
};

// A plain HTTP/1.1 response.
struct HttpResponse {
    int status = 0;                 // 0: no response (see error)
    std::string body;
    std::map<std::string, std::string> headers; // names in lower case
    std::string error;
};

// An HTTP/1.1 connection that is kept alive across requests (so a request can be sent
// on it after the listener stopped accepting, e.g. /ready while draining).
class HttpTestClient {
public:
    explicit HttpTestClient(std::uint16_t port);
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient&) = delete;
    HttpTestClient& operator=(const HttpTestClient&) = delete;

    HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                         const Headers& headers = {}, int timeoutMs = kDefaultTimeoutMs);
    bool isOpen() const;

private:
    struct State;
    std::unique_ptr<State> m;
};

// One request on a fresh connection.
HttpResponse httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = {}, const Headers& headers = {},
                         int timeoutMs = kDefaultTimeoutMs);

// POST /v1/publish with the daemon's API key.
HttpResponse httpPublish(std::uint16_t port, const boost::json::object& body);

// The value of an unlabelled Prometheus sample ("name value"), or of a labelled one
// when `name` includes the labels (`aldis_auth_failures_total{reason="signature"}`).
std::optional<double> metricValue(const std::string& metricsText, const std::string& name);

// ---- Small checks for QtTest functions. They print what they found with qWarning()
// and return false (or a descriptive string), so a test writes
// QVERIFY(requestOk(...)) or QCOMPARE(errorOf(...), QString("not_subscribed")).

// A JSON integer as int64 (-1 when it is not an integer).
std::int64_t num(const boost::json::value* v);
std::int64_t num(const boost::json::object& o, std::string_view key);
// A JSON string member ("<absent>" or "<not a string>" otherwise).
std::string str(const boost::json::object& o, std::string_view key);
std::string toJson(const boost::json::object& o);

// Sends `command` and checks the reply has "ok" (an object), copied to `ok`.
bool requestOk(WsTestClient& client, boost::json::object command, boost::json::object* ok = nullptr);
// Sends `command` and returns the error code of its reply, "<ok>" when it succeeded,
// or "<no reply: why>".
QString errorOf(WsTestClient& client, boost::json::object command);
// The error code of a reply already received, "<ok>" or "<no reply>".
QString errorOf(const std::optional<boost::json::object>& reply);
// The next push is {"push":"disconnect","code":code,...} (with `reconnect` when given)
// and the server then closes with `code`.
bool expectDisconnect(WsTestClient& client, int code, std::optional<bool> reconnect = std::nullopt,
                      int timeoutMs = kDefaultTimeoutMs);
// Reads `count` pushes (of any kind), fewer when the guard timeout expires.
std::vector<boost::json::object> collectPushes(WsTestClient& client, std::size_t count,
                                               int timeoutMs = kDefaultTimeoutMs);
// Checks `pushes` are pub pushes of `channel` with offsets first, first+1, ...
bool consecutivePubs(const std::vector<boost::json::object>& pushes, std::string_view channel,
                     std::int64_t first, std::size_t count);
// A round trip (ping) after which nothing else is queued: proves that no push was sent
// before it (pushes and replies are written in order on one connection).
bool nothingQueued(WsTestClient& client);

// base64url without padding, as in JWTs.
std::string base64Url(std::string_view bytes);

// A complete daemon config like DaemonProcess writes, with extra settings in the
// [client] and [auth] tables (which DaemonProcess's `extraToml` cannot reach: a TOML
// table may not be opened twice) and `extraToml` (namespaces, [store]) appended.
// Uses the daemon's data folder and, once it has started, its port.
// A command object {"op": op, fields...}; request() adds the id.
boost::json::object cmd(std::string_view op,
                        std::initializer_list<std::pair<boost::json::string_view, boost::json::value_ref>> fields = {});
// A token for `sub` signed with DaemonProcess's key, with a permissions claim if given.
std::string token(const std::string& sub, const QString& permissionsJson = {});
// A WebSocket to the daemon on `port`, authenticated as `sub` with connect; nullptr
// (and a warning saying why) when that fails.
std::unique_ptr<WsTestClient> connected(std::uint16_t port, const std::string& sub, const Headers& headers = {},
                                        int receiveBufferBytes = 0);
// One value from the daemon's /metrics.
std::optional<double> metric(std::uint16_t port, const std::string& name);

void writeDaemonConfig(DaemonProcess& daemon, const QString& clientToml, const QString& extraToml,
                       const QString& authToml = {});

} // namespace aldis::test

// QCOMPARE prints these types' values when they differ.
namespace QTest {
template <>
inline char* toString<std::string>(const std::string& s)
{
    return qstrdup(s.c_str());
}
template <>
inline char* toString<boost::json::value>(const boost::json::value& v)
{
    return qstrdup(boost::json::serialize(v).c_str());
}
template <>
inline char* toString<boost::json::object>(const boost::json::object& o)
{
    return qstrdup(boost::json::serialize(o).c_str());
}
} // namespace QTest
