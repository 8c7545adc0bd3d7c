// SPDX-License-Identifier: Apache-2.0
#include "scenarios.h"

#include "histogram.h"
#include "store_scenario.h"

#include "security/jwt.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

namespace aldis::bench {

namespace {

using namespace std::chrono;

struct ProcessSample {
    long rssKb = 0;
    double cpuSeconds = 0;
};

// RSS and CPU time (user + system, every thread) of a process; pid 0 is this one.
ProcessSample sampleProcess(int pid)
{
    ProcessSample s;
    const std::string base = pid > 0 ? "/proc/" + std::to_string(pid) : std::string("/proc/self");
    std::ifstream status(base + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0)
            s.rssKb = std::strtol(line.c_str() + 6, nullptr, 10);
    }
    std::ifstream stat(base + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const auto close = text.rfind(')');
    if (close != std::string::npos) {
        std::istringstream fields(text.substr(close + 2));
        std::string field;
        unsigned long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i == 14)
                utime = std::stoul(field);
            if (i == 15)
                stime = std::stoul(field);
        }
        s.cpuSeconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
    return s;
}

const char* peerName(Peer p)
{
    return p == Peer::nats ? "nats" : "aldis";
}

std::string jsonString(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            continue;
        out += c;
    }
    return out + "\"";
}

void emitJson(const Options& o, const std::string& line)
{
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    if (!o.json.empty()) {
        std::ofstream out(o.json, std::ios::app);
        out << line << "\n";
    }
}

void printLatency(const char* what, const Histogram& h)
{
    auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
    std::printf("  %-12s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (%llu samples)\n", what,
                ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)), ms(h.max()),
                static_cast<unsigned long long>(h.count()));
}

enum Role : std::uint32_t { kSubscriber, kPublisher, kProbe, kIdle };

class Bench final : public ConnEvents {
public:
    explicit Bench(const Options& o)
        : m_o(o), m_work(asio::make_work_guard(m_io)), m_timer(m_io)
    {
        for (unsigned i = 1; i <= o.sources; ++i)
            m_sources.push_back(asio::ip::make_address("127.0.0." + std::to_string(i)));
        if (o.peer == Peer::aldis) {
            m_subToken = mint("bench-subscriber");
            m_pubToken = mint("bench-publisher");
        }
    }

    int run()
    {
        if (!parseTarget(m_o.url, m_o.peer, m_target) || !parseTarget(m_o.publishUrl, m_o.peer, m_pubTarget)) {
            std::fprintf(stderr, "aldis-bench: a URL is not ws://ADDRESS:PORT/PATH with a numeric address\n");
            return 2;
        }
        if (m_o.scenario == "connect")
            return runConnect();
        if (m_o.scenario == "idle")
            return runIdle();
        return runPubSub();
    }

private:
    std::string mint(const std::string& sub)
    {
        security::MintOptions mint;
        mint.sub = sub;
        mint.ttlSeconds = 24 * 3600;
        const auto token = security::mintHs256(m_o.secret, mint,
                                               duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
        return token ? token.value() : std::string();
    }

    // Runs the io loop (this thread) until `done` holds or `seconds` pass.
    bool runUntil(const std::function<bool()>& done, double secondsToWait)
    {
        const auto deadline = steady_clock::now() + duration_cast<steady_clock::duration>(duration<double>(secondsToWait));
        while (!done()) {
            if (steady_clock::now() >= deadline)
                return false;
            m_io.run_one_for(milliseconds(10));
        }
        return true;
    }

    void runFor(double secondsToRun)
    {
        runUntil([] { return false; }, secondsToRun);
    }

    // Calls fire(dueNs) `total` times, at `rate` per second from `startNs`, on timers.
    // Late calls are made at once, with their original due time.
    void pace(std::int64_t startNs, double rate, std::uint64_t total, std::function<void(std::int64_t)> fire)
    {
        m_paceStart = startNs;
        m_paceRate = rate;
        m_paceTotal = total;
        m_paceNext = 0;
        m_fire = std::move(fire);
        m_pacing = total > 0;
        if (m_pacing)
            paceTick();
    }

    std::int64_t dueOf(std::uint64_t i) const
    {
        return m_paceStart + static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / m_paceRate);
    }

