// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Text helpers of the config loader: the wording of values in messages, the
// "did you mean" search, and reading a whole file. No state; safe on any thread.
namespace aldis::config::detail {

std::string upper(std::string_view text);

// The candidate closest to `word` (case is ignored), when it is close enough to be a
// likely typo.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ");

// "a|b|c" as {"a", "b", "c"}.
std::vector<std::string> splitChoices(std::string_view choices);

// `text` in double quotes for a message, cut to 60 characters.
std::string quote(std::string_view text);

std::string trimmed(std::string_view text);

std::string formatNumber(double value);

// The whole file; nothing, with `problem` saying why, when it cannot be read.
std::optional<std::string> readTextFile(const std::filesystem::path& path, std::string& problem);

} // namespace aldis::config::detail
