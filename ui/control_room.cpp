// SPDX-License-Identifier: Apache-2.0
#include "ui/control_room.h"

#include "ui/adapter/embedded_node.h"
#include "ui/adapter/node_registry.h"
#include "ui/history/history_store.h"
#include "ui/main_window.h"
#include "ui/plugins/plugin_manager.h"
#include "ui/theme.h"

#include <QApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QTranslator>
#include <QUrl>

#include <cstdio>
#include <memory>

namespace aldis::ui {

namespace {

// aldis_<lang>.qm from the resources first, then the installed folder, then the build
// tree (the folder of the executable and its translations/ subfolders). A language
// without a translation gets aldis_en, which holds only the English plural forms
// ("1 alert active"): the source strings are English already.
void installTranslations(QApplication& app, const QLocale& locale)
{
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList folders{QStringLiteral(":/i18n"),
                              appDir + QStringLiteral("/../share/aldis/translations"),
                              appDir + QStringLiteral("/translations"),
                              appDir + QStringLiteral("/../translations")};
    auto* own = new QTranslator(&app);
    bool loaded = false;
    for (const QString& folder : folders) {
        if (own->load(locale, QStringLiteral("aldis"), QStringLiteral("_"), folder)) {
            loaded = true;
            break;
        }
    }
    for (auto it = folders.cbegin(); !loaded && it != folders.cend(); ++it)
        loaded = own->load(QStringLiteral("aldis_en"), *it);
    if (loaded)
        app.installTranslator(own);
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
}

// Says why the control room cannot start, on the terminal and (on a real display) in
// a dialog; returns the exit code. No dialog offscreen: nobody could close it.
int refuse(const QString& text)
{
    std::fprintf(stderr, "aldis: %s\n", qPrintable(text));
    const QString platform = QGuiApplication::platformName();
    if (platform != QLatin1String("offscreen") && platform != QLatin1String("minimal"))
        QMessageBox::critical(nullptr, QCoreApplication::translate("aldis::ui::ControlRoom", "Aldis control room"),
                              text);
    return 1;
}

QUrl adminUrlFrom(const std::string& text)
{
    QString value = QString::fromStdString(text).trimmed();
    if (!value.contains(QLatin1String("://")))
        value.prepend(QStringLiteral("http://"));
    QUrl url(value, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return {};
    return url;
}

} // namespace

int runControlRoom(int argc, char** argv, const ControlRoomOptions& options)
{
    // QApplication keeps a reference to argc: it must outlive the application.
    int appArgc = argc;
    QApplication app(appArgc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("aldis"));
    QCoreApplication::setApplicationName(QStringLiteral("aldis"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ALDIS_VERSION));
    Theme::apply(app);

    QString language = QString::fromStdString(options.language);
    if (language.isEmpty())
        language = QSettings().value(QStringLiteral("language")).toString();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // Numbers and dates follow the chosen language too, and plugins load their own
    // translations for QLocale() (plugins/heatmap does).
    QLocale::setDefault(locale);
    installTranslations(app, locale);

    auto history = std::make_unique<HistoryStore>(HistoryStore::defaultPath());
    if (!history->open()) {
        qWarning("aldis: history disabled for this run: %s", qPrintable(history->lastError()));
        // Charts still show what arrives while the window is open.
        history = std::make_unique<HistoryStore>(QStringLiteral(":memory:"));
        history->open();
    }

    std::unique_ptr<EmbeddedNode> embedded;
    NodeRegistry registry;
    registry.setHistoryStore(history.get());
    if (options.connectUrls.empty()) {
        QString error;
        embedded = EmbeddedNode::start(QString::fromStdString(options.configFile.value_or(std::string())), &error);
        if (!embedded) {
            return refuse(
                QCoreApplication::translate("aldis::ui::ControlRoom", "The embedded node did not start: %1").arg(error));
        }
        registry.addNode(embedded->info().adminUrl, embedded->info().adminToken);
    } else {
        const QString token = QString::fromStdString(options.adminToken);
        for (const std::string& text : options.connectUrls) {
            const QUrl url = adminUrlFrom(text);
            if (url.isEmpty()) {
                return refuse(QCoreApplication::translate("aldis::ui::ControlRoom",
                                                          "\"%1\" is not an admin URL; give one like http://10.0.0.5:8801.")
                                  .arg(QString::fromStdString(text)));
            }
            registry.addNode(url, token);
        }
    }

    PluginManager plugins(PluginManager::defaultSearchDirs());
    plugins.loadAll(&registry);

    auto window = std::make_unique<MainWindow>(&registry, history.get(), &plugins);
    window->show();
    if (options.wallMode)
        window->setWallMode(true);
    const int code = app.exec();

    // Plugins hear aboutToShutdown() while the window and the context still exist.
    plugins.shutdown();
    window.reset();
    return code;
}

} // namespace aldis::ui
