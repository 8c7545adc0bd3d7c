// SPDX-License-Identifier: Apache-2.0
#include "protocol/command.h"

#include "protocol/channel.h"

#include <boost/json.hpp>

namespace aldis::protocol {

namespace json = boost::json;

std::string_view toString(Op op) noexcept
{
    switch (op) {
    case Op::connect: return "connect";
    case Op::refresh: return "refresh";
    case Op::subscribe: return "subscribe";
    case Op::unsubscribe: return "unsubscribe";
    case Op::publish: return "publish";
    case Op::ack: return "ack";
    case Op::history: return "history";
    case Op::presence: return "presence";
    case Op::ping: return "ping";
    }
    return "ping";
}

namespace {

std::optional<Op> opFromString(std::string_view s)
{
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"connect", Op::connect}, {"refresh", Op::refresh}, {"subscribe", Op::subscribe},
        {"unsubscribe", Op::unsubscribe}, {"publish", Op::publish}, {"ack", Op::ack},
        {"history", Op::history}, {"presence", Op::presence}, {"ping", Op::ping},
    };
    for (auto [name, op] : kOps)
        if (name == s)
            return op;
    return std::nullopt;
}

// Reads an unsigned integer that JSON may carry as int64, uint64 or an integral double.
std::optional<std::uint64_t> asUnsigned(const json::value& v)
{
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64()) {
        auto i = v.get_int64();
        if (i >= 0) return static_cast<std::uint64_t>(i);
        return std::nullopt;
    }
    if (v.is_double()) {
        double d = v.get_double();
        if (d >= 0 && d <= 9007199254740992.0 && d == static_cast<double>(static_cast<std::uint64_t>(d)))
            return static_cast<std::uint64_t>(d);
    }
    return std::nullopt;
}

struct Fail {
    std::string message;
};

// Field readers: each returns the value or throws Fail with a message that names the
// field. Fail never leaves parseCommand.
const json::value* field(const json::object& o, std::string_view name)
{
    auto it = o.find(name);
    return it == o.end() ? nullptr : &it->value();
}

std::string requireString(const json::object& o, std::string_view name, std::string_view op)
{
    const auto* v = field(o, name);
    if (!v)
        throw Fail{std::string(op) + " needs \"" + std::string(name) + "\""};
    if (!v->is_string())
        throw Fail{"\"" + std::string(name) + "\" must be a string"};
    return std::string(v->get_string());
}

std::string optionalString(const json::object& o, std::string_view name)
{
    const auto* v = field(o, name);
    if (!v || v->is_null())
        return {};
    if (!v->is_string())
        throw Fail{"\"" + std::string(name) + "\" must be a string"};
    return std::string(v->get_string());
}

std::string requireChannel(const json::object& o, std::string_view op)
{
    auto channel = requireString(o, "channel", op);
    if (!isValidChannel(channel))
        throw Fail{"invalid channel name \"" + channel.substr(0, 300) +
                   "\": use 1 to 255 bytes of [A-Za-z0-9_.:@=,;/-#]"};
    return channel;
}

std::optional<Since> optionalSince(const json::object& o)
{
    const auto* v = field(o, "since");
    if (!v || v->is_null())
        return std::nullopt;
    if (!v->is_object())
        throw Fail{"\"since\" must be an object {\"offset\": n, \"epoch\": \"...\"}"};
    const auto& s = v->get_object();
    Since since;
    const auto* off = field(s, "offset");
    if (!off)
        throw Fail{"\"since\" needs \"offset\""};
    auto n = asUnsigned(*off);
    if (!n)
        throw Fail{"\"since.offset\" must be a non-negative integer"};
    since.offset = *n;
    if (const auto* ep = field(s, "epoch"); ep && !ep->is_null()) {
        if (!ep->is_string())
            throw Fail{"\"since.epoch\" must be a string"};
        since.epoch = std::string(ep->get_string());
    }
    return since;
}

void readPublishFields(const json::object& o, Command& cmd)
{
    cmd.channel = requireChannel(o, "publish");
    const auto* data = field(o, "data");
    if (!data)
        throw Fail{"publish needs \"data\" (any JSON value)"};
    cmd.data = json::serialize(*data);
    if (const auto* k = field(o, "key"); k && !k->is_null()) {
        if (!k->is_string() || k->get_string().empty() || k->get_string().size() > kMaxKeyBytes)
            throw Fail{"\"key\" must be a string of 1 to 128 characters"};
        cmd.key = std::string(k->get_string());
    }
}

