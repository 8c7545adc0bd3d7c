// SPDX-License-Identifier: Apache-2.0
#include "admin/audit_log.h"

#include "admin/admin_json.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

namespace aldis::admin {

namespace json = boost::json;

AuditLog::AuditLog(std::filesystem::path path) : m_path(std::move(path))
{
    std::ifstream in(m_path);
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty())
            continue;
        boost::system::error_code ec;
        auto value = json::parse(line, ec);
        const auto* obj = value.if_object();
        if (ec || !obj) {
            spdlog::warn("audit log {}:{} is not a JSON object; skipped", m_path.string(), lineNo);
            continue;
        }
        AuditEntry e;
        auto str = [&](const char* key) {
            const auto* v = obj->if_contains(key);
            return v && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        auto num = [&](const char* key) -> std::int64_t {
            const auto* v = obj->if_contains(key);
            if (v && v->is_int64())
                return v->as_int64();
            return v && v->is_uint64() ? static_cast<std::int64_t>(v->as_uint64()) : 0;
        };
        e.id = static_cast<std::uint64_t>(num("id"));
        e.timeMs = num("time");
        e.actor = str("actor");
        e.action = str("action");
        e.target = str("target");
        e.result = str("result");
        e.message = str("message");
        m_nextId = std::max(m_nextId, e.id + 1);
        m_entries.push_back(std::move(e));
        if (m_entries.size() > kKept)
            m_entries.pop_front();
    }
}

AuditEntry AuditLog::append(std::string actor, std::string action, std::string target, std::string result,
                            std::string message)
{
    std::lock_guard lock(m_mutex);
    AuditEntry e{m_nextId++,
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count(),
                 std::move(actor), std::move(action), std::move(target), std::move(result), std::move(message)};
    {
        // Opened per entry: actions are rare, and a rotated or deleted file is recreated.
        std::ofstream out(m_path, std::ios::app);
        out << toText(toJson(e)) << '\n';
        if (!out)
            spdlog::error("cannot append to the audit log {}; the entry is kept in memory only", m_path.string());
    }
    m_entries.push_back(e);
    if (m_entries.size() > kKept)
        m_entries.pop_front();
    spdlog::info("audit: {} {} {} by {}: {}", e.action, e.target, e.result, e.actor, e.message);
    return e;
}

std::vector<AuditEntry> AuditLog::recent(std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    std::vector<AuditEntry> out;
    for (auto it = m_entries.rbegin(); it != m_entries.rend() && out.size() < limit; ++it)
        out.push_back(*it);
    return out;
}

} // namespace aldis::admin
