// SPDX-License-Identifier: Apache-2.0
#pragma once

// The control room's entry point. Qt-free on purpose: app/cli.cpp includes it before
// any Qt application object exists and lets runControlRoom() create the QApplication.

#include <optional>
#include <string>
#include <vector>

namespace aldis::ui {

struct ControlRoomOptions {
    // Admin URLs to watch ("http://10.0.0.5:8801"). Empty: start an embedded node and
    // watch it.
    std::vector<std::string> connectUrls;
    // Bearer token for the nodes given in connectUrls (--admin-token or
    // ALDIS_ADMIN_TOKEN).
    std::string adminToken;
    // Configuration file of the embedded node (none: defaults + ALDIS_* variables).
    std::optional<std::string> configFile;
    // "de", "ja", "en"; empty: the system locale.
    std::string language;
    // Start in full-screen wall mode.
    bool wallMode = false;
};

// Creates the QApplication, loads translations and plugins, starts the embedded node
// when asked, shows the main window and runs the event loop. Returns the exit code.
int runControlRoom(int argc, char** argv, const ControlRoomOptions& options);

} // namespace aldis::ui
