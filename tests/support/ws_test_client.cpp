// SPDX-License-Identifier: Apache-2.0
#include "support/ws_test_client.h"

#include "support/test_support.h"

#include <QFile>
#include <QtGlobal>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <thread>

namespace aldis::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

enum WriteKind { kText = 0, kBinary = 1, kRaw = 2 };

// Waits for a future with a timeout; false when it did not become ready.
template <typename T>
bool waitFor(std::future<T>& f, int timeoutMs)
{
    return f.wait_for(std::chrono::milliseconds(timeoutMs)) == std::future_status::ready;
}

json::object toObject(const std::string& text)
{
    json::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec && v.is_object())
        return std::move(v.as_object());
    json::object raw;
    raw["__raw"] = text;
    return raw;
}

} // namespace

struct WsTestClient::State {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    websocket::stream<tcp::socket> ws{io};
    std::thread thread;

    // Guarded by `mutex`.
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::deque<json::object> inbox;
    bool closed = false;
    int closeCode = 0;
    std::string closeReason;
    std::string lastError;

    // io thread only.
    beast::flat_buffer buffer;
    bool reading = false;
    bool paused = false;
    struct Job {
        int kind;
        std::string bytes;
        std::shared_ptr<std::promise<beast::error_code>> done;
    };
    std::deque<Job> jobs;
    std::optional<Job> current;

    std::atomic<std::uint64_t> ids{0};

    void setError(std::string e)
    {
        std::lock_guard lock(mutex);
        lastError = std::move(e);
    }

    void finish(int code, std::string reason)
    {
        {
            std::lock_guard lock(mutex);
            if (!closed) {
                closed = true;
                closeCode = code;
                closeReason = std::move(reason);
            }
        }
        cv.notify_all();
    }

    void startRead()
    {
        if (reading || paused)
            return;
        {
            std::lock_guard lock(mutex);
            if (closed)
                return;
        }
        reading = true;
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            reading = false;
            if (ec) {
                // A close frame was received when reason() has a code, even if the
                // TCP teardown after it failed (a server that closes without reading
                // our close reply resets the connection).
                if (ws.reason().code != websocket::close_code::none)
                    finish(ws.reason().code, std::string(ws.reason().reason.c_str()));
                else
                    finish(1006, "connection ended without a close frame: " + ec.message());
                failPendingWrites(ec);
                return;
            }
            auto text = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            {
                std::lock_guard lock(mutex);
                inbox.push_back(toObject(text));
            }
            cv.notify_all();
            startRead();
        });
    }

    void failPendingWrites(beast::error_code ec)
    {
        for (auto& job : jobs)
            job.done->set_value(ec);
        jobs.clear();
    }

    void writeNext()
    {
        if (current || jobs.empty())
            return;
        current = std::move(jobs.front());
        jobs.pop_front();
        auto done = [this](beast::error_code ec, std::size_t) {
            current->done->set_value(ec);
            current.reset();
            writeNext();
        };
        const auto buffer = asio::buffer(current->bytes);
        switch (current->kind) {
        case kText:
            ws.text(true);
            ws.async_write(buffer, done);
            break;
        case kBinary:
            ws.binary(true);
            ws.async_write(buffer, done);
            break;
        default:
            asio::async_write(ws.next_layer(), buffer, done);
            break;
        }
    }
};

WsTestClient::WsTestClient(std::shared_ptr<State> state) : m(std::move(state)) {}

WsTestClient::~WsTestClient()
{
    asio::post(m->io, [s = m.get()] {
        beast::error_code ignored;
        s->ws.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
        s->ws.next_layer().close(ignored);
    });
    m->work.reset();
    // The socket is closed, so every pending operation ends and run() returns; stop()
    // is the guard for a handler that would not.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!m->io.stopped() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    m->io.stop();
    if (m->thread.joinable())
        m->thread.join();
}

