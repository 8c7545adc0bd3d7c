// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "common/time.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aldis::store {

// One stored publication. `data` is the JSON text of the publication's data value,
// stored and returned byte for byte.
struct Publication {
    std::string channel;
    std::uint64_t offset = 0;
    std::string data;
    std::int64_t ts = 0;       // unix milliseconds
    std::string user;          // publisher's sub; empty means null (server API)
    std::string key;           // idempotency key; empty means none
};

// How much of a channel's history to keep. Applied by the store after commits and by
// a periodic sweep.
struct Retention {
    std::uint32_t historySize = 1000;
    Millis historyTtl = std::chrono::hours(24);
};

struct AppendRequest {
    std::string channel;
    std::string data;
    std::int64_t ts = 0;
    std::string user;
    std::string key;
    Retention retention;
};

struct AppendResult {
    std::uint64_t offset = 0;
    std::string epoch;
    std::int64_t ts = 0;       // the stored publication's ts (the first one's, for a duplicate)
    bool duplicate = false;    // `key` was seen within the dedup window: nothing appended
};

// Where a channel's stream stands. A channel that was never written has offset 0 and
// epoch "" ("no stream yet"); its epoch is created and persisted by its first append
// or by ensureChannel(), so it is stable across restarts.
struct ChannelState {
    std::string epoch;
    std::uint64_t lastOffset = 0;   // newest stored offset, 0 when empty
    std::uint64_t firstOffset = 0;  // oldest offset still kept, 0 when empty
};

struct ReadRequest {
    std::string channel;
    std::uint64_t after = 0;        // return offsets > after (ascending) ...
    std::uint32_t limit = 100;
    bool reverse = false;           // ... or the newest `limit` ones, newest first
    std::optional<std::uint64_t> upTo; // only offsets <= upTo when set
};

struct ReadResult {
    ChannelState state;
    std::vector<Publication> publications;
};

// A durable subscription's position: the last acked offset in `epoch`.
struct Position {
    std::string epoch;
    std::uint64_t offset = 0;
};

// Counters since open(), readable from any thread.
struct StoreStats {
    std::uint64_t commits = 0;        // successful write transactions
    std::uint64_t appends = 0;        // publications committed (duplicates not counted)
    std::uint64_t duplicates = 0;     // appends answered as duplicates
    std::uint64_t failedCommits = 0;  // transactions rolled back; each failed its whole batch
};

// A publication copied from its home region: the epoch and offset it has there, and
// the retention of its namespace in this region.
struct ReplicaPublication {
    Publication publication;
    std::string epoch;
    Retention retention;
};

// The event store: where durable publications live and where their per-channel
// offsets are assigned (so that, with a shared backend, nodes never disagree).
//
// Threads: every method may be called from any thread. Callbacks run on the store's
// own threads; callers post back to their strand. Append callbacks of one channel are
// invoked in offset order, and only after the publication is committed (durable).
class EventStore {
public:
    virtual ~EventStore() = default;

    using AppendCallback = std::function<void(Result<AppendResult>)>;
    using ReadCallback = std::function<void(Result<ReadResult>)>;
    using StateCallback = std::function<void(Result<ChannelState>)>;
    using PositionCallback = std::function<void(Result<std::optional<Position>>)>;
    using DoneCallback = std::function<void(Result<void>)>;

    // Opens (and migrates) the store. Called once before any other method.
    virtual Result<void> open() = 0;
    // Finishes pending work (every queued append is committed or failed and its
    // callback run), then stops the store's threads.
    virtual void close() = 0;

    virtual void append(AppendRequest request, AppendCallback callback) = 0;
    virtual void read(ReadRequest request, ReadCallback callback) = 0;
    virtual void channelState(std::string channel, StateCallback callback) = 0;
    // Like channelState(), but a channel without a stream gets its epoch now (through
    // the writer, ordered with appends), so clients see a stable epoch from their first
    // subscribe. `firstOffset` is not filled in.
    virtual void ensureChannel(std::string channel, StateCallback callback) = 0;

    virtual void savePosition(std::string user, std::string durable, std::string channel,
                              Position position, DoneCallback callback) = 0;
    virtual void loadPosition(std::string user, std::string durable, std::string channel,
                              PositionCallback callback) = 0;

    // Region mirroring (engine/cluster). Both calls block: make them from a thread of
    // your own, never from an io_context thread. A backend that cannot mirror answers
    // `unavailable`.
    //
    // replicate() stores each publication under its home epoch and offset, in the
    // order given, in one transaction. One at or below its channel's last offset is
    // skipped (it is there already); a channel whose epoch differs from the home
    // region's is replaced by the home stream. Offsets may jump (a hole the mirror
    // could not fill): the channel's last offset is then the new one. The result says,
    // for each publication, whether it was stored.
    virtual Result<std::vector<bool>> replicate(const std::vector<ReplicaPublication>& batch)
    {
        (void)batch;
        return makeError(ErrorCode::unavailable, backendName() + " event store cannot mirror a region; use postgresql");
    }
    // A forced promotion: every channel whose name starts with `prefix` gets a new
    // epoch (its offsets go on), so clients that resume with the old epoch learn
    // `recovered: false`. Returns how many channels changed.
    virtual Result<std::uint64_t> renewEpochs(const std::string& prefix)
    {
        (void)prefix;
        return makeError(ErrorCode::unavailable, backendName() + " event store cannot renew epochs; use postgresql");
    }

    // A short name for logs and metrics ("sqlite", "postgresql").
    virtual std::string backendName() const = 0;
    // Counters of the write side since open(). Any thread.
    virtual StoreStats stats() const = 0;
};

} // namespace aldis::store
