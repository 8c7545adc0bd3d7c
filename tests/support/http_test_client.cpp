// SPDX-License-Identifier: Apache-2.0
#include "support/http_test_client.h"

#include "support/test_support.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>
#include <thread>

namespace aldis::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct HttpTestClient::State {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
    std::uint16_t port = 0;
    bool connected = false;
};

HttpTestClient::HttpTestClient(std::uint16_t port) : m(std::make_unique<State>())
{
    m->port = port;
}

HttpTestClient::~HttpTestClient()
{
    beast::error_code ignored;
    m->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    m->stream.close();
}

bool HttpTestClient::isOpen() const
{
    return m->connected && m->stream.socket().is_open();
}

HttpResponse HttpTestClient::request(const std::string& method, const std::string& target, const std::string& body,
                                     const Headers& headers, int timeoutMs)
{
    HttpResponse out;
    m->io.restart();
    beast::error_code result = asio::error::timed_out;
    bool finished = false;
    auto req = std::make_shared<http::request<http::string_body>>(http::string_to_verb(method), target, 11);
    req->set(http::field::host, "127.0.0.1:" + std::to_string(m->port));
    req->keep_alive(true);
    for (const auto& [name, value] : headers)
        req->set(name, value);
    if (!body.empty() || method == "POST") {
        req->body() = body;
        if (!req->count(http::field::content_type))
            req->set(http::field::content_type, "application/json");
    }
    req->prepare_payload();
    auto res = std::make_shared<http::response<http::string_body>>();
    m->stream.expires_after(std::chrono::milliseconds(timeoutMs));

    auto exchange = [this, req, res, &result, &finished] {
        http::async_write(m->stream, *req, [this, res, &result, &finished](beast::error_code ec, std::size_t) {
            if (ec) {
                result = ec;
                finished = true;
                return;
            }
            http::async_read(m->stream, m->buffer, *res, [&result, &finished](beast::error_code ec2, std::size_t) {
                result = ec2;
                finished = true;
            });
        });
    };
    if (!m->connected) {
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), m->port);
        m->stream.async_connect(endpoint, [this, exchange, &result, &finished](beast::error_code ec) {
            if (ec) {
                result = ec;
                finished = true;
                return;
            }
            m->connected = true;
            exchange();
        });
    } else {
        exchange();
    }
    m->io.run_for(std::chrono::milliseconds(timeoutMs + 500));
    if (!finished || result) {
        out.error = finished ? result.message() : std::string("timed out");
        m->connected = false;
        beast::error_code ignored;
        m->stream.socket().close(ignored);
        // Let the aborted handlers run now: they refer to this call's locals.
        m->io.restart();
        m->io.run();
        m->buffer.clear();
        return out;
    }
    out.status = static_cast<int>(res->result_int());
    out.body = res->body();
    for (const auto& field : *res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    if (!res->keep_alive()) {
        m->connected = false;
        beast::error_code ignored;
        m->stream.socket().close(ignored);
    }
    return out;
}

HttpResponse httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body, const Headers& headers, int timeoutMs)
{
    HttpTestClient client(port);
    return client.request(method, target, body, headers, timeoutMs);
}

HttpResponse httpPublish(std::uint16_t port, const json::object& body)
{
    return httpRequest(port, "POST", "/v1/publish", json::serialize(body),
                       {{"Authorization", std::string("Bearer ") + DaemonProcess::kApiKey}});
}

std::optional<double> metricValue(const std::string& metricsText, const std::string& name)
{
    std::istringstream in(metricsText);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ' ') {
            try {
                return std::stod(line.substr(name.size() + 1));
            } catch (...) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

std::optional<double> metric(std::uint16_t port, const std::string& name)
{
    auto res = httpRequest(port, "GET", "/metrics");
    if (res.status != 200)
        return std::nullopt;
    return metricValue(res.body, name);
}

double waitForMetric(std::uint16_t port, const std::string& name, double value, int timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    double last = -1;
    for (;;) {
        last = metric(port, name).value_or(-1);
        if (last == value || std::chrono::steady_clock::now() >= deadline)
            return last;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace aldis::test
