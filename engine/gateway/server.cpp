// SPDX-License-Identifier: Apache-2.0
#include "gateway/server.h"

#include "broker/broker.h"
#include "gateway/assets.h"
#include "gateway/session.h"
#include "gateway/sse.h"
#include "gateway/tls.h"
#include "observability/metrics.h"
#include "protocol/reply.h"
#include "security/jwt.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace aldis::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;

std::string websocketAccept(std::string_view key)
{
    static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input(key);
    input += kGuid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char out[32];
    auto n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

// A Sec-WebSocket-Key is the base64 of 16 bytes: 24 characters ending in "==".
bool validWebSocketKey(std::string_view key)
{
    if (key.size() != 24 || key.substr(22) != "==")
        return false;
    return std::all_of(key.begin(), key.begin() + 22, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    });
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Origin check (PROTOCOL.md, Transport): an absent Origin passes; otherwise it must be
// in the allow-list ("*" allows any), or, with an empty list, name the same host the
// request was sent to.
bool originAllowed(const config::ClientListenerConfig& client, std::string_view origin, std::string_view host)
{
    if (origin.empty())
        return true;
    const auto o = lower(origin);
    for (const auto& allowed : client.allowedOrigins)
        if (allowed == "*" || lower(allowed) == o)
            return true;
    if (!client.allowedOrigins.empty())
        return false;
    auto scheme = o.find("://");
    if (scheme == std::string::npos)
        return false;
    return o.substr(scheme + 3) == lower(host);
}

http::status statusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::bad_request: return http::status::bad_request;
    case ErrorCode::unauthorized: case ErrorCode::token_expired: return http::status::unauthorized;
    case ErrorCode::permission_denied: return http::status::forbidden;
    case ErrorCode::unknown_channel: return http::status::not_found;
    case ErrorCode::payload_too_large: return http::status::payload_too_large;
    case ErrorCode::too_many_requests: return http::status::too_many_requests;
    case ErrorCode::unavailable: return http::status::service_unavailable;
    default: return http::status::internal_server_error;
    }
}

std::string errorBody(ErrorCode code, std::string_view message)
{
    std::string body = "{\"error\":{\"code\":\"";
    body += toString(code);
    body += "\",\"message\":";
    protocol::appendJsonString(body, message);
    body += "}}";
    return body;
}

// One HTTP connection before (or instead of) the WebSocket upgrade; under TLS when
// the listener has a certificate (then the handshake comes first, within the same
// handshake_timeout as a request).
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
public:
    HttpConnection(tcp::socket socket, std::shared_ptr<ServerContext> ctx, std::shared_ptr<asio::ssl::context> tls)
        : m_stream(tls ? beast::tcp_stream(socket.get_executor()) : beast::tcp_stream(std::move(socket))),
          m_ctx(std::move(ctx)), m_accepted(Clock::now()), m_tlsContext(std::move(tls))
    {
        if (m_tlsContext)
            m_tls = std::make_unique<TlsStream>(std::move(socket), *m_tlsContext);
        m_ctx->httpConnections.fetch_add(1);
    }
    ~HttpConnection() { m_ctx->httpConnections.fetch_sub(1); }

    void start()
    {
        if (!m_tls)
            return read();
        transport().expires_after(m_ctx->config.load()->client.handshakeTimeout);
        m_tls->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
            if (ec) {
                // A plain-text request, an old TLS version, a slow or vanished peer.
                self->m_ctx->metrics.tlsHandshakeFailures.add();
                spdlog::debug("TLS handshake failed: {}", ec.message());
                return self->close();
            }
            self->read();
        });
    }

