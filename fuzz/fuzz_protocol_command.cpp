// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the client protocol's command decoder (one text frame).
#include "protocol/command.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = aldis::protocol::parseCommand(text);
    // A decoded command always names a known op; an error always says what is wrong.
    if (const auto* error = std::get_if<aldis::protocol::CommandError>(&result)) {
        if (error->message.empty())
            __builtin_trap();
    }
    return 0;
}
