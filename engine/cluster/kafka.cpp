// SPDX-License-Identifier: Apache-2.0
#include "cluster/kafka.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

namespace aldis::cluster::kafka {

Error kafkaError(std::string_view what, rd_kafka_resp_err_t err)
{
    return makeError(ErrorCode::unavailable, std::string(what) + ": " + rd_kafka_err2str(err), true);
}

Result<Handle> makeHandle(rd_kafka_type_t type, const Settings& settings, void* opaque,
                          void (*prepare)(rd_kafka_conf_t*))
{
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::array<char, 512> err{};
    for (const auto& [name, value] : settings) {
        if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err.data(), err.size()) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return makeError(ErrorCode::bad_request,
                             "Kafka setting " + name + "=" + value + " was refused: " + err.data());
        }
    }
    rd_kafka_conf_set_opaque(conf, opaque);
    if (prepare)
        prepare(conf);
    // rd_kafka_new takes the conf on success only.
    rd_kafka_t* rk = rd_kafka_new(type, conf, err.data(), err.size());
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return makeError(ErrorCode::unavailable, std::string("cannot create the Kafka client: ") + err.data());
    }
    return Handle(rk);
}

namespace {

struct MetadataDeleter {
    void operator()(const rd_kafka_metadata_t* m) const noexcept { rd_kafka_metadata_destroy(m); }
};

Result<std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>> metadata(rd_kafka_t* rk, int timeoutMs)
{
    const rd_kafka_metadata_t* md = nullptr;
    if (auto err = rd_kafka_metadata(rk, 1, nullptr, &md, timeoutMs); err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafkaError("cannot read the Kafka cluster's metadata", err);
    return std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>(md);
}

} // namespace

Result<int> partitionCount(rd_kafka_t* rk, const std::string& topic, int timeoutMs)
{
    // A topic created a moment ago may not be in every broker's metadata yet: ask
    // again until it is, or until the time is up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    Result<int> count = makeError(ErrorCode::unavailable, "Kafka topic " + topic + " does not exist", true);
    do {
        auto md = metadata(rk, timeoutMs);
        if (!md)
            return md.error();
        for (int i = 0; i < (*md)->topic_cnt; ++i) {
            const auto& t = (*md)->topics[i];
            if (topic != t.topic)
                continue;
            if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0)
                return t.partition_cnt;
            count = kafkaError("Kafka topic " + topic, t.err);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < deadline);
    return count;
}

Result<void> ensureTopic(rd_kafka_t* rk, const std::string& topic, int partitions, int timeoutMs, bool compact)
{
    auto md = metadata(rk, timeoutMs);
    if (!md)
        return md.error();
    for (int i = 0; i < (*md)->topic_cnt; ++i) {
        if (topic == (*md)->topics[i].topic && (*md)->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return {};
    }
    const int replication = (*md)->broker_cnt >= 3 ? 3 : 1;

    std::array<char, 512> err{};
    rd_kafka_NewTopic_t* newTopic =
        rd_kafka_NewTopic_new(topic.c_str(), partitions, replication, err.data(), err.size());
    if (!newTopic)
        return makeError(ErrorCode::bad_request, "cannot describe Kafka topic " + topic + ": " + err.data());
    if (compact)
        rd_kafka_NewTopic_set_config(newTopic, "cleanup.policy", "compact");
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &newTopic, 1, nullptr, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeoutMs);
    Result<void> result = makeError(ErrorCode::unavailable, "creating Kafka topic " + topic + " timed out", true);
    if (event) {
        if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            result = kafkaError("cannot create Kafka topic " + topic, rd_kafka_event_error(event));
        } else if (const auto* created = rd_kafka_event_CreateTopics_result(event)) {
            size_t count = 0;
            const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(created, &count);
            result = Result<void>();
            for (size_t i = 0; i < count; ++i) {
                const auto code = rd_kafka_topic_result_error(results[i]);
                if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                    result = kafkaError("cannot create Kafka topic " + topic, code);
            }
        }
        rd_kafka_event_destroy(event);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(newTopic);
    return result;
}

} // namespace aldis::cluster::kafka
