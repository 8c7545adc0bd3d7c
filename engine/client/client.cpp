// SPDX-License-Identifier: Apache-2.0
#include "client/client.h"

#include "client/client_core.h"
#include "client/messages.h"
#include "client/pending_requests.h"

#include <boost/json.hpp>

#include <algorithm>

// The public Client: each method posts its work to the ClientCore's strand (see
// client_core.h) and, when the client is stopped, fails at once on the calling thread.
namespace aldis::client {

namespace json = boost::json;
using detail::getI64;
using detail::getString;
using detail::getU64;
using detail::kMaxKeyBytes;
using detail::publicationFrom;
using detail::sinceJson;
using detail::toVoid;

std::string_view toString(State state) noexcept
{
    switch (state) {
    case State::disconnected: return "disconnected";
    case State::connecting: return "connecting";
    case State::connected: return "connected";
    case State::closed: return "closed";
    }
    return "closed";
}

namespace {

template <typename T>
std::pair<Callback<T>, std::future<Result<T>>> promised()
{
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    return {[promise](Result<T> result) { promise->set_value(std::move(result)); }, std::move(future)};
}

Error stoppedError()
{
    return detail::unavailable("the client is stopped", false);
}

} // namespace

Client::Client(ClientOptions options) : m_impl(std::make_unique<detail::ClientCore>(std::move(options))) {}

Client::~Client() = default;

void Client::start() { m_impl->start(); }
void Client::stop() { m_impl->stop(); }
State Client::state() const noexcept { return m_impl->state(); }

void Client::onStateChanged(std::function<void(State)> handler)
{
    m_impl->setHandler(&detail::Handlers::state, std::move(handler));
}

void Client::onConnected(std::function<void(const ConnectInfo&)> handler)
{
    m_impl->setHandler(&detail::Handlers::connected, std::move(handler));
}

void Client::onDisconnected(std::function<void(const DisconnectInfo&)> handler)
{
    m_impl->setHandler(&detail::Handlers::disconnected, std::move(handler));
}

void Client::onPublication(std::function<void(const Publication&)> handler)
{
    m_impl->setHandler(&detail::Handlers::publication, std::move(handler));
}

void Client::onPush(std::function<void(const boost::json::object&)> handler)
{
    m_impl->setHandler(&detail::Handlers::push, std::move(handler));
}

void Client::onResyncNeeded(std::function<void(const std::string&)> handler)
{
    m_impl->setHandler(&detail::Handlers::resync, std::move(handler));
}

void Client::onGap(std::function<void(const std::string&, std::uint64_t, std::uint64_t)> handler)
{
    m_impl->setHandler(&detail::Handlers::gap, std::move(handler));
}

void Client::onError(std::function<void(const Error&)> handler)
{
    m_impl->setHandler(&detail::Handlers::error, std::move(handler));
}

void Client::subscribe(std::string channel, SubscribeOptions options, Callback<SubscribeReply> done)
{
    auto shared = std::make_shared<Callback<SubscribeReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), options = std::move(options),
                       shared]() mutable {
            impl->subscriptions().subscribe(std::move(channel), std::move(options), std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<SubscribeReply>> Client::subscribe(std::string channel, SubscribeOptions options)
{
    auto [done, future] = promised<SubscribeReply>();
    subscribe(std::move(channel), std::move(options), std::move(done));
    return std::move(future);
}

void Client::unsubscribe(std::string channel, Callback<void> done)
{
    auto shared = std::make_shared<Callback<void>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), shared]() mutable {
            impl->subscriptions().unsubscribe(std::move(channel), std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<void>> Client::unsubscribe(std::string channel)
{
    auto [done, future] = promised<void>();
    unsubscribe(std::move(channel), std::move(done));
    return std::move(future);
}

void Client::publish(std::string channel, std::string dataJson, std::string key, Callback<PublishReply> done)
{
    auto shared = std::make_shared<Callback<PublishReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), dataJson = std::move(dataJson),
                       key = std::move(key), shared]() mutable {
            impl->publish(std::move(channel), std::move(dataJson), std::move(key), std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<PublishReply>> Client::publish(std::string channel, std::string dataJson, std::string key)
{
    auto [done, future] = promised<PublishReply>();
    publish(std::move(channel), std::move(dataJson), std::move(key), std::move(done));
    return std::move(future);
}

void Client::publishWithRetry(std::string channel, std::string dataJson, std::string key, unsigned attempts,
                              Callback<PublishReply> done)
{
    auto shared = std::make_shared<Callback<PublishReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), dataJson = std::move(dataJson),
                       key = std::move(key), attempts, shared]() mutable {
            if (key.empty() || key.size() > kMaxKeyBytes)
                return (*shared)(makeError(ErrorCode::bad_request,
                                           "publishWithRetry needs an idempotency key of 1 to 128 characters: "
                                           "without one a retry could publish twice"));
            boost::system::error_code ec;
            auto data = json::parse(dataJson, ec);
            if (ec)
                return (*shared)(
                    makeError(ErrorCode::bad_request, "publish data is not valid JSON (" + ec.message() + ")"));
            impl->publishWithRetry(std::move(channel), std::make_shared<const json::value>(std::move(data)),
                                   std::move(key), std::max(1u, attempts), 0, std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<PublishReply>> Client::publishWithRetry(std::string channel, std::string dataJson, std::string key,
                                                           unsigned attempts)
{
    auto [done, future] = promised<PublishReply>();
    publishWithRetry(std::move(channel), std::move(dataJson), std::move(key), attempts, std::move(done));
    return std::move(future);
}

void Client::history(std::string channel, HistoryOptions options, Callback<HistoryReply> done)
{
    json::object fields;
    fields["channel"] = std::move(channel);
    if (options.since)
        fields["since"] = sinceJson(*options.since);
    fields["limit"] = options.limit;
    if (options.reverse)
        fields["reverse"] = true;
    auto shared = std::make_shared<Callback<HistoryReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), fields = std::move(fields), shared]() mutable {
            impl->request("history", std::move(fields), [shared](Result<json::object> r) {
                if (!r)
                    return (*shared)(std::move(r).error());
                const auto& ok = r.value();
                HistoryReply reply{getString(ok, "epoch"), getU64(ok, "offset"), {}};
                if (const auto* pubs = ok.if_contains("publications"); pubs && pubs->is_array())
                    for (const auto& pub : pubs->get_array())
                        if (pub.is_object())
                            reply.publications.push_back(publicationFrom(pub.get_object()));
                (*shared)(std::move(reply));
            });
        }))
        (*shared)(stoppedError());
}

std::future<Result<HistoryReply>> Client::history(std::string channel, HistoryOptions options)
{
    auto [done, future] = promised<HistoryReply>();
    history(std::move(channel), std::move(options), std::move(done));
    return std::move(future);
}

void Client::presence(std::string channel, Callback<PresenceReply> done)
{
    auto shared = std::make_shared<Callback<PresenceReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), shared]() mutable {
            impl->request("presence", json::object{{"channel", std::move(channel)}}, [shared](Result<json::object> r) {
                if (!r)
                    return (*shared)(std::move(r).error());
                const auto& ok = r.value();
                PresenceReply reply{getU64(ok, "count"), {}};
                if (const auto* clients = ok.if_contains("clients"); clients && clients->is_array())
                    for (const auto& c : clients->get_array())
                        if (c.is_object())
                            reply.clients.push_back(
                                {getU64(c.get_object(), "client"), getString(c.get_object(), "user")});
                (*shared)(std::move(reply));
            });
        }))
        (*shared)(stoppedError());
}