std::unique_ptr<WsTestClient> WsTestClient::open(std::uint16_t port, Headers headers, std::string* httpError,
                                                 int* httpStatus)
{
    Options options;
    options.headers = std::move(headers);
    return openWith(port, options, httpError, httpStatus);
}

std::unique_ptr<WsTestClient> WsTestClient::openWith(std::uint16_t port, const Options& options,
                                                     std::string* httpError, int* httpStatus)
{
    auto state = std::make_shared<State>();
    if (httpStatus)
        *httpStatus = 0;
    auto fail = [&](std::string why) -> std::unique_ptr<WsTestClient> {
        if (httpError)
            *httpError = std::move(why);
        return nullptr;
    };
    boost::system::error_code ec;
    auto& socket = state->ws.next_layer();
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    socket.open(endpoint.protocol(), ec);
    if (!ec && options.receiveBufferBytes > 0)
        socket.set_option(asio::socket_base::receive_buffer_size(options.receiveBufferBytes), ec);
    if (ec)
        return fail("socket: " + ec.message());

    state->ws.auto_fragment(false);
    state->ws.read_message_max(0);
    const auto headers = options.headers;
    state->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (const auto& [name, value] : headers)
            req.set(name, value);
    }));

    state->thread = std::thread([s = state.get()] { s->io.run(); });

    auto response = std::make_shared<websocket::response_type>();
    auto promise = std::make_shared<std::promise<beast::error_code>>();
    auto future = promise->get_future();
    const std::string host = "127.0.0.1:" + std::to_string(port);
    const std::string target = options.target;
    asio::post(state->io, [s = state.get(), endpoint, host, target, response, promise] {
        s->ws.next_layer().async_connect(endpoint, [s, host, target, response, promise](beast::error_code connectEc) {
            if (connectEc)
                return promise->set_value(connectEc);
            s->ws.async_handshake(*response, host, target,
                                  [promise](beast::error_code ec2) { promise->set_value(ec2); });
        });
    });
    auto cleanup = [&] {
        asio::post(state->io, [s = state.get()] {
            beast::error_code ignored;
            s->ws.next_layer().close(ignored);
        });
        state->work.reset();
        state->io.stop();
        state->thread.join();
    };
    if (!waitFor(future, options.timeoutMs)) {
        cleanup();
        return fail("timed out connecting or upgrading");
    }
    ec = future.get();
    if (ec) {
        const int status = static_cast<int>(response->result_int());
        if (httpStatus)
            *httpStatus = status;
        std::string why = "upgrade failed: " + ec.message();
        if (status)
            why += " (HTTP " + std::to_string(status) + ": " + response->body() + ")";
        cleanup();
        return fail(why);
    }
    std::unique_ptr<WsTestClient> client(new WsTestClient(state));
    asio::post(state->io, [s = state.get()] { s->startRead(); });
    return client;
}

bool WsTestClient::write(int kind, std::string_view bytes)
{
    auto done = std::make_shared<std::promise<beast::error_code>>();
    auto future = done->get_future();
    asio::post(m->io, [s = m.get(), kind, data = std::string(bytes), done]() mutable {
        s->jobs.push_back(State::Job{kind, std::move(data), done});
        s->writeNext();
    });
    if (!waitFor(future, kDefaultTimeoutMs)) {
        m->setError("timed out writing");
        return false;
    }
    if (auto ec = future.get()) {
        m->setError("write failed: " + ec.message());
        return false;
    }
    return true;
}

bool WsTestClient::sendText(std::string_view text)
{
    return write(kText, text);
}

bool WsTestClient::sendBinary(std::string_view bytes)
{
    return write(kBinary, bytes);
}

bool WsTestClient::send(const json::object& command)
{
    return sendText(json::serialize(command));
}

bool WsTestClient::sendRaw(std::string_view bytes)
{
    return write(kRaw, bytes);
}