private:
    beast::tcp_stream& transport() { return m_tls ? m_tls->next_layer() : m_stream; }

    // Runs `fn` with the stream HTTP goes over: the TLS stream or the TCP one.
    template <typename Fn>
    void withStream(Fn&& fn)
    {
        if (m_tls)
            fn(*m_tls);
        else
            fn(m_stream);
    }

    void read()
    {
        auto cfg = m_ctx->config.load();
        m_parser.emplace();
        m_parser->header_limit(kHeaderLimit);
        m_parser->body_limit(cfg->client.maxFrameBytes);
        transport().expires_after(cfg->client.handshakeTimeout);
        withStream([&](auto& stream) {
            http::async_read(stream, m_buffer, *m_parser,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRequest(ec); });
        });
    }

    void onRequest(beast::error_code ec)
    {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
            ec.category() == asio::error::get_ssl_category() || ec == asio::ssl::error::stream_truncated)
            return close();
        if (ec) {
            if (ec == http::error::body_limit)
                return respond(http::status::payload_too_large,
                               errorBody(ErrorCode::payload_too_large,
                                         "request body is larger than client.max_frame_bytes"),
                               "application/json", false);
            const auto status = ec == http::error::header_limit ? http::status::request_header_fields_too_large
                                                                : http::status::bad_request;
            return respond(status, errorBody(ErrorCode::bad_request, "bad HTTP request: " + ec.message()),
                           "application/json", false);
        }
        auto& req = m_parser->get();
        const auto target = std::string_view(req.target().data(), req.target().size());
        const auto path = target.substr(0, target.find('?'));

        if (path == "/v1/ws")
            return upgrade(req);
        if (path == "/v1/sse")
            return serveSse(req);
        if (path == "/health" && req.method() == http::verb::get)
            return respond(http::status::ok, "{\"status\":\"ok\"}", "application/json", req.keep_alive());
        if (path == "/ready" && req.method() == http::verb::get) {
            const bool ready = m_ctx->ready.load() && !m_ctx->draining.load();
            return respond(ready ? http::status::ok : http::status::service_unavailable,
                           ready ? "{\"status\":\"ready\"}"
                                 : (m_ctx->draining.load() ? "{\"status\":\"draining\"}" : "{\"status\":\"starting\"}"),
                           "application/json", req.keep_alive());
        }
        if (path == "/metrics" && req.method() == http::verb::get)
            return respond(http::status::ok, m_ctx->metrics.renderPrometheus(), "text/plain; version=0.0.4",
                           req.keep_alive());
        if (path.starts_with("/client/") || path == "/demo" || path.starts_with("/demo/"))
            return serveAsset(req, path);
        if (path == "/v1/publish") {
            if (req.method() != http::verb::post)
                return respond(http::status::method_not_allowed,
                               errorBody(ErrorCode::bad_request, "use POST /v1/publish"), "application/json",
                               req.keep_alive());
            return publish(req);
        }
        respond(http::status::not_found,
                errorBody(ErrorCode::bad_request, "no such endpoint; see /v1/ws, /v1/sse, /v1/publish, /health, /ready, /metrics, /client/aldis.js"),
                "application/json", req.keep_alive());
    }

    // The browser client and the demo (web/, compiled in). Cross-origin pages may
    // import the client; the demo page may only talk to this node.
    void serveAsset(http::request<http::string_body>& req, std::string_view path)
    {
        const bool keepAlive = req.keep_alive();
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return respond(http::status::method_not_allowed, errorBody(ErrorCode::bad_request, "use GET"),
                           "application/json", keepAlive);
        const bool demo = m_ctx->config.load()->client.serveDemo;
        if (path == "/demo" && demo) {
            auto res = std::make_shared<http::response<http::string_body>>(http::status::moved_permanently, 11);
            res->set(http::field::location, "/demo/");
            return write(std::move(res), keepAlive);
        }
        const Asset* asset = findAsset(path, demo);
        if (!asset)
            return respond(http::status::not_found,
                           errorBody(ErrorCode::bad_request,
                                     demo ? "no such file; see /client/aldis.js and /demo/"
                                          : "no such file; see /client/aldis.js (client.serve_demo is off)"),
                           "application/json", keepAlive);
        const bool fresh = req[http::field::if_none_match] == asset->etag;
        auto res = std::make_shared<http::response<http::string_body>>(
            fresh ? http::status::not_modified : http::status::ok, 11);
        res->set(http::field::content_type, asset->contentType);
        res->set(http::field::etag, asset->etag);
        res->set(http::field::cache_control, "no-cache");
        res->set("X-Content-Type-Options", "nosniff");
        if (path.starts_with("/client/"))
            res->set(http::field::access_control_allow_origin, "*");
        else
            res->set("Content-Security-Policy",
                     "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'");
        if (!fresh && req.method() == http::verb::get)
            res->body() = std::string(asset->body);
        res->prepare_payload();
        if (!fresh && req.method() == http::verb::head)
            res->content_length(asset->body.size());
        write(std::move(res), keepAlive);
    }

    void publish(http::request<http::string_body>& req)
    {
        auto cfg = m_ctx->config.load();
        const auto auth = std::string_view(req[http::field::authorization]);
        const bool bearer = auth.size() > 7 && lower(auth.substr(0, 7)) == "bearer ";
        if (!bearer || !security::apiKeyMatches(cfg->auth.apiKeys, auth.substr(7))) {
            m_ctx->metrics.authFailures.add("api_key");
            return respond(http::status::unauthorized,
                           errorBody(ErrorCode::unauthorized,
                                     "POST /v1/publish needs Authorization: Bearer <api key> with a key from auth.api_keys"),
                           "application/json", req.keep_alive());
        }
        auto parsed = protocol::parsePublishBody(req.body());
        if (auto* err = std::get_if<protocol::CommandError>(&parsed))
            return respond(http::status::bad_request, errorBody(err->code, err->message), "application/json",
                           req.keep_alive());
        auto& cmd = std::get<protocol::Command>(parsed);
        const bool keepAlive = req.keep_alive();
        broker::PublishRequest request{cmd.channel, std::move(cmd.data), {}, std::move(cmd.key), Clock::now()};
        m_ctx->broker.publish(std::move(request), [self = shared_from_this(), keepAlive](Result<broker::PublishOk> result) {
            asio::post(self->transport().get_executor(), [self, keepAlive, result = std::move(result)] {
                if (!result)
                    return self->respond(statusFor(result.error().code),
                                         errorBody(result.error().code, result.error().message), "application/json",
                                         keepAlive);
                std::string body = "{\"ok\":{\"offset\":" + std::to_string(result->offset) + ",\"epoch\":";
                protocol::appendJsonString(body, result->epoch);
                body += result->duplicate ? ",\"duplicate\":true}}" : ",\"duplicate\":false}}";
                self->respond(http::status::ok, std::move(body), "application/json", keepAlive);
            });
        });
    }

    void upgrade(http::request<http::string_body>& req)
    {
        auto cfg = m_ctx->config.load();
        if (!beast::websocket::is_upgrade(req))
            return respond(http::status::upgrade_required,
                           errorBody(ErrorCode::bad_request, "/v1/ws is a WebSocket endpoint: send an upgrade request"),
                           "application/json", false);
        if (req[http::field::sec_websocket_version] != "13")
            return respond(http::status::upgrade_required,
                           errorBody(ErrorCode::bad_request, "only WebSocket version 13 is supported"),
                           "application/json", false, true);
        const auto key = std::string_view(req[http::field::sec_websocket_key]);
        if (!validWebSocketKey(key))
            return respond(http::status::bad_request,
                           errorBody(ErrorCode::bad_request, "Sec-WebSocket-Key must be the base64 of 16 bytes"),
                           "application/json", false);
        if (!originAllowed(cfg->client, req[http::field::origin], req[http::field::host])) {
            m_ctx->metrics.authFailures.add("origin");
            return respond(http::status::forbidden,
                           errorBody(ErrorCode::permission_denied, "Origin not allowed; add it to client.allowed_origins"),
                           "application/json", false);
        }
        if (m_ctx->draining.load() || !m_ctx->ready.load())
            return respond(http::status::service_unavailable,
                           errorBody(ErrorCode::unavailable, "node is not accepting clients (starting or draining)"),
                           "application/json", false);

        std::optional<security::VerifyResult> headerAuth;
        const auto auth = std::string_view(req[http::field::authorization]);
        if (!auth.empty()) {
            if (auth.size() > 7 && lower(auth.substr(0, 7)) == "bearer ")
                headerAuth = m_ctx->verifier.load()->verify(auth.substr(7), unixSecondsNow());
            else
                headerAuth = security::AuthFailure{ErrorCode::unauthorized, "malformed",
                                                   "Authorization must be \"Bearer <jwt>\""};
        }
        const bool overLimit =
            m_ctx->admitted.fetch_add(1) >= static_cast<std::int64_t>(cfg->client.maxConnections);

        auto response = std::make_shared<std::string>(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
        *response += websocketAccept(key);
        *response += "\r\n\r\n";
        transport().expires_never();
        withStream([&](auto& stream) {
            asio::async_write(stream, asio::buffer(*response),
                              [self = shared_from_this(), response, headerAuth = std::move(headerAuth),
                               overLimit](beast::error_code ec, std::size_t) mutable {
                                  if (ec) {
                                      self->m_ctx->admitted.fetch_sub(1); // no session to give it back
                                      return self->close();
                                  }
                                  self->startSession(std::move(headerAuth), overLimit);
                              });
        });
    }

    // GET /v1/sse: the method and Origin are checked here as for the upgrade, the rest
    // by SseStream::open. Once the broker has subscribed, the connection goes to the
    // stream (sse.h); before that every refusal is a plain JSON error.
    void serveSse(http::request<http::string_body>& req)
    {
        if (req.method() != http::verb::get)
            return respond(http::status::method_not_allowed,
                           errorBody(ErrorCode::bad_request, "use GET /v1/sse (an EventSource)"), "application/json",
                           false);
        if (!originAllowed(m_ctx->config.load()->client, req[http::field::origin], req[http::field::host])) {
            m_ctx->metrics.authFailures.add("origin");
            return respond(http::status::forbidden,
                           errorBody(ErrorCode::permission_denied, "Origin not allowed; add it to client.allowed_origins"),
                           "application/json", false);
        }
        auto opened = SseStream::open(m_ctx, req, transport().get_executor());
        if (const auto* refused = std::get_if<SseRefusal>(&opened))
            return respond(refused->status ? static_cast<http::status>(refused->status) : statusFor(refused->code),
                           errorBody(refused->code, refused->message), "application/json", false);
        auto stream = std::get<std::shared_ptr<SseStream>>(std::move(opened));
        transport().expires_never(); // a stream has no end in time (a TLS stream runs on this tcp_stream)
        stream->subscribe([self = shared_from_this(), stream](Result<broker::SubscribeOk> result) {
            if (!result) { // unknown_channel (namespace not configured), unavailable (store)
                self->transport().expires_after(self->m_ctx->config.load()->client.handshakeTimeout);
                return self->respond(statusFor(result.error().code),
                                     errorBody(result.error().code, result.error().message), "application/json",
                                     false);
            }
            if (self->m_tls)
                stream->start(std::move(self->m_tls), std::move(self->m_tlsContext), *result);
            else
                stream->start(self->m_stream.release_socket(), *result);
        });
    }

    void startSession(std::optional<security::VerifyResult> headerAuth, bool overLimit)
    {
        m_ctx->metrics.handshake.observe(std::chrono::duration<double>(Clock::now() - m_accepted).count());
        auto data = m_buffer.data();
        std::string leftover(static_cast<const char*>(data.data()), data.size());
        std::shared_ptr<Session> session;
        if (m_tls) {
            Session::Socket unused(transport().get_executor()); // the session's strand
            session = std::make_shared<Session>(std::move(unused), m_ctx, std::move(leftover), std::move(headerAuth),
                                                std::move(m_tls), std::move(m_tlsContext));
        } else {
            session = std::make_shared<Session>(m_stream.release_socket(), m_ctx, std::move(leftover),
                                                std::move(headerAuth));
        }
        // Over the limit, the close comes first (we are on the session's strand, so it
        // runs now): commands that came with the upgrade are not run.
        if (overLimit)
            session->closeWith(4009, "connection limit reached; try again later", true);
        session->start();
    }

    void respond(http::status status, std::string body, const char* contentType, bool keepAlive,
                 bool versionHeader = false)
    {
        auto res = std::make_shared<http::response<http::string_body>>(status, 11);
        res->set(http::field::content_type, contentType);
        if (versionHeader)
            res->set(http::field::sec_websocket_version, "13");
        res->body() = std::move(body);
        res->prepare_payload();
        write(std::move(res), keepAlive);
    }

    void write(std::shared_ptr<http::response<http::string_body>> res, bool keepAlive)
    {
        res->set(http::field::server, "aldis");
        res->keep_alive(keepAlive);
        withStream([&](auto& stream) {
            http::async_write(stream, *res,
                              [self = shared_from_this(), res, keepAlive](beast::error_code ec, std::size_t) {
                                  if (ec || !keepAlive)
                                      return self->close();
                                  self->read();
                              });
        });
    }

    // Under TLS too the TCP connection is simply closed (no close_notify): the
    // response, if any, is complete, and HTTP/1.1 framing tells the end.
    void close()
    {
        beast::error_code ignored;
        transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
        transport().close();
    }

    beast::tcp_stream m_stream; // unused (no socket) under TLS
    std::shared_ptr<ServerContext> m_ctx;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    Clock::time_point m_accepted;
    std::shared_ptr<asio::ssl::context> m_tlsContext; // outlives m_tls
    std::unique_ptr<TlsStream> m_tls;
};

} // namespace

