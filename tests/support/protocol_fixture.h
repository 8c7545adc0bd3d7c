// SPDX-License-Identifier: Apache-2.0
#pragma once

// The daemon the client-protocol suites (tst_auth, tst_commands, tst_ordering) run
// against, so each suite starts the same node and none repeats its setup.

#include "support/test_support.h"
#include "support/ws_test_client.h"

#include <boost/json/object.hpp>

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace aldis::test {

// The daemon's namespaces: what each test relies on.
inline constexpr const char* kProtocolNamespaces = R"(
[namespaces.default]
[namespaces.chat]
join_leave = true
[namespaces.feed]
client_publish = false
[namespaces.eph]
durable = false
history_size = 100
[namespaces.nopres]
presence = false
[namespaces.small]
max_message_bytes = 64
[namespaces.short]
history_size = 5
[store]
synchronous = "normal"
)";

// One `aldis --daemon` subprocess with kProtocolNamespaces, client.connect_timeout
// 1.5 s and auth.leeway 1 s, serving a whole QtTest class; every test uses its own
// channels. Two long-lived connections (a watcher subscribed to "alive" and a
// publisher, m_publisher, which tests may use too) prove after a test that the node
// still serves.
//
// A suite derives from QObject first and from this class, and calls startDaemon() from
// initTestCase() and stopDaemon() from cleanupTestCase(). Used from the test's thread
// only; the suite object owns the daemon and both connections.
class ProtocolFixture {
protected:
    // QVERIFY inside: a failure here fails the calling initTestCase() or
    // cleanupTestCase().
    void startDaemon();
    void stopDaemon();

    // A connection authenticated as `sub`; `connectOk` gets the connect reply's "ok".
    std::unique_ptr<WsTestClient> connected(const std::string& sub, const QString& permissions = {},
                                            boost::json::object* connectOk = nullptr);
    // The node still serves: a publication goes from one long-lived client to another,
    // and a new connection is accepted and authenticated.
    bool nodeStillServes();

    std::uint16_t m_port = 0;
    std::unique_ptr<WsTestClient> m_publisher;

private:
    std::unique_ptr<DaemonProcess> m_daemon;
    std::unique_ptr<WsTestClient> m_watcher;    // subscribed to "alive"
    std::int64_t m_aliveOffset = 0;
};

// The `since` member of subscribe and history: {"offset": offset, "epoch": epoch}.
boost::json::object since(std::int64_t offset, std::string_view epoch);

} // namespace aldis::test
