// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/admin_server.h"
#include "common/time.h"

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::cluster {

// The nodes of a region as their heartbeats describe them (the members topic):
// kept by the cluster link for its own region and by each mirror for the region it
// copies. Thread-safe.
class MemberTable {
public:
    explicit MemberTable(Millis memberTimeout) : m_memberTimeout(memberTimeout) {}

    // Records a heartbeat (JSON text from node `node`). Returns false when it is not a
    // JSON object; logs a member's change of state.
    bool update(const std::string& node, std::string_view json);

    // The members, as of now: one silent for the member timeout is `down` (and `lost`
    // unless its last heartbeat said it stopped); one silent for kForgetAfter is no
    // longer listed (removed from the region for good).
    std::vector<admin::ClusterView::Member> list() const;

    static constexpr Millis kForgetAfter{std::chrono::minutes(10)};

private:
    const Millis m_memberTimeout;
    mutable std::mutex m_mutex;
    std::map<std::string, admin::ClusterView::Member> m_members;
};

} // namespace aldis::cluster
