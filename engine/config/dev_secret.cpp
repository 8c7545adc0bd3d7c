// SPDX-License-Identifier: Apache-2.0
#include "config/dev_secret.h"

#include "config/config_keys.h"
#include "config/config_text.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace aldis::config::detail {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kDevSecretRandomBytes = 48;

std::string hexEncode(const unsigned char* data, std::size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0x0f];
    }
    return out;
}

} // namespace

void addDevSecret(Config& config, int dataDirLine, std::vector<ConfigError>& errors)
{
    auto error = [&errors](std::string key, int line, std::string message) {
        errors.push_back(ConfigError{std::move(key), line, std::move(message)});
    };
    const fs::path path = config.devSecretPath();
    auto fromFile = [&](const std::string& text) -> bool {
        auto secret = trimmed(text);
        if (secret.size() < kMinHs256SecretBytes) {
            error("node.data_dir", dataDirLine,
                  "the development secret '" + path.string()
                      + "' is shorter than 32 bytes; delete the file to have a new one made");
            return false;
        }
        config.auth.keys.push_back(JwtKeyConfig{"dev", {"HS256"}, std::move(secret), {}, {}, {}, {}});
        return true;
    };

    std::error_code ec;
    if (fs::exists(path, ec)) {
        std::string problem;
        if (auto text = readTextFile(path, problem))
            fromFile(*text);
        else
            error("node.data_dir", dataDirLine,
                  "cannot read the development secret '" + path.string() + "': " + problem
                      + "; fix its permissions or delete it");
        return;
    }

    fs::create_directories(config.node.dataDir, ec);
    if (ec) {
        error("node.data_dir", dataDirLine,
              "cannot create the data directory '" + config.node.dataDir.string() + "': " + ec.message()
                  + "; create it or set node.data_dir (ALDIS_NODE_DATA_DIR) to a writable folder");
        return;
    }

    std::array<unsigned char, kDevSecretRandomBytes> random{};
    {
        std::ifstream urandom("/dev/urandom", std::ios::binary);
        if (!urandom.read(reinterpret_cast<char*>(random.data()), random.size())) {
            error("node.data_dir", dataDirLine,
                  "cannot read /dev/urandom to make a development secret; configure an [[auth.keys]] entry instead");
            return;
        }
    }
    const std::string secret = hexEncode(random.data(), random.size());

    // O_EXCL: when another process made the file first, its secret is the one to use.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        std::string problem;
        if (auto text = readTextFile(path, problem))
            fromFile(*text);
        else
            error("node.data_dir", dataDirLine, "cannot read the development secret '" + path.string() + "': " + problem);
        return;
    }
    if (fd < 0) {
        error("node.data_dir", dataDirLine,
              "cannot create the development secret '" + path.string() + "': " + std::strerror(errno)
                  + "; make the data directory writable or configure an [[auth.keys]] entry");
        return;
    }
    const std::string content = secret + "\n";
    std::size_t written = 0;
    bool failed = false;
    while (written < content.size()) {
        auto n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            failed = true;
            break;
        }
        written += static_cast<std::size_t>(n);
    }
    failed = ::close(fd) != 0 || failed;
    if (failed) {
        ::unlink(path.c_str());
        error("node.data_dir", dataDirLine,
              "cannot write the development secret '" + path.string()
                  + "'; make the data directory writable or configure an [[auth.keys]] entry");
        return;
    }
    config.auth.keys.push_back(JwtKeyConfig{"dev", {"HS256"}, secret, {}, {}, {}, {}});
}

} // namespace aldis::config::detail
