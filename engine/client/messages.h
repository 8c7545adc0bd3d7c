// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/client.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

// Reading the server's JSON (PROTOCOL.md) into the public types, and the mapping of
// protocol errors to aldis::Error. Pure functions, callable from any thread.
namespace aldis::client::detail {

// The field's value, or 0 / "" / false when it is missing or of another type: a
// reply is read leniently, field by field.
std::uint64_t getU64(const boost::json::object& o, std::string_view key);
std::int64_t getI64(const boost::json::object& o, std::string_view key);
std::string getString(const boost::json::object& o, std::string_view key);
bool getBool(const boost::json::object& o, std::string_view key);

boost::json::object sinceJson(const Since& since);
Publication publicationFrom(const boost::json::object& o);
SubscribeReply subscribeReplyFrom(const boost::json::object& o);

// A protocol error code ("unavailable", ...); an unknown one is `internal`.
ErrorCode codeFromString(std::string_view text);
// Whether the same command can succeed later: the node was busy or briefly unable.
bool retryableCode(ErrorCode code);
Error unavailable(std::string message, bool retryable = true);

} // namespace aldis::client::detail
