// SPDX-License-Identifier: Apache-2.0
#include "config/config_text.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

namespace aldis::config::detail {

namespace {

namespace fs = std::filesystem;

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so
// "prot" is one edit from "port".
std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

} // namespace

std::string upper(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates)
{
    std::optional<std::string> best;
    std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        std::size_t distance = editDistance(upper(word), upper(candidate));
        std::size_t allowed = std::max<std::size_t>(2, candidate.size() / 4);
        if (distance <= allowed && distance < candidate.size() && distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

std::vector<std::string> splitChoices(std::string_view choices)
{
    std::vector<std::string> out;
    while (!choices.empty()) {
        auto bar = choices.find('|');
        out.emplace_back(choices.substr(0, bar));
        if (bar == std::string_view::npos)
            break;
        choices.remove_prefix(bar + 1);
    }
    return out;
}

std::string quote(std::string_view text)
{
    constexpr std::size_t kShown = 60;
    std::string out = "\"";
    out += text.substr(0, kShown);
    if (text.size() > kShown)
        out += "...";
    out += "\"";
    return out;
}

std::string trimmed(std::string_view text)
{
    auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return std::string(text);
}

std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

std::optional<std::string> readTextFile(const fs::path& path, std::string& problem)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        problem = "it is a directory";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        problem = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) {
        problem = "read error";
        return std::nullopt;
    }
    return content.str();
}

} // namespace aldis::config::detail
