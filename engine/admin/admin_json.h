// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/alert_engine.h"
#include "admin/audit_log.h"
#include "admin/stats_sampler.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

// The JSON shapes of docs/admin-api.md, in one place.
namespace aldis::admin {

boost::json::object toJson(const AuditEntry& entry);
boost::json::object toJson(const Alert& alert);
boost::json::object toJson(const AlertRule& rule);
boost::json::object toJson(const LatencySummary& latency);
// The `stats` message without its node, region, state and alerts (the server adds them).
boost::json::object toJson(const StatsSnapshot& snapshot);

// {"error":{"code":code,"message":message}}
boost::json::object errorJson(std::string_view code, std::string_view message);

std::int64_t nowMs();

// JSON text of `value` as boost::json::serialize writes it, except that doubles are
// written in their shortest round-trip form ("0.0841", "50", "1e+21") rather than
// Boost 1.81's always-exponent form ("8.41E-2", "5E1"): the admin API is read by
// people with curl as much as by programs.
std::string toText(const boost::json::value& value);

} // namespace aldis::admin
