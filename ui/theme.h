// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QPalette>

class QApplication;
class QChart;

namespace aldis::ui {

// The control room's look: Fusion with a dark palette, QtCharts' dark theme, sizes
// readable on a wall. Stateless; call from the GUI thread.
class Theme {
public:
    static QPalette darkPalette();
    // Fusion style, dark palette, tool tips that match.
    static void apply(QApplication& app);
    // Dark chart theme, transparent background (the dock's colour shows through) and
    // fonts scaled by `fontScale` (wall mode uses 1.5).
    static void styleChart(QChart* chart, double fontScale = 1.0);
};

} // namespace aldis::ui
