// SPDX-License-Identifier: Apache-2.0
#include "options.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace aldis::bench {

namespace {

constexpr const char* kUsage = R"(usage: aldis-bench SCENARIO [options]

scenarios
  connect     open connections at --rate per second for --duration: handshake (101)
              and connect (hello acknowledged) latency, each closed once connected
  idle        hold --connections connections (answering pings) for --duration;
              server RSS per connection with --server-pid
  fanout      --subscribers on --channels (default 1), --publishers publishing at
              --rate; publish-to-deliver latency of every delivery, deliveries/s
  channels    fanout over many channels (default 10000, each subscriber on --per-conn 10)
  durable     fanout on a durable namespace (--prefix d:bench-): ack and delivery latency
  appends     closed loop durable publishes (--window in flight per publisher): acks/s
  crossnode   publishers on --publish-url, subscribers on --url (a cluster's nodes)
  store       appends straight into an event store (--backend sqlite|postgresql,
              --store-path FILE or --store-url URL, --count N, --commit-window MS): appends/s
  disk        4 KiB writes with fdatasync in --store-path (a folder) for --duration:
              the latency every durable commit waits for, and the disk's stalls

options
  --peer aldis|nats     protocol of the server (nats: NATS over WebSocket)
  --url ws://HOST:PORT/PATH    --publish-url URL    --secret HS256-SECRET
  --rate R[,R2...]      per second; a list runs one step per rate (a sweep), stopping
                        at the first saturated step (see --slo) unless --no-stop;
                        0: closed loop
  --duration S  --warmup S     seconds per step, and its unmeasured start
  --subscribers N  --channels N  --per-conn K  --publishers N  --connections N
  --connect-rate N      connections/s while setting up subscribers or idle connections
  --size BYTES          payload size (at least 40)
  --window N            closed loop: publishes in flight per publisher
  --sources N           loopback source addresses 127.0.0.1..N (28,000 ports each)
  --cpu N               pin the load generator to core N
  --server-pid PID      read the server's RSS and CPU time from /proc
  --prefix P            channel name prefix (default bench-; d:bench- for durable)
  --slo MS              a step whose p99 (delivery, else ack) is above MS is
                        saturated (default 100): the sweep's maximum is sustained
                        throughput, not a backlog that drains after the step
  --json FILE           append each result as a JSON line to FILE
  --label TEXT          copied into the JSON
)";

[[noreturn]] void usage(const std::string& why)
{
    if (!why.empty())
        std::fprintf(stderr, "aldis-bench: %s\n", why.c_str());
    std::fputs(kUsage, why.empty() ? stdout : stderr);
    std::exit(why.empty() ? 0 : 2);
}

double number(const std::string& option, const std::string& text)
{
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || v < 0)
        usage(option + " takes a number >= 0, not \"" + text + "\"");
    return v;
}

unsigned whole(const std::string& option, const std::string& text)
{
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
        usage(option + " takes a whole number, not \"" + text + "\"");
    return v;
}

} // namespace

