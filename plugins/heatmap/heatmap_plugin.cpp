// SPDX-License-Identifier: Apache-2.0
#include "heatmap_plugin.h"

#include "heatmap_panel.h"

#include <QCoreApplication>
#include <QDockWidget>
#include <QLocale>
#include <QTranslator>

namespace aldis::heatmap {

bool HeatmapPlugin::initialize(aldis::plugin::PanelContext* context, QString* errorMessage) {
    // The translations are compiled into the plugin; the control room sets QLocale's
    // default to the language it shows. A child of this object, the translator leaves
    // the application with the plugin's root object.
    auto* translator = new QTranslator(this);
    if (translator->load(QLocale(), QStringLiteral("aldis_heatmap"), QStringLiteral("_"),
                         QStringLiteral(":/i18n/heatmap")))
        QCoreApplication::installTranslator(translator);
    else
        delete translator;
    if (context == nullptr) {
        if (errorMessage != nullptr)
            *errorMessage = tr("the control room gave the heat map no context; this is a bug in the "
                               "control room, please report it");
        return false;
    }
    m_context = context;
    return true;
}

QDockWidget* HeatmapPlugin::createPanel(QWidget* parent) {
    auto* dock = new QDockWidget(tr("Channel heat map"), parent);
    m_panel = new HeatmapPanel(m_context, dock);
    dock->setWidget(m_panel);
    return dock;
}

void HeatmapPlugin::aboutToShutdown() {
    if (m_panel)
        m_panel->detach();
    m_context = nullptr;
}

} // namespace aldis::heatmap
