// SPDX-License-Identifier: Apache-2.0
#include "admin/stream_session.h"

#include "admin/admin_server_impl.h"
#include "broker/broker.h"
#include "protocol/channel.h"
#include "protocol/frame.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <optional>

namespace aldis::admin::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxMessageBytes = 64 * 1024;
constexpr std::size_t kMaxStreamQueueBytes = 4 * 1024 * 1024;
constexpr std::uint32_t kMaxTailPerSecond = 200;
constexpr std::string_view kTailUser = "aldis-admin";

// The payload of a server WebSocket frame built by protocol::makeTextFrame.
std::string_view framePayload(const std::string& bytes)
{
    if (bytes.size() < 2)
        return {};
    const auto len = static_cast<unsigned char>(bytes[1]) & 0x7f;
    const std::size_t header = len < 126 ? 2 : (len == 126 ? 4 : 10);
    if (bytes.size() < header)
        return {};
    return std::string_view(bytes).substr(header);
}

} // namespace


// A tail's subscription to one channel: forwards the channel's publications to the
// stream session that asked for it.
class TailSubscriber final : public broker::Subscriber {
public:
    TailSubscriber(std::uint64_t id, std::weak_ptr<StreamSession> session) : m_id(id), m_session(std::move(session))
    {
    }
    std::uint64_t clientId() const noexcept override { return m_id; }
    const std::string& userId() const noexcept override { return m_user; }
    void deliver(broker::FramePtr frame) override;
    void deliverCatchUp(std::vector<broker::FramePtr> frames) override
    {
        for (auto& f : frames)
            deliver(std::move(f));
    }
    std::size_t catchUpBudget() const noexcept override { return 1 << 20; }
    void subscriptionEnded(const std::string& channel, broker::FramePtr push) override;

private:
    std::uint64_t m_id;
    std::string m_user{kTailUser};
    std::weak_ptr<StreamSession> m_session;
};

// One admin stream viewer: a Beast WebSocket with its own strand. Sends are queued
// (shared, immutable messages) and written one at a time; a viewer with more than
// kMaxStreamQueueBytes queued is closed with 1008.
class StreamSession : public std::enable_shared_from_this<StreamSession> {
public:
    StreamSession(tcp::socket socket, std::shared_ptr<AdminServer::Impl> impl)
        : m_ws(std::move(socket)), m_impl(std::move(impl))
    {
    }

    void start(http::request<http::string_body> request)
    {
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.read_message_max(kMaxMessageBytes);
        m_ws.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->m_open = true;
            self->enqueue(sharedMessage(json::object{{"type", "hello"}, {"node", self->m_impl->nodeInfo()}}));
            const auto& id = self->m_impl->ctx->nodeId;
            self->enqueue(sharedMessage(self->m_impl->eventJson("node_up", "node " + id + " is up")));
            {
                std::lock_guard lock(self->m_impl->streamsMutex);
                self->m_impl->streams.push_back(self);
            }
            self->read();
        });
    }

    void send(std::shared_ptr<const std::string> msg)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
            self->enqueue(std::move(msg));
        });
    }

    void closeWith(websocket::close_code code)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), code] {
            self->m_closeCode = code;
            if (!self->m_writing)
                self->finishClose();
        });
    }

    void onTailFrame(std::uint64_t tailId, broker::FramePtr frame)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), tailId, frame = std::move(frame)] {
            self->forwardTail(tailId, *frame);
        });
    }

    void onTailEnded(std::uint64_t tailId)
    {
        asio::post(m_ws.get_executor(), [self = shared_from_this(), tailId] {
            if (!self->m_tail || self->m_tail->clientId() != tailId)
                return;
            self->m_tail.reset();
            self->enqueue(sharedMessage(json::object{{"type", "tail_stopped"}, {"channel", self->m_tailChannel},
                                               {"reason", "the channel's namespace was removed"}}));
        });
    }

    ~StreamSession() { stopTail(); }

