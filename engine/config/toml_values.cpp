// SPDX-License-Identifier: Apache-2.0
#include "config/toml_values.h"

#include "config/config_text.h"

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace aldis::config::detail {

namespace {

std::optional<Millis> durationFromToml(const toml::node& node)
{
    if (auto* text = node.as_string())
        return parseDuration(text->get());
    if (auto* integer = node.as_integer()) {
        auto seconds = integer->get();
        if (seconds < 0 || seconds > std::numeric_limits<std::int64_t>::max() / 1000)
            return std::nullopt;
        return Millis(seconds * 1000);
    }
    return std::nullopt;
}

} // namespace

std::string describeNode(const toml::node& node)
{
    switch (node.type()) {
    case toml::node_type::string: return quote(node.as_string()->get());
    case toml::node_type::integer: return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return formatNumber(node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    default: return "nothing";
    }
}

template <typename Target>
std::optional<Value> fromToml(const KeySpec<Target>& spec, const std::string& name, const toml::node& node,
                              std::string& problem)
{
    std::optional<Value> value;
    switch (spec.kind) {
    case Kind::String:
    case Kind::Path:
    case Kind::Choice:
        if (auto* text = node.as_string())
            value = text->get();
        break;
    case Kind::Integer:
        if (auto* integer = node.as_integer())
            value = integer->get();
        break;
    case Kind::Number:
        if (auto* integer = node.as_integer())
            value = static_cast<double>(integer->get());
        else if (auto* number = node.as_floating_point())
            value = number->get();
        break;
    case Kind::Duration:
        if (auto duration = durationFromToml(node))
            value = *duration;
        break;
    case Kind::StringList:
        if (auto* array = node.as_array()) {
            std::vector<std::string> items;
            bool allStrings = true;
            for (const auto& element : *array) {
                if (auto* text = element.as_string())
                    items.push_back(text->get());
                else
                    allStrings = false;
            }
            if (allStrings)
                value = std::move(items);
        }
        break;
    case Kind::Bool:
        if (auto* flag = node.as_boolean())
            value = flag->get();
        break;
    }
    if (!value) {
        problem = mustBe(spec, name, false, describeNode(node));
        return std::nullopt;
    }
    problem = checkValue(spec, name, false, *value);
    if (!problem.empty())
        return std::nullopt;
    return value;
}

template std::optional<Value> fromToml(const KeySpec<Config>&, const std::string&, const toml::node&, std::string&);
template std::optional<Value> fromToml(const KeySpec<NamespaceConfig>&, const std::string&, const toml::node&,
                                       std::string&);

int lineOf(const toml::node& node)
{
    return static_cast<int>(node.source().begin.line);
}

int lineOf(const toml::key& k, const toml::node& node)
{
    auto line = static_cast<int>(k.source().begin.line);
    return line > 0 ? line : lineOf(node);
}

} // namespace aldis::config::detail
