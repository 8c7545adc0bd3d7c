// SPDX-License-Identifier: Apache-2.0
#pragma once

// A small blocking HTTP/1.1 client for the daemon's /health, /ready, /metrics and
// POST /v1/publish. Nothing here throws: a failed exchange is a response with status 0
// and an `error` text, so QtTest macros in the test decide.

#include "support/test_client_common.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace aldis::test {

// A plain HTTP/1.1 response.
struct HttpResponse {
    int status = 0;                 // 0: no response (see error)
    std::string body;
    std::map<std::string, std::string> headers; // names in lower case
    std::string error;
};

// An HTTP/1.1 connection that is kept alive across requests (so a request can be sent
// on it after the listener stopped accepting, e.g. /ready while draining).
//
// Threads: used from the test's thread only; request() runs the private io_context
// until the exchange is done or its guard timeout expires.
class HttpTestClient {
public:
    explicit HttpTestClient(std::uint16_t port);
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient&) = delete;
    HttpTestClient& operator=(const HttpTestClient&) = delete;

    HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                         const Headers& headers = {}, int timeoutMs = kDefaultTimeoutMs);
    bool isOpen() const;

private:
    struct State;
    std::unique_ptr<State> m;
};

// One request on a fresh connection.
HttpResponse httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = {}, const Headers& headers = {},
                         int timeoutMs = kDefaultTimeoutMs);

// POST /v1/publish with the daemon's API key.
HttpResponse httpPublish(std::uint16_t port, const boost::json::object& body);

// The value of an unlabelled Prometheus sample ("name value"), or of a labelled one
// when `name` includes the labels (`aldis_auth_failures_total{reason="signature"}`).
std::optional<double> metricValue(const std::string& metricsText, const std::string& name);

// One value from the daemon's /metrics.
std::optional<double> metric(std::uint16_t port, const std::string& name);

// Polls /metrics until `name` has `value` or `timeoutMs` passes; returns the last
// value read (-1 when absent).
double waitForMetric(std::uint16_t port, const std::string& name, double value, int timeoutMs = 10000);

} // namespace aldis::test