    void paceTick()
    {
        const auto now = nowNs();
        while (m_paceNext < m_paceTotal && dueOf(m_paceNext) <= now)
            m_fire(dueOf(m_paceNext++));
        if (m_paceNext >= m_paceTotal) {
            m_pacing = false;
            return;
        }
        m_timer.expires_at(steady_clock::time_point(nanoseconds(dueOf(m_paceNext))));
        m_timer.async_wait([this](const boost::system::error_code& ec) {
            if (!ec)
                paceTick();
        });
    }

    std::shared_ptr<Conn> makeConn(const Target& target, Role role, std::uint32_t index)
    {
        auto c = std::make_shared<Conn>(m_io, *this, target, index);
        c->tag = role;
        return c;
    }

    // Opens n connections at `rate` per second and waits until each is ready or failed.
    bool openMany(std::vector<std::shared_ptr<Conn>>& out, const Target& target, unsigned n, Role role,
                  const std::string& token)
    {
        out.clear();
        out.reserve(n);
        m_readyCount = 0;
        m_failedCount = 0;
        const double rate = m_o.connectRate > 0 ? m_o.connectRate : 1e9;
        pace(nowNs(), rate, n, [&, role](std::int64_t due) {
            auto c = makeConn(target, role, static_cast<std::uint32_t>(out.size()));
            c->dueNs = due;
            c->start(m_sources[out.size() % m_sources.size()], token);
            out.push_back(std::move(c));
        });
        const bool done = runUntil([&] { return !m_pacing && m_readyCount + m_failedCount >= n; }, n / rate + 60);
        if (!done || m_failedCount > 0) {
            std::fprintf(stderr, "aldis-bench: %u of %u connections to %s:%u failed%s%s\n",
                         done ? m_failedCount : n - m_readyCount, n, target.host.c_str(), target.port,
                         m_firstFailure.empty() ? " (timed out)" : ", the first: ", m_firstFailure.c_str());
            return false;
        }
        return true;
    }

    // ---- ConnEvents ---------------------------------------------------------------

    void ready(Conn& c) override
    {
        ++m_readyCount;
        if (c.tag == kProbe) {
            ++m_probesDone;
            if (c.dueNs >= m_measureFromNs) {
                m_handshake.record(static_cast<std::uint64_t>(c.upgradedNs - c.dueNs));
                m_connect.record(static_cast<std::uint64_t>(c.readyNs - c.dueNs));
            }
            c.close();
        }
    }

    void failed(Conn& c, const std::string& why) override
    {
        ++m_failedCount;
        if (m_firstFailure.empty())
            m_firstFailure = why;
        if (c.tag == kProbe)
            ++m_probesFailed;
        else if (c.tag == kSubscriber || c.tag == kPublisher)
            ++m_lostConnections;
    }

    void reply(Conn& c, std::uint64_t id, bool ok, std::string_view frame) override
    {
        const auto now = nowNs();
        if (c.tag == kSubscriber) {
            if (!ok) {
                if (m_firstFailure.empty())
                    m_firstFailure = "subscribe refused: " + std::string(frame);
                ++m_subscribeErrors;
                return;
            }
            auto& state = m_subState[c.index()];
            if (state.pendingSubscribes > 0 && --state.pendingSubscribes == 0)
                ++m_subscribedCount;
            return;
        }
        if (c.tag != kPublisher || id < kFirstPublishId)
            return;
        const std::int64_t due = m_dueById[id & kDueMask];
        if (ok) {
            ++m_step.acked;
            if (due >= m_step.measureFromNs && due < m_step.endNs)
                m_step.ack.record(static_cast<std::uint64_t>(now - due));
        } else {
            ++m_step.errors;
            if (m_step.firstError.empty())
                m_step.firstError = std::string(frame.substr(0, 300));
        }
        if (m_step.closedLoop && now < m_step.endNs)
            publishOne(now, &c);
    }