Server::Server(asio::io_context& io, std::shared_ptr<ServerContext> context)
    : m_io(io), m_ctx(std::move(context)), m_acceptor(asio::make_strand(io)),
      m_acceptRetry(m_acceptor.get_executor())
{
}

Server::~Server() = default;

void Server::start()
{
    auto cfg = m_ctx->config.load();
    tcp::endpoint endpoint(asio::ip::make_address(cfg->client.address), cfg->client.port);
    m_acceptor.open(endpoint.protocol());
    m_acceptor.set_option(asio::socket_base::reuse_address(true));
    m_acceptor.bind(endpoint);
    m_acceptor.listen(asio::socket_base::max_listen_connections);
    m_port = m_acceptor.local_endpoint().port();
    accept();
}

void Server::accept()
{
    m_acceptor.async_accept(asio::make_strand(m_io), [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !m_acceptor.is_open())
            return;
        if (!ec) {
            // Not yet upgraded connections are capped: each holds a file and up to
            // 8 KiB of headers and max_frame_bytes of body for handshake_timeout.
            const auto limit = m_ctx->config.load()->client.maxHttpConnections;
            if (m_ctx->httpConnections.load() >= static_cast<std::int64_t>(limit)) {
                boost::system::error_code ignored;
                socket.close(ignored);
                return accept();
            }
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<HttpConnection>(std::move(socket), m_ctx, m_ctx->tls.load())->start();
            return accept();
        }
        // Out of file descriptors (or memory), accepting again at once would spin and
        // flood the log: wait a little; pending connections stay in the backlog.
        const auto now = Clock::now();
        if (now - m_lastAcceptWarning > std::chrono::seconds(10)) {
            spdlog::warn("accept failed: {} (retrying every 100 ms; check the file descriptor limit and "
                         "client.max_connections)", ec.message());
            m_lastAcceptWarning = now;
        }
        m_acceptRetry.expires_after(std::chrono::milliseconds(100));
        m_acceptRetry.async_wait([this](boost::system::error_code waited) {
            if (!waited)
                accept();
        });
    });
}

