// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/client.h"
#include "client/connection.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::client::detail {

// The bookkeeping of what waits for an answer: requests by id until their reply (or
// their timeout), and delayed retries until their timer. It turns replies into
// Results and fails what cannot be answered any more. It sends nothing itself: the
// ClientCore decides when a request goes on which connection.
//
// Every request has the same timeout, so id order is deadline order and one timer
// handles all timeouts. Ids grow by one and are shared with `connect` (nextId()).
//
// Threads: the client strand only; every callback runs there. Owned by the
// ClientCore.
class PendingRequests {
public:
    using Done = Callback<boost::json::object>;

    struct Request {
        std::string frame;                 // moved out once sent
        std::chrono::steady_clock::time_point deadline;
        Done done;
        std::uint64_t sentOn = 0;          // connection number; 0 while queued
    };

    PendingRequests(const Strand& strand, std::chrono::milliseconds timeout);

    std::uint64_t nextId() { return ++m_nextId; }

    // Adds the command {"id", "op", fields...} with a new id. The caller sends it (or
    // leaves it queued) and then calls armSweep().
    Request& add(std::string_view op, boost::json::object fields, Done done);
    // Marks the queued requests as sent on `connection` and returns their frames, in
    // id order.
    std::vector<std::string> takeQueued(std::uint64_t connection);
    // The reply with id `id`: {"ok": {...}} or {"error": {code, message}}. An unknown
    // id (timed out already) is ignored.
    void answer(std::uint64_t id, const boost::json::object& reply);
    // The requests sent on `connection` fail with `unavailable` (retryable): the
    // server may or may not have run them.
    void failSent(std::uint64_t connection, const std::string& why);
    // Every request fails with `error` and every delayed retry is aborted.
    void failAll(const Error& error);

    // Starts the timeout timer for the oldest request, unless it runs already.
    void armSweep();
    // Cancels the timeout timer for good (the client stops).
    void stopSweep();

    // Runs `run` after `delay`, or `abort` if failAll() comes first.
    void after(std::chrono::milliseconds delay, std::function<void()> run, std::function<void()> abort);

private:
    struct Delayed {
        std::shared_ptr<boost::asio::steady_timer> timer;
        std::function<void()> abort;
    };

    void sweep();

    Strand m_strand;
    std::chrono::milliseconds m_timeout;
    std::uint64_t m_nextId = 0;
    std::map<std::uint64_t, Request> m_requests;   // by id, so also by deadline
    boost::asio::steady_timer m_sweepTimer;
    bool m_sweepArmed = false;
    bool m_sweepStopped = false;
    std::map<std::uint64_t, Delayed> m_delayed;
    std::uint64_t m_nextDelayed = 0;
};

// Adapts a request's callback to a command whose reply carries nothing: drops the
// (empty) `ok`.
PendingRequests::Done toVoid(Callback<void> done);

} // namespace aldis::client::detail