    void publication(Conn& c, std::string_view data) override
    {
        const auto now = nowNs();
        // data: {"t":<due ns>,"c":<channel index>,"s":<sequence in the channel>,"p":"..."}
        std::size_t pos = 0;
        auto field = [&](std::string_view name, std::uint64_t& v) {
            if (data.substr(pos, name.size()) != name)
                return false;
            pos += name.size();
            v = 0;
            const std::size_t start = pos;
            while (pos < data.size() && data[pos] >= '0' && data[pos] <= '9')
                v = v * 10 + static_cast<std::uint64_t>(data[pos++] - '0');
            return pos > start;
        };
        std::uint64_t t = 0, channel = 0, seq = 0;
        if (!field("{\"t\":", t) || !field(",\"c\":", channel) || !field(",\"s\":", seq)) {
            ++m_step.malformed;
            return;
        }
        if (c.tag != kSubscriber)
            return;
        for (auto& [ch, last] : m_subState[c.index()].channels) {
            if (ch != channel)
                continue;
            if (seq == last + 1)
                last = static_cast<std::uint32_t>(seq);
            else if (seq > last + 1) {
                m_step.gaps += seq - last - 1;
                last = static_cast<std::uint32_t>(seq);
            } else {
                ++m_step.duplicates;
            }
            break;
        }
        const auto due = static_cast<std::int64_t>(t);
        if (due >= m_step.measureFromNs && due < m_step.endNs) {
            ++m_step.received;
            m_step.delivery.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - due)));
        }
    }

    // ---- connect --------------------------------------------------------------------

    int runConnect()
    {
        for (const double rate : m_o.rates) {
            if (rate <= 0) {
                std::fprintf(stderr, "aldis-bench: connect needs --rate > 0\n");
                return 2;
            }
            m_handshake.reset();
            m_connect.reset();
            m_probesDone = m_probesFailed = 0;
            m_firstFailure.clear();
            const auto total = static_cast<std::uint64_t>(rate * m_o.duration);
            const auto start = nowNs() + 5'000'000;
            m_measureFromNs = start + static_cast<std::int64_t>(m_o.warmup * 1e9);
            std::uint64_t index = 0;
            const auto server0 = sampleProcess(m_o.serverPid);
            pace(start, rate, total, [&](std::int64_t due) {
                auto c = makeConn(m_target, kProbe, static_cast<std::uint32_t>(index));
                c->dueNs = due;
                c->start(m_sources[index++ % m_sources.size()], m_subToken);
            });
            runUntil([&] { return !m_pacing && m_probesDone + m_probesFailed >= total; }, m_o.duration + 30);
            const double elapsed = static_cast<double>(nowNs() - start) / 1e9;
            const auto server1 = sampleProcess(m_o.serverPid);
            const double serverCpu = m_o.serverPid ? (server1.cpuSeconds - server0.cpuSeconds) / elapsed : 0;

            std::printf("connect  %s  %s:%u  %.0f connections/s for %.0f s, %u source addresses\n", peerName(m_o.peer),
                        m_target.host.c_str(), m_target.port, rate, m_o.duration, m_o.sources);
            std::printf("  connected    %llu of %llu (failed %llu%s%s)\n", static_cast<unsigned long long>(m_probesDone),
                        static_cast<unsigned long long>(total), static_cast<unsigned long long>(m_probesFailed),
                        m_firstFailure.empty() ? "" : ", the first: ", m_firstFailure.c_str());
            printLatency("handshake", m_handshake);
            printLatency("connect", m_connect);
            if (m_o.serverPid)
                std::printf("  server       %.2f cores\n", serverCpu);
            std::string json = "{\"scenario\":\"connect\",\"peer\":\"" + std::string(peerName(m_o.peer))
                + "\",\"label\":" + jsonString(m_o.label) + ",\"rate\":" + std::to_string(rate)
                + ",\"attempted\":" + std::to_string(total) + ",\"connected\":" + std::to_string(m_probesDone)
                + ",\"failed\":" + std::to_string(m_probesFailed) + ",\"server_cpu\":" + std::to_string(serverCpu)
                + ",\"handshake\":" + m_handshake.json(true) + ",\"connect\":" + m_connect.json(true) + "}";
            emitJson(m_o, json);
            if (m_probesFailed > 0 && m_o.stopWhenSaturated)
                break;
        }
        return 0;
    }

    // ---- idle -----------------------------------------------------------------------

    int runIdle()
    {
        rlimit limit{};
        getrlimit(RLIMIT_NOFILE, &limit);
        if (m_o.connections + 64 > limit.rlim_cur) {
            std::fprintf(stderr,
                         "aldis-bench: --connections %u needs %u file descriptors; this process may open %llu "
                         "(ulimit -n). The server needs as many.\n",
                         m_o.connections, m_o.connections + 64, static_cast<unsigned long long>(limit.rlim_cur));
            return 2;
        }
        const auto server0 = sampleProcess(m_o.serverPid);
        const auto self0 = sampleProcess(0);
        const auto start = nowNs();
        if (!openMany(m_subs, m_target, m_o.connections, kIdle, m_subToken))
            return 1;
        const double setupSeconds = static_cast<double>(nowNs() - start) / 1e9;
        runFor(2); // let the server settle (its buffers, its allocator)
        const auto server1 = sampleProcess(m_o.serverPid);
        const auto self1 = sampleProcess(0);
        runFor(m_o.duration);
        const auto open = static_cast<std::size_t>(std::count_if(m_subs.begin(), m_subs.end(), [](const auto& c) { return c->open(); }));
        const auto server2 = sampleProcess(m_o.serverPid);
        const double perConn = m_o.serverPid ? static_cast<double>(server1.rssKb - server0.rssKb) * 1024.0 / m_o.connections : 0;
        const double selfPerConn = static_cast<double>(self1.rssKb - self0.rssKb) * 1024.0 / m_o.connections;

        std::printf("idle  %s  %s:%u  %u connections (opened at %.0f/s in %.1f s), held %.0f s\n", peerName(m_o.peer),
                    m_target.host.c_str(), m_target.port, m_o.connections, m_o.connectRate, setupSeconds, m_o.duration);
        std::printf("  still open   %zu of %u at the end\n", open, m_o.connections);
        if (m_o.serverPid)
            std::printf("  server RSS   %.1f MiB before, %.1f MiB with them, %.1f MiB at the end: %.0f bytes per connection\n",
                        server0.rssKb / 1024.0, server1.rssKb / 1024.0, server2.rssKb / 1024.0, perConn);
        std::printf("  generator    %.0f bytes per connection\n", selfPerConn);
        const std::string json = "{\"scenario\":\"idle\",\"peer\":\"" + std::string(peerName(m_o.peer))
            + "\",\"label\":" + jsonString(m_o.label) + ",\"connections\":" + std::to_string(m_o.connections)
            + ",\"open_at_end\":" + std::to_string(open) + ",\"server_rss_before_kb\":" + std::to_string(server0.rssKb)
            + ",\"server_rss_after_kb\":" + std::to_string(server1.rssKb)
            + ",\"server_bytes_per_connection\":" + std::to_string(perConn)
            + ",\"generator_bytes_per_connection\":" + std::to_string(selfPerConn) + "}";
        emitJson(m_o, json);
        for (auto& c : m_subs)
            c->close();
        return open == m_o.connections ? 0 : 1;
    }

    // ---- fanout, channels, durable, appends, crossnode ---------------------------------

    std::string channelName(std::uint32_t c) const
    {
        return m_o.prefix + std::to_string(c);
    }

    int runPubSub()
    {
        const unsigned channels = m_o.channels;
        m_subscribersOf.assign(channels, 0);
        m_seq.assign(channels, 0);
        m_dueById.assign(kDueMask + 1, 0);

        if (m_o.subscribers > 0) {
            if (!openMany(m_subs, m_target, m_o.subscribers, kSubscriber, m_subToken))
                return 1;
            m_subState.assign(m_subs.size(), {});
            m_subscribedCount = 0;
            std::uint64_t id = 2;
            for (std::size_t s = 0; s < m_subs.size(); ++s) {
                auto& state = m_subState[s];
                std::string batch;
                for (unsigned k = 0; k < m_o.perConn; ++k) {
                    const auto c = static_cast<std::uint32_t>((s * m_o.perConn + k) % channels);
                    state.channels.emplace_back(c, 0);
                    ++m_subscribersOf[c];
                    if (m_o.peer == Peer::aldis) {
                        m_subs[s]->sendText("{\"id\":" + std::to_string(id++) + ",\"op\":\"subscribe\",\"channel\":\""
                                            + channelName(c) + "\"}");
                    } else {
                        batch += "SUB " + channelName(c) + " " + std::to_string(k + 1) + "\r\n";
                    }
                }
                state.pendingSubscribes = m_o.peer == Peer::aldis ? m_o.perConn : 1;
                if (m_o.peer == Peer::nats)
                    m_subs[s]->sendText(batch + "PING\r\n"); // its PONG says the SUBs are in place
            }
            if (!runUntil([&] { return m_subscribedCount >= m_subs.size() || m_subscribeErrors > 0 || m_lostConnections > 0; }, 120)
                || m_subscribeErrors > 0 || m_lostConnections > 0) {
                std::fprintf(stderr, "aldis-bench: subscribing failed: %s\n",
                             m_firstFailure.empty() ? "timed out" : m_firstFailure.c_str());
                return 1;
            }
        }
        if (!openMany(m_pubs, m_pubTarget, m_o.publishers, kPublisher, m_pubToken))
            return 1;
        m_publishedBy.assign(m_pubs.size(), 0);
        m_padding.assign(m_o.size, 'x');

        for (const double rate : m_o.rates) {
            const bool saturated = runStep(rate);
            if (saturated && m_o.stopWhenSaturated && m_o.rates.size() > 1) {
                std::printf("  (saturated: the sweep stops here)\n");
                break;
            }
        }
        for (auto& c : m_subs)
            c->close();
        for (auto& c : m_pubs)
            c->close();
        return 0;
    }

    // One step at `rate` publications/s (0: closed loop); true when the node did not
    // keep up (deliveries or acks missing, errors, lost connections).
    bool runStep(double rate)
    {
        m_step = Step{};
        m_step.rate = rate;
        m_step.closedLoop = rate <= 0;
        m_step.startNs = nowNs() + 5'000'000;
        m_step.measureFromNs = m_step.startNs + static_cast<std::int64_t>(m_o.warmup * 1e9);
        m_step.endNs = m_step.startNs + static_cast<std::int64_t>(m_o.duration * 1e9);
        const auto lostBefore = m_lostConnections;
        const auto server0 = sampleProcess(m_o.serverPid);
        const auto self0 = sampleProcess(0);

        if (m_step.closedLoop) {
            runUntil([&] { return nowNs() >= m_step.startNs; }, 1);
            for (auto& p : m_pubs)
                for (unsigned w = 0; w < m_o.window; ++w)
                    publishOne(nowNs(), p.get());
        } else {
            pace(m_step.startNs, rate, static_cast<std::uint64_t>(rate * m_o.duration), [this](std::int64_t due) { publishOne(due, nullptr); });
        }
        runUntil([&] { return !m_pacing && nowNs() >= m_step.endNs; }, m_o.duration + 30);
        const double busySeconds = static_cast<double>(nowNs() - m_step.startNs) / 1e9;
        const auto server1 = sampleProcess(m_o.serverPid);
        const auto self1 = sampleProcess(0);
        // What is still on its way gets a few seconds; what comes later is counted missing.
        runUntil([&] {
            return m_step.received >= m_step.expected
                && (m_o.peer == Peer::nats || m_step.acked + m_step.errors >= m_step.sent);
        }, 5);

        const double measuredSeconds = m_o.duration - m_o.warmup;
        const double deliveredPerS = static_cast<double>(m_step.received) / measuredSeconds;
        const double publishedPerS = static_cast<double>(m_step.measuredSent) / measuredSeconds;
        const double serverCpu = m_o.serverPid ? (server1.cpuSeconds - server0.cpuSeconds) / busySeconds : 0;
        const double selfCpu = (self1.cpuSeconds - self0.cpuSeconds) / busySeconds;
        const std::uint64_t lost = m_lostConnections - lostBefore;
        const bool acksMissing = m_o.peer == Peer::aldis && m_step.acked + m_step.errors < m_step.sent;
        const Histogram& judged = m_o.subscribers > 0 ? m_step.delivery : m_step.ack;
        const bool overSlo = !m_step.closedLoop && static_cast<double>(judged.percentile(99)) > m_o.sloMs * 1e6;
        const bool saturated = m_step.received < m_step.expected || m_step.gaps > 0 || m_step.errors > 0 || lost > 0
            || acksMissing || overSlo || (selfCpu > 0.97 && !m_step.closedLoop);

        std::printf("%s  %s  %s:%u  %s, %u subscribers on %u channels (%u each), %u publishers, %u-byte payloads\n",
                    m_o.scenario.c_str(), peerName(m_o.peer), m_target.host.c_str(), m_target.port,
                    m_step.closedLoop ? ("closed loop, " + std::to_string(m_o.window) + " in flight per publisher").c_str()
                                      : (std::to_string(static_cast<long long>(rate)) + " msg/s").c_str(),
                    m_o.subscribers, m_o.channels, m_o.perConn, m_o.publishers, m_o.size);
        std::printf("  published    %.0f/s measured (%llu sent, %llu acked, %llu errors%s%s)\n", publishedPerS,
                    static_cast<unsigned long long>(m_step.sent), static_cast<unsigned long long>(m_step.acked),
                    static_cast<unsigned long long>(m_step.errors), m_step.firstError.empty() ? "" : ": ",
                    m_step.firstError.c_str());
        if (m_o.subscribers > 0) {
            std::printf("  delivered    %.0f/s  (%llu of %llu expected, gaps %llu, duplicates %llu)\n", deliveredPerS,
                        static_cast<unsigned long long>(m_step.received), static_cast<unsigned long long>(m_step.expected),
                        static_cast<unsigned long long>(m_step.gaps), static_cast<unsigned long long>(m_step.duplicates));
            printLatency("deliver", m_step.delivery);
        }
        if (m_o.peer == Peer::aldis)
            printLatency("ack", m_step.ack);
        std::printf("  cpu          server %.2f cores, generator %.2f cores%s%s\n", serverCpu, selfCpu,
                    lost ? ", CONNECTIONS LOST: " : "", lost ? m_firstFailure.c_str() : "");
        if (overSlo)
            std::printf("  (p99 above --slo %.0f ms: the node does not sustain this rate)\n", m_o.sloMs);
        if (selfCpu > 0.97 && !m_step.closedLoop)
            std::printf("  (the generator used its whole core: figures at this rate measure it too)\n");

        char numbers[768];
        std::snprintf(numbers, sizeof numbers,
                      "\"rate\":%.0f,\"closed_loop\":%s,\"subscribers\":%u,\"channels\":%u,\"per_conn\":%u,"
                      "\"publishers\":%u,\"size\":%u,\"duration_s\":%.1f,\"warmup_s\":%.1f,\"sent\":%llu,"
                      "\"published_per_s\":%.0f,\"acked\":%llu,\"errors\":%llu,\"expected\":%llu,\"delivered\":%llu,"
                      "\"delivered_per_s\":%.0f,\"gaps\":%llu,\"duplicates\":%llu,\"lost_connections\":%llu,"
                      "\"server_cpu\":%.3f,\"generator_cpu\":%.3f,\"saturated\":%s",
                      rate, m_step.closedLoop ? "true" : "false", m_o.subscribers, m_o.channels, m_o.perConn,
                      m_o.publishers, m_o.size, m_o.duration, m_o.warmup, static_cast<unsigned long long>(m_step.sent),
                      publishedPerS, static_cast<unsigned long long>(m_step.acked),
                      static_cast<unsigned long long>(m_step.errors), static_cast<unsigned long long>(m_step.expected),
                      static_cast<unsigned long long>(m_step.received), deliveredPerS,
                      static_cast<unsigned long long>(m_step.gaps), static_cast<unsigned long long>(m_step.duplicates),
                      static_cast<unsigned long long>(lost), serverCpu, selfCpu, saturated ? "true" : "false");
        emitJson(m_o, "{\"scenario\":\"" + m_o.scenario + "\",\"peer\":\"" + peerName(m_o.peer) + "\",\"label\":"
                          + jsonString(m_o.label) + "," + numbers + ",\"latency\":" + m_step.delivery.json(true)
                          + ",\"ack\":" + m_step.ack.json(true) + "}");
        return saturated;
    }

    void publishOne(std::int64_t due, Conn* via)
    {
        // Each channel must have one publisher, or the node's order (arrival) and the
        // sequence numbers (sending) could differ. Open loop: publication i goes to
        // channel i % C through publisher i % P. Closed loop: publisher p takes the
        // channels p, p + P, p + 2P, ... (runPubSub checks that P divides C).
        const std::uint64_t i = m_published++;
        std::uint32_t c;
        if (via) {
            const std::uint64_t k = m_publishedBy[via->index()]++;
            c = static_cast<std::uint32_t>((via->index() + k * m_pubs.size()) % m_o.channels);
        } else {
            c = static_cast<std::uint32_t>(i % m_o.channels);
        }
        const std::uint32_t seq = ++m_seq[c];
        Conn& pub = via ? *via : *m_pubs[i % m_pubs.size()];
        char head[96];
        const int n = std::snprintf(head, sizeof head, "{\"t\":%lld,\"c\":%u,\"s\":%u,\"p\":\"", static_cast<long long>(due), c, seq);
        const std::size_t pad = m_o.size > static_cast<unsigned>(n) + 2 ? m_o.size - static_cast<unsigned>(n) - 2 : 0;
        std::string data;
        data.reserve(m_o.size + 8);
        data.append(head, static_cast<std::size_t>(n)).append(m_padding, 0, pad).append("\"}");
        std::string message;
        if (m_o.peer == Peer::aldis) {
            const std::uint64_t id = m_nextPublishId++;
            m_dueById[id & kDueMask] = due;
            message = "{\"id\":" + std::to_string(id) + ",\"op\":\"publish\",\"channel\":\"" + channelName(c)
                + "\",\"data\":" + data + "}";
        } else {
            message = "PUB " + channelName(c) + " " + std::to_string(data.size()) + "\r\n" + data + "\r\n";
        }
        pub.sendText(message);
        ++m_step.sent;
        if (due >= m_step.measureFromNs && due < m_step.endNs) {
            ++m_step.measuredSent;
            m_step.expected += m_subscribersOf[c];
        }
    }

    struct SubState {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> channels; // channel index, last sequence
        unsigned pendingSubscribes = 0;
    };

    struct Step {
        double rate = 0;
        bool closedLoop = false;
        std::int64_t startNs = 0, measureFromNs = 0, endNs = 0;
        std::uint64_t sent = 0, measuredSent = 0, expected = 0, received = 0;
        std::uint64_t gaps = 0, duplicates = 0, malformed = 0, acked = 0, errors = 0;
        Histogram delivery, ack;
        std::string firstError;
    };

    static constexpr std::uint64_t kFirstPublishId = 1'000'000;
    static constexpr std::uint64_t kDueMask = (1u << 22) - 1; // publishes in flight, at most

    const Options& m_o;
    asio::io_context m_io;
    asio::executor_work_guard<asio::io_context::executor_type> m_work;
    asio::steady_timer m_timer;
    Target m_target, m_pubTarget;
    std::vector<asio::ip::address> m_sources;
    std::string m_subToken, m_pubToken;

    // pacing
    std::int64_t m_paceStart = 0;
    double m_paceRate = 1;
    std::uint64_t m_paceTotal = 0, m_paceNext = 0;
    bool m_pacing = false;
    std::function<void(std::int64_t)> m_fire;

    // connections
    std::vector<std::shared_ptr<Conn>> m_subs, m_pubs;
    std::vector<SubState> m_subState;
    unsigned m_readyCount = 0, m_failedCount = 0, m_subscribedCount = 0, m_subscribeErrors = 0;
    std::uint64_t m_lostConnections = 0;
    std::string m_firstFailure;

    // connect scenario
    Histogram m_handshake, m_connect;
    std::uint64_t m_probesDone = 0, m_probesFailed = 0;
    std::int64_t m_measureFromNs = 0;

    // publishing
    std::vector<std::uint32_t> m_subscribersOf; // per channel
    std::vector<std::uint32_t> m_seq;           // per channel: last sequence published
    std::vector<std::int64_t> m_dueById;
    std::uint64_t m_nextPublishId = kFirstPublishId;
    std::uint64_t m_published = 0;
    std::vector<std::uint64_t> m_publishedBy; // closed loop: publications per publisher
    std::string m_padding;
    Step m_step;
};

} // namespace

int runScenario(const Options& options)
{
    if (options.scenario == "store")
        return runStoreScenario(options);
    if (options.scenario == "disk")
        return runDiskScenario(options);
    Bench bench(options);
    return bench.run();
}

} // namespace aldis::bench
