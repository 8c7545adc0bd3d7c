// SPDX-License-Identifier: Apache-2.0
#include "admin/admin_http.h"

#include "admin/admin_server_impl.h"
#include "admin/stream_session.h"
#include "security/jwt.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <optional>

namespace aldis::admin::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

// Compares SHA-256 digests in constant time, so neither the token's bytes nor its
// length show in the time a refusal takes.
bool tokenMatches(std::string_view expected, std::string_view presented)
{
    return !expected.empty() && security::apiKeyMatches({std::string(expected)}, presented);
}

// The value of `name` in a query string, undecoded ("" when absent).
std::string queryValue(std::string_view target, std::string_view name)
{
    auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    auto query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

// One admin HTTP connection: REST requests (keep-alive) until one upgrades to the
// stream.
class AdminHttp : public std::enable_shared_from_this<AdminHttp> {
public:
    AdminHttp(tcp::socket socket, std::shared_ptr<AdminServer::Impl> impl)
        : m_stream(std::move(socket)), m_impl(std::move(impl))
    {
    }

    void start() { read(); }

private:
    void read()
    {
        m_parser.emplace();
        m_parser->header_limit(8 * 1024);
        m_parser->body_limit(kMaxBody);
        m_stream.expires_after(std::chrono::seconds(30));
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRequest(ec); });
    }

    void onRequest(beast::error_code ec)
    {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            return close();
        if (ec) {
            m_keepAlive = false;
            if (ec == http::error::body_limit)
                return respond(http::status::payload_too_large,
                               errorJson("payload_too_large", "admin request bodies are at most 64 KiB"));
            return respond(http::status::bad_request, errorJson("bad_request", "bad HTTP request: " + ec.message()));
        }
        auto& req = m_parser->get();
        m_keepAlive = req.keep_alive();
        const auto target = std::string_view(req.target().data(), req.target().size());
        const auto path = target.substr(0, target.find('?'));

        auto cfg = m_impl->ctx->config.load();
        std::string presented;
        const auto auth = req[http::field::authorization];
        if (auth.size() > 7 && beast::iequals(auth.substr(0, 7), "Bearer "))
            presented = std::string(auth.substr(7));
        else if (path == "/v1/admin/stream")
            presented = queryValue(target, "token");
        if (!tokenMatches(cfg->admin.token, presented)) {
            auto res = errorJson("unauthorized", presented.empty()
                                                     ? "send the admin token as `Authorization: Bearer TOKEN` (it is "
                                                       "admin.token, or the file admin-token in the node's data folder)"
                                                     : "wrong admin token");
            return respond(http::status::unauthorized, std::move(res));
        }

        if (path == "/v1/admin/stream") {
            if (!websocket::is_upgrade(req))
                return respond(http::status::bad_request,
                               errorJson("bad_request", "/v1/admin/stream is a WebSocket; send an upgrade request"));
            startStream(m_stream.release_socket(), m_parser->release(), m_impl);
            return;
        }
        route(req, target, path);
    }

    std::optional<std::size_t> limitOf(std::string_view target, std::size_t fallback)
    {
        auto text = queryValue(target, "limit");
        if (text.empty())
            return fallback;
        std::size_t value = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || ptr != text.data() + text.size() || value < 1 || value > 10000)
            return std::nullopt;
        return value;
    }

    void route(const http::request<http::string_body>& req, std::string_view target, std::string_view path)
    {
        const bool get = req.method() == http::verb::get;
        auto needGet = [&]() {
            respond(http::status::method_not_allowed,
                    errorJson("method_not_allowed", "use GET on " + std::string(path)));
        };
        auto badLimit = [&]() {
            respond(http::status::bad_request,
                    errorJson("bad_request", "limit must be a whole number from 1 to 10000"));
        };
        if (path == "/v1/admin/node")
            return get ? respond(http::status::ok, m_impl->nodeInfo()) : needGet();
        if (path == "/v1/admin/topology")
            return get ? respond(http::status::ok, m_impl->topology()) : needGet();
        if (path == "/v1/admin/alerts")
            return get ? respond(http::status::ok, m_impl->alertsJson()) : needGet();
        if (path == "/v1/admin/connections") {
            if (!get)
                return needGet();
            auto limit = limitOf(target, 500);
            return limit ? respond(http::status::ok, m_impl->connections(*limit)) : badLimit();
        }
        if (path == "/v1/admin/audit") {
            if (!get)
                return needGet();
            auto limit = limitOf(target, 100);
            if (!limit)
                return badLimit();
            json::array entries;
            for (const auto& e : m_impl->audit.recent(*limit))
                entries.push_back(toJson(e));
            return respond(http::status::ok, json::object{{"entries", std::move(entries)}});
        }
        if (path == "/v1/admin/channels") {
            if (!get)
                return needGet();
            auto limit = limitOf(target, 100);
            if (!limit)
                return badLimit();
            m_impl->channels(*limit, queryValue(target, "prefix"), [self = shared_from_this()](json::object answer) {
                asio::post(self->m_stream.get_executor(), [self, answer = std::move(answer)]() mutable {
                    self->respond(http::status::ok, std::move(answer));
                });
            });
            return;
        }
        constexpr std::string_view kActions = "/v1/admin/actions/";
        if (path.substr(0, kActions.size()) == kActions) {
            if (req.method() != http::verb::post)
                return respond(http::status::method_not_allowed,
                               errorJson("method_not_allowed", "actions are POST requests"));
            json::object body;
            if (!req.body().empty()) {
                boost::system::error_code ec;
                auto value = json::parse(req.body(), ec);
                if (ec || !value.is_object())
                    return respond(http::status::bad_request,
                                   errorJson("bad_request", "the body must be a JSON object such as "
                                                            "{\"actor\":\"ops\",\"target\":\"n1\",\"reason\":\"...\"}"));
                body = std::move(value.as_object());
            }
            std::string actor(req["X-Aldis-Actor"]);
            auto [status, answer] = m_impl->action(path.substr(kActions.size()), body, std::move(actor));
            return respond(status, std::move(answer));
        }
        respond(http::status::not_found,
                errorJson("not_found", "no such admin endpoint; see docs/admin-api.md (/v1/admin/node, topology, "
                                       "channels, connections, audit, alerts, actions/..., stream)"));
    }

    void respond(http::status status, json::object body)
    {
        auto res = std::make_shared<http::response<http::string_body>>(status, 11);
        res->set(http::field::content_type, "application/json");
        res->set(http::field::cache_control, "no-store");
        res->keep_alive(m_keepAlive);
        res->body() = toText(body);
        res->prepare_payload();
        http::async_write(m_stream, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !self->m_keepAlive)
                return self->close();
            self->read();
        });
    }

    void close()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream m_stream;
    std::shared_ptr<AdminServer::Impl> m_impl;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    bool m_keepAlive = false;
};

} // namespace

void serveHttp(tcp::socket socket, std::shared_ptr<AdminServer::Impl> impl)
{
    std::make_shared<AdminHttp>(std::move(socket), std::move(impl))->start();
}

} // namespace aldis::admin::detail
