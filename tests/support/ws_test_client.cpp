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
#include <sstream>
#include <thread>

namespace aldis::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

// ---------------------------------------------------------------------------------

struct RawTcpClient::State {
    asio::io_context io;
    tcp::socket socket{io};
    std::uint16_t port = 0;
    std::string received;
    bool connected = false;
    bool eof = false;
};

RawTcpClient::RawTcpClient(std::uint16_t port) : m(std::make_unique<State>())
{
    m->port = port;
    boost::system::error_code ec;
    bool done = false;
    m->socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                            [this, &ec, &done](boost::system::error_code e) {
                                ec = e;
                                done = true;
                            });
    m->io.run_for(std::chrono::milliseconds(kDefaultTimeoutMs));
    m->connected = done && !ec;
    if (!done) {
        m->socket.close(ec);
        m->io.restart();
        m->io.run();
    }
}

RawTcpClient::~RawTcpClient()
{
    boost::system::error_code ignored;
    m->socket.close(ignored);
}

bool RawTcpClient::isConnected() const
{
    return m->connected;
}

bool RawTcpClient::write(std::string_view bytes, int timeoutMs)
{
    boost::system::error_code ec;
    bool done = false;
    m->io.restart();
    asio::async_write(m->socket, asio::buffer(bytes.data(), bytes.size()),
                      [&ec, &done](boost::system::error_code e, std::size_t) {
                          ec = e;
                          done = true;
                      });
    m->io.run_for(std::chrono::milliseconds(timeoutMs));
    if (!done) {
        boost::system::error_code ignored;
        m->socket.close(ignored);
        m->io.restart();
        m->io.run();
        return false;
    }
    return !ec;
}

std::string RawTcpClient::readUntil(const std::function<bool(const std::string&)>& enough, int timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    char chunk[16 * 1024];
    while (!m->eof && !enough(m->received) && std::chrono::steady_clock::now() < deadline) {
        bool done = false;
        m->io.restart();
        m->socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
            done = true;
            m->received.append(chunk, n);
            if (ec)
                m->eof = true;
        });
        m->io.run_until(deadline);
        if (!done) {
            m->socket.cancel();
            m->io.restart();
            m->io.run();
        }
    }
    return m->received;
}

std::string RawTcpClient::upgradeRequest(const Headers& headers) const
{
    std::string out = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(m->port) +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (const auto& [name, value] : headers)
        out += name + ": " + value + "\r\n";
    return out + "\r\n";
}

std::vector<RawTcpClient::Frame> RawTcpClient::serverFrames(std::string_view bytes)
{
    std::vector<Frame> out;
    std::size_t pos = 0;
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    while (bytes.size() - pos >= 2) {
        const unsigned opcode = at(pos) & 0x0f;
        std::uint64_t length = at(pos + 1) & 0x7f;
        std::size_t header = 2;
        if (length == 126) {
            if (bytes.size() - pos < 4)
                break;
            length = (std::uint64_t{at(pos + 2)} << 8) | at(pos + 3);
            header = 4;
        } else if (length == 127) {
            if (bytes.size() - pos < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | at(pos + 2 + static_cast<std::size_t>(i));
            header = 10;
        }
        if (bytes.size() - pos < header + length)
            break;
        out.push_back(Frame{opcode, std::string(bytes.substr(pos + header, static_cast<std::size_t>(length)))});
        pos += header + static_cast<std::size_t>(length);
    }
    return out;
}

// ---------------------------------------------------------------------------------

struct HttpTestClient::State {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
    std::uint16_t port = 0;
    bool connected = false;
};

HttpTestClient::HttpTestClient(std::uint16_t port) : m(std::make_unique<State>())
{
    m->port = port;
}

HttpTestClient::~HttpTestClient()
{
    beast::error_code ignored;
    m->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    m->stream.close();
}

bool HttpTestClient::isOpen() const
{
    return m->connected && m->stream.socket().is_open();
}

HttpResponse HttpTestClient::request(const std::string& method, const std::string& target, const std::string& body,
                                     const Headers& headers, int timeoutMs)
{
    HttpResponse out;
    m->io.restart();
    beast::error_code result = asio::error::timed_out;
    bool finished = false;
    auto req = std::make_shared<http::request<http::string_body>>(http::string_to_verb(method), target, 11);
    req->set(http::field::host, "127.0.0.1:" + std::to_string(m->port));
    req->keep_alive(true);
    for (const auto& [name, value] : headers)
        req->set(name, value);
    if (!body.empty() || method == "POST") {
        req->body() = body;
        if (!req->count(http::field::content_type))
            req->set(http::field::content_type, "application/json");
    }
    req->prepare_payload();
    auto res = std::make_shared<http::response<http::string_body>>();
    m->stream.expires_after(std::chrono::milliseconds(timeoutMs));

    auto exchange = [this, req, res, &result, &finished] {
        http::async_write(m->stream, *req, [this, res, &result, &finished](beast::error_code ec, std::size_t) {
            if (ec) {
                result = ec;
                finished = true;
                return;
            }
            http::async_read(m->stream, m->buffer, *res, [&result, &finished](beast::error_code ec2, std::size_t) {
                result = ec2;
                finished = true;
            });
        });
    };
    if (!m->connected) {
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), m->port);
        m->stream.async_connect(endpoint, [this, exchange, &result, &finished](beast::error_code ec) {
            if (ec) {
                result = ec;
                finished = true;
                return;
            }
            m->connected = true;
            exchange();
        });
    } else {
        exchange();
    }
    m->io.run_for(std::chrono::milliseconds(timeoutMs + 500));
    if (!finished || result) {
        out.error = finished ? result.message() : std::string("timed out");
        m->connected = false;
        beast::error_code ignored;
        m->stream.socket().close(ignored);
        // Let the aborted handlers run now: they refer to this call's locals.
        m->io.restart();
        m->io.run();
        m->buffer.clear();
        return out;
    }
    out.status = static_cast<int>(res->result_int());
    out.body = res->body();
    for (const auto& field : *res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    if (!res->keep_alive()) {
        m->connected = false;
        beast::error_code ignored;
        m->stream.socket().close(ignored);
    }
    return out;
}

HttpResponse httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body, const Headers& headers, int timeoutMs)
{
    HttpTestClient client(port);
    return client.request(method, target, body, headers, timeoutMs);
}

HttpResponse httpPublish(std::uint16_t port, const json::object& body)
{
    return httpRequest(port, "POST", "/v1/publish", json::serialize(body),
                       {{"Authorization", std::string("Bearer ") + DaemonProcess::kApiKey}});
}

std::optional<double> metricValue(const std::string& metricsText, const std::string& name)
{
    std::istringstream in(metricsText);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ' ') {
            try {
                return std::stod(line.substr(name.size() + 1));
            } catch (...) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

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

std::string base64Url(std::string_view bytes)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (bytes.size() - i == 1) {
        const unsigned v = at(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (bytes.size() - i == 2) {
        const unsigned v = (at(i) << 16) | (at(i + 1) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
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
    file.write((text + extraToml).toUtf8());
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

std::optional<double> metric(std::uint16_t port, const std::string& name)
{
    auto res = httpRequest(port, "GET", "/metrics");
    if (res.status != 200)
        return std::nullopt;
    return metricValue(res.body, name);
}

} // namespace aldis::test