std::string WsTestClient::clientFrame(unsigned opcode, std::string_view payload, bool fin, bool masked, unsigned rsv)
{
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80u : 0u) | ((rsv & 7u) << 4) | (opcode & 0x0fu)));
    const unsigned char maskBit = masked ? 0x80 : 0;
    const auto n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(maskBit | n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(maskBit | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xff));
    }
    unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (masked)
        out.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(masked ? static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i & 3]) : payload[i]);
    return out;
}

std::uint64_t WsTestClient::nextId()
{
    return ++m->ids;
}

namespace {
template <typename Pred>
std::optional<json::object> take(WsTestClient::State& s, int timeoutMs, Pred pred, const char* what)
{
    std::unique_lock lock(s.mutex);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (true) {
        auto it = std::find_if(s.inbox.begin(), s.inbox.end(), pred);
        if (it != s.inbox.end()) {
            auto out = std::move(*it);
            s.inbox.erase(it);
            return out;
        }
        if (s.closed) {
            s.lastError = std::string("connection closed (") + std::to_string(s.closeCode) + " " + s.closeReason +
                          ") while waiting for " + what;
            return std::nullopt;
        }
        if (s.cv.wait_until(lock, deadline) == std::cv_status::timeout) {
            it = std::find_if(s.inbox.begin(), s.inbox.end(), pred);
            if (it != s.inbox.end()) {
                auto out = std::move(*it);
                s.inbox.erase(it);
                return out;
            }
            s.lastError = std::string("timed out waiting for ") + what;
            return std::nullopt;
        }
    }
}
} // namespace

std::optional<json::object> WsTestClient::next(int timeoutMs)
{
    return take(*m, timeoutMs, [](const json::object&) { return true; }, "a message");
}

std::optional<json::object> WsTestClient::nextPush(int timeoutMs)
{
    return take(*m, timeoutMs, [](const json::object& o) { return o.contains("push"); }, "a push");
}

std::optional<json::object> WsTestClient::reply(std::uint64_t id, int timeoutMs)
{
    const std::string what = "the reply to id " + std::to_string(id);
    return take(
        *m, timeoutMs,
        [id](const json::object& o) {
            const auto* v = o.if_contains("id");
            return v && ((v->is_uint64() && v->get_uint64() == id) ||
                         (v->is_int64() && v->get_int64() >= 0 && static_cast<std::uint64_t>(v->get_int64()) == id));
        },
        what.c_str());
}

std::optional<json::object> WsTestClient::request(json::object command, int timeoutMs)
{
    std::uint64_t id = 0;
    if (auto* v = command.if_contains("id"); v && v->is_int64() && v->get_int64() > 0)
        id = static_cast<std::uint64_t>(v->get_int64());
    else if (v && v->is_uint64())
        id = v->get_uint64();
    if (!id) {
        id = nextId();
        command["id"] = id;
    }
    if (!send(command))
        return std::nullopt;
    return reply(id, timeoutMs);
}

std::optional<json::object> WsTestClient::connect(const std::string& token, int timeoutMs)
{
    return request(json::object{{"op", "connect"}, {"token", token}}, timeoutMs);
}

std::optional<json::object> WsTestClient::connect(const QString& token, int timeoutMs)
{
    return connect(token.toStdString(), timeoutMs);
}

std::size_t WsTestClient::queued() const
{
    std::lock_guard lock(m->mutex);
    return m->inbox.size();
}

std::vector<json::object> WsTestClient::takeAll()
{
    std::lock_guard lock(m->mutex);
    std::vector<json::object> out(std::make_move_iterator(m->inbox.begin()), std::make_move_iterator(m->inbox.end()));
    m->inbox.clear();
    return out;
}

std::optional<int> WsTestClient::waitClosed(int timeoutMs)
{
    std::unique_lock lock(m->mutex);
    if (!m->cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return m->closed; })) {
        m->lastError = "timed out waiting for the server to close";
        return std::nullopt;
    }
    return m->closeCode;
}

bool WsTestClient::isClosed() const
{
    std::lock_guard lock(m->mutex);
    return m->closed;
}

