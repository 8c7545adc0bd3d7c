// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/tail_panel.h"

#include "ui/adapter/node_client.h"
#include "ui/adapter/node_registry.h"
#include "ui/models/health.h"
#include "ui/models/tail_model.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QTableView>
#include <QVBoxLayout>

namespace aldis::ui {

TailPanel::TailPanel(NodeRegistry* registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_model(new TailModel(this)),
      m_filterModel(new TailFilterModel(this)), m_channel(new QLineEdit(this)),
      m_startStop(new QPushButton(tr("Start"), this)), m_pause(new QPushButton(tr("Pause"), this)),
      m_clear(new QPushButton(tr("Clear"), this)), m_copy(new QPushButton(tr("Copy as JSON"), this)),
      m_filter(new QLineEdit(this)), m_view(new QTableView(this)), m_status(new QLabel(this))
{
    m_filterModel->setSourceModel(m_model);
    m_view->setModel(m_filterModel);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_channel->setPlaceholderText(tr("channel, e.g. chat:lobby"));
    m_filter->setPlaceholderText(tr("Filter"));
    m_filter->setClearButtonEnabled(true);
    m_pause->setCheckable(true);
    m_copy->setToolTip(tr("Copy the selected messages as a JSON array (Ctrl+C)"));

    auto* copyAction = new QAction(tr("Copy as JSON"), m_view);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(copyAction);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Channel:"), this));
    controls->addWidget(m_channel, 1);
    controls->addWidget(m_startStop);
    controls->addWidget(m_pause);
    controls->addWidget(m_clear);
    auto* second = new QHBoxLayout;
    second->addWidget(m_filter, 1);
    second->addWidget(m_copy);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addLayout(second);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);

    connect(m_startStop, &QPushButton::clicked, this, [this] { isTailing() ? stop() : start(); });
    connect(m_channel, &QLineEdit::returnPressed, this, &TailPanel::start);
    connect(m_channel, &QLineEdit::textChanged, this, [this] { updateButtons(); });
    connect(m_pause, &QPushButton::toggled, this, &TailPanel::setPaused);
    connect(m_clear, &QPushButton::clicked, this, [this] {
        m_pending.clear();
        m_model->clear();
    });
    connect(m_copy, &QPushButton::clicked, this, &TailPanel::copySelectionAsJson);
    connect(copyAction, &QAction::triggered, this, &TailPanel::copySelectionAsJson);
    connect(m_filter, &QLineEdit::textChanged, m_filterModel, &TailFilterModel::setFilterText);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &TailPanel::flush);
    m_flushTimer.start();
    updateButtons();
}

TailPanel::~TailPanel()
{
    if (m_client && isTailing())
        m_client->stopTail();
}

void TailPanel::setNode(const QString& nodeId)
{
    if (nodeId == m_node && m_client)
        return;
    const bool wasTailing = isTailing();
    if (m_client) {
        if (wasTailing)
            m_client->stopTail();
        m_client->disconnect(this);
    }
    m_tailing.clear();
    m_node = nodeId;
    m_client = m_registry->client(nodeId);
    if (m_client)
        attach(m_client);
    if (wasTailing)
        setStatus(tr("Tail stopped: the node changed to %1.").arg(nodeId));
    updateButtons();
}

void TailPanel::attach(NodeClient* client)
{
    connect(client, &NodeClient::tailReceived, this, &TailPanel::receive);
    connect(client, &NodeClient::tailDropped, this, [this](qint64 count) {
        m_dropped += count;
        setStatus(tr("%n publication(s) not shown: a tail forwards at most 200 a second.", "", int(m_dropped)));
    });
    connect(client, &NodeClient::tailStateChanged, this,
            [this](bool active, const QString& channel, const QString& error) {
                if (active) {
                    m_dropped = 0;
                    setStatus(tr("Tailing %1 on %2.").arg(channel, m_node));
                } else if (!error.isEmpty()) {
                    m_tailing.clear();
                    if (m_client)
                        m_client->stopTail();
                    setStatus(tr("The node refused the tail: %1").arg(error), true);
                }
                updateButtons();
            });
}

QString TailPanel::channel() const
{
    return m_channel->text().trimmed();
}

void TailPanel::setChannel(const QString& channel)
{
    m_channel->setText(channel);
}

void TailPanel::start()
{
    const QString name = channel();
    if (name.isEmpty()) {
        setStatus(tr("Type a channel name first, e.g. chat:lobby."), true);
        return;
    }
    if (!m_client) {
        setStatus(tr("No node selected."), true);
        return;
    }
    m_tailing = name;
    m_client->startTail(name);
    setStatus(m_client->connectionState() == NodeClient::ConnectionState::Connected
                  ? tr("Asking %1 to tail %2...").arg(m_node, name)
                  : tr("%1 is not connected; the tail of %2 starts when it is.").arg(m_node, name));
    emit channelChanged(name);
    updateButtons();
}

void TailPanel::stop()
{
    if (m_client)
        m_client->stopTail();
    if (isTailing())
        setStatus(tr("Tail of %1 stopped.").arg(m_tailing));
    m_tailing.clear();
    updateButtons();
}

void TailPanel::setPaused(bool paused)
{
    m_paused = paused;
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused)
        flush();
}

void TailPanel::receive(const QJsonObject& message)
{
    m_pending.append(message);
    const int overflow = int(m_pending.size()) - m_model->capacity();
    if (overflow > 0)
        m_pending.remove(0, overflow);
}

void TailPanel::flush()
{
    if (m_paused) {
        if (!m_pending.isEmpty())
            setStatus(tr("Paused: %n message(s) waiting.", "", int(m_pending.size())));
        return;
    }
    if (m_pending.isEmpty())
        return;
    QScrollBar* bar = m_view->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    m_model->append(m_pending);
    m_pending.clear();
    if (atBottom)
        m_view->scrollToBottom();
}

QString TailPanel::copySelectionAsJson()
{
    QSet<int> rows;
    for (const QModelIndex& index : m_view->selectionModel()->selectedIndexes())
        rows.insert(m_filterModel->mapToSource(index).row());
    if (rows.isEmpty()) {
        setStatus(tr("Select the messages to copy first."), true);
        return {};
    }
    const QString json = m_model->toJson(QList<int>(rows.cbegin(), rows.cend()));
    QApplication::clipboard()->setText(json);
    setStatus(tr("Copied %n message(s) as JSON.", "", int(rows.size())));
    return json;
}

QString TailPanel::statusText() const
{
    return m_status->text();
}

void TailPanel::setStatus(const QString& text, bool error)
{
    m_status->setStyleSheet(error ? QStringLiteral("color: %1").arg(healthColor(Health::Down).name()) : QString());
    m_status->setText(text);
}

void TailPanel::updateButtons()
{
    m_startStop->setText(isTailing() ? tr("Stop") : tr("Start"));
    m_startStop->setEnabled(isTailing() || (!channel().isEmpty() && m_client));
}

} // namespace aldis::ui
