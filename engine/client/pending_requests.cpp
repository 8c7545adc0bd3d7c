// SPDX-License-Identifier: Apache-2.0
#include "client/pending_requests.h"

#include "client/messages.h"

#include <boost/json.hpp>

namespace aldis::client::detail {

namespace asio = boost::asio;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

PendingRequests::PendingRequests(const Strand& strand, std::chrono::milliseconds timeout)
    : m_strand(strand), m_timeout(timeout), m_sweepTimer(strand)
{
}

PendingRequests::Request& PendingRequests::add(std::string_view op, json::object fields, Done done)
{
    json::object cmd;
    const auto id = nextId();
    cmd["id"] = id;
    cmd["op"] = op;
    for (auto& field : fields)
        cmd[field.key()] = std::move(field.value());
    Request req{json::serialize(cmd), SteadyClock::now() + m_timeout, std::move(done), 0};
    return m_requests.emplace(id, std::move(req)).first->second;
}

std::vector<std::string> PendingRequests::takeQueued(std::uint64_t connection)
{
    std::vector<std::string> frames;
    for (auto& [id, req] : m_requests) {
        if (req.sentOn != 0)
            continue;
        req.sentOn = connection;
        frames.push_back(std::move(req.frame));
    }
    return frames;
}

void PendingRequests::answer(std::uint64_t id, const json::object& reply)
{
    auto it = m_requests.find(id);
    if (it == m_requests.end())
        return; // timed out already
    auto done = std::move(it->second.done);
    m_requests.erase(it);
    if (const auto* err = reply.if_contains("error"); err && err->is_object()) {
        const auto code = codeFromString(getString(err->get_object(), "code"));
        return done(makeError(code, getString(err->get_object(), "message"), retryableCode(code)));
    }
    if (const auto* ok = reply.if_contains("ok"); ok && ok->is_object())
        return done(ok->get_object());
    done(makeError(ErrorCode::internal, "the server's reply has neither ok nor error"));
}

void PendingRequests::failSent(std::uint64_t connection, const std::string& why)
{
    std::vector<std::uint64_t> ids;
    for (const auto& [id, req] : m_requests)
        if (req.sentOn == connection)
            ids.push_back(id);
    for (auto id : ids) {
        auto node = m_requests.extract(id);
        if (!node.empty())
            node.mapped().done(unavailable("the connection was lost before the reply (" + why +
                                           "); the server may or may not have run the command"));
    }
}

void PendingRequests::failAll(const Error& error)
{
    while (!m_requests.empty()) {
        auto node = m_requests.extract(m_requests.begin());
        node.mapped().done(error);
    }
    while (!m_delayed.empty()) {
        auto node = m_delayed.extract(m_delayed.begin());
        node.mapped().timer->cancel();
        node.mapped().abort();
    }
}

void PendingRequests::armSweep()
{
    if (m_sweepArmed || m_requests.empty() || m_sweepStopped)
        return;
    m_sweepArmed = true;
    m_sweepTimer.expires_at(m_requests.begin()->second.deadline);
    m_sweepTimer.async_wait([this](boost::system::error_code ec) {
        m_sweepArmed = false;
        if (!ec)
            sweep();
    });
}

void PendingRequests::stopSweep()
{
    m_sweepStopped = true;
    m_sweepTimer.cancel();
}

void PendingRequests::sweep()
{
    // Every request has the same timeout, so ids are in deadline order.
    const auto now = SteadyClock::now();
    while (!m_requests.empty() && m_requests.begin()->second.deadline <= now) {
        auto node = m_requests.extract(m_requests.begin());
        node.mapped().done(unavailable(
            std::string(node.mapped().sentOn ? "no reply" : "no connection to send the command on") + " within " +
            std::to_string(m_timeout.count()) + " ms (requestTimeout)"));
    }
    armSweep();
}

void PendingRequests::after(std::chrono::milliseconds delay, std::function<void()> run, std::function<void()> abort)
{
    const auto id = ++m_nextDelayed;
    auto timer = std::make_shared<asio::steady_timer>(m_strand, delay);
    m_delayed.emplace(id, Delayed{timer, std::move(abort)});
    timer->async_wait([this, id, run = std::move(run)](boost::system::error_code) {
        auto node = m_delayed.extract(id);
        if (node.empty())
            return; // aborted
        run();
    });
}

PendingRequests::Done toVoid(Callback<void> done)
{
    return [done = std::move(done)](Result<json::object> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    };
}

} // namespace aldis::client::detail
