// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small checks for QtTest functions on replies and pushes of the Aldis protocol
// (PROTOCOL.md). They print what they found with qWarning() and return false (or a
// descriptive string), so a test writes QVERIFY(requestOk(...)) or
// QCOMPARE(errorOf(...), QString("not_subscribed")).

#include "support/test_client_common.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <QString>
#include <QTest>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::test {

class WsTestClient;

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
