// SPDX-License-Identifier: Apache-2.0
// Entry point: picks the mode before any Qt application object exists.
#include "app/cli.h"

int main(int argc, char** argv)
{
    return aldis::app::run(argc, argv);
}
