<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>aldis::ui::AlertBanner</name>
    <message>
        <location filename="../ui/widgets/alert_banner.cpp" line="+27"/>
        <source>Show the alerts</source>
        <translation>Alarme anzeigen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n alert(s) active. %1</source>
        <translation>
            <numerusform>%n Alarm aktiv. %1</numerusform>
            <numerusform>%n Alarme aktiv. %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::AlertsModel</name>
    <message>
        <location filename="../ui/models/alerts_model.cpp" line="+26"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule</source>
        <translation>Regel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Threshold</source>
        <translation>Schwellenwert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unit</source>
        <translation>Einheit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <location line="+128"/>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ok</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>aldis::ui::AlertsPanel</name>
    <message>
        <location filename="../ui/widgets/alerts_panel.cpp" line="+41"/>
        <source>No alert is active.</source>
        <translation>Kein Alarm aktiv.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n alert(s) active.</source>
        <translation>
            <numerusform>%n Alarm aktiv.</numerusform>
            <numerusform>%n Alarme aktiv.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::AuditModel</name>
    <message>
        <location filename="../ui/models/audit_model.cpp" line="+17"/>
        <source>#</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actor</source>
        <translation>Bediener</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ChannelsModel</name>
    <message>
        <location filename="../ui/models/channels_model.cpp" line="+13"/>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Namespace</source>
        <translation>Namensraum</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Durable</source>
        <translation>Dauerhaft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subscribers</source>
        <translation>Abonnenten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publications/s</source>
        <translation>Veröffentlichungen/s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publications</source>
        <translation>Veröffentlichungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last offset</source>
        <translation>Letzter Offset</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epoch</source>
        <translation>Epoche</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ConfirmActionDialog</name>
    <message>
        <location filename="../ui/dialogs/confirm_action_dialog.cpp" line="+36"/>
        <source>(unknown)</source>
        <translation>(unbekannt)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Drain node %1?</source>
        <translation>Knoten %1 leeren?</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n connected client(s)</source>
        <translation>
            <numerusform>%n verbundenen Client</numerusform>
            <numerusform>%n verbundene Clients</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all connected clients</source>
        <translation>alle verbundenen Clients</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 in region %2 stops serving clients: /ready turns 503, %3 get the disconnect push and are closed with code 4007 (they reconnect to another node and resume), and new connections are refused until you undrain it. The node and its admin API stay up.</source>
        <translation>Knoten %1 in Region %2 bedient keine Clients mehr: /ready liefert 503, die Disconnect-Nachricht geht an %3, die Verbindungen werden mit Code 4007 geschlossen (die Clients verbinden sich mit einem anderen Knoten neu und setzen dort fort), und neue Verbindungen werden abgelehnt, bis Sie das Leeren aufheben. Der Knoten und seine Admin-API bleiben in Betrieb.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Drain %1</source>
        <translation>%1 leeren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undrain node %1?</source>
        <translation>Leeren von Knoten %1 aufheben?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 in region %2 accepts client connections again and /ready turns 200.</source>
        <translation>Knoten %1 in Region %2 nimmt wieder Client-Verbindungen an, und /ready liefert 200.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undrain %1</source>
        <translation>Leeren von %1 aufheben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pause the bridge on node %1?</source>
        <translation>Bridge auf Knoten %1 anhalten?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 stops consuming from and producing to the other regions. Publications made in region %2 are not mirrored to other regions, and theirs do not reach subscribers in %2, until the bridge is resumed. Clients stay connected.</source>
        <translation>Knoten %1 konsumiert nicht mehr aus den anderen Regionen und produziert nicht mehr in sie. Bis die Bridge fortgesetzt wird, werden Veröffentlichungen aus Region %2 nicht in andere Regionen gespiegelt, und deren Veröffentlichungen erreichen die Abonnenten in %2 nicht. Clients bleiben verbunden.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pause bridge</source>
        <translation>Bridge anhalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume the bridge on node %1?</source>
        <translation>Bridge auf Knoten %1 fortsetzen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 restarts consuming from and producing to the other regions; mirroring catches up from where it stopped.</source>
        <translation>Knoten %1 konsumiert und produziert wieder mit den anderen Regionen; die Spiegelung holt ab der Stelle auf, an der sie angehalten wurde.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Resume bridge</source>
        <translation>Bridge fortsetzen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fence region %1?</source>
        <translation>Region %1 abschotten?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region %1 stops accepting publications for the namespaces it is home of (%2). Publishers there get an error until the region is unfenced or another region is promoted. The request goes through node %3.</source>
        <translation>Region %1 nimmt keine Veröffentlichungen mehr für die Namensräume an, deren Heimatregion sie ist (%2). Publisher dort erhalten einen Fehler, bis die Abschottung aufgehoben oder eine andere Region hochgestuft wird. Die Anfrage läuft über Knoten %3.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fence %1</source>
        <translation>%1 abschotten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unfence region %1?</source>
        <translation>Abschottung von Region %1 aufheben?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region %1 accepts publications again for the namespaces it is home of (%2). The request goes through node %3.</source>
        <translation>Region %1 nimmt wieder Veröffentlichungen für die Namensräume an, deren Heimatregion sie ist (%2). Die Anfrage läuft über Knoten %3.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unfence %1</source>
        <translation>Abschottung von %1 aufheben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Promote region %1?</source>
        <translation>Region %1 hochstufen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region %1 becomes the home region of its namespaces (failover): their publications are sequenced there from now on, with a new epoch. Fence the previous home region first if it may still be reachable. The request goes through node %2.</source>
        <translation>Region %1 wird zur Heimatregion ihrer Namensräume (Failover): Deren Veröffentlichungen werden ab jetzt dort sequenziert, mit einer neuen Epoche. Schotten Sie die bisherige Heimatregion zuerst ab, falls sie noch erreichbar sein könnte. Die Anfrage läuft über Knoten %2.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Promote %1</source>
        <translation>%1 hochstufen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run %1?</source>
        <translation>%1 ausführen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Runs the action %1 on node %2.</source>
        <translation>Führt die Aktion %1 auf Knoten %2 aus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run %1</source>
        <translation>%1 ausführen</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>optional, kept in the audit log</source>
        <translation>optional, wird im Audit-Protokoll gespeichert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ConnectionsModel</name>
    <message>
        <location filename="../ui/models/connections_model.cpp" line="+13"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remote address</source>
        <translation>Remote-Adresse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected at</source>
        <translation>Verbunden seit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subscriptions</source>
        <translation>Abonnements</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Messages out</source>
        <translation>Gesendete Nachrichten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queued bytes</source>
        <translation>Bytes in Warteschlange</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ControlRoom</name>
    <message>
        <location filename="../ui/control_room.cpp" line="+104"/>
        <location line="+11"/>
        <source>Aldis control room</source>
        <translation>Aldis-Leitstand</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>The embedded node did not start: %1</source>
        <translation>Der eingebettete Knoten ist nicht gestartet: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&quot;%1&quot; is not an admin URL; give one like http://10.0.0.5:8801.</source>
        <translation>„%1“ ist keine Admin-URL; geben Sie eine wie http://10.0.0.5:8801 an.</translation>
    </message>
