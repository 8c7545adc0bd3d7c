// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small RAII helpers over librdkafka's C API, shared by the event bridge and the
// membership announcer.

#include "common/error.h"

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

namespace aldis::cluster::kafka {

struct HandleDeleter {
    void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct PartitionListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* list) const noexcept
    {
        rd_kafka_topic_partition_list_destroy(list);
    }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

using Settings = std::map<std::string, std::string>;

// A producer or consumer with `settings` (librdkafka property names). `opaque` is
// passed to the callbacks set by `prepare`, which runs on the conf before the handle
// is made. Errors name the property that librdkafka refused.
Result<Handle> makeHandle(rd_kafka_type_t type, const Settings& settings, void* opaque,
                          void (*prepare)(rd_kafka_conf_t*) = nullptr);

// Creates `topic` with `partitions` partitions unless it exists (replication 1 when
// the cluster has one broker, else 3 capped by the broker count). Blocks for up to
// `timeoutMs`; call it at start-up, not from an io_context thread.
// `compact`: a log-compacted topic (the last record of each key is kept forever).
Result<void> ensureTopic(rd_kafka_t* rk, const std::string& topic, int partitions, int timeoutMs,
                         bool compact = false);

// The number of partitions of `topic`, from the cluster's metadata (blocking).
Result<int> partitionCount(rd_kafka_t* rk, const std::string& topic, int timeoutMs);

Error kafkaError(std::string_view what, rd_kafka_resp_err_t err);

} // namespace aldis::cluster::kafka
