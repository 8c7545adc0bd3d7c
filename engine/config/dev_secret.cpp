// SPDX-License-Identifier: Apache-2.0
#include "config/dev_secret.h"

#include "config/config_keys.h"
#include "config/config_text.h"

#include <array>
#include <optional>
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


// Reads the secret in `path` or creates it (random, hex, mode 0600, O_EXCL so that
// when another process made it first, its secret is used). `what` names the secret
// in messages; `alternative` says what the user can configure instead.
std::optional<std::string> readOrCreate(const fs::path& path, const fs::path& dataDir, std::string_view what,
                                        std::string_view alternative, std::string& problem)
{
    auto fromFile = [&]() -> std::optional<std::string> {
        std::string readProblem;
        auto text = readTextFile(path, readProblem);
        if (!text) {
            problem = "cannot read the " + std::string(what) + " '" + path.string() + "': " + readProblem
                + "; fix its permissions or delete it";
            return std::nullopt;
        }
        return trimmed(*text);
    };

    std::error_code ec;
    if (fs::exists(path, ec))
        return fromFile();

    fs::create_directories(dataDir, ec);
    if (ec) {
        problem = "cannot create the data directory '" + dataDir.string() + "': " + ec.message()
            + "; create it or set node.data_dir (ALDIS_NODE_DATA_DIR) to a writable folder";
        return std::nullopt;
    }

    std::array<unsigned char, kDevSecretRandomBytes> random{};
    {
        std::ifstream urandom("/dev/urandom", std::ios::binary);
        if (!urandom.read(reinterpret_cast<char*>(random.data()), random.size())) {
            problem = "cannot read /dev/urandom to make a " + std::string(what) + "; " + std::string(alternative);
            return std::nullopt;
        }
    }
    const std::string secret = hexEncode(random.data(), random.size());

    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return fromFile();
    if (fd < 0) {
        problem = "cannot create the " + std::string(what) + " '" + path.string() + "': " + std::strerror(errno)
            + "; make the data directory writable or " + std::string(alternative);
        return std::nullopt;
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
        problem = "cannot write the " + std::string(what) + " '" + path.string()
            + "'; make the data directory writable or " + std::string(alternative);
        return std::nullopt;
    }
    return secret;
}

} // namespace

void addDevSecret(Config& config, int dataDirLine, std::vector<ConfigError>& errors)
{
    const fs::path path = config.devSecretPath();
    std::string problem;
    auto secret = readOrCreate(path, config.node.dataDir, "development secret",
                               "configure an [[auth.keys]] entry", problem);
    if (secret && secret->size() < kMinHs256SecretBytes)
        problem = "the development secret '" + path.string()
            + "' is shorter than 32 bytes; delete the file to have a new one made";
    if (!problem.empty()) {
        errors.push_back(ConfigError{"node.data_dir", dataDirLine, std::move(problem)});
        return;
    }
    config.auth.keys.push_back(JwtKeyConfig{"dev", {"HS256"}, std::move(*secret), {}, {}, {}, {}});
}

void addAdminToken(Config& config, int dataDirLine, std::vector<ConfigError>& errors)
{
    const fs::path path = config.adminTokenPath();
    std::string problem;
    auto token = readOrCreate(path, config.node.dataDir, "admin token", "set admin.token (ALDIS_ADMIN_TOKEN)",
                              problem);
    if (token && token->size() < kMinApiKeyChars)
        problem = "the admin token in '" + path.string()
            + "' is shorter than 16 characters; delete the file to have a new one made";
    if (!problem.empty()) {
        errors.push_back(ConfigError{"node.data_dir", dataDirLine, std::move(problem)});
        return;
    }
    config.admin.token = std::move(*token);
}

} // namespace aldis::config::detail