void Server::stopAccepting()
{
    asio::post(m_acceptor.get_executor(), [this] {
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        m_acceptRetry.cancel();
    });
}

std::vector<std::shared_ptr<Session>> Server::openSessions()
{
    std::vector<std::shared_ptr<Session>> sessions;
    std::lock_guard lock(m_ctx->sessionsMutex);
    sessions.reserve(m_ctx->sessions.size());
    for (auto& [id, weak] : m_ctx->sessions)
        if (auto s = weak.lock())
            sessions.push_back(std::move(s));
    return sessions;
}

namespace {
// The open SSE streams, taken under the registry lock and used outside it (a stream's
// last reference may go with the vector, and ~SseStream takes the lock).
std::vector<std::shared_ptr<SseStream>> openSseStreams(ServerContext& ctx)
{
    std::vector<std::shared_ptr<SseStream>> streams;
    std::lock_guard lock(ctx.sessionsMutex);
    for (auto& [id, entry] : ctx.sessions)
        if (auto s = entry.sseStream.lock())
            streams.push_back(std::move(s));
    return streams;
}
} // namespace

std::size_t Server::closeAll(std::uint16_t code, const std::string& reason, bool reconnect)
{
    auto sessions = openSessions();
    for (auto& s : sessions)
        s->closeWith(code, reason, reconnect);
    auto streams = openSseStreams(*m_ctx);
    for (auto& s : streams)
        s->closeWith(code, reason, reconnect);
    return sessions.size() + streams.size();
}

void Server::revalidateAll()
{
    auto verifier = m_ctx->verifier.load();
    for (auto& s : openSessions())
        s->revalidate(verifier);
    for (auto& s : openSseStreams(*m_ctx))
        s->revalidate(verifier);
}

} // namespace aldis::gateway
