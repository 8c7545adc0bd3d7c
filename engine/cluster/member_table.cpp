// SPDX-License-Identifier: Apache-2.0
#include "cluster/member_table.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace aldis::cluster {

namespace json = boost::json;

bool MemberTable::update(const std::string& node, std::string_view text)
{
    boost::system::error_code ec;
    const json::value parsed = json::parse(text, ec);
    const json::object* o = ec ? nullptr : parsed.if_object();
    if (!o)
        return false;
    auto str = [&](const char* key) {
        const auto* v = o->if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto integer = [&](const char* key) {
        const auto* v = o->if_contains(key);
        return v && v->is_int64() ? v->as_int64() : std::int64_t{0};
    };
    admin::ClusterView::Member m;
    m.id = node;
    m.region = str("region");
    m.state = str("state");
    m.admin = str("admin");
    m.client = str("client");
    m.connections = integer("connections");
    m.lastSeenMs = integer("ts");
    const auto* fenced = o->if_contains("fenced");
    m.fenced = fenced && fenced->is_bool() && fenced->as_bool();
    std::lock_guard lock(m_mutex);
    auto& slot = m_members[node];
    if (slot.state != m.state)
        spdlog::info("cluster: node {} (region {}) is {}", node, m.region, m.state);
    slot = std::move(m);
    return true;
}

std::vector<admin::ClusterView::Member> MemberTable::list() const
{
    std::vector<admin::ClusterView::Member> out;
    const auto now = unixMillisNow();
    std::lock_guard lock(m_mutex);
    for (const auto& [id, m] : m_members) {
        const auto silentFor = now - m.lastSeenMs;
        if (silentFor > kForgetAfter.count())
            continue;
        auto copy = m;
        if (silentFor > m_memberTimeout.count()) {
            copy.lost = m.state != "down"; // a node that stops says so in its last heartbeat
            copy.state = "down";           // silent for too long: crashed, cut off, or stopped
        }
        out.push_back(std::move(copy));
    }
    return out;
}

} // namespace aldis::cluster
