// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace aldis::gateway {

// What the broker hands a connection (a Session, an SseStream) from its strands, kept
// in the order it must reach the client until the connection's strand takes it.
//
// Fan-out calls each subscriber once per frame. A push_back under this small mutex,
// with one drain posted to the strand only when none is pending, costs far less than
// one strand post per frame (an allocation and the scheduler's lock each), and a busy
// connection drains many items per post (docs/benchmarks.md).
//
// Threads: push() and pushEach() from any thread; drain() on the owner's strand only.
// The owner posts the drain itself (it has the executor and shared_from_this()) when
// push() or pushEach() returns true. Owned by value by its connection.
template <typename T>
class Inbox {
public:
    // Appends `item`. True when the caller must post a drain: none is on its way.
    [[nodiscard]] bool push(T item)
    {
        std::lock_guard lock(m_mutex);
        m_items.push_back(std::move(item));
        return !std::exchange(m_drainPosted, true);
    }

    // Appends make(x) for every x of `range` under one lock; returns as push() does.
    template <typename Range, typename Make>
    [[nodiscard]] bool pushEach(Range& range, Make make)
    {
        std::lock_guard lock(m_mutex);
        for (auto& x : range)
            m_items.push_back(make(x));
        return !std::exchange(m_drainPosted, true);
    }

    // Takes everything pushed so far and hands each item, in order, to `each`. Strand
    // only. `each` may push (the items wait for the next drain).
    template <typename Fn>
    void drain(Fn&& each)
    {
        {
            std::lock_guard lock(m_mutex);
            m_drained.swap(m_items);
            m_drainPosted = false;
        }
        for (auto& item : m_drained)
            each(item);
        m_drained.clear();
        if (m_drained.capacity() > kKeepDrained)
            std::vector<T>().swap(m_drained);
    }

private:
    static constexpr std::size_t kKeepDrained = 256; // items of capacity kept between bursts

    std::mutex m_mutex;
    std::vector<T> m_items;      // guarded by m_mutex
    bool m_drainPosted = false;  // guarded by m_mutex
    std::vector<T> m_drained;    // strand only
};

} // namespace aldis::gateway