int WsTestClient::closeCode() const
{
    std::lock_guard lock(m->mutex);
    return m->closeCode;
}

std::string WsTestClient::closeReason() const
{
    std::lock_guard lock(m->mutex);
    return m->closeReason;
}

bool WsTestClient::close(int timeoutMs)
{
    auto done = std::make_shared<std::promise<beast::error_code>>();
    auto future = done->get_future();
    asio::post(m->io, [s = m.get(), done] {
        s->ws.async_close(websocket::close_code::normal, [s, done](beast::error_code ec) {
            if (!ec)
                s->finish(s->ws.reason().code ? s->ws.reason().code : 1000, "closed by the client");
            done->set_value(ec);
        });
    });
    if (!waitFor(future, timeoutMs)) {
        m->setError("timed out closing");
        return false;
    }
    return !future.get();
}

void WsTestClient::abort()
{
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    asio::post(m->io, [s = m.get(), done] {
        beast::error_code ignored;
        s->ws.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
        s->ws.next_layer().close(ignored);
        done->set_value();
    });
    future.wait_for(std::chrono::seconds(5));
}

void WsTestClient::pauseReading()
{
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    asio::post(m->io, [s = m.get(), done] {
        s->paused = true;
        done->set_value();
    });
    future.wait_for(std::chrono::seconds(5));
}

void WsTestClient::resumeReading()
{
    asio::post(m->io, [s = m.get()] {
        s->paused = false;
        s->startRead();
    });
}

std::string WsTestClient::lastError() const
{
    std::lock_guard lock(m->mutex);
    return m->lastError;
}

void writeDaemonConfig(DaemonProcess& daemon, const QString& clientToml, const QString& extraToml,
                       const QString& authToml)
{
    QFile file(daemon.configPath());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return;
    const QString text =
        QStringLiteral("[node]\nid = \"test-node\"\nregion = \"test\"\ndata_dir = \"%1\"\nlog_level = \"info\"\n"
                       "log_format = \"text\"\ndrain_timeout = \"5s\"\n"
                       "[client]\naddress = \"127.0.0.1\"\nport = %2\n%3\n"
                       "[auth]\napi_keys = [\"%4\"]\n%5\n"
                       "[[auth.keys]]\nid = \"test\"\nalgorithms = [\"HS256\"]\nsecret = \"%6\"\n")
            .arg(daemon.dataDir())
            .arg(daemon.port())
            .arg(clientToml, QString::fromLatin1(DaemonProcess::kApiKey), authToml,
                 QString::fromLatin1(DaemonProcess::kSecret));
    const QString admin = QStringLiteral("[admin]\naddress = \"127.0.0.1\"\nport = %1\ntoken = \"%2\"\n")
                              .arg(daemon.adminPort())
                              .arg(QString::fromLatin1(DaemonProcess::kAdminToken));
    file.write((text + admin + extraToml).toUtf8());
}

boost::json::object cmd(std::string_view op,
                        std::initializer_list<std::pair<boost::json::string_view, boost::json::value_ref>> fields)
{
    boost::json::object o(fields);
    o["op"] = op;
    return o;
}

std::string token(const std::string& sub, const QString& permissionsJson)
{
    return DaemonProcess::token(QString::fromStdString(sub), 3600, permissionsJson).toStdString();
}

std::unique_ptr<WsTestClient> connected(std::uint16_t port, const std::string& sub, const Headers& headers,
                                        int receiveBufferBytes)
{
    WsTestClient::Options options;
    options.headers = headers;
    options.receiveBufferBytes = receiveBufferBytes;
    std::string error;
    auto client = WsTestClient::openWith(port, options, &error);
    if (!client) {
        qWarning("cannot open a WebSocket: %s", error.c_str());
        return nullptr;
    }
    if (!requestOk(*client, cmd("connect", {{"token", token(sub)}})))
        return nullptr;
    return client;
}

} // namespace aldis::test
