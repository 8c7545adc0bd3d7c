// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/config_keys.h"

#include <toml++/toml.h>

#include <optional>
#include <string>

// Reading the values of a config file: a TOML node as a key's value, how a node is
// named in a message, and the line it came from. No state; safe on any thread.
namespace aldis::config::detail {

// How a TOML value is named in a message: "\"text\"", "42", "an array", ...
std::string describeNode(const toml::node& node);

// Reads a TOML value of the spec's kind. Sets `problem` and returns nothing when the
// value has the wrong type or is out of bounds. Instantiated for Config and
// NamespaceConfig.
template <typename Target>
std::optional<Value> fromToml(const KeySpec<Target>& spec, const std::string& name, const toml::node& node,
                              std::string& problem);

// The 1-based line of a value; of a key when toml++ knows it, else of its value.
int lineOf(const toml::node& node);
int lineOf(const toml::key& k, const toml::node& node);

} // namespace aldis::config::detail
