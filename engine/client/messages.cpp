// SPDX-License-Identifier: Apache-2.0
#include "client/messages.h"

#include <boost/json.hpp>

namespace aldis::client::detail {

namespace json = boost::json;

std::uint64_t getU64(const json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key)) {
        if (v->is_uint64())
            return v->get_uint64();
        if (v->is_int64() && v->get_int64() >= 0)
            return static_cast<std::uint64_t>(v->get_int64());
    }
    return 0;
}

std::int64_t getI64(const json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key)) {
        if (v->is_int64())
            return v->get_int64();
        if (v->is_uint64())
            return static_cast<std::int64_t>(v->get_uint64());
    }
    return 0;
}

std::string getString(const json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

bool getBool(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

json::object sinceJson(const Since& since)
{
    json::object o;
    o["offset"] = since.offset;
    o["epoch"] = since.epoch;
    return o;
}

Publication publicationFrom(const json::object& o)
{
    Publication p;
    p.channel = getString(o, "channel");
    p.offset = getU64(o, "offset");
    if (const auto* data = o.if_contains("data"))
        p.dataJson = json::serialize(*data);
    else
        p.dataJson = "null";
    p.ts = getI64(o, "ts");
    p.user = getString(o, "user");
    p.key = getString(o, "key");
    return p;
}

SubscribeReply subscribeReplyFrom(const json::object& o)
{
    return SubscribeReply{getString(o, "channel"), getString(o, "epoch"), getU64(o, "offset"),
                          getBool(o, "recovered"), getU64(o, "replayed")};
}

ErrorCode codeFromString(std::string_view text)
{
    for (auto code : {ErrorCode::bad_request, ErrorCode::unauthorized, ErrorCode::token_expired,
                      ErrorCode::permission_denied, ErrorCode::unknown_op, ErrorCode::unknown_channel,
                      ErrorCode::already_subscribed, ErrorCode::not_subscribed, ErrorCode::payload_too_large,
                      ErrorCode::too_many_requests, ErrorCode::limit_exceeded, ErrorCode::unavailable,
                      ErrorCode::internal})
        if (toString(code) == text)
            return code;
    return ErrorCode::internal;
}

bool retryableCode(ErrorCode code)
{
    return code == ErrorCode::unavailable || code == ErrorCode::too_many_requests;
}

Error unavailable(std::string message, bool retryable)
{
    return makeError(ErrorCode::unavailable, std::move(message), retryable);
}

} // namespace aldis::client::detail
