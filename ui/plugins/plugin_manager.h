// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

class QDockWidget;
class QPluginLoader;
class QWidget;

namespace aldis::plugin {
class PanelContext;
class PanelPlugin;
} // namespace aldis::plugin

namespace aldis::ui {

// One file found in a plugin folder, loaded or not. `error` is empty for a plugin
// that works; otherwise it says what is wrong and what to do, for the Plugins list.
struct PluginRecord {
    QString fileName;       // absolute path of the shared library
    QString name;
    QString version;
    QString compatVersion;
    QString vendor;
    QString description;
    bool loaded = false;
    QString error;
};

// Finds, checks, loads and unloads the control room's panel plugins
// (plugins/api/aldis/panel_plugin.h, docs/plugins.md).
//
// Every file in the search folders that looks like a shared library is checked on its
// metadata alone (IID, name, version, compatVersion, apiVersion) before any of its
// code runs; only then is it loaded and initialised. Nothing a plugin does wrong is
// fatal: it is recorded with a message and left out.
//
// GUI thread only. Owned by whoever builds the main window; the lifecycle is
//   loadAll(context) -> createPanels(window) -> [window saves its layout] -> shutdown().
// shutdown() runs aboutToShutdown() on every plugin and deletes the plugin objects.
// The libraries themselves stay mapped (QLibrary::PreventUnloadHint) so that the
// docks the window still owns and callbacks the context still holds never point
// into unmapped code.
class PluginManager : public QObject {
    Q_OBJECT

public:
    explicit PluginManager(QStringList searchDirs, QObject* parent = nullptr);
    ~PluginManager() override;

    // The folders the control room searches, in this order: the build tree's
    // plugins/ when the application runs from a build tree, the installed folder
    // (ALDIS_INSTALLED_PLUGIN_DIR and <app dir>/../lib/aldis/plugins), the user folder
    // (<GenericDataLocation>/aldis/plugins) and every folder of ALDIS_PLUGIN_PATH
    // (':'-separated). Folders that do not exist are skipped by loadAll().
    static QStringList defaultSearchDirs();

    // Scans the search folders and loads every plugin that passes the checks;
    // `context` must outlive the plugins (until shutdown()). Emits recordsChanged().
    // Meant to be called once; a second call only looks at files not seen before.
    void loadAll(aldis::plugin::PanelContext* context);

    // Asks each loaded plugin for its dock, once per plugin. Each dock gets the
    // objectName "plugin:<name>" so that QMainWindow::saveState() can store it; the
    // caller owns the docks.
    QList<QDockWidget*> createPanels(QWidget* parent);

    // aboutToShutdown() on every loaded plugin, then deletes the plugin objects.
    // Safe to call more than once; the destructor calls it too.
    void shutdown();

    const QList<PluginRecord>& records() const;

    // What is wrong with the metadata QPluginLoader::metaData() returned for a file
    // (IID, MetaData with name, version, compatVersion and apiVersion); empty when
    // nothing is. Public for the tests.
    static QString checkMetaData(const QJsonObject& loaderMetaData);

signals:
    void recordsChanged();

private:
    struct Loaded {
        QPluginLoader* loader = nullptr;
        aldis::plugin::PanelPlugin* plugin = nullptr;
        qsizetype record = -1;     // index into m_records
        bool panelCreated = false;
    };

    void loadFile(const QString& path, aldis::plugin::PanelContext* context);

    QStringList m_searchDirs;
    QList<PluginRecord> m_records;
    QList<Loaded> m_loaded;
    QSet<QString> m_seenFiles;     // canonical paths, so a file in two folders counts once
};

} // namespace aldis::ui
