// SPDX-License-Identifier: Apache-2.0
#include "observability/logging.h"

#include <spdlog/details/os.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <ctime>

namespace aldis::observability {

namespace {

// One JSON object per line: {"ts","level","msg"}; the message is escaped, so user
// input in a log line can never break the line's JSON.
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override
    {
        using namespace std::chrono;
        auto t = system_clock::to_time_t(msg.time);
        auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char ts[40];
        auto n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
        std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(ms));
        append(dest, "{\"ts\":\"");
        append(dest, ts);
        append(dest, "\",\"level\":\"");
        auto lvl = spdlog::level::to_string_view(msg.level);
        dest.append(lvl.data(), lvl.data() + lvl.size());
        append(dest, "\",\"msg\":\"");
        static constexpr char kHex[] = "0123456789abcdef";
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\') {
                dest.push_back('\\');
                dest.push_back(ch);
            } else if (c < 0x20) {
                append(dest, "\\u00");
                dest.push_back(kHex[c >> 4]);
                dest.push_back(kHex[c & 0xf]);
            } else {
                dest.push_back(ch);
            }
        }
        append(dest, "\"}\n");
    }

    std::unique_ptr<spdlog::formatter> clone() const override
    {
        return std::make_unique<JsonFormatter>();
    }

private:
    static void append(spdlog::memory_buf_t& dest, std::string_view s)
    {
        dest.append(s.data(), s.data() + s.size());
    }
};

} // namespace

bool setLogLevel(const std::string& level)
{
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off")
        return false;
    spdlog::set_level(lvl);
    return true;
}

bool setupLogging(const std::string& level, const std::string& format)
{
    auto logger = spdlog::get("aldis");
    if (!logger)
        logger = spdlog::stderr_logger_mt("aldis");
    spdlog::set_default_logger(logger);
    if (format == "json")
        logger->set_formatter(std::make_unique<JsonFormatter>());
    else
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
    logger->flush_on(spdlog::level::trace);
    return setLogLevel(level);
}

} // namespace aldis::observability
