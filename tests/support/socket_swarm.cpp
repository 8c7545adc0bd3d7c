// SPDX-License-Identifier: Apache-2.0
#include "support/socket_swarm.h"

#include "support/raw_tcp_client.h"
#include "support/ws_test_client.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <deque>
#include <future>
#include <thread>

namespace aldis::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kKeepReceived = 64 * 1024;
constexpr std::size_t kKeepTexts = 16;

// One connection; touched on the io thread only.
struct Conn {
    Conn(asio::io_context& io, std::size_t i, SocketSwarm::Plan p)
        : socket(io), timer(io), index(i), plan(std::move(p))
    {
    }

    tcp::socket socket;
    asio::steady_timer timer;
    std::size_t index;
    SocketSwarm::Plan plan;
    SocketSwarm::Connection seen;
    Clock::time_point connectedAt;
    std::array<char, 4096> chunk{};
    std::size_t framesSeen = 0;
    std::size_t dripped = 0;      // bytes of the plan queued so far (drip mode)
    struct Write {
        std::string bytes;
        bool planned; // bytes of the plan (counted in `sent`), not the close answer
    };
    std::deque<Write> out;        // writes waiting; the front one is being written
    bool closeAnswered = false;
};

} // namespace

struct SocketSwarm::State {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
    std::uint16_t port = 0;
    std::vector<std::unique_ptr<Conn>> conns; // io thread only

    // Runs `fn` on the io thread and waits for its result.
    template <typename Fn>
    auto onIo(Fn fn) -> decltype(fn())
    {
        std::packaged_task<decltype(fn())()> task(std::move(fn));
        auto future = task.get_future();
        asio::post(io, [&task] { task(); });
        return future.get();
    }

    void start(Conn& c)
    {
        c.socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                               [this, &c](boost::system::error_code ec) {
                                   if (ec) {
                                       c.seen.connectError = ec.message();
                                       return;
                                   }
                                   c.seen.connected = true;
                                   c.connectedAt = Clock::now();
                                   read(c);
                                   if (c.plan.drip.count() == 0) {
                                       queue(c, c.plan.bytes);
                                   } else {
                                       queue(c, c.plan.bytes.substr(0, c.plan.atOnce));
                                       // Spread the first bytes over one interval.
                                       c.timer.expires_after(c.plan.drip * static_cast<int>(c.index % 32) / 32);
                                       c.timer.async_wait([this, &c](boost::system::error_code e) {
                                           if (!e)
                                               drip(c);
                                       });
                                   }
                               });
    }

    void drip(Conn& c)
    {
        if (c.seen.ended || c.closeAnswered || c.dripped >= c.plan.bytes.size())
            return;
        if (c.dripped < c.plan.atOnce)
            c.dripped = c.plan.atOnce;
        queue(c, c.plan.bytes.substr(c.dripped++, 1));
        c.timer.expires_after(c.plan.drip);
        c.timer.async_wait([this, &c](boost::system::error_code e) {
            if (!e)
                drip(c);
        });
    }

    // Writes go out one at a time, in order.
    void queue(Conn& c, std::string bytes, bool planned = true)
    {
        if (bytes.empty())
            return;
        c.out.push_back({std::move(bytes), planned});
        if (c.out.size() == 1)
            writeFront(c);
    }

    void writeFront(Conn& c)
    {
        if (c.out.empty() || !c.socket.is_open())
            return;
        asio::async_write(c.socket, asio::buffer(c.out.front().bytes),
                          [this, &c](boost::system::error_code ec, std::size_t n) {
                              if (c.out.front().planned) {
                                  c.seen.sent += n;
                                  c.seen.sentAll = c.seen.sent >= c.plan.bytes.size();
                              }
                              c.out.pop_front();
                              if (ec) {
                                  c.out.clear();
                                  return; // the read sees the end
                              }
                              writeFront(c);
                          });
    }

    void read(Conn& c)
    {
        c.socket.async_read_some(asio::buffer(c.chunk), [this, &c](boost::system::error_code ec, std::size_t n) {
            if (n > 0 && c.seen.received.size() < kKeepReceived) {
                c.seen.received.append(c.chunk.data(), std::min(n, kKeepReceived - c.seen.received.size()));
                onReceived(c);
            }
            if (ec) {
                if (ec == asio::error::operation_aborted)
                    return; // closeAll(): not the node's doing
                c.seen.ended = true;
                c.seen.endReason = ec == asio::error::eof ? std::string("eof") : ec.message();
                c.seen.endedAfter = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - c.connectedAt);
                boost::system::error_code ignored;
                c.timer.cancel();
                c.socket.close(ignored);
                return;
            }
            read(c);
        });
    }

    void onReceived(Conn& c)
    {
        if (!c.seen.upgraded) {
            if (c.seen.received.rfind("HTTP/1.1 101", 0) != 0)
                return;
            c.seen.upgraded = true;
        }
        const auto frames = RawTcpClient::framesAfterUpgrade(c.seen.received);
        for (; c.framesSeen < frames.size(); ++c.framesSeen) {
            const auto& f = frames[c.framesSeen];
            if (f.opcode == 0x1 && c.seen.texts.size() < kKeepTexts)
                c.seen.texts.push_back(f.payload);
            if (f.opcode == 0x8 && c.seen.closeCode == 0) {
                c.seen.closeCode = f.payload.size() >= 2 ? (static_cast<unsigned char>(f.payload[0]) << 8) |
                                                               static_cast<unsigned char>(f.payload[1])
                                                         : 1005;
                if (!c.closeAnswered) {
                    c.closeAnswered = true;
                    c.timer.cancel();
                    queue(c, WsTestClient::clientFrame(0x8, f.payload.substr(0, 2)), false);
                }
            }
        }
    }
};