</context>
<context>
    <name>aldis::ui::EmbeddedNode</name>
    <message>
        <location filename="../ui/adapter/embedded_node.cpp" line="+63"/>
        <source>the control room watches nodes through the admin API, and admin.enabled is false in %1</source>
        <translation>der Leitstand überwacht Knoten über die Admin-API, aber in %1 ist admin.enabled false</translation>
    </message>
</context>
<context>
    <name>aldis::ui::FailoverPanel</name>
    <message>
        <location filename="../ui/widgets/failover_panel.cpp" line="+40"/>
        <source>Drain node</source>
        <translation>Knoten leeren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undrain node</source>
        <translation>Leeren aufheben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pause bridge</source>
        <translation>Bridge anhalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume bridge</source>
        <translation>Bridge fortsetzen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fence region</source>
        <translation>Region abschotten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unfence region</source>
        <translation>Abschottung aufheben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Promote region</source>
        <translation>Region hochstufen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Audit #%1 at %2: %3 ran %4 on %5, result %6: %7</source>
        <translation>Audit Nr. %1 um %2: %3 hat %4 auf %5 ausgeführt, Ergebnis %6: %7</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Node:</source>
        <translation>Knoten:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region:</source>
        <translation>Region:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Audit log</source>
        <translation>Audit-Protokoll</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>%1 cancelled; nothing was sent.</source>
        <translation>%1 abgebrochen; es wurde nichts gesendet.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Running %1 on %2...</source>
        <translation>%1 wird auf %2 ausgeführt...</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 refused (%2): %3</source>
        <translation>%1 abgelehnt (%2): %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: %2, %3</source>
        <translation>%1: %2, %3</translation>
    </message>
