// SPDX-License-Identifier: Apache-2.0
#include "admin/admin_json.h"

#include "protocol/reply.h"

#include <boost/json/array.hpp>

#include <charconv>
#include <chrono>
#include <cmath>

namespace aldis::admin {

namespace json = boost::json;

namespace {
// Milliseconds with three decimals: enough for microsecond latencies, short on the wire.
double rounded(double ms)
{
    return std::round(ms * 1000.0) / 1000.0;
}
} // namespace

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json::object toJson(const AuditEntry& e)
{
    return json::object{{"id", e.id},         {"time", e.timeMs},     {"actor", e.actor},   {"action", e.action},
                        {"target", e.target}, {"result", e.result}, {"message", e.message}};
}

json::object toJson(const Alert& a)
{
    return json::object{{"rule", a.rule},
                        {"since", a.sinceMs},
                        {"value", rounded(a.value)},
                        {"threshold", a.threshold},
                        {"message", a.message}};
}

json::object toJson(const AlertRule& r)
{
    return json::object{{"name", r.name}, {"threshold", r.threshold}, {"unit", r.unit}};
}

json::object toJson(const LatencySummary& l)
{
    json::array buckets;
    buckets.reserve(l.buckets.size());
    for (const auto& [bound, count] : l.buckets)
        buckets.push_back(json::array{rounded(bound), count});
    return json::object{{"count", l.count},
                        {"p50_ms", rounded(l.p50Ms)},
                        {"p95_ms", rounded(l.p95Ms)},
                        {"p99_ms", rounded(l.p99Ms)},
                        {"buckets", std::move(buckets)}};
}

json::object toJson(const StatsSnapshot& s)
{
    json::array lag;
    for (const auto& l : s.lag)
        lag.push_back(json::object{{"topic", l.topic}, {"partition", l.partition}, {"lag", l.lag}});
    auto store = toJson(s.storeAppend);
    store.erase("buckets");
    store.erase("p95_ms");
    return json::object{
        {"type", "stats"},
        {"time", s.timeMs},
        {"interval_s", rounded(s.intervalS)},
        {"connections", s.connections},
        {"subscriptions", s.subscriptions},
        {"channels", s.channels},
        {"rates", json::object{{"publications_per_s", rounded(s.publicationsPerS)},
                               {"deliveries_per_s", rounded(s.deliveriesPerS)},
                               {"commands_per_s", rounded(s.commandsPerS)},
                               {"connects_per_s", rounded(s.connectsPerS)},
                               {"disconnects_per_s", rounded(s.disconnectsPerS)},
                               {"drop_percent_1m", rounded(s.dropPercent1m)}}},
        {"latency", toJson(s.latency)},
        {"latency_total", toJson(s.latencyTotal)},
        {"store_append", std::move(store)},
        {"lag", std::move(lag)},
    };
}

namespace {

void write(std::string& out, const json::value& v)
{
    switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: out += std::to_string(v.get_int64()); break;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case json::kind::double_: {
        const double d = v.get_double();
        if (!std::isfinite(d)) {
            out += "null"; // JSON has no NaN or infinity
            break;
        }
        char buffer[32];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
        out.append(buffer, ec == std::errc{} ? end : buffer);
        break;
    }
    case json::kind::string: {
        const auto& s = v.get_string();
        protocol::appendJsonString(out, std::string_view(s.data(), s.size()));
        break;
    }
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (const auto& item : v.get_array()) {
            if (!first)
                out += ',';
            first = false;
            write(out, item);
        }
        out += ']';
        break;
    }
    case json::kind::object: {
        out += '{';
        bool first = true;
        for (const auto& [key, item] : v.get_object()) {
            if (!first)
                out += ',';
            first = false;
            protocol::appendJsonString(out, std::string_view(key.data(), key.size()));
            out += ':';
            write(out, item);
        }
        out += '}';
        break;
    }
    }
}

} // namespace

std::string toText(const json::value& value)
{
    std::string out;
    out.reserve(256);
    write(out, value);
    return out;
}

json::object errorJson(std::string_view code, std::string_view message)
{
    return json::object{{"error", json::object{{"code", code}, {"message", message}}}};
}

} // namespace aldis::admin
