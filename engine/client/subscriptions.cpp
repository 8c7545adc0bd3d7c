// SPDX-License-Identifier: Apache-2.0
#include "client/subscriptions.h"

#include "client/client_core.h"
#include "client/messages.h"

#include <boost/json.hpp>

#include <algorithm>

namespace aldis::client::detail {

namespace json = boost::json;

void Subscriptions::subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done)
{
    if (m_subs.count(channel))
        return done(makeError(ErrorCode::already_subscribed,
                              "already subscribed to \"" + channel +
                                  "\" (or a subscribe is on its way); unsubscribe first"));
    auto& sub = m_subs[channel];
    sub.generation = ++m_generations;
    sub.durable = options.durable;
    json::object fields;
    fields["channel"] = channel;
    if (options.since)
        fields["since"] = sinceJson(*options.since);
    if (!options.durable.empty())
        fields["durable"] = options.durable;
    const auto generation = sub.generation;
    auto onReply = [this, channel, generation, done = std::move(done)](Result<json::object> r) {
        auto it = m_subs.find(channel);
        const bool current = it != m_subs.end() && it->second.generation == generation;
        if (!r) {
            if (current)
                m_subs.erase(it);
            return done(std::move(r).error());
        }
        auto reply = subscribeReplyFrom(r.value());
        if (!current) {
            // unsubscribe() came first: end what the server just started.
            if (m_core.authedConnection())
                m_core.request("unsubscribe", json::object{{"channel", channel}}, [](Result<json::object>) {});
            return done(std::move(reply));
        }
        Sub& confirmed = it->second;
        confirmed.live = true;
        confirmed.onServer = true;
        confirmed.epoch = reply.epoch;
        // Live delivery starts after `offset`; a replay covers the `replayed` before it.
        confirmed.last = reply.recovered ? reply.offset - std::min(reply.offset, reply.replayed) : reply.offset;
        done(std::move(reply));
    };
    m_core.request("subscribe", std::move(fields), std::move(onReply));
}

void Subscriptions::unsubscribe(std::string channel, Callback<void> done)
{
    auto it = m_subs.find(channel);
    if (it == m_subs.end())
        return done(makeError(ErrorCode::not_subscribed, "not subscribed to \"" + channel + "\""));
    const bool onServer = it->second.onServer;
    m_subs.erase(it);
    if (!onServer || !m_core.authedConnection())
        return done(Result<void>()); // nothing on the server (a subscribe on its way is undone on arrival)
    m_core.request("unsubscribe", json::object{{"channel", channel}},
                   [done = std::move(done)](Result<json::object> r) {
                       // A lost connection ends the subscription as well.
                       if (!r && r.error().code != ErrorCode::unavailable)
                           return done(std::move(r).error());
                       done(Result<void>());
                   });
}

void Subscriptions::onPublication(const json::object& push)
{
    const auto channel = getString(push, "channel");
    auto it = m_subs.find(channel);
    if (it == m_subs.end() || !it->second.onServer)
        return; // unsubscribed meanwhile
    Sub& sub = it->second;
    const auto offset = getU64(push, "offset");
    if (offset <= sub.last)
        return; // seen already (a replay that overlaps what was delivered)
    const auto& handlers = m_core.handlers();
    if (offset > sub.last + 1 && handlers.gap)
        handlers.gap(channel, sub.last + 1, offset);
    sub.last = offset;
    if (handlers.publication)
        handlers.publication(publicationFrom(push));
}

void Subscriptions::resumeAll()
{
    for (auto& [channel, sub] : m_subs)
        if (sub.live)
            resubscribe(channel, sub);
}

void Subscriptions::connectionLost()
{
    for (auto& [channel, sub] : m_subs)
        sub.onServer = false;
}

void Subscriptions::resubscribe(const std::string& channel, Sub& sub)
{
    json::object fields;
    fields["channel"] = channel;
    // Offset 0 means "from the start, whatever the epoch": right when nothing was seen.
    fields["since"] = sinceJson(Since{sub.last, sub.epoch});
    if (!sub.durable.empty())
        fields["durable"] = sub.durable;
    const auto generation = sub.generation;
    m_core.request("subscribe", std::move(fields), [this, channel, generation](Result<json::object> r) {
        onResubscribed(channel, generation, std::move(r));
    });
}

void Subscriptions::onResubscribed(const std::string& channel, std::uint64_t generation,
                                   Result<json::object> result)
{
    auto it = m_subs.find(channel);
    const bool current = it != m_subs.end() && it->second.generation == generation;
    if (!result) {
        const auto connection = m_core.authedConnection();
        if (!current || !connection)
            return; // the connection is gone: the next one subscribes again
        Sub& sub = it->second;
        if (result.error().retryable && sub.retries < 10) {
            const auto delay = m_core.jitter(sub.retries++);
            m_core.after(delay, [this, channel, generation, connection] {
                auto again = m_subs.find(channel);
                if (again != m_subs.end() && again->second.generation == generation &&
                    m_core.authedConnection() == connection && !again->second.onServer)
                    resubscribe(channel, again->second);
            }, [] {});
            return;
        }
        return drop(channel, "could not subscribe again after a reconnect: " + result.error().message);
    }
    if (!current) {
        if (m_core.authedConnection())
            m_core.request("unsubscribe", json::object{{"channel", channel}}, [](Result<json::object>) {});
        return;
    }
    const auto reply = subscribeReplyFrom(result.value());
    Sub& sub = it->second;
    sub.onServer = true;
    sub.retries = 0;
    sub.epoch = reply.epoch;
    if (reply.recovered)
        return; // the replay (if any) follows; what overlaps `last` is dropped
    sub.last = reply.offset;
    if (m_core.handlers().resync)
        m_core.handlers().resync(channel);
}

void Subscriptions::drop(const std::string& channel, const std::string& reason)
{
    m_subs.erase(channel);
    const auto& handlers = m_core.handlers();
    if (!handlers.push)
        return;
    json::object push;
    push["push"] = "unsubscribed";
    push["channel"] = channel;
    push["reason"] = reason;
    handlers.push(push);
}

} // namespace aldis::client::detail
