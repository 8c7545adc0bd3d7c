// SPDX-License-Identifier: Apache-2.0
// Prints every environment variable the configuration loader reads, one name a line
// (config::environmentVariables(): ALDIS_<SECTION>_<KEY> for each key of the key
// table, the aliases, ALDIS_AUTH_HS256_SECRET). check_env_example.py compares them
// with .env.example; the names are built at run time, so no grep could find them.
#include "config/config.h"

#include <cstdio>

int main()
{
    for (const auto& var : aldis::config::environmentVariables())
        std::printf("%s\n", var.name.c_str());
    return 0;
}