private:
    void enqueue(std::shared_ptr<const std::string> msg)
    {
        if (!m_open || m_closeCode)
            return;
        m_queuedBytes += msg->size();
        if (m_queuedBytes > kMaxStreamQueueBytes) {
            spdlog::warn("admin stream viewer cannot keep up ({} bytes queued); closing it with 1008", m_queuedBytes);
            // The message being written stays: async_write is still reading its bytes.
            m_queue.erase(m_writing ? m_queue.begin() + 1 : m_queue.begin(), m_queue.end());
            m_queuedBytes = 0;
            m_closeCode = websocket::close_code::policy_error;
            if (!m_writing)
                finishClose();
            return;
        }
        m_queue.push_back(std::move(msg));
        if (!m_writing)
            write();
    }

    void write()
    {
        m_writing = true;
        m_ws.text(true);
        auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->m_queuedBytes -= std::min(self->m_queuedBytes, self->m_queue.front()->size());
            self->m_queue.pop_front();
            if (ec) {
                self->m_open = false;
                self->m_queue.clear();
                self->m_writing = false;
                self->stopTail();
                return;
            }
            if (!self->m_queue.empty())
                return self->write();
            self->m_writing = false;
            if (self->m_closeCode)
                self->finishClose();
        };
        m_ws.async_write(asio::buffer(*m_queue.front()), std::move(done));
    }

    void finishClose()
    {
        if (m_closing || !m_open)
            return;
        m_closing = true;
        stopTail();
        m_ws.async_close(*m_closeCode, [self = shared_from_this()](beast::error_code) { self->m_open = false; });
    }

    void read()
    {
        m_ws.async_read(m_in, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                self->m_open = false;
                self->stopTail();
                return;
            }
            const auto text = beast::buffers_to_string(self->m_in.data());
            self->m_in.consume(self->m_in.size());
            self->onMessage(text);
            self->read();
        });
    }

    void error(std::string_view text) { enqueue(sharedMessage(json::object{{"type", "error"}, {"message", text}})); }

    void onMessage(const std::string& text)
    {
        boost::system::error_code ec;
        auto value = json::parse(text, ec);
        const auto* obj = value.if_object();
        const auto* tail = obj ? obj->if_contains("tail") : nullptr;
        if (ec || !tail) {
            return error("expected {\"tail\":\"CHANNEL\"} or {\"tail\":null}; see docs/admin-api.md");
        }
        if (tail->is_null()) {
            stopTail();
            return enqueue(sharedMessage(json::object{{"type", "tail_stopped"}, {"channel", m_tailChannel}}));
        }
        if (!tail->is_string())
            return error("\"tail\" must be a channel name or null");
        std::string channel(tail->as_string());
        if (!protocol::isValidChannel(channel))
            return error("\"" + channel + "\" is not a channel name: 1 to 255 of A-Z a-z 0-9 _ . : @ = , ; / - #");
        if (!m_impl->ctx->broker.namespaceOf(channel))
            return error("channel \"" + channel + "\" is in no configured namespace");
        startTail(std::move(channel));
    }

    void startTail(std::string channel)
    {
        stopTail();
        const auto id = m_impl->ctx->nextClientId.fetch_add(1);
        m_tail = std::make_shared<TailSubscriber>(id, weak_from_this());
        m_tailChannel = channel;
        m_tailSecond = Clock::now();
        m_tailSent = 0;
        m_tailDropped = 0;
        broker::SubscribeRequest request;
        request.channel = channel;
        request.user = std::string(kTailUser);
        m_impl->ctx->broker.subscribe(
            std::move(request), m_tail,
            [self = shared_from_this(), id, channel](Result<broker::SubscribeOk> result) {
                asio::post(self->m_ws.get_executor(), [self, id, channel, result = std::move(result)] {
                    if (!self->m_tail || self->m_tail->clientId() != id)
                        return;
                    if (!result) {
                        self->m_tail.reset();
                        return self->error("cannot tail \"" + channel + "\": " + result.error().message);
                    }
                    self->m_tailEpoch = result->epoch;
                    self->enqueue(sharedMessage(json::object{{"type", "tail_started"}, {"channel", channel},
                                                       {"epoch", result->epoch}, {"offset", result->offset}}));
                });
            });
    }

    void stopTail()
    {
        if (!m_tail)
            return;
        // Once the server stopped, the broker may already be gone (a session can be
        // destroyed with the io_context's pending handlers, after the node's broker):
        // there is nothing left to unsubscribe from.
        if (!m_impl->stopped.load())
            m_impl->ctx->broker.unsubscribe(m_tailChannel, m_tail->clientId(), [](Result<bool>) {});
        m_tail.reset();
    }

    void forwardTail(std::uint64_t tailId, const protocol::OutFrame& frame)
    {
        if (!m_tail || m_tail->clientId() != tailId)
            return;
        const auto now = Clock::now();
        if (now - m_tailSecond >= std::chrono::seconds(1)) {
            if (m_tailDropped > 0)
                enqueue(sharedMessage(json::object{{"type", "tail_dropped"}, {"channel", m_tailChannel},
                                             {"count", m_tailDropped}}));
            m_tailSecond = now;
            m_tailSent = 0;
            m_tailDropped = 0;
        }
        if (m_tailSent >= kMaxTailPerSecond) {
            ++m_tailDropped;
            return;
        }
        ++m_tailSent;
        boost::system::error_code ec;
        auto value = json::parse(framePayload(frame.bytes), ec);
        auto* push = value.if_object();
        if (ec || !push)
            return;
        json::object out{{"type", "tail"}, {"channel", m_tailChannel}, {"epoch", m_tailEpoch}};
        for (const char* key : {"offset", "data", "user", "key"})
            if (auto* v = push->if_contains(key))
                out[key] = std::move(*v);
        if (auto* ts = push->if_contains("ts"))
            out["time"] = std::move(*ts);
        enqueue(sharedMessage(out));
    }

    websocket::stream<beast::tcp_stream> m_ws;
    std::shared_ptr<AdminServer::Impl> m_impl;
    beast::flat_buffer m_in;
    std::deque<std::shared_ptr<const std::string>> m_queue;
    std::size_t m_queuedBytes = 0;
    bool m_open = false;
    bool m_writing = false;
    bool m_closing = false;
    std::optional<websocket::close_code> m_closeCode;

    std::shared_ptr<TailSubscriber> m_tail;
    std::string m_tailChannel;
    std::string m_tailEpoch;
    Clock::time_point m_tailSecond{};
    std::uint32_t m_tailSent = 0;
    std::uint64_t m_tailDropped = 0;
};

void TailSubscriber::deliver(broker::FramePtr frame)
{
    if (!frame->publication)
        return; // join/leave pushes are not part of a tail
    if (auto s = m_session.lock())
        s->onTailFrame(m_id, std::move(frame));
}

void TailSubscriber::subscriptionEnded(const std::string&, broker::FramePtr)
{
    if (auto s = m_session.lock())
        s->onTailEnded(m_id);
}

void startStream(tcp::socket socket, http::request<http::string_body> request, std::shared_ptr<AdminServer::Impl> impl)
{
    std::make_shared<StreamSession>(std::move(socket), std::move(impl))->start(std::move(request));
}

void send(StreamSession& session, std::shared_ptr<const std::string> message)
{
    session.send(std::move(message));
}

void close(StreamSession& session, websocket::close_code code)
{
    session.closeWith(code);
}

std::shared_ptr<const std::string> sharedMessage(const json::object& obj)
{
    return std::make_shared<const std::string>(toText(obj));
}

} // namespace aldis::admin::detail
