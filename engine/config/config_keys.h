// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/config.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Key descriptors. Every setting that has a TOML key is described once here; the
// TOML reader, the environment overrides and environmentVariables() all walk the
// same tables, so a key cannot exist in one and be missing from the others.
// The tables are built on first use and never change; safe on any thread.
namespace aldis::config::detail {

inline constexpr std::size_t kMinHs256SecretBytes = 32;
inline constexpr std::size_t kMinApiKeyChars = 16;  // API keys and the admin token

// The top-level tables of a config file.
inline constexpr std::array<std::string_view, 8> kSections = {"node", "client", "store", "auth",
                                                              "admin", "alerts", "cluster", "namespaces"};

// Adds an HS256 key with id "env"; it has no key in the tables.
inline constexpr std::string_view kHs256SecretVar = "ALDIS_AUTH_HS256_SECRET";

enum class Kind { String, Path, Integer, Number, Duration, Choice, StringList, Bool };

using Value = std::variant<bool, std::int64_t, double, std::string, Millis, std::vector<std::string>>;

// Extra check on a well-typed value. Returns an empty string when the value is
// fine, otherwise the rest of a sentence that starts with the key's name.
using Check = std::string (*)(const Value&);

template <typename Target>
struct KeySpec {
    std::string_view section;      // "node", "client", "store", "auth"; "" for namespace keys
    std::string_view name;         // the TOML key inside its table
    Kind kind;
    void (*apply)(Target&, Value&&);
    std::string_view description;  // one sentence, shown by `--help` and the docs

    std::int64_t min = 0;          // Integer: inclusive bounds; Duration: minimum in ms
    std::int64_t max = 0;
    double minNumber = 0;          // Number: lower bound
    bool minExclusive = false;     // Number: the bound itself is refused
    std::string_view choices;      // Choice: "a|b|c"
    std::string_view hint;         // appended to type and range errors
    Check check = nullptr;
    std::string_view envAlias;     // a second, shorter variable name

    constexpr KeySpec range(std::int64_t lo, std::int64_t hi) const { auto s = *this; s.min = lo; s.max = hi; return s; }
    constexpr KeySpec above(double lo) const { auto s = *this; s.minNumber = lo; s.minExclusive = true; return s; }
    constexpr KeySpec atLeast(double lo) const { auto s = *this; s.minNumber = lo; s.minExclusive = false; return s; }
    constexpr KeySpec positive() const { auto s = *this; s.min = 1; return s; }
    constexpr KeySpec oneOf(std::string_view c) const { auto s = *this; s.choices = c; return s; }
    constexpr KeySpec withHint(std::string_view h) const { auto s = *this; s.hint = h; return s; }
    constexpr KeySpec checkedBy(Check c) const { auto s = *this; s.check = c; return s; }
    constexpr KeySpec alias(std::string_view a) const { auto s = *this; s.envAlias = a; return s; }
};

// The scalar keys of [node], [client], [store], [auth], [admin] and [alerts].
const std::vector<KeySpec<Config>>& configKeys();

// The keys of one [namespaces.NAME] table.
const std::vector<KeySpec<NamespaceConfig>>& namespaceKeys();

template <typename Target>
std::string fullKey(const KeySpec<Target>& spec)
{
    return std::string(spec.section) + "." + std::string(spec.name);
}

// ALDIS_<SECTION>_<NAME>
std::string envName(const KeySpec<Config>& spec);

// How a value is named in a message: "\"text\"", "42", "a list of 3", ...
std::string describeValue(const Value& value);

// "<name> must be <what the spec expects>, got <got>", plus the spec's hint.
// Instantiated for Config and NamespaceConfig.
template <typename Target>
std::string mustBe(const KeySpec<Target>& spec, std::string_view name, bool fromEnvironment, const std::string& got);

// Checks a well-typed value against the spec's bounds, choices and check. Returns
// the error message, or an empty string. Instantiated for Config and NamespaceConfig.
template <typename Target>
std::string checkValue(const KeySpec<Target>& spec, std::string_view name, bool fromEnvironment, const Value& value);

// Reads the text of the environment variable `name` as a value of the spec's kind.
// Sets `problem` and returns nothing when the text has the wrong form or is out of
// bounds.
std::optional<Value> fromEnvironment(const KeySpec<Config>& spec, const std::string& name, std::string_view text,
                                     std::string& problem);

// The error for an unknown key `fullName` (at `line`), with a "did you mean" taken
// from `candidates` (shown with `prefix`) or from the same key in another section.
ConfigError unknownKey(const std::string& fullName, int line, std::string_view word,
                       const std::vector<std::string>& candidates, std::string_view prefix);

} // namespace aldis::config::detail
