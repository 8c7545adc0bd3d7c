// SPDX-License-Identifier: Apache-2.0
#include "support/protocol_checks.h"

#include "support/ws_test_client.h"

#include <QtGlobal>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

namespace aldis::test {

namespace json = boost::json;

std::int64_t num(const json::value* v)
{
    if (!v)
        return -1;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64())
        return static_cast<std::int64_t>(v->get_uint64());
    return -1;
}

std::int64_t num(const json::object& o, std::string_view key)
{
    return num(o.if_contains(key));
}

std::string str(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v)
        return "<absent>";
    if (!v->is_string())
        return "<not a string>";
    return std::string(v->get_string());
}

std::string toJson(const json::object& o)
{
    return json::serialize(o);
}

bool requestOk(WsTestClient& client, json::object command, json::object* ok)
{
    const auto sent = json::serialize(command);
    auto reply = client.request(std::move(command));
    if (!reply) {
        qWarning("no reply to %s: %s", sent.c_str(), client.lastError().c_str());
        return false;
    }
    const auto* v = reply->if_contains("ok");
    if (!v || !v->is_object()) {
        qWarning("%s was answered with %s", sent.c_str(), json::serialize(*reply).c_str());
        return false;
    }
    if (ok)
        *ok = v->get_object();
    return true;
}

QString errorOf(const std::optional<json::object>& reply)
{
    if (!reply)
        return QStringLiteral("<no reply>");
    if (reply->contains("ok"))
        return QStringLiteral("<ok>");
    const auto* e = reply->if_contains("error");
    if (!e || !e->is_object())
        return QString::fromStdString("<not a reply: " + json::serialize(*reply) + ">");
    const auto& err = e->get_object();
    const auto* message = err.if_contains("message");
    if (!message || !message->is_string() || message->get_string().empty())
        return QString::fromStdString("<error without a message: " + json::serialize(*reply) + ">");
    return QString::fromStdString(str(err, "code"));
}

QString errorOf(WsTestClient& client, json::object command)
{
    auto reply = client.request(std::move(command));
    if (!reply)
        return QString::fromStdString("<no reply: " + client.lastError() + ">");
    return errorOf(reply);
}

bool expectDisconnect(WsTestClient& client, int code, std::optional<bool> reconnect, int timeoutMs)
{
    auto push = client.nextPush(timeoutMs);
    if (!push) {
        qWarning("no disconnect push: %s (close code %d)", client.lastError().c_str(), client.closeCode());
        return false;
    }
    if (str(*push, "push") != "disconnect" || num(*push, "code") != code || !push->contains("reason") ||
        !push->at("reason").is_string() || !push->contains("reconnect") || !push->at("reconnect").is_bool()) {
        qWarning("expected a disconnect push with code %d, got %s", code, json::serialize(*push).c_str());
        return false;
    }
    if (reconnect && push->at("reconnect").get_bool() != *reconnect) {
        qWarning("expected reconnect %s in %s", *reconnect ? "true" : "false", json::serialize(*push).c_str());
        return false;
    }
    auto closed = client.waitClosed(timeoutMs);
    if (!closed) {
        qWarning("the server did not close after the disconnect push");
        return false;
    }
    if (*closed != code) {
        qWarning("close code %d (%s), expected %d", *closed, client.closeReason().c_str(), code);
        return false;
    }
    return true;
}

std::vector<json::object> collectPushes(WsTestClient& client, std::size_t count, int timeoutMs)
{
    std::vector<json::object> out;
    out.reserve(count);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (out.size() < count) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto push = client.nextPush(static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
        if (!push) {
            qWarning("got %zu of %zu pushes: %s", out.size(), count, client.lastError().c_str());
            break;
        }
        out.push_back(std::move(*push));
    }
    return out;
}

bool consecutivePubs(const std::vector<json::object>& pushes, std::string_view channel, std::int64_t first,
                     std::size_t count)
{
    if (pushes.size() != count) {
        qWarning("%zu pushes, expected %zu", pushes.size(), count);
        return false;
    }
    for (std::size_t i = 0; i < pushes.size(); ++i) {
        const auto& p = pushes[i];
        if (str(p, "push") != "pub" || str(p, "channel") != channel ||
            num(p, "offset") != first + static_cast<std::int64_t>(i)) {
            qWarning("push %zu is %s; expected the pub of %.*s at offset %lld", i, json::serialize(p).c_str(),
                     static_cast<int>(channel.size()), channel.data(),
                     static_cast<long long>(first + static_cast<std::int64_t>(i)));
            return false;
        }
    }
    return true;
}

bool nothingQueued(WsTestClient& client)
{
    if (!requestOk(client, json::object{{"op", "ping"}}))
        return false;
    auto rest = client.takeAll();
    if (!rest.empty()) {
        qWarning("unexpected messages: %s%s", json::serialize(rest.front()).c_str(),
                 rest.size() > 1 ? " ..." : "");
        return false;
    }
    return true;
}

} // namespace aldis::test
