// SPDX-License-Identifier: Apache-2.0
#include "support/protocol_fixture.h"

#include "support/protocol_checks.h"

#include <QTest>

#include <boost/json.hpp>

#include <csignal>

namespace aldis::test {

namespace json = boost::json;

void ProtocolFixture::startDaemon()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
    m_daemon = std::make_unique<DaemonProcess>();
    writeDaemonConfig(*m_daemon, QStringLiteral("connect_timeout = \"1500ms\""),
                      QString::fromUtf8(kProtocolNamespaces), QStringLiteral("leeway = \"1s\""));
    QVERIFY2(m_daemon->start(), m_daemon->output().constData());
    m_port = m_daemon->port();
    m_watcher = connected("watcher");
    m_publisher = connected("publisher");
    QVERIFY(m_watcher && m_publisher);
    QVERIFY(requestOk(*m_watcher, cmd("subscribe", {{"channel", "alive"}})));
    QVERIFY(nodeStillServes());
}

void ProtocolFixture::stopDaemon()
{
    m_watcher.reset();
    m_publisher.reset();
    if (m_daemon) {
        m_daemon->signal(SIGTERM);
        QCOMPARE(m_daemon->waitForExit(), 0);
    }
}

std::unique_ptr<WsTestClient> ProtocolFixture::connected(const std::string& sub, const QString& permissions,
                                                         json::object* connectOk)
{
    std::string error;
    auto client = WsTestClient::open(m_port, {}, &error);
    if (!client) {
        qWarning("cannot open a WebSocket: %s", error.c_str());
        return nullptr;
    }
    if (!requestOk(*client, cmd("connect", {{"token", token(sub, permissions)}}), connectOk))
        return nullptr;
    return client;
}

bool ProtocolFixture::nodeStillServes()
{
    json::object ok;
    const auto n = m_aliveOffset + 1;
    if (!requestOk(*m_publisher, cmd("publish", {{"channel", "alive"}, {"data", n}}), &ok))
        return false;
    if (num(ok, "offset") != n) {
        qWarning("alive: publish answered %s, expected offset %lld", toJson(ok).c_str(), static_cast<long long>(n));
        return false;
    }
    auto push = m_watcher->nextPush();
    if (!push || num(*push, "offset") != n || num(*push, "data") != n) {
        qWarning("alive: the watcher got %s", push ? toJson(*push).c_str() : m_watcher->lastError().c_str());
        return false;
    }
    m_aliveOffset = n;
    // And a new connection is accepted and authenticated.
    return connected("newcomer") != nullptr;
}

json::object since(std::int64_t offset, std::string_view epoch)
{
    return json::object{{"offset", offset}, {"epoch", epoch}};
}

} // namespace aldis::test