CommandError makeCommandError(std::uint64_t id, ErrorCode code, std::string message, bool fatal = false,
                              std::optional<Op> op = std::nullopt)
{
    CommandError e;
    e.id = id;
    e.code = code;
    e.message = std::move(message);
    e.fatal = fatal;
    e.op = op;
    return e;
}

} // namespace

ParseResult parsePublishBody(std::string_view text)
{
    json::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec || !root.is_object())
        return makeCommandError(0, ErrorCode::bad_request,
                                "body must be a JSON object {\"channel\", \"data\", \"key\"}");
    Command cmd;
    cmd.op = Op::publish;
    try {
        readPublishFields(root.get_object(), cmd);
    } catch (const Fail& f) {
        return makeCommandError(0, ErrorCode::bad_request, f.message, false);
    }
    return cmd;
}

ParseResult parseCommand(std::string_view text)
{
    json::error_code ec;
    json::parse_options opts;
    opts.max_depth = 64;
    json::value root = json::parse(text, ec, {}, opts);
    if (ec)
        return makeCommandError(0, ErrorCode::bad_request, "frame is not valid JSON: " + ec.message(), true);
    if (!root.is_object())
        return makeCommandError(0, ErrorCode::bad_request, "frame must be a JSON object", true);
    const auto& o = root.get_object();

    Command cmd;
    const auto* idv = field(o, "id");
    auto id = idv ? asUnsigned(*idv) : std::nullopt;
    if (!id || *id == 0)
        return makeCommandError(0, ErrorCode::bad_request,
                            "every command needs \"id\": a positive integer unique among your commands in flight");
    cmd.id = *id;

    const auto* opv = field(o, "op");
    if (!opv || !opv->is_string())
        return makeCommandError(cmd.id, ErrorCode::bad_request, "every command needs \"op\", a string");
    auto op = opFromString(opv->get_string());
    if (!op)
        return makeCommandError(cmd.id, ErrorCode::unknown_op,
                                "unknown op \"" + std::string(opv->get_string().subview(0, 64)) +
                                    "\"; known: connect, refresh, subscribe, unsubscribe, publish, ack, history, presence, ping");
    cmd.op = *op;
    auto opName = toString(cmd.op);

    try {
        switch (cmd.op) {
        case Op::connect:
            cmd.token = requireString(o, "token", opName);
            cmd.name = optionalString(o, "name");
            break;
        case Op::refresh:
            cmd.token = requireString(o, "token", opName);
            break;
        case Op::subscribe:
            cmd.channel = requireChannel(o, opName);
            cmd.since = optionalSince(o);
            cmd.durable = optionalString(o, "durable");
            if (const auto* d = field(o, "durable"); d && !d->is_null() &&
                (cmd.durable.empty() || cmd.durable.size() > kMaxKeyBytes))
                throw Fail{"\"durable\" must be a name of 1 to 128 characters"};
            break;
        case Op::unsubscribe:
        case Op::presence:
            cmd.channel = requireChannel(o, opName);
            break;
        case Op::publish:
            readPublishFields(o, cmd);
            break;
        case Op::ack: {
            cmd.channel = requireChannel(o, opName);
            const auto* off = field(o, "offset");
            auto n = off ? asUnsigned(*off) : std::nullopt;
            if (!n)
                throw Fail{"ack needs \"offset\", a non-negative integer"};
            cmd.offset = *n;
            break;
        }
        case Op::history: {
            cmd.channel = requireChannel(o, opName);
            cmd.since = optionalSince(o);
            if (const auto* l = field(o, "limit"); l && !l->is_null()) {
                auto n = asUnsigned(*l);
                if (!n || *n < 1 || *n > kMaxHistoryLimit)
                    throw Fail{"\"limit\" must be an integer from 1 to 1000"};
                cmd.limit = static_cast<std::uint32_t>(*n);
            }
            if (const auto* r = field(o, "reverse"); r && !r->is_null()) {
                if (!r->is_bool())
                    throw Fail{"\"reverse\" must be true or false"};
                cmd.reverse = r->get_bool();
            }
            break;
        }
        case Op::ping:
            break;
        }
    } catch (const Fail& f) {
        return makeCommandError(cmd.id, ErrorCode::bad_request, f.message, false, cmd.op);
    }
    return cmd;
}

} // namespace aldis::protocol