</context>
<context>
    <name>aldis::ui::Health</name>
    <message>
        <location filename="../ui/models/health.cpp" line="+33"/>
        <source>Serving</source>
        <translation>In Betrieb</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation>Ausgefallen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stale</source>
        <translation>Veraltet</translation>
    </message>
</context>
<context>
    <name>aldis::ui::JsonTableModel</name>
    <message>
        <location filename="../ui/models/json_table_model.cpp" line="+108"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>aldis::ui::LagChart</name>
    <message>
        <location filename="../ui/widgets/lag_chart.cpp" line="+6"/>
        <source>Consumer lag</source>
        <translation>Consumer-Lag</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no bridge lag reported</source>
        <translation>kein Bridge-Lag gemeldet</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>alert at %1</source>
        <translation>Alarm ab %1</translation>
    </message>
</context>
<context>
    <name>aldis::ui::LatencyChart</name>
    <message>
        <location filename="../ui/widgets/latency_chart.cpp" line="+36"/>
        <source>Since start</source>
        <translation>Seit Start</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>P99 over time</source>
        <translation>P99 im Zeitverlauf</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+10"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Publish-to-deliver latency</source>
        <translation>Latenz Veröffentlichung–Zustellung</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+7"/>
        <source>deliveries</source>
        <translation>Zustellungen</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>%1 %2 ms</source>
        <translation>%1 %2 ms</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Publish-to-deliver latency (no deliveries)</source>
        <translation>Latenz Veröffentlichung–Zustellung (keine Zustellungen)</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Publish-to-deliver latency (%n deliveries)</source>
        <translation>
            <numerusform>Latenz Veröffentlichung–Zustellung (%n Zustellung)</numerusform>
            <numerusform>Latenz Veröffentlichung–Zustellung (%n Zustellungen)</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>P99</source>
        <translation>P99</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no data yet</source>
        <translation>noch keine Daten</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>alert at %1 ms</source>
        <translation>Alarm ab %1 ms</translation>
    </message>
</context>
<context>
    <name>aldis::ui::MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="+72"/>
        <source>%1 of %2 channels</source>
        <translation>%1 von %2 Kanälen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 of %2 connections</source>
        <translation>%1 von %2 Verbindungen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Alert banner</source>
        <translation>Alarmbanner</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Main tool bar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Aldis control room</source>
        <translation>Aldis-Leitstand</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Node:</source>
        <translation>Knoten:</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Consumer lag</source>
        <translation>Consumer-Lag</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channels</source>
        <translation>Kanäle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Live tail</source>
        <translation>Live-Verfolgung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failover</source>
        <translation>Failover</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Wall mode</source>
        <translation>&amp;Wandmodus</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The language changes at the next start of the control room.</source>
        <translation>Die Sprache wechselt beim nächsten Start des Leitstands.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Plugins</source>
        <translation>&amp;Plugins</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About Aldis</source>
        <translation>Ü&amp;ber Aldis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About Aldis</source>
        <translation>Über Aldis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;Aldis %1&lt;/h3&gt;&lt;p&gt;A real-time messaging node with a control room.&lt;/p&gt;&lt;p&gt;The control room watches nodes through their admin API; F11 switches to wall mode.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Aldis %1&lt;/h3&gt;&lt;p&gt;Ein Echtzeit-Messaging-Knoten mit Leitstand.&lt;/p&gt;&lt;p&gt;Der Leitstand überwacht Knoten über deren Admin-API; F11 schaltet in den Wandmodus.&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Installed plugins...</source>
        <translation>Installierte Plugins...</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No plugin found</source>
        <translation>Kein Plugin gefunden</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1: not loaded</source>
        <translation>%1: nicht geladen</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Plugins</source>
        <translation>Plugins</translation>
    </message>
    <message numerus="yes">
        <location line="+81"/>
        <source>%n node(s)</source>
        <translation>
            <numerusform>%n Knoten</numerusform>
            <numerusform>%n Knoten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n stale</source>
        <translation>
            <numerusform>%n veraltet</numerusform>
            <numerusform>%n veraltet</numerusform>
        </translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
