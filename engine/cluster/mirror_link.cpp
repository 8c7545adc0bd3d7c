// SPDX-License-Identifier: Apache-2.0
#include "cluster/mirror_link.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <future>

namespace aldis::cluster {

namespace json = boost::json;

namespace {

constexpr int kPollMillis = 50;
constexpr std::size_t kMaxBatch = 500;
constexpr auto kLagEvery = std::chrono::seconds(1);
constexpr int kQueryMillis = 2000;

std::string text(const void* bytes, std::size_t size)
{
    return std::string(static_cast<const char*>(bytes), size);
}

} // namespace

MirrorLink::MirrorLink(const config::Config& config, const config::MirrorConfig& source, store::EventStore& store,
                       Wanted wanted, Applied applied)
    : m_source(source),
      m_region(config.node.region),
      m_nodeId(config.node.id),
      m_store(store),
      m_wanted(std::move(wanted)),
      m_applied(std::move(applied)),
      m_members(config.cluster.memberTimeout)
{
    const std::string prefix = source.topicPrefix.empty() ? config.cluster.topicPrefix : source.topicPrefix;
    m_eventsTopic = prefix + "." + source.region + ".events";
    m_membersTopic = prefix + "." + source.region + ".members";
    m_controlTopic = prefix + "." + source.region + ".control";
}

MirrorLink::~MirrorLink()
{
    stop();
}

Result<void> MirrorLink::start()
{
    const kafka::Settings common = {
        {"bootstrap.servers", m_source.kafka},
        {"client.id", "aldis-" + m_nodeId + "-mirror"},
        {"socket.nagle.disable", "true"},
        {"log_level", "4"},
    };
    auto where = [&](const Error& e) {
        return makeError(e.code, "mirror of region " + m_source.region + " (Kafka at " + m_source.kafka + "): " + e.message,
                         true);
    };

    kafka::Settings producerSettings = common;
    // A fence or a home for a region that is cut off waits for it as long as this
    // node runs (message.timeout.ms 0); a failure is logged.
    producerSettings.insert({{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "1"},
                             {"message.timeout.ms", "0"}});
    auto producer = kafka::makeHandle(RD_KAFKA_PRODUCER, producerSettings, this, [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
            if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR)
                spdlog::error("mirror: a control record for {} was not delivered: {}", rd_kafka_topic_name(m->rkt),
                              rd_kafka_err2str(m->err));
        });
    });
    if (!producer)
        return where(producer.error());
    m_producer = std::move(producer).value();
    // The source region's nodes make these topics; making them here too lets the
    // mirror start first.
    const int timeoutMs = 15000;
    if (auto made = kafka::ensureTopic(m_producer.get(), m_eventsTopic, 16, timeoutMs); !made)
        return where(made.error());
    for (const auto* topic : {&m_membersTopic, &m_controlTopic})
        if (auto made = kafka::ensureTopic(m_producer.get(), *topic, 1, timeoutMs, topic == &m_controlTopic); !made)
            return where(made.error());

    kafka::Settings eventSettings = common;
    eventSettings.insert({
        // The region's mirroring nodes share the source's partitions; one that goes
        // away is replaced within the session timeout.
        {"group.id", "aldis." + m_region + ".mirror." + m_source.region},
        {"auto.offset.reset", "earliest"},
        {"enable.auto.commit", "false"},
        {"session.timeout.ms", "6000"},
        {"heartbeat.interval.ms", "2000"},
        {"fetch.wait.max.ms", "50"},
    });
    auto events = kafka::makeHandle(RD_KAFKA_CONSUMER, eventSettings, this);
    if (!events)
        return where(events.error());
    m_events = std::move(events).value();
    rd_kafka_poll_set_consumer(m_events.get());
    kafka::PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), m_eventsTopic.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(m_events.get(), topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return where(kafka::kafkaError("cannot subscribe to " + m_eventsTopic, err));

    kafka::Settings watcherSettings = common;
    watcherSettings.insert({{"group.id", "aldis." + m_region + ".watch." + m_nodeId},
                            {"enable.auto.commit", "false"},
                            {"fetch.wait.max.ms", "200"}});
    auto watcher = kafka::makeHandle(RD_KAFKA_CONSUMER, watcherSettings, this);
    if (!watcher)
        return where(watcher.error());
    m_watcher = std::move(watcher).value();
    rd_kafka_poll_set_consumer(m_watcher.get());
    kafka::PartitionList members(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(members.get(), m_membersTopic.c_str(), 0)->offset = RD_KAFKA_OFFSET_TAIL(200);
    if (auto err = rd_kafka_assign(m_watcher.get(), members.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return where(kafka::kafkaError("cannot read " + m_membersTopic, err));

    m_running = true;
    m_thread = std::thread([this] { loop(); });
    spdlog::info("mirror: region {} mirrors region {} (Kafka at {}, topic {})", m_region, m_source.region,
                 m_source.kafka, m_eventsTopic);
    return {};
}

void MirrorLink::stop()
{
    if (m_running.exchange(false))
        m_thread.join();
    if (m_events) {
        rd_kafka_consumer_close(m_events.get());
        m_events.reset();
    }
    if (m_watcher) {
        rd_kafka_consumer_close(m_watcher.get());
        m_watcher.reset();
    }
    if (m_producer) {
        rd_kafka_flush(m_producer.get(), 5000);
        m_producer.reset();
    }
}

void MirrorLink::control(const std::string& key, const std::string& value)
{
    if (!m_producer)
        return;
    const auto err = rd_kafka_producev(m_producer.get(), RD_KAFKA_V_TOPIC(m_controlTopic.c_str()),
                                       RD_KAFKA_V_KEY(key.data(), key.size()),
                                       RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        spdlog::error("mirror: cannot queue {} for region {}'s control topic: {}", key, m_source.region,
                      rd_kafka_err2str(err));
}

// ---------------------------------------------------------------------------------
// The mirror thread

void MirrorLink::loop()
{
    std::vector<store::ReplicaPublication> batch;
    std::vector<EventRecord> records;
    while (m_running.load()) {
        rd_kafka_poll(m_producer.get(), 0);
        while (rd_kafka_message_t* message = rd_kafka_consumer_poll(m_watcher.get(), 0)) {
            onMember(message);
            rd_kafka_message_destroy(message);
        }
        // Take what is there (up to a batch), waiting a little only for the first.
        int wait = kPollMillis;
        while (batch.size() < kMaxBatch) {
            rd_kafka_message_t* message = rd_kafka_consumer_poll(m_events.get(), wait);
            if (!message)
                break;
            wait = 0;
            if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                auto record = decode(std::string_view(static_cast<const char*>(message->payload), message->len));
                if (record)
                    take(std::move(record).value(), batch, records);
                else
                    spdlog::warn("mirror: skipped a record of {}: {}", m_eventsTopic, record.error().message);
            } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                spdlog::warn("mirror: Kafka consumer of region {}: {}", m_source.region,
                             rd_kafka_message_errstr(message));
            }
            rd_kafka_message_destroy(message);
        }
        // Early publications that waited long enough go in, leaving their hole.
        const auto now = Clock::now();
        bool early = false;
        for (auto& [name, state] : m_channels) {
            if (!state.early.empty() && now - state.early.begin()->second.second >= holeWait)
                release(state, batch, records, true);
            early = early || !state.early.empty();
        }
        if (m_stopping)
            return;
        if (!batch.empty()) {
            bool applied = apply(batch, records);
            while (!applied && m_running.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
                applied = apply(batch, records);
            }
            if (!applied)
                return; // stopping with a batch not stored: its offsets stay uncommitted
            batch.clear();
            records.clear();
        }
        // Positions are committed only with nothing held back, so a crash never
        // skips a publication that waited for its predecessor.
        if (!early)
            rd_kafka_commit(m_events.get(), nullptr, 1);
        if (Clock::now() >= m_nextLag) {
            refreshLag();
            m_nextLag = Clock::now() + kLagEvery;
        }
    }
}

void MirrorLink::take(EventRecord record, std::vector<store::ReplicaPublication>& batch,
                      std::vector<EventRecord>& records)
{
    const auto retention = m_wanted(record.channel);
    if (!retention) {
        m_skipped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    ChannelState& state = m_channels[record.channel];
    if (!state.known) {
        // Where this region's copy of the channel stands (blocking: this thread's own).
        // Until the store answers: the record must not be dropped, and nothing after
        // it can be applied anyway.
        Result<store::ChannelState> loaded = makeError(ErrorCode::unavailable, "not read yet");
        for (;;) {
            std::promise<Result<store::ChannelState>> promise;
            auto future = promise.get_future();
            m_store.channelState(record.channel,
                                 [&promise](Result<store::ChannelState> r) { promise.set_value(std::move(r)); });
            loaded = future.get();
            if (loaded || !m_running.load())
                break;
            spdlog::warn("mirror: cannot read channel {} (retrying): {}", record.channel, loaded.error().message);
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        if (!loaded) {
            m_stopping = true; // stopping: nothing more is applied or committed
            return;
        }
        state.known = true;
        state.epoch = loaded->epoch;
        state.applied = loaded->lastOffset;
    }
    if (!state.epoch.empty() && record.epoch != state.epoch) {
        // A new stream in the home region: replicate() replaces this region's copy.
        spdlog::warn("mirror: channel {} has a new epoch {} in region {} (was {})", record.channel, record.epoch,
                     m_source.region, state.epoch);
        state.applied = 0;
        state.early.clear();
    }
    state.epoch = record.epoch;
    if (record.offset <= state.applied || state.early.count(record.offset)) {
        m_skipped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const auto offset = record.offset;
    state.early.emplace(offset, std::pair{std::move(record), Clock::now()});
    (void)retention;
    release(state, batch, records, false);
}

void MirrorLink::release(ChannelState& state, std::vector<store::ReplicaPublication>& batch,
                         std::vector<EventRecord>& records, bool giveUp)
{
    while (!state.early.empty()) {
        auto first = state.early.begin();
        if (first->first != state.applied + 1) {
            if (!giveUp)
                return;
            m_holes.fetch_add(first->first - state.applied - 1, std::memory_order_relaxed);
            spdlog::warn("mirror: channel {}: offsets {}..{} never came from region {}; stored without them",
                         first->second.first.channel, state.applied + 1, first->first - 1, m_source.region);
            giveUp = false; // only the first hole is given up on; what follows must be contiguous again
        }
        EventRecord record = std::move(first->second.first);
        state.applied = first->first;
        state.early.erase(first);
        const auto retention = m_wanted(record.channel).value_or(store::Retention{});
        store::ReplicaPublication replica;
        replica.publication = store::Publication{record.channel, record.offset, record.data, record.ts,
                                                 record.user, record.key};
        replica.epoch = record.epoch;
        replica.retention = retention;
        batch.push_back(std::move(replica));
        records.push_back(std::move(record));
    }
}

bool MirrorLink::apply(std::vector<store::ReplicaPublication>& batch, std::vector<EventRecord>& records)
{
    auto stored = m_store.replicate(batch);
    if (!stored) {
        m_failures.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("mirror: {} publications from region {} wait: {}", batch.size(), m_source.region,
                     stored.error().message);
        return false;
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
        if ((*stored)[i]) {
            m_appliedCount.fetch_add(1, std::memory_order_relaxed);
            m_applied(records[i]);
        } else {
            m_skipped.fetch_add(1, std::memory_order_relaxed);
        }
    }
    return true;
}

void MirrorLink::onMember(const rd_kafka_message_t* message)
{
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR || !message->key)
        return;
    const std::string node = text(message->key, message->key_len);
    if (!m_members.update(node, std::string_view(static_cast<const char*>(message->payload), message->len)))
        spdlog::warn("mirror: skipped a malformed heartbeat from {} of region {}", node, m_source.region);
}

std::optional<std::vector<admin::ClusterView::Lag>> MirrorLink::queryLag()
{
    // The whole group's lag, from its committed offsets, which move only after the
    // store committed. Only this tells whether the region has everything the source
    // published, which a graceful promotion needs.
    auto count = kafka::partitionCount(m_producer.get(), m_eventsTopic, kQueryMillis);
    if (!count)
        return std::nullopt;
    kafka::PartitionList list(rd_kafka_topic_partition_list_new(*count));
    for (int p = 0; p < *count; ++p)
        rd_kafka_topic_partition_list_add(list.get(), m_eventsTopic.c_str(), p);
    if (rd_kafka_committed(m_events.get(), list.get(), kQueryMillis) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return std::nullopt;
    std::vector<admin::ClusterView::Lag> lag;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& p = list->elems[i];
        std::int64_t low = 0;
        std::int64_t high = 0;
        if (rd_kafka_query_watermark_offsets(m_events.get(), p.topic, p.partition, &low, &high, kQueryMillis)
            != RD_KAFKA_RESP_ERR_NO_ERROR)
            return std::nullopt;
        const std::int64_t position = p.offset >= 0 ? p.offset : low;
        lag.push_back({m_eventsTopic, p.partition, std::max<std::int64_t>(0, high - position)});
    }
    return lag;
}

void MirrorLink::refreshLag()
{
    auto lag = queryLag();
    std::int64_t total = 0;
    if (lag)
        for (const auto& l : *lag)
            total += l.lag;
    std::lock_guard lock(m_mutex);
    m_groupLag = lag ? total : -1;
    m_lag = lag ? std::move(*lag) : std::vector<admin::ClusterView::Lag>{};
}

std::int64_t MirrorLink::lagNow()
{
    auto lag = queryLag();
    if (!lag)
        return -1;
    std::int64_t total = 0;
    for (const auto& l : *lag)
        total += l.lag;
    return total;
}

MirrorLink::Stats MirrorLink::stats() const
{
    Stats s;
    s.applied = m_appliedCount.load(std::memory_order_relaxed);
    s.skipped = m_skipped.load(std::memory_order_relaxed);
    s.holes = m_holes.load(std::memory_order_relaxed);
    s.failures = m_failures.load(std::memory_order_relaxed);
    std::lock_guard lock(m_mutex);
    s.groupLag = m_groupLag;
    return s;
}

std::vector<admin::ClusterView::Lag> MirrorLink::lag() const
{
    std::lock_guard lock(m_mutex);
    return m_lag;
}

std::vector<admin::ClusterView::Member> MirrorLink::members() const
{
    return m_members.list();
}

} // namespace aldis::cluster