std::future<Result<PresenceReply>> Client::presence(std::string channel)
{
    auto [done, future] = promised<PresenceReply>();
    presence(std::move(channel), std::move(done));
    return std::move(future);
}

void Client::ack(std::string channel, std::uint64_t offset, Callback<void> done)
{
    auto shared = std::make_shared<Callback<void>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), channel = std::move(channel), offset, shared]() mutable {
            impl->ack(std::move(channel), offset, std::move(*shared));
        }))
        (*shared)(stoppedError());
}

std::future<Result<void>> Client::ack(std::string channel, std::uint64_t offset)
{
    auto [done, future] = promised<void>();
    ack(std::move(channel), offset, std::move(done));
    return std::move(future);
}

void Client::ping(Callback<void> done)
{
    auto shared = std::make_shared<Callback<void>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), shared]() mutable {
            impl->request("ping", {}, toVoid(std::move(*shared)));
        }))
        (*shared)(stoppedError());
}

std::future<Result<void>> Client::ping()
{
    auto [done, future] = promised<void>();
    ping(std::move(done));
    return std::move(future);
}

void Client::refresh(std::string token, Callback<RefreshReply> done)
{
    auto shared = std::make_shared<Callback<RefreshReply>>(std::move(done));
    if (!m_impl->post([impl = m_impl.get(), token = std::move(token), shared]() mutable {
            impl->request("refresh", json::object{{"token", std::move(token)}}, [shared](Result<json::object> r) {
                if (!r)
                    return (*shared)(std::move(r).error());
                (*shared)(RefreshReply{getI64(r.value(), "expires_at")});
            });
        }))
        (*shared)(stoppedError());
}

std::future<Result<RefreshReply>> Client::refresh(std::string token)
{
    auto [done, future] = promised<RefreshReply>();
    refresh(std::move(token), std::move(done));
    return std::move(future);
}

} // namespace aldis::client