</context>
<context>
    <name>aldis::ui::NodeClient</name>
    <message>
        <location filename="../ui/adapter/node_client.cpp" line="+108"/>
        <source>the node refused the admin token (401): check --admin-token or ALDIS_ADMIN_TOKEN</source>
        <translation>der Knoten hat das Admin-Token abgelehnt (401): --admin-token oder ALDIS_ADMIN_TOKEN prüfen</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>the stream closed with code %1</source>
        <translation>der Stream wurde mit Code %1 geschlossen</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>no message for %1 s</source>
        <translation>seit %1 s keine Nachricht</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>The node cannot be reached (%1). Check that it runs and that its admin listener is reachable from here.</source>
        <translation>Der Knoten ist nicht erreichbar (%1). Prüfen Sie, ob er läuft und ob sein Admin-Listener von hier aus erreichbar ist.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The node answered HTTP %1 without a JSON body; is %2 an Aldis admin API?</source>
        <translation>Der Knoten hat mit HTTP %1 ohne JSON-Body geantwortet; ist %2 eine Aldis-Admin-API?</translation>
    </message>
</context>
<context>
    <name>aldis::ui::NodeRegistry</name>
    <message>
        <location filename="../ui/adapter/node_registry.cpp" line="+245"/>
        <source>The control room does not watch a node &quot;%1&quot;.</source>
        <translation>Der Leitstand überwacht keinen Knoten „%1“.</translation>
    </message>
</context>
<context>
    <name>aldis::ui::NodesModel</name>
    <message>
        <location filename="../ui/models/nodes_model.cpp" line="+28"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region</source>
        <translation>Region</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Betriebszustand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publications/s</source>
        <translation>Veröffentlichungen/s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deliveries/s</source>
        <translation>Zustellungen/s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P99</source>
        <translation>P99</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Admin API</source>
        <translation>Admin-API</translation>
    </message>
</context>
<context>
    <name>aldis::ui::PluginManager</name>
    <message>
        <location filename="../ui/plugins/plugin_manager.cpp" line="+73"/>
        <source>not a Qt plugin (no plugin metadata found); remove the file from the plugin folder</source>
        <translation>kein Qt-Plugin (keine Plugin-Metadaten gefunden); entfernen Sie die Datei aus dem Plugin-Ordner</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>built for another version of the plugin interface (IID %1, this control room loads %2); rebuild the plugin against this version of Aldis</source>
        <translation>für eine andere Version der Plugin-Schnittstelle gebaut (IID %1, dieser Leitstand lädt %2); bauen Sie das Plugin gegen diese Aldis-Version neu</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a Qt plugin of another kind (IID &quot;%1&quot;), not an Aldis panel plugin (IID %2); remove it from the plugin folder</source>
        <translation>ein Qt-Plugin anderer Art (IID &quot;%1&quot;), kein Aldis-Panel-Plugin (IID %2); entfernen Sie es aus dem Plugin-Ordner</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>has no metadata; give Q_PLUGIN_METADATA a FILE with name, version, compatVersion and apiVersion, and rebuild it</source>
        <translation>hat keine Metadaten; geben Sie Q_PLUGIN_METADATA eine FILE mit name, version, compatVersion und apiVersion und bauen Sie es neu</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>metadata has no &quot;%1&quot; (a non-empty string); add it to the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>Metadaten ohne &quot;%1&quot; (eine nicht leere Zeichenkette); ergänzen Sie es in der .json-Datei des Plugins und bauen Sie das Plugin neu</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>metadata &quot;version&quot; is &quot;%1&quot;, not a version number such as 1.2.0; fix the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>Metadaten: &quot;version&quot; ist &quot;%1&quot;, keine Versionsnummer wie 1.2.0; korrigieren Sie die .json-Datei des Plugins und bauen Sie das Plugin neu</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>metadata &quot;compatVersion&quot; is &quot;%1&quot;, not a version number such as 1.0.0; fix the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>Metadaten: &quot;compatVersion&quot; ist &quot;%1&quot;, keine Versionsnummer wie 1.0.0; korrigieren Sie die .json-Datei des Plugins und bauen Sie das Plugin neu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>metadata &quot;compatVersion&quot; %1 is newer than &quot;version&quot; %2; compatVersion is the oldest version this one is compatible with, so it must not be greater; fix the plugin&apos;s .json file</source>
        <translation>Metadaten: &quot;compatVersion&quot; %1 ist neuer als &quot;version&quot; %2; compatVersion ist die älteste Version, mit der diese kompatibel ist, und darf daher nicht größer sein; korrigieren Sie die .json-Datei des Plugins</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>metadata has no &quot;apiVersion&quot;; add &quot;apiVersion&quot;: %1 to the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>Metadaten ohne &quot;apiVersion&quot;; ergänzen Sie &quot;apiVersion&quot;: %1 in der .json-Datei des Plugins und bauen Sie das Plugin neu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>metadata &quot;apiVersion&quot; must be a whole number such as %1; fix the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>Metadaten: &quot;apiVersion&quot; muss eine ganze Zahl wie %1 sein; korrigieren Sie die .json-Datei des Plugins und bauen Sie das Plugin neu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>built for plugin API %1, but this control room provides API %2; rebuild the plugin against the plugin API of this version of Aldis, or use a version of the plugin made for it</source>
        <translation>für Plugin-API %1 gebaut, dieser Leitstand bietet aber API %2; bauen Sie das Plugin gegen die Plugin-API dieser Aldis-Version neu oder verwenden Sie eine dafür gemachte Version des Plugins</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>not a Qt plugin (%1); remove the file from the plugin folder, or rebuild it as a plugin against Qt %2</source>
        <translation>kein Qt-Plugin (%1); entfernen Sie die Datei aus dem Plugin-Ordner oder bauen Sie sie als Plugin gegen Qt %2 neu</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>a plugin named &quot;%1&quot; is already loaded from %2; remove one of the two copies</source>
        <translation>ein Plugin namens „%1“ ist bereits aus %2 geladen; entfernen Sie eine der beiden Kopien</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>could not be loaded: %1; check that it was built against Qt %2 and that the libraries it needs are installed</source>
        <translation>konnte nicht geladen werden: %1; prüfen Sie, ob es gegen Qt %2 gebaut wurde und ob die benötigten Bibliotheken installiert sind</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>its plugin class does not implement aldis::plugin::PanelPlugin; add Q_INTERFACES(aldis::plugin::PanelPlugin) to the class and rebuild it</source>
        <translation>seine Plugin-Klasse implementiert aldis::plugin::PanelPlugin nicht; ergänzen Sie Q_INTERFACES(aldis::plugin::PanelPlugin) in der Klasse und bauen Sie es neu</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>refused to start and gave no reason; ask the plugin&apos;s vendor</source>
        <translation>hat den Start ohne Angabe von Gründen verweigert; wenden Sie sich an den Anbieter des Plugins</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused to start: %1</source>
        <translation>hat den Start verweigert: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>loaded, but created no panel; report this to the plugin&apos;s vendor</source>
        <translation>geladen, hat aber kein Panel erstellt; melden Sie dies dem Anbieter des Plugins</translation>
    </message>
