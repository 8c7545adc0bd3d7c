// SPDX-License-Identifier: Apache-2.0
#include "cluster/event_bridge.h"

#include <spdlog/spdlog.h>

namespace aldis::cluster {

namespace {

constexpr int kPollMillis = 50;
constexpr auto kPositionsEvery = std::chrono::milliseconds(500);

std::string text(const void* bytes, std::size_t size)
{
    return std::string(static_cast<const char*>(bytes), size);
}

} // namespace

EventBridge::EventBridge(BridgeOptions options, EventHandler onEvent, MemberHandler onMember,
                         ControlHandler onControl)
    : m_options(std::move(options)),
      m_onEvent(std::move(onEvent)),
      m_onMember(std::move(onMember)),
      m_onControl(std::move(onControl))
{
}

EventBridge::~EventBridge()
{
    stop();
}

Result<void> EventBridge::start()
{
    const int timeoutMs = static_cast<int>(m_options.startTimeout.count());
    const kafka::Settings common = {
        {"bootstrap.servers", m_options.brokers},
        {"client.id", "aldis-" + m_options.nodeId},
        {"socket.nagle.disable", "true"},
        {"log_level", "4"}, // warnings and worse
    };

    kafka::Settings producerSettings = common;
    producerSettings.insert({
        // Exactly-once into the partition log: retries never duplicate or reorder.
        {"enable.idempotence", "true"},
        {"acks", "all"},
        // One millisecond of batching: throughput at load, latency when idle.
        {"linger.ms", "1"},
        {"queue.buffering.max.messages", std::to_string(m_options.maxQueued + 1000)},
        // A broker restart must not drop events; give up after two minutes (they
        // stay in the store, and receivers fill the hole from there).
        {"message.timeout.ms", "120000"},
    });
    auto producer = kafka::makeHandle(RD_KAFKA_PRODUCER, producerSettings, this, [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, &EventBridge::onDelivery);
    });
    if (!producer)
        return producer.error();
    m_producer = std::move(producer).value();

    for (const std::string& topic : {m_options.eventsTopic, m_options.membersTopic, m_options.controlTopic}) {
        const int partitions = topic == m_options.eventsTopic ? m_options.partitions : 1;
        const bool compact = topic == m_options.controlTopic;
        if (auto made = kafka::ensureTopic(m_producer.get(), topic, partitions, timeoutMs, compact); !made)
            return makeError(made.error().code, "Kafka at " + m_options.brokers + ": " + made.error().message, true);
    }

