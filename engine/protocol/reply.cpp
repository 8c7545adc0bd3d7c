// SPDX-License-Identifier: Apache-2.0
#include "protocol/reply.h"

namespace aldis::protocol {

void appendJsonString(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

std::string okReply(std::uint64_t id, std::string_view okJson)
{
    std::string out;
    out.reserve(24 + okJson.size());
    out += "{\"id\":";
    out += std::to_string(id);
    out += ",\"ok\":";
    out += okJson;
    out += '}';
    return out;
}

std::string errorReply(std::uint64_t id, ErrorCode code, std::string_view message)
{
    std::string out = "{\"id\":";
    out += id ? std::to_string(id) : std::string("null");
    out += ",\"error\":{\"code\":\"";
    out += toString(code);
    out += "\",\"message\":";
    appendJsonString(out, message);
    out += "}}";
    return out;
}

namespace {
// The members of a publication, without braces, shared by pushes and history replies.
void appendPublicationMembers(std::string& out, std::string_view channel, std::uint64_t offset,
                              std::string_view dataJson, std::int64_t ts, std::string_view user,
                              std::string_view key)
{
    out += "\"channel\":";
    appendJsonString(out, channel);
    out += ",\"offset\":";
    out += std::to_string(offset);
    out += ",\"data\":";
    out += dataJson;
    out += ",\"ts\":";
    out += std::to_string(ts);
    out += ",\"user\":";
    if (user.empty())
        out += "null";
    else
        appendJsonString(out, user);
    if (!key.empty()) {
        out += ",\"key\":";
        appendJsonString(out, key);
    }
}
} // namespace

void appendPublication(std::string& out, std::string_view channel, std::uint64_t offset,
                       std::string_view dataJson, std::int64_t ts, std::string_view user,
                       std::string_view key)
{
    out += '{';
    appendPublicationMembers(out, channel, offset, dataJson, ts, user, key);
    out += '}';
}

std::string pubPush(std::string_view channel, std::uint64_t offset, std::string_view dataJson,
                    std::int64_t ts, std::string_view user, std::string_view key)
{
    std::string out;
    out.reserve(80 + channel.size() + dataJson.size() + user.size() + key.size());
    out += "{\"push\":\"pub\",";
    appendPublicationMembers(out, channel, offset, dataJson, ts, user, key);
    out += '}';
    return out;
}

std::string joinLeavePush(bool join, std::string_view channel, std::uint64_t client,
                          std::string_view user)
{
    std::string out = join ? "{\"push\":\"join\",\"channel\":" : "{\"push\":\"leave\",\"channel\":";
    appendJsonString(out, channel);
    out += ",\"client\":";
    out += std::to_string(client);
    out += ",\"user\":";
    appendJsonString(out, user);
    out += '}';
    return out;
}

std::string unsubscribedPush(std::string_view channel, std::string_view reason)
{
    std::string out = "{\"push\":\"unsubscribed\",\"channel\":";
    appendJsonString(out, channel);
    out += ",\"reason\":";
    appendJsonString(out, reason);
    out += '}';
    return out;
}

std::string disconnectPush(int code, std::string_view reason, bool reconnect)
{
    std::string out = "{\"push\":\"disconnect\",\"code\":";
    out += std::to_string(code);
    out += ",\"reason\":";
    appendJsonString(out, reason);
    out += ",\"reconnect\":";
    out += reconnect ? "true" : "false";
    out += '}';
    return out;
}

} // namespace aldis::protocol