</context>
<context>
    <name>aldis::ui::PluginsModel</name>
    <message>
        <location filename="../ui/models/plugins_model.cpp" line="+28"/>
        <source>loaded</source>
        <translation>geladen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not loaded</source>
        <translation>nicht geladen</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1
by %2</source>
        <translation>%1
von %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>compatible back to %1</source>
        <translation>kompatibel bis zurück zu %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>aldis::ui::RemoteTablePanel</name>
    <message>
        <location filename="../ui/widgets/remote_table_panel.cpp" line="+40"/>
        <source>Filter</source>
        <translation>Filtern</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>%1, updated %2</source>
        <translation>%1, aktualisiert %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TailModel</name>
    <message>
        <location filename="../ui/models/tail_model.cpp" line="+83"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offset</source>
        <translation>Offset</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epoch</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TailPanel</name>
    <message>
        <location filename="../ui/widgets/tail_panel.cpp" line="+28"/>
        <location line="+208"/>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location line="-208"/>
        <location line="+150"/>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <location line="-149"/>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+17"/>
        <source>Copy as JSON</source>
        <translation>Als JSON kopieren</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>channel, e.g. chat:lobby</source>
        <translation>Kanal, z. B. chat:lobby</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filter</source>
        <translation>Filtern</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Copy the selected messages as a JSON array (Ctrl+C)</source>
        <translation>Ausgewählte Nachrichten als JSON-Array kopieren (Strg+C)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Channel:</source>
        <translation>Kanal:</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Tail stopped: the node changed to %1.</source>
        <translation>Live-Verfolgung beendet: Der Knoten wurde zu %1 gewechselt.</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n publication(s) not shown: a tail forwards at most 200 a second.</source>
        <translation>
            <numerusform>%n Veröffentlichung nicht angezeigt: ein Tail leitet höchstens 200 pro Sekunde weiter.</numerusform>
            <numerusform>%n Veröffentlichungen nicht angezeigt: ein Tail leitet höchstens 200 pro Sekunde weiter.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tailing %1 on %2.</source>
        <translation>%1 wird auf %2 live verfolgt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The node refused the tail: %1</source>
        <translation>Der Knoten hat die Live-Verfolgung abgelehnt: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Type a channel name first, e.g. chat:lobby.</source>
        <translation>Geben Sie zuerst einen Kanalnamen ein, z. B. chat:lobby.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No node selected.</source>
        <translation>Kein Knoten ausgewählt.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Asking %1 to tail %2...</source>
        <translation>%1 wird gebeten, %2 live zu verfolgen...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is not connected; the tail of %2 starts when it is.</source>
        <translation>%1 ist nicht verbunden; die Live-Verfolgung von %2 beginnt, sobald die Verbindung steht.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Tail of %1 stopped.</source>
        <translation>Live-Verfolgung von %1 beendet.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>Paused: %n message(s) waiting.</source>
        <translation>
            <numerusform>Pausiert: %n Nachricht wartet.</numerusform>
            <numerusform>Pausiert: %n Nachrichten warten.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Select the messages to copy first.</source>
        <translation>Wählen Sie zuerst die zu kopierenden Nachrichten aus.</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Copied %n message(s) as JSON.</source>
        <translation>
            <numerusform>%n Nachricht als JSON kopiert.</numerusform>
            <numerusform>%n Nachrichten als JSON kopiert.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ThroughputChart</name>
    <message>
        <location filename="../ui/widgets/throughput_chart.cpp" line="+7"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>messages/s</source>
        <translation>Nachrichten/s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no data yet</source>
        <translation>noch keine Daten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Publications/s</source>
        <translation>Veröffentlichungen/s</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Deliveries/s</source>
        <translation>Zustellungen/s</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TimeRangeSelector</name>
    <message>
        <location filename="../ui/widgets/time_range_selector.cpp" line="+30"/>
        <source>History:</source>
        <translation>Verlauf:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>6 h</source>
        <translation>6 h</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>24 h</source>
        <translation>24 h</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show the last %1 in the charts</source>
        <translation>Diagramme zeigen ein Zeitfenster von %1</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TimeSeriesChart</name>
    <message>
        <location filename="../ui/widgets/time_series_chart.cpp" line="+193"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TopologyView</name>
    <message>
        <location filename="../ui/widgets/topology_view.cpp" line="+59"/>
        <source>Node %1 in region %2</source>
        <translation>Knoten %1 in Region %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State: %1, health: %2</source>
        <translation>Betriebszustand: %1, Status: %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+293"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location line="-291"/>
        <source>Admin API: %1</source>
        <translation>Admin-API: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not connected: %1</source>
        <translation>Nicht verbunden: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Version %1, client listener %2</source>
        <translation>Version %1, Client-Listener %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Connections: %1, channels: %2, subscriptions: %3</source>
        <translation>Verbindungen: %1, Kanäle: %2, Abonnements: %3</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Publications/s: %1, deliveries/s: %2</source>
        <translation>Veröffentlichungen/s: %1, Zustellungen/s: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Latency P50 / P95 / P99: %1 / %2 / %3 ms</source>
        <translation>Latenz P50 / P95 / P99: %1 / %2 / %3 ms</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Alert: %1</source>
        <translation>Alarm: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Last stats: %1</source>
        <translation>Letzte Statistik: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No stats received yet</source>
        <translation>Noch keine Statistik empfangen</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Click a node or a region for details.</source>
        <translation>Klicken Sie auf einen Knoten oder eine Region, um Details zu sehen.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Node %1 in region %2 (not watched by this control room)
State: %3
Admin API: %4
Last seen by the cluster: %5</source>
        <translation>Knoten %1 in Region %2 (von diesem Leitstand nicht überwacht)
Betriebszustand: %3
Admin-API: %4
Zuletzt vom Cluster gesehen: %5</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>No node yet: waiting for the first answer.</source>
        <translation>Noch kein Knoten: Warte auf die erste Antwort.</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Region %1 (fenced): home of %2, %n node(s)</source>
        <translation>
            <numerusform>Region %1 (abgeschottet): Heimat von %2, %n Knoten</numerusform>
            <numerusform>Region %1 (abgeschottet): Heimat von %2, %n Knoten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Region %1: home of %2, %n node(s)</source>
        <translation>
            <numerusform>Region %1: Heimat von %2, %n Knoten</numerusform>
            <numerusform>Region %1: Heimat von %2, %n Knoten</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (fenced)</source>
        <translation>%1 (abgeschottet)</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 conn, %2 del/s</source>
        <translation>%1 Verb., %2 Zust./s</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1 %2
%3/s, lag %4</source>
        <translation>%1 %2
%3/s, Lag %4</translation>
    </message>
</context>
</TS>