    kafka::Settings consumerSettings = common;
    consumerSettings.insert({
        // No consumer group: every node reads every partition, and a node that
        // restarts (even after kill -9) reads at once, without waiting for a group
        // to notice that its previous incarnation is gone.
        // librdkafka wants a group id even for assigned partitions; nothing joins it
        // and nothing is committed to it.
        {"group.id", "aldis." + m_options.region + "." + m_options.nodeId},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"fetch.wait.max.ms", "50"},
        {"enable.partition.eof", "false"},
    });
    auto consumer = kafka::makeHandle(RD_KAFKA_CONSUMER, consumerSettings, this);
    if (!consumer)
        return consumer.error();
    m_consumer = std::move(consumer).value();
    rd_kafka_poll_set_consumer(m_consumer.get());

    auto events = kafka::partitionCount(m_producer.get(), m_options.eventsTopic, timeoutMs);
    auto members = kafka::partitionCount(m_producer.get(), m_options.membersTopic, timeoutMs);
    auto controls = kafka::partitionCount(m_producer.get(), m_options.controlTopic, timeoutMs);
    for (const auto* count : {&events, &members, &controls})
        if (!*count)
            return makeError(ErrorCode::unavailable, "Kafka at " + m_options.brokers + ": " + count->error().message, true);
    kafka::PartitionList partitions(rd_kafka_topic_partition_list_new(*events + *members + *controls));
    // Events from the end: this node's clients catch up from the store, not from
    // Kafka. Heartbeats from a little before the end, so the members are known at once.
    for (int p = 0; p < *events; ++p)
        rd_kafka_topic_partition_list_add(partitions.get(), m_options.eventsTopic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_END;
    for (int p = 0; p < *members; ++p)
        rd_kafka_topic_partition_list_add(partitions.get(), m_options.membersTopic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_TAIL(200);
    // Fences and homes from the beginning: the topic is compacted, so that is the
    // last word on each key.
    for (int p = 0; p < *controls; ++p)
        rd_kafka_topic_partition_list_add(partitions.get(), m_options.controlTopic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    if (auto err = rd_kafka_assign(m_consumer.get(), partitions.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka::kafkaError("cannot read " + m_options.eventsTopic, err);

    m_running = true;
    m_thread = std::thread([this] { loop(); });
    spdlog::info("bridge: linked to Kafka at {} (events {}, members {})", m_options.brokers,
                 m_options.eventsTopic, m_options.membersTopic);
    return {};
}

void EventBridge::stop()
{
    if (!m_running.exchange(false)) {
        m_consumer.reset();
        m_producer.reset();
        return;
    }
    m_thread.join();
    retryHeld();
    if (m_producer) {
        if (rd_kafka_flush(m_producer.get(), 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
            spdlog::warn("bridge: {} events were not acknowledged by Kafka at shutdown (they are in the store)",
                         rd_kafka_outq_len(m_producer.get()));
    }
    rd_kafka_consumer_close(m_consumer.get());
    m_consumer.reset();
    m_producer.reset();
}

// ---------------------------------------------------------------------------------
// Producing (any thread)

void EventBridge::send(const EventRecord& record)
{
    m_sent.fetch_add(1, std::memory_order_relaxed);
    produce(m_options.eventsTopic, record.channel, encode(record));
}

void EventBridge::announce(const std::string& json)
{
    produce(m_options.membersTopic, m_options.nodeId, json);
}

void EventBridge::control(const std::string& key, const std::string& json)
{
    produce(m_options.controlTopic, key, json);
}

void EventBridge::produce(const std::string& topic, const std::string& key, std::string value)
{
    if (topic == m_options.eventsTopic) {
        // Once something is held, later events queue behind it, so a channel's
        // events keep their order on the way to Kafka. (Heartbeats and control
        // records are not held: a paused bridge still says it is alive.)
        std::lock_guard lock(m_heldMutex);
        if (m_paused.load(std::memory_order_relaxed) || !m_held.empty()) {
            m_held.emplace_back(key, std::move(value));
            return;
        }
    }
    m_inFlight.fetch_add(1, std::memory_order_relaxed);
    const auto err = rd_kafka_producev(m_producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                       RD_KAFKA_V_KEY(key.data(), key.size()),
                                       RD_KAFKA_V_VALUE(value.data(), value.size()),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    m_inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (topic == m_options.membersTopic)
        return; // a lost heartbeat is replaced by the next one
    if (topic == m_options.controlTopic) {
        spdlog::error("bridge: a control record ({}) could not be queued for Kafka: {}", key, rd_kafka_err2str(err));
        return;
    }
    std::lock_guard lock(m_heldMutex);
    m_held.emplace_back(key, std::move(value));
}

void EventBridge::retryHeld()
{
    std::lock_guard lock(m_heldMutex);
    if (m_paused.load(std::memory_order_relaxed))
        return;
    while (!m_held.empty()) {
        auto& [key, value] = m_held.front();
        m_inFlight.fetch_add(1, std::memory_order_relaxed);
        const auto err = rd_kafka_producev(m_producer.get(), RD_KAFKA_V_TOPIC(m_options.eventsTopic.c_str()),
                                           RD_KAFKA_V_KEY(key.data(), key.size()),
                                           RD_KAFKA_V_VALUE(value.data(), value.size()),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            m_inFlight.fetch_sub(1, std::memory_order_relaxed);
            return;
        }
        m_held.pop_front();
    }
}

void EventBridge::onDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque)
{
    auto* self = static_cast<EventBridge*>(opaque);
    self->m_inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (rd_kafka_topic_name(message->rkt) != self->m_options.eventsTopic)
        return;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        self->m_delivered.fetch_add(1, std::memory_order_relaxed);
    } else {
        self->m_failed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("bridge: Kafka did not take an event of channel {}: {} (it is in the store; other "
                     "nodes fill the gap from there)",
                     text(message->key, message->key_len), rd_kafka_err2str(message->err));
    }
}

bool EventBridge::congested() const
{
    std::size_t held = 0;
    {
        std::lock_guard lock(m_heldMutex);
        held = m_held.size();
    }
    return m_inFlight.load(std::memory_order_relaxed) + held >= m_options.maxQueued;
}

void EventBridge::pause()
{
    m_paused = true;
}

void EventBridge::resume()
{
    m_paused = false;
}

// ---------------------------------------------------------------------------------
// The bridge thread

void EventBridge::loop()
{
    auto nextPositions = Clock::now();
    while (m_running.load()) {
        rd_kafka_poll(m_producer.get(), 0); // delivery reports

        const bool paused = m_paused.load();
        if (paused != m_consumerPaused.load()) {
            kafka::PartitionList assigned;
            rd_kafka_topic_partition_list_t* list = nullptr;
            if (rd_kafka_assignment(m_consumer.get(), &list) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                assigned.reset(list);
                if (paused)
                    rd_kafka_pause_partitions(m_consumer.get(), list);
                else
                    rd_kafka_resume_partitions(m_consumer.get(), list);
                m_consumerPaused = paused;
            }
        }
        if (!paused)
            retryHeld();

        if (rd_kafka_message_t* message = rd_kafka_consumer_poll(m_consumer.get(), kPollMillis)) {
            handle(message);
            rd_kafka_message_destroy(message);
        }
        if (Clock::now() >= nextPositions) {
            refreshPositions();
            nextPositions = Clock::now() + kPositionsEvery;
        }
    }
}

void EventBridge::handle(const rd_kafka_message_t* message)
{
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            spdlog::warn("bridge: Kafka consumer: {}", rd_kafka_message_errstr(message));
        return;
    }
    const std::string topic = rd_kafka_topic_name(message->rkt);
    if (topic == m_options.membersTopic) {
        if (m_onMember && message->key)
            m_onMember(text(message->key, message->key_len), text(message->payload, message->len));
        return;
    }
    if (topic == m_options.controlTopic) {
        if (m_onControl && message->key)
            m_onControl(text(message->key, message->key_len), text(message->payload, message->len));
        return;
    }
    m_received.fetch_add(1, std::memory_order_relaxed);
    m_next[message->partition] = message->offset + 1;
    auto record = decode(std::string_view(static_cast<const char*>(message->payload), message->len));
    if (!record) {
        m_malformed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("bridge: skipped a record at {}[{}]@{}: {}", topic, message->partition, message->offset,
                     record.error().message);
        return;
    }
    m_onEvent(std::move(record).value());
}

void EventBridge::refreshPositions()
{
    rd_kafka_topic_partition_list_t* list = nullptr;
    if (rd_kafka_assignment(m_consumer.get(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    kafka::PartitionList assigned(list);
    std::vector<PartitionLag> lag;
    bool fetching = false;
    bool everyPartition = true;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& p = list->elems[i];
        if (m_options.eventsTopic != p.topic)
            continue;
        std::int64_t low = RD_KAFKA_OFFSET_INVALID;
        std::int64_t high = RD_KAFKA_OFFSET_INVALID;
        // Cached from the last fetch response: no request to the broker. Until the
        // first fetch of a partition they are invalid, so this also tells whether
        // the consumer really reads every partition yet.
        rd_kafka_get_watermark_offsets(m_consumer.get(), p.topic, p.partition, &low, &high);
        if (high < 0) {
            everyPartition = false;
            continue;
        }
        fetching = true;
        // Nothing read from it since start: the consumer began at its end.
        const auto next = m_next.find(p.partition);
        const std::int64_t position = next == m_next.end() ? high : next->second;
        lag.push_back({p.topic, p.partition, std::max<std::int64_t>(0, high - position)});
    }
    m_ready = everyPartition && fetching;
    std::lock_guard lock(m_heldMutex);
    m_lag = std::move(lag);
}

BridgeStats EventBridge::stats() const
{
    BridgeStats s;
    s.sent = m_sent.load(std::memory_order_relaxed);
    s.delivered = m_delivered.load(std::memory_order_relaxed);
    s.failed = m_failed.load(std::memory_order_relaxed);
    s.received = m_received.load(std::memory_order_relaxed);
    s.malformed = m_malformed.load(std::memory_order_relaxed);
    s.ready = m_ready.load(std::memory_order_relaxed);
    s.paused = m_paused.load(std::memory_order_relaxed);
    std::lock_guard lock(m_heldMutex);
    s.queued = m_inFlight.load(std::memory_order_relaxed) + m_held.size();
    return s;
}

std::vector<PartitionLag> EventBridge::lag() const
{
    std::lock_guard lock(m_heldMutex);
    return m_lag;
}

} // namespace aldis::cluster
