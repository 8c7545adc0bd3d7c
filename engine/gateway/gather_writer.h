// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/buffer.hpp>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aldis::gateway {

// The bytes of one gathered write, in order: small pieces copied into one contiguous
// buffer, so that one send() carries many of them, and big pieces sent from where they
// are (the broker's shared frames), without a copy. The half of GatherWriter that does
// not depend on the item type.
//
// Threads: the owning connection's strand. Owned by value by its connection.
class WireBuffers {
public:
    static constexpr std::size_t kCopyBelow = 2048; // pieces below this are copied

    // Starts the bytes of a write; `copyHint` is about how many will be copied.
    void start(std::size_t copyHint);
    // Copied bytes: append them to wire().
    std::string& wire() noexcept { return m_wire; }
    // Sends `bytes` from where they are: they must stay alive and unchanged until the
    // write completes (GatherWriter keeps the items being written for that).
    void share(std::string_view bytes);
    // Copies `bytes` when they are small, shares them otherwise.
    void add(std::string_view bytes)
    {
        if (bytes.size() < kCopyBelow)
            m_wire.append(bytes);
        else
            share(bytes);
    }
    // The buffers of the write, in order; valid until the next start() or release().
    std::span<const boost::asio::const_buffer> finish();

protected:
    // Gives back what a burst made the write hold (keeps at most 512 bytes of wire()).
    void release();

private:
    void endRun();

    std::string m_wire;
    // Until finish(), a run of m_wire is a placeholder with a null address: m_wire may
    // still reallocate while it grows.
    std::vector<boost::asio::const_buffer> m_buffers;
    std::size_t m_runStart = 0; // where in m_wire the run not yet in m_buffers starts
};

// A connection's send queue and its one write in flight: items wait in a queue; a write
// takes up to kMaxBatch of them or kMaxBatchBytes (at least one), and they stay alive
// in writing() until it completes, so the write may point into their bytes. The bytes
// that count against client.send_queue_bytes are kept while queued or being written.
// An idle writer gives back the buffers a burst made it hold.
//
// The caller decides what counts (Item::countedBytes()), when the cap is exceeded and
// what then happens, turns writing() into bytes (WireBuffers), and runs the write:
//
//     if (closed || !out.takeBatch()) return out.idle();
//     for (const auto& item : out.writing()) out.add(...);
//     async_write(stream, out.finish(), ...);   // then written(), then again
//
// Item needs `std::size_t size() const` (what it weighs against kMaxBatchBytes) and
// `std::size_t countedBytes() const` (what it adds to queuedBytes(); 0 for none).
//
// Threads: the owning connection's strand. Owned by value by its connection.
template <typename Item>
class GatherWriter : public WireBuffers {
public:
    static constexpr std::size_t kMaxBatch = 512;
    static constexpr std::size_t kMaxBatchBytes = 256 * 1024; // unless one item is bigger

    bool active() const noexcept { return m_active; }       // a write is in flight
    bool empty() const noexcept { return m_queue.empty(); } // nothing waits to be written
    std::size_t queuedBytes() const noexcept { return m_queuedBytes; }

    void push(Item item)
    {
        m_queuedBytes += item.countedBytes();
        m_queue.push_back(std::move(item));
    }
    // Before everything queued (a response head that must go first).
    void pushFront(Item item)
    {
        m_queuedBytes += item.countedBytes();
        m_queue.insert(m_queue.begin(), std::move(item));
    }
    // Drops what waits; queuedBytes() restarts at 0 (what is being written stops
    // counting too).
    void clearQueued() noexcept
    {
        m_queue.clear();
        m_queuedBytes = 0;
    }
    // Drops the waiting items `drop` picks, and their counted bytes.
    template <typename Pred>
    void dropQueuedIf(Pred drop)
    {
        std::erase_if(m_queue, [&](const Item& item) {
            if (!drop(item))
                return false;
            m_queuedBytes -= std::min(m_queuedBytes, item.countedBytes());
            return true;
        });
    }

    // Moves the next batch into writing(), starts its bytes and marks the write
    // active. False, changing nothing, when nothing waits.
    bool takeBatch()
    {
        if (m_queue.empty())
            return false;
        m_active = true;
        std::size_t n = 0;
        std::size_t bytes = 0;
        std::size_t copied = 0;
        for (const auto& item : m_queue) {
            const std::size_t size = item.size();
            if (n == kMaxBatch || (n > 0 && bytes + size > kMaxBatchBytes))
                break;
            bytes += size;
            if (size < kCopyBelow)
                copied += size;
            ++n;
        }
        m_writing.clear();
        if (n == m_queue.size()) {
            m_writing.swap(m_queue);
        } else {
            const auto end = m_queue.begin() + static_cast<std::ptrdiff_t>(n);
            m_writing.assign(std::make_move_iterator(m_queue.begin()), std::make_move_iterator(end));
            m_queue.erase(m_queue.begin(), end);
        }
        start(copied);
        return true;
    }
    // The items of the write in flight.
    const std::vector<Item>& writing() const noexcept { return m_writing; }

    // The write ended (done or failed): each written item stops counting, and is seen
    // by `each` before it is released. The write stays active until takeBatch() or
    // idle().
    template <typename Fn>
    void written(Fn&& each)
    {
        for (const auto& item : m_writing) {
            m_queuedBytes -= std::min(m_queuedBytes, item.countedBytes());
            each(item);
        }
        m_writing.clear();
    }

    // No write in flight: gives back what a burst made the queue and the write hold.
    void idle()
    {
        m_active = false;
        release();
        if (m_writing.capacity() > kKeepItems)
            std::vector<Item>().swap(m_writing);
        if (m_queue.capacity() > kKeepItems)
            std::vector<Item>().swap(m_queue);
    }

private:
    static constexpr std::size_t kKeepItems = 16;

    // A vector, not a deque: an empty std::deque still holds a 512-byte block, and
    // most connections are idle (memory per idle connection, docs/benchmarks.md).
    std::vector<Item> m_queue;
    std::vector<Item> m_writing;
    std::size_t m_queuedBytes = 0; // counted bytes queued or being written
    bool m_active = false;
};

} // namespace aldis::gateway
