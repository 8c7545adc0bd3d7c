// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "cluster/event_codec.h"
#include "cluster/kafka.h"
#include "common/error.h"
#include "common/time.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace aldis::cluster {

struct BridgeOptions {
    std::string brokers;              // bootstrap servers, "host:port[,host:port]"
    std::string eventsTopic;          // "<prefix>.<region>.events"
    std::string membersTopic;         // "<prefix>.<region>.members"
    std::string controlTopic;         // "<prefix>.<region>.control" (compacted: fences, homes)
    std::string nodeId;
    std::string region;
    int partitions = 16;              // of the events topic, when this node creates it
    std::size_t maxQueued = 100'000;  // events waiting for Kafka before publishes are refused
    Millis startTimeout{std::chrono::seconds(15)};
};

// Consumer lag of one partition: messages in the partition this node has not read.
struct PartitionLag {
    std::string topic;
    int partition = 0;
    std::int64_t lag = 0;
};

struct BridgeStats {
    std::uint64_t sent = 0;           // events handed to the producer
    std::uint64_t delivered = 0;      // acknowledged by Kafka (acks=all)
    std::uint64_t failed = 0;         // given up by the producer (they stay in the store)
    std::uint64_t received = 0;       // events consumed
    std::uint64_t malformed = 0;      // consumed records that did not decode
    std::size_t queued = 0;           // waiting for Kafka now
    bool ready = false;               // the consumer reads every partition
    bool paused = false;
};

// A node's link to its region's Kafka cluster: every publication this node commits
// goes to the events topic (keyed by channel, so a channel stays in one partition;
// idempotent producer, acks=all), and every node consumes the whole topic (a
// consumer group of its own) and hands each event to the broker, which fans it out in
// offset order and fills gaps from the store. The same link carries membership
// heartbeats on the members topic.
//
// Threads: send() and announce() may be called from any thread and never block;
// when more than maxQueued events wait for Kafka, congested() turns true and the
// broker refuses new publishes (back-pressure) instead of buffering without bound.
// The bridge runs one thread of its own: it polls the consumer and the producer's
// delivery reports and calls the handlers, in partition order.
class EventBridge {
public:
    using EventHandler = std::function<void(EventRecord)>;
    // A heartbeat from a member of the region (key: node id, value: JSON text).
    using MemberHandler = std::function<void(std::string node, std::string json)>;
    // A record of the region's control topic (key: "fence:<region>", "home:<namespace>").
    using ControlHandler = std::function<void(std::string key, std::string json)>;

    EventBridge(BridgeOptions options, EventHandler onEvent, MemberHandler onMember,
                ControlHandler onControl = {});
    ~EventBridge();
    EventBridge(const EventBridge&) = delete;
    EventBridge& operator=(const EventBridge&) = delete;

    // Connects, creates the topics if missing, subscribes and starts the thread.
    // Fails when the cluster does not answer within startTimeout.
    Result<void> start();
    // Flushes what waits for Kafka (up to 5 s), closes the consumer, joins the thread.
    void stop();

    void send(const EventRecord& record);
    void announce(const std::string& json);
    void control(const std::string& key, const std::string& json);
    bool congested() const;

    // pause-bridge: stop consuming (events from other nodes wait in Kafka) and hold
    // this node's events back in a bounded queue; resume() sends them and reads on.
    void pause();
    void resume();

    BridgeStats stats() const;
    std::vector<PartitionLag> lag() const;
    const BridgeOptions& options() const { return m_options; }

private:
    static void onDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);
    void produce(const std::string& topic, const std::string& key, std::string value);
    void loop();
    void handle(const rd_kafka_message_t* message);
    void refreshPositions();
    void retryHeld();

    BridgeOptions m_options;
    EventHandler m_onEvent;
    MemberHandler m_onMember;
    ControlHandler m_onControl;
    kafka::Handle m_producer;
    kafka::Handle m_consumer;
    std::thread m_thread;
    std::atomic<bool> m_running{false};

    std::atomic<std::uint64_t> m_sent{0};
    std::atomic<std::uint64_t> m_delivered{0};
    std::atomic<std::uint64_t> m_failed{0};
    std::atomic<std::uint64_t> m_received{0};
    std::atomic<std::uint64_t> m_malformed{0};
    std::atomic<std::size_t> m_inFlight{0};   // produced, no delivery report yet
    std::atomic<bool> m_ready{false};
    std::atomic<bool> m_paused{false};
    std::atomic<bool> m_consumerPaused{false};
    std::map<int, std::int64_t> m_next;       // bridge thread: next offset per events partition

    // Events the producer's queue could not take, or held while paused, in order.
    mutable std::mutex m_heldMutex;
    std::deque<std::pair<std::string, std::string>> m_held; // key, value
    std::vector<PartitionLag> m_lag;                          // guarded by m_heldMutex
};

} // namespace aldis::cluster