SocketSwarm::SocketSwarm(std::uint16_t port) : m(std::make_shared<State>())
{
    m->port = port;
    m->thread = std::thread([s = m.get()] { s->io.run(); });
}

SocketSwarm::~SocketSwarm()
{
    closeAll();
    m->work.reset();
    m->io.stop();
    if (m->thread.joinable())
        m->thread.join();
}

void SocketSwarm::open(std::size_t count, const std::function<Plan(std::size_t)>& plan)
{
    std::vector<Plan> plans;
    plans.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        plans.push_back(plan(i));
    m->onIo([s = m.get(), &plans] {
        for (auto& p : plans) {
            s->conns.push_back(std::make_unique<Conn>(s->io, s->conns.size(), std::move(p)));
            s->start(*s->conns.back());
        }
        return 0;
    });
}

SocketSwarm::Summary SocketSwarm::summary() const
{
    return m->onIo([s = m.get()] {
        Summary out;
        out.total = s->conns.size();
        for (const auto& c : s->conns) {
            const auto& x = c->seen;
            out.connected += x.connected;
            out.connectFailed += !x.connected && !x.connectError.empty();
            out.sentAll += x.sentAll;
            out.upgraded += x.upgraded;
            out.ended += x.ended;
            if (x.closeCode)
                ++out.closeCodes[x.closeCode];
        }
        return out;
    });
}

std::vector<SocketSwarm::Connection> SocketSwarm::connections() const
{
    return m->onIo([s = m.get()] {
        std::vector<Connection> out;
        out.reserve(s->conns.size());
        for (const auto& c : s->conns)
            out.push_back(c->seen);
        return out;
    });
}

SocketSwarm::Summary SocketSwarm::waitFor(const std::function<bool(const Summary&)>& done, int timeoutMs) const
{
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    auto last = summary();
    while (!done(last) && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        last = summary();
    }
    return last;
}

void SocketSwarm::closeAll()
{
    m->onIo([s = m.get()] {
        for (auto& c : s->conns) {
            boost::system::error_code ignored;
            c->timer.cancel();
            c->socket.close(ignored);
        }
        return 0;
    });
}

std::string upgradeRequestFor(std::uint16_t port, const Headers& headers)
{
    std::string out = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (const auto& [name, value] : headers)
        out += name + ": " + value + "\r\n";
    return out + "\r\n";
}

} // namespace aldis::test