Options parseOptions(int argc, char** argv)
{
    Options o;
    if (argc < 2)
        usage("which scenario?");
    o.scenario = argv[1];
    if (o.scenario == "--help" || o.scenario == "-h")
        usage("");
    bool rateGiven = false;
    bool channelsGiven = false;
    bool prefixGiven = false;
    bool perConnGiven = false;
    bool subscribersGiven = false;
    bool publishersGiven = false;
    bool windowGiven = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage("missing value after " + a);
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage("");
        } else if (a == "--peer") {
            const auto v = value();
            if (v == "aldis")
                o.peer = Peer::aldis;
            else if (v == "nats")
                o.peer = Peer::nats;
            else
                usage("--peer is aldis or nats, not \"" + v + "\"");
        } else if (a == "--url") {
            o.url = value();
        } else if (a == "--publish-url") {
            o.publishUrl = value();
        } else if (a == "--secret") {
            o.secret = value();
        } else if (a == "--rate") {
            rateGiven = true;
            o.rates.clear();
            std::string list = value();
            std::size_t start = 0;
            while (start <= list.size()) {
                const auto comma = list.find(',', start);
                o.rates.push_back(number("--rate", list.substr(start, comma - start)));
                if (comma == std::string::npos)
                    break;
                start = comma + 1;
            }
        } else if (a == "--duration") {
            o.duration = number(a, value());
        } else if (a == "--warmup") {
            o.warmup = number(a, value());
        } else if (a == "--subscribers") {
            o.subscribers = whole(a, value());
            subscribersGiven = true;
        } else if (a == "--channels") {
            o.channels = whole(a, value());
            channelsGiven = true;
        } else if (a == "--per-conn") {
            o.perConn = whole(a, value());
            perConnGiven = true;
        } else if (a == "--publishers") {
            o.publishers = whole(a, value());
            publishersGiven = true;
        } else if (a == "--connections") {
            o.connections = whole(a, value());
        } else if (a == "--connect-rate") {
            o.connectRate = number(a, value());
        } else if (a == "--size") {
            o.size = whole(a, value());
        } else if (a == "--window") {
            o.window = whole(a, value());
            windowGiven = true;
        } else if (a == "--sources") {
            o.sources = whole(a, value());
        } else if (a == "--cpu") {
            o.cpu = static_cast<int>(whole(a, value()));
        } else if (a == "--server-pid") {
            o.serverPid = static_cast<int>(whole(a, value()));
        } else if (a == "--prefix") {
            o.prefix = value();
            prefixGiven = true;
        } else if (a == "--json") {
            o.json = value();
        } else if (a == "--label") {
            o.label = value();
        } else if (a == "--slo") {
            o.sloMs = number(a, value());
        } else if (a == "--no-stop") {
            o.stopWhenSaturated = false;
        } else if (a == "--backend") {
            o.backend = value();
        } else if (a == "--store-path") {
            o.storePath = value();
        } else if (a == "--store-url") {
            o.storeUrl = value();
        } else if (a == "--commit-window") {
            o.commitWindowMs = number(a, value());
        } else if (a == "--count") {
            o.count = whole(a, value());
        } else {
            usage("unknown option " + a);
        }
    }

    // Each scenario's defaults.
    const std::string& s = o.scenario;
    if (s == "connect") {
        if (!rateGiven)
            o.rates = {2000};
    } else if (s == "idle") {
        if (!rateGiven)
            o.rates = {0};
    } else if (s == "fanout") {
        if (!rateGiven)
            o.rates = {1000};
    } else if (s == "channels") {
        if (!channelsGiven)
            o.channels = 10000;
        if (!perConnGiven)
            o.perConn = 10;
        if (!subscribersGiven)
            o.subscribers = 1000;
        if (!publishersGiven)
            o.publishers = 4;
        if (!rateGiven)
            o.rates = {10000};
    } else if (s == "durable") {
        if (!prefixGiven)
            o.prefix = "d:bench-";
        if (!rateGiven)
            o.rates = {1000};
    } else if (s == "appends") {
        if (!prefixGiven)
            o.prefix = "d:bench-";
        if (!channelsGiven)
            o.channels = 16;
        if (!subscribersGiven)
            o.subscribers = 0;
        if (!publishersGiven)
            o.publishers = 8;
        if (!rateGiven)
            o.rates = {0};
    } else if (s == "crossnode") {
        if (!prefixGiven)
            o.prefix = "d:bench-";
        if (!channelsGiven)
            o.channels = 10;
        if (!subscribersGiven)
            o.subscribers = 1;
        if (!perConnGiven)
            o.perConn = o.channels;
        if (!publishersGiven)
            o.publishers = 10;
        if (!rateGiven)
            o.rates = {10000};
        if (o.publishUrl.empty())
            usage("crossnode needs --publish-url (a node other than --url)");
    } else if (s == "disk") {
        return o;
    } else if (s == "store") {
        if (!channelsGiven)
            o.channels = 16;
        if (o.backend != "sqlite" && o.backend != "postgresql")
            usage("--backend is sqlite or postgresql");
        if (o.backend == "postgresql" && o.storeUrl.empty())
            usage("--backend postgresql needs --store-url");
        if (!windowGiven)
            o.window = 20000;
        return o;
    } else {
        usage("unknown scenario \"" + s + "\"");
    }

    if (o.peer == Peer::aldis && o.secret.empty())
        usage("--secret is needed for Aldis (an HS256 key of the node's [[auth.keys]])");
    if (o.size < 40)
        usage("--size must be at least 40 bytes (the timestamp and sequence take that)");
    if (o.channels == 0 || o.perConn == 0 || o.perConn > o.channels)
        usage("--channels must be >= 1 and --per-conn between 1 and --channels");
    if (o.publishers == 0 || o.channels % o.publishers != 0)
        usage("--publishers must divide --channels, so that each channel has one publisher and its order "
              "can be checked");
    if (o.sources == 0 || o.sources > 250)
        usage("--sources is 1 to 250");
    if (o.duration <= o.warmup && s != "idle" && s != "connect")
        usage("--duration must be longer than --warmup");
    if (o.publishUrl.empty())
        o.publishUrl = o.url;
    return o;
}

} // namespace aldis::bench
