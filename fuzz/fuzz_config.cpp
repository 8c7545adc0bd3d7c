// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the TOML configuration (parsing and validation), without the
// environment and without writing a development secret.
#include "config/config.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view toml(reinterpret_cast<const char*>(data), size);
    aldis::config::LoadOptions options;
    options.useEnvironment = false;
    options.createDevSecret = false;
    const auto result = aldis::config::loadFromString(toml, options);
    // Every error can be printed for the operator.
    for (const auto& error : result.errors)
        if (aldis::config::toString(error, toml).empty())
            __builtin_trap();
    return 0;
}
