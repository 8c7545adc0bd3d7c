// SPDX-License-Identifier: Apache-2.0
// A working plugin that writes its lifecycle into a property of its dock ("steps":
// "initialize(n1),createPanel,aboutToShutdown"), so the test sees what the manager
// called and in which order without sharing any code with the plugin.
#include <aldis/panel_plugin.h>

#include <QDockWidget>
#include <QLabel>
#include <QObject>
#include <QPointer>

class LifecyclePlugin : public QObject, public aldis::plugin::PanelPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ALDIS_PANEL_PLUGIN_IID FILE "lifecycle.json")
    Q_INTERFACES(aldis::plugin::PanelPlugin)

public:
    bool initialize(aldis::plugin::PanelContext* context, QString*) override {
        m_steps << QStringLiteral("initialize(%1)").arg(context->nodeIds().join(QLatin1Char('+')));
        return true;
    }
    QDockWidget* createPanel(QWidget* parent) override {
        m_steps << QStringLiteral("createPanel");
        m_dock = new QDockWidget(QStringLiteral("Lifecycle"), parent);
        m_dock->setObjectName(QStringLiteral("whatever the plugin likes"));
        m_dock->setWidget(new QLabel(QStringLiteral("lifecycle fixture"), m_dock));
        record();
        return m_dock;
    }
    void aboutToShutdown() override {
        m_steps << QStringLiteral("aboutToShutdown");
        record();
    }

private:
    void record() {
        if (m_dock)
            m_dock->setProperty("steps", m_steps.join(QLatin1Char(',')));
    }

    QStringList m_steps;
    QPointer<QDockWidget> m_dock;
};

#include "lifecycle_plugin.moc"
