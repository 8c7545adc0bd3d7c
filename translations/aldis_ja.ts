<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja" sourcelanguage="en">
<context>
    <name>aldis::ui::AlertBanner</name>
    <message>
        <location filename="../ui/widgets/alert_banner.cpp" line="+27"/>
        <source>Show the alerts</source>
        <translation>アラートを表示</translation>
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
            <numerusform>アラート %n 件発生中。%1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::AlertsModel</name>
    <message>
        <location filename="../ui/models/alerts_model.cpp" line="+26"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule</source>
        <translation>ルール</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Threshold</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unit</source>
        <translation>単位</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since</source>
        <translation>発生時刻</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <location line="+128"/>
        <source>active</source>
        <translation>発生中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>off</source>
        <translation>無効</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ok</source>
        <translation>正常</translation>
    </message>
</context>
<context>
    <name>aldis::ui::AlertsPanel</name>
    <message>
        <location filename="../ui/widgets/alerts_panel.cpp" line="+41"/>
        <source>No alert is active.</source>
        <translation>発生中のアラートはありません。</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n alert(s) active.</source>
        <translation>
            <numerusform>アラート %n 件発生中。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::AuditModel</name>
    <message>
        <location filename="../ui/models/audit_model.cpp" line="+17"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actor</source>
        <translation>実行者</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target</source>
        <translation>対象</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>メッセージ</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ChannelsModel</name>
    <message>
        <location filename="../ui/models/channels_model.cpp" line="+13"/>
        <source>Channel</source>
        <translation>チャネル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Namespace</source>
        <translation>名前空間</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Durable</source>
        <translation>永続</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subscribers</source>
        <translation>サブスクライバー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publications/s</source>
        <translation>パブリッシュ/秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publications</source>
        <translation>パブリッシュ数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last offset</source>
        <translation>最終オフセット</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epoch</source>
        <translation>エポック</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ConfirmActionDialog</name>
    <message>
        <location filename="../ui/dialogs/confirm_action_dialog.cpp" line="+36"/>
        <source>(unknown)</source>
        <translation>(不明)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Drain node %1?</source>
        <translation>ノード %1 をドレインしますか？</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n connected client(s)</source>
        <translation>
            <numerusform>接続中の %n 台のクライアント</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all connected clients</source>
        <translation>接続中のすべてのクライアント</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 in region %2 stops serving clients: /ready turns 503, %3 get the disconnect push and are closed with code 4007 (they reconnect to another node and resume), and new connections are refused until you undrain it. The node and its admin API stay up.</source>
        <translation>ノード %1（リージョン %2）はクライアントへのサービスを停止します。/ready は 503 を返し、%3 に切断プッシュが送られ、コード 4007 で接続が閉じられます（クライアントは別のノードに再接続して処理を再開します）。ドレインを解除するまで、新しい接続は拒否されます。ノードとその管理 API は稼働したままです。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Drain %1</source>
        <translation>%1 をドレイン</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undrain node %1?</source>
        <translation>ノード %1 のドレインを解除しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 in region %2 accepts client connections again and /ready turns 200.</source>
        <translation>ノード %1（リージョン %2）は再びクライアント接続を受け付け、/ready は 200 を返します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undrain %1</source>
        <translation>%1 のドレインを解除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pause the bridge on node %1?</source>
        <translation>ノード %1 のブリッジを一時停止しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 stops consuming from and producing to the other regions. Publications made in region %2 are not mirrored to other regions, and theirs do not reach subscribers in %2, until the bridge is resumed. Clients stay connected.</source>
        <translation>ノード %1 は他のリージョンからのコンシュームと他のリージョンへのプロデュースを停止します。ブリッジを再開するまで、リージョン %2 でのパブリッシュは他のリージョンにミラーされず、他のリージョンのパブリッシュも %2 のサブスクライバーに届きません。クライアントは接続されたままです。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pause bridge</source>
        <translation>ブリッジを一時停止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume the bridge on node %1?</source>
        <translation>ノード %1 のブリッジを再開しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node %1 restarts consuming from and producing to the other regions; mirroring catches up from where it stopped.</source>
        <translation>ノード %1 は他のリージョンとのコンシュームとプロデュースを再開します。ミラーリングは停止した位置から追いつきます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Resume bridge</source>
        <translation>ブリッジを再開</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fence region %1?</source>
        <translation>リージョン %1 をフェンスしますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region %1 stops accepting publications for the namespaces it is home of (%2). Publishers there get an error until the region is unfenced or another region is promoted. The request goes through node %3.</source>
        <translation>リージョン %1 は、ホームとなっている名前空間（%2）へのパブリッシュの受け付けを停止します。フェンスが解除されるか別のリージョンが昇格されるまで、そのリージョンのパブリッシャーにはエラーが返されます。リクエストはノード %3 を経由します。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fence %1</source>
        <translation>%1 をフェンス</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unfence region %1?</source>
        <translation>リージョン %1 のフェンスを解除しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region %1 accepts publications again for the namespaces it is home of (%2). The request goes through node %3.</source>
        <translation>リージョン %1 は、ホームとなっている名前空間（%2）へのパブリッシュを再び受け付けます。リクエストはノード %3 を経由します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unfence %1</source>
        <translation>%1 のフェンスを解除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Promote region %1?</source>
        <translation>リージョン %1 を昇格しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region %1 becomes the home region of its namespaces (failover): their publications are sequenced there from now on, with a new epoch. Fence the previous home region first if it may still be reachable. The request goes through node %2.</source>
        <translation>リージョン %1 がその名前空間のホームリージョンになります（フェイルオーバー）。以後、それらのパブリッシュは新しいエポックでこのリージョンで順序付けされます。以前のホームリージョンにまだ到達できる可能性がある場合は、先にそちらをフェンスしてください。リクエストはノード %2 を経由します。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Promote %1</source>
        <translation>%1 を昇格</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run %1?</source>
        <translation>%1 を実行しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Runs the action %1 on node %2.</source>
        <translation>ノード %2 で操作 %1 を実行します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run %1</source>
        <translation>%1 を実行</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>optional, kept in the audit log</source>
        <translation>任意。監査ログに記録されます</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>理由:</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ConnectionsModel</name>
    <message>
        <location filename="../ui/models/connections_model.cpp" line="+13"/>
        <source>Client</source>
        <translation>クライアント</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remote address</source>
        <translation>リモートアドレス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected at</source>
        <translation>接続時刻</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subscriptions</source>
        <translation>サブスクリプション</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Messages out</source>
        <translation>送信メッセージ数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queued bytes</source>
        <translation>キュー内バイト数</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ControlRoom</name>
    <message>
        <location filename="../ui/control_room.cpp" line="+104"/>
        <location line="+11"/>
        <source>Aldis control room</source>
        <translation>Aldis コントロールルーム</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>The embedded node did not start: %1</source>
        <translation>組み込みノードを起動できませんでした: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&quot;%1&quot; is not an admin URL; give one like http://10.0.0.5:8801.</source>
        <translation>「%1」は管理 URL ではありません。http://10.0.0.5:8801 のように指定してください。</translation>
    </message>
</context>
<context>
    <name>aldis::ui::EmbeddedNode</name>
    <message>
        <location filename="../ui/adapter/embedded_node.cpp" line="+63"/>
        <source>the control room watches nodes through the admin API, and admin.enabled is false in %1</source>
        <translation>コントロールルームは管理 API を通じてノードを監視しますが、%1 では admin.enabled が false です</translation>
    </message>
</context>
<context>
    <name>aldis::ui::FailoverPanel</name>
    <message>
        <location filename="../ui/widgets/failover_panel.cpp" line="+40"/>
        <source>Drain node</source>
        <translation>ノードをドレイン</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undrain node</source>
        <translation>ドレインを解除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pause bridge</source>
        <translation>ブリッジを一時停止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume bridge</source>
        <translation>ブリッジを再開</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fence region</source>
        <translation>リージョンをフェンス</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unfence region</source>
        <translation>フェンスを解除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Promote region</source>
        <translation>リージョンを昇格</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Audit #%1 at %2: %3 ran %4 on %5, result %6: %7</source>
        <translation>監査 #%1（%2）: %3 が %5 に対して %4 を実行、結果 %6: %7</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Node:</source>
        <translation>ノード:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region:</source>
        <translation>リージョン:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Actions</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Audit log</source>
        <translation>監査ログ</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>%1 cancelled; nothing was sent.</source>
        <translation>%1 をキャンセルしました。何も送信されていません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Running %1 on %2...</source>
        <translation>%2 で %1 を実行中...</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 refused (%2): %3</source>
        <translation>%1 は拒否されました (%2): %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: %2, %3</source>
        <translation>%1: %2、%3</translation>
    </message>
</context>
<context>
    <name>aldis::ui::Health</name>
    <message>
        <location filename="../ui/models/health.cpp" line="+33"/>
        <source>Serving</source>
        <translation>稼働中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stale</source>
        <translation>更新なし</translation>
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
        <translation>はい</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
</context>
<context>
    <name>aldis::ui::LagChart</name>
    <message>
        <location filename="../ui/widgets/lag_chart.cpp" line="+6"/>
        <source>Consumer lag</source>
        <translation>コンシューマーラグ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>messages</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no bridge lag reported</source>
        <translation>ブリッジのラグは報告されていません</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>alert at %1</source>
        <translation>アラートしきい値 %1</translation>
    </message>
</context>
<context>
    <name>aldis::ui::LatencyChart</name>
    <message>
        <location filename="../ui/widgets/latency_chart.cpp" line="+36"/>
        <source>Since start</source>
        <translation>起動以降</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>P99 over time</source>
        <translation>P99 の推移</translation>
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
        <translation>パブリッシュから配信までのレイテンシ</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+7"/>
        <source>deliveries</source>
        <translation>配信数</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>%1 %2 ms</source>
        <translation>%1 %2 ms</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Publish-to-deliver latency (no deliveries)</source>
        <translation>パブリッシュから配信までのレイテンシ（配信なし）</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Publish-to-deliver latency (%n deliveries)</source>
        <translation>
            <numerusform>パブリッシュから配信までのレイテンシ（%n 件の配信）</numerusform>
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
        <translation>まだデータがありません</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>alert at %1 ms</source>
        <translation>アラートしきい値 %1 ms</translation>
    </message>
</context>
<context>
    <name>aldis::ui::MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="+72"/>
        <source>%1 of %2 channels</source>
        <translation>全 %2 件中 %1 件のチャネル</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 of %2 connections</source>
        <translation>全 %2 件中 %1 件の接続</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Alert banner</source>
        <translation>アラートバナー</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Main tool bar</source>
        <translation>メインツールバー</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Aldis control room</source>
        <translation>Aldis コントロールルーム</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Node:</source>
        <translation>ノード:</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Nodes</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alerts</source>
        <translation>アラート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Latency</source>
        <translation>レイテンシ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Throughput</source>
        <translation>スループット</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Consumer lag</source>
        <translation>コンシューマーラグ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channels</source>
        <translation>チャネル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connections</source>
        <translation>接続</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Live tail</source>
        <translation>ライブテール</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failover</source>
        <translation>フェイルオーバー</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Wall mode</source>
        <translation>ウォールモード(&amp;W)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The language changes at the next start of the control room.</source>
        <translation>言語は次回コントロールルームを起動したときに切り替わります。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Plugins</source>
        <translation>プラグイン(&amp;P)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About Aldis</source>
        <translation>Aldis について(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About Aldis</source>
        <translation>Aldis について</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;Aldis %1&lt;/h3&gt;&lt;p&gt;A real-time messaging node with a control room.&lt;/p&gt;&lt;p&gt;The control room watches nodes through their admin API; F11 switches to wall mode.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Aldis %1&lt;/h3&gt;&lt;p&gt;コントロールルームを備えたリアルタイムメッセージングノードです。&lt;/p&gt;&lt;p&gt;コントロールルームは管理 API を通じてノードを監視します。F11 キーでウォールモードに切り替わります。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>About &amp;Qt</source>
        <translation>Qt について(&amp;Q)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Installed plugins...</source>
        <translation>インストール済みプラグイン...</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No plugin found</source>
        <translation>プラグインが見つかりません</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1: not loaded</source>
        <translation>%1: 読み込まれていません</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Plugins</source>
        <translation>プラグイン</translation>
    </message>
    <message numerus="yes">
        <location line="+81"/>
        <source>%n node(s)</source>
        <translation>
            <numerusform>ノード %n 台</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n stale</source>
        <translation>
            <numerusform>更新なし %n 台</numerusform>
        </translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1, %2</source>
        <translation>%1、%2</translation>
    </message>
</context>
<context>
    <name>aldis::ui::NodeClient</name>
    <message>
        <location filename="../ui/adapter/node_client.cpp" line="+108"/>
        <source>the node refused the admin token (401): check --admin-token or ALDIS_ADMIN_TOKEN</source>
        <translation>ノードが管理トークンを拒否しました (401)。--admin-token または ALDIS_ADMIN_TOKEN を確認してください</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>the stream closed with code %1</source>
        <translation>ストリームがコード %1 で閉じられました</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>no message for %1 s</source>
        <translation>%1 秒間メッセージがありません</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>The node cannot be reached (%1). Check that it runs and that its admin listener is reachable from here.</source>
        <translation>ノードに到達できません（%1）。ノードが動作していること、その管理リスナーにここから到達できることを確認してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The node answered HTTP %1 without a JSON body; is %2 an Aldis admin API?</source>
        <translation>ノードが JSON 本文なしで HTTP %1 を返しました。%2 は Aldis の管理 API ですか？</translation>
    </message>
</context>
<context>
    <name>aldis::ui::NodeRegistry</name>
    <message>
        <location filename="../ui/adapter/node_registry.cpp" line="+245"/>
        <source>The control room does not watch a node &quot;%1&quot;.</source>
        <translation>コントロールルームはノード「%1」を監視していません。</translation>
    </message>
</context>
<context>
    <name>aldis::ui::NodesModel</name>
    <message>
        <location filename="../ui/models/nodes_model.cpp" line="+28"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health</source>
        <translation>ヘルス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connections</source>
        <translation>接続</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publications/s</source>
        <translation>パブリッシュ/秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deliveries/s</source>
        <translation>配信/秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P99</source>
        <translation>P99</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last seen</source>
        <translation>最終確認</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Admin API</source>
        <translation>管理 API</translation>
    </message>
</context>
<context>
    <name>aldis::ui::PluginManager</name>
    <message>
        <location filename="../ui/plugins/plugin_manager.cpp" line="+73"/>
        <source>not a Qt plugin (no plugin metadata found); remove the file from the plugin folder</source>
        <translation>Qt プラグインではありません（プラグインのメタデータが見つかりません）。プラグインフォルダーからファイルを削除してください</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>built for another version of the plugin interface (IID %1, this control room loads %2); rebuild the plugin against this version of Aldis</source>
        <translation>別のバージョンのプラグインインターフェース向けにビルドされています（IID %1、このコントロールルームが読み込むのは %2）。このバージョンの Aldis に対してプラグインを再ビルドしてください</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a Qt plugin of another kind (IID &quot;%1&quot;), not an Aldis panel plugin (IID %2); remove it from the plugin folder</source>
        <translation>別の種類の Qt プラグインです（IID &quot;%1&quot;）。Aldis のパネルプラグイン（IID %2）ではありません。プラグインフォルダーから削除してください</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>has no metadata; give Q_PLUGIN_METADATA a FILE with name, version, compatVersion and apiVersion, and rebuild it</source>
        <translation>メタデータがありません。name、version、compatVersion、apiVersion を記述した FILE を Q_PLUGIN_METADATA に指定して再ビルドしてください</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>metadata has no &quot;%1&quot; (a non-empty string); add it to the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>メタデータに &quot;%1&quot;（空でない文字列）がありません。プラグインの .json ファイルに追加してプラグインを再ビルドしてください</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>metadata &quot;version&quot; is &quot;%1&quot;, not a version number such as 1.2.0; fix the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>メタデータの &quot;version&quot; が &quot;%1&quot; で、1.2.0 のようなバージョン番号ではありません。プラグインの .json ファイルを修正してプラグインを再ビルドしてください</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>metadata &quot;compatVersion&quot; is &quot;%1&quot;, not a version number such as 1.0.0; fix the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>メタデータの &quot;compatVersion&quot; が &quot;%1&quot; で、1.0.0 のようなバージョン番号ではありません。プラグインの .json ファイルを修正してプラグインを再ビルドしてください</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>metadata &quot;compatVersion&quot; %1 is newer than &quot;version&quot; %2; compatVersion is the oldest version this one is compatible with, so it must not be greater; fix the plugin&apos;s .json file</source>
        <translation>メタデータの &quot;compatVersion&quot; %1 が &quot;version&quot; %2 より新しくなっています。compatVersion はこのバージョンと互換性のある最も古いバージョンなので、version より大きくすることはできません。プラグインの .json ファイルを修正してください</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>metadata has no &quot;apiVersion&quot;; add &quot;apiVersion&quot;: %1 to the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>メタデータに &quot;apiVersion&quot; がありません。プラグインの .json ファイルに &quot;apiVersion&quot;: %1 を追加してプラグインを再ビルドしてください</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>metadata &quot;apiVersion&quot; must be a whole number such as %1; fix the plugin&apos;s .json file and rebuild the plugin</source>
        <translation>メタデータの &quot;apiVersion&quot; は %1 のような整数でなければなりません。プラグインの .json ファイルを修正してプラグインを再ビルドしてください</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>built for plugin API %1, but this control room provides API %2; rebuild the plugin against the plugin API of this version of Aldis, or use a version of the plugin made for it</source>
        <translation>プラグイン API %1 向けにビルドされていますが、このコントロールルームが提供するのは API %2 です。このバージョンの Aldis のプラグイン API に対してプラグインを再ビルドするか、このバージョン向けのプラグインを使用してください</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>not a Qt plugin (%1); remove the file from the plugin folder, or rebuild it as a plugin against Qt %2</source>
        <translation>Qt プラグインではありません（%1）。プラグインフォルダーからファイルを削除するか、Qt %2 に対してプラグインとして再ビルドしてください</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>a plugin named &quot;%1&quot; is already loaded from %2; remove one of the two copies</source>
        <translation>「%1」という名前のプラグインは %2 から既に読み込まれています。2 つのコピーのどちらかを削除してください</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>could not be loaded: %1; check that it was built against Qt %2 and that the libraries it needs are installed</source>
        <translation>読み込めませんでした: %1。Qt %2 に対してビルドされていること、必要なライブラリがインストールされていることを確認してください</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>its plugin class does not implement aldis::plugin::PanelPlugin; add Q_INTERFACES(aldis::plugin::PanelPlugin) to the class and rebuild it</source>
        <translation>プラグインクラスが aldis::plugin::PanelPlugin を実装していません。クラスに Q_INTERFACES(aldis::plugin::PanelPlugin) を追加して再ビルドしてください</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>refused to start and gave no reason; ask the plugin&apos;s vendor</source>
        <translation>理由を示さずに起動を拒否しました。プラグインの提供元に問い合わせてください</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused to start: %1</source>
        <translation>起動を拒否しました: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>loaded, but created no panel; report this to the plugin&apos;s vendor</source>
        <translation>読み込まれましたが、パネルを作成しませんでした。プラグインの提供元に報告してください</translation>
    </message>
</context>
<context>
    <name>aldis::ui::PluginsModel</name>
    <message>
        <location filename="../ui/models/plugins_model.cpp" line="+28"/>
        <source>loaded</source>
        <translation>読み込み済み</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not loaded</source>
        <translation>未読み込み</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1
by %2</source>
        <translation>%1
提供元: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>compatible back to %1</source>
        <translation>%1 まで後方互換</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
</context>
<context>
    <name>aldis::ui::RemoteTablePanel</name>
    <message>
        <location filename="../ui/widgets/remote_table_panel.cpp" line="+40"/>
        <source>Filter</source>
        <translation>フィルター</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>%1, updated %2</source>
        <translation>%1、%2 に更新</translation>
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
        <translation>時刻</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>チャネル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offset</source>
        <translation>オフセット</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epoch</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data</source>
        <translation>データ</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TailPanel</name>
    <message>
        <location filename="../ui/widgets/tail_panel.cpp" line="+28"/>
        <location line="+208"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location line="-208"/>
        <location line="+150"/>
        <source>Pause</source>
        <translation>一時停止</translation>
    </message>
    <message>
        <location line="-149"/>
        <source>Clear</source>
        <translation>クリア</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+17"/>
        <source>Copy as JSON</source>
        <translation>JSON としてコピー</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>channel, e.g. chat:lobby</source>
        <translation>チャネル（例: chat:lobby）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filter</source>
        <translation>フィルター</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Copy the selected messages as a JSON array (Ctrl+C)</source>
        <translation>選択したメッセージを JSON 配列としてコピー (Ctrl+C)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Channel:</source>
        <translation>チャネル:</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Tail stopped: the node changed to %1.</source>
        <translation>テールを停止しました: ノードが %1 に変わりました。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n publication(s) not shown: a tail forwards at most 200 a second.</source>
        <translation>
            <numerusform>%n 件の配信を表示していません。テールは 1 秒あたり最大 200 件までしか転送しません。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tailing %1 on %2.</source>
        <translation>%2 で %1 をテール中です。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The node refused the tail: %1</source>
        <translation>ノードがテールを拒否しました: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Type a channel name first, e.g. chat:lobby.</source>
        <translation>先にチャネル名を入力してください（例: chat:lobby）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No node selected.</source>
        <translation>ノードが選択されていません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Asking %1 to tail %2...</source>
        <translation>%1 に %2 のテールを要求中...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is not connected; the tail of %2 starts when it is.</source>
        <translation>%1 は接続されていません。接続されると %2 のテールを開始します。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Tail of %1 stopped.</source>
        <translation>%1 のテールを停止しました。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>Paused: %n message(s) waiting.</source>
        <translation>
            <numerusform>一時停止中: %n 件のメッセージが待機しています。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Select the messages to copy first.</source>
        <translation>先にコピーするメッセージを選択してください。</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Copied %n message(s) as JSON.</source>
        <translation>
            <numerusform>%n 件のメッセージを JSON としてコピーしました。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
<context>
    <name>aldis::ui::ThroughputChart</name>
    <message>
        <location filename="../ui/widgets/throughput_chart.cpp" line="+7"/>
        <source>Throughput</source>
        <translation>スループット</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>messages/s</source>
        <translation>メッセージ/秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>connections</source>
        <translation>接続数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no data yet</source>
        <translation>まだデータがありません</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Publications/s</source>
        <translation>パブリッシュ/秒</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Deliveries/s</source>
        <translation>配信/秒</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connections</source>
        <translation>接続数</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TimeRangeSelector</name>
    <message>
        <location filename="../ui/widgets/time_range_selector.cpp" line="+30"/>
        <source>History:</source>
        <translation>履歴:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>15 min</source>
        <translation>15 分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1 h</source>
        <translation>1 時間</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>6 h</source>
        <translation>6 時間</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>24 h</source>
        <translation>24 時間</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show the last %1 in the charts</source>
        <translation>グラフに直近 %1 を表示</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TimeSeriesChart</name>
    <message>
        <location filename="../ui/widgets/time_series_chart.cpp" line="+193"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>aldis::ui::TopologyView</name>
    <message>
        <location filename="../ui/widgets/topology_view.cpp" line="+59"/>
        <source>Node %1 in region %2</source>
        <translation>ノード %1（リージョン %2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State: %1, health: %2</source>
        <translation>状態: %1、ヘルス: %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+293"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location line="-291"/>
        <source>Admin API: %1</source>
        <translation>管理 API: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not connected: %1</source>
        <translation>未接続: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Version %1, client listener %2</source>
        <translation>バージョン %1、クライアントリスナー %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Connections: %1, channels: %2, subscriptions: %3</source>
        <translation>接続: %1、チャネル: %2、サブスクリプション: %3</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Publications/s: %1, deliveries/s: %2</source>
        <translation>パブリッシュ/秒: %1、配信/秒: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Latency P50 / P95 / P99: %1 / %2 / %3 ms</source>
        <translation>レイテンシ P50 / P95 / P99: %1 / %2 / %3 ms</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Alert: %1</source>
        <translation>アラート: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Last stats: %1</source>
        <translation>最終統計: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No stats received yet</source>
        <translation>統計はまだ受信していません</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Click a node or a region for details.</source>
        <translation>ノードまたはリージョンをクリックすると詳細が表示されます。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Node %1 in region %2 (not watched by this control room)
State: %3
Admin API: %4
Last seen by the cluster: %5</source>
        <translation>ノード %1（リージョン %2、このコントロールルームでは未監視）
状態: %3
管理 API: %4
クラスターでの最終確認: %5</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>unreachable</source>
        <translation>到達不能</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>No node yet: waiting for the first answer.</source>
        <translation>ノードはまだありません: 最初の応答を待っています。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Region %1 (fenced): home of %2, %n node(s)</source>
        <translation>
            <numerusform>リージョン %1（フェンス中）: %2 のホーム、ノード %n 台</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Region %1: home of %2, %n node(s)</source>
        <translation>
            <numerusform>リージョン %1: %2 のホーム、ノード %n 台</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (fenced)</source>
        <translation>%1（フェンス中）</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1, %2</source>
        <translation>%1、%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 conn, %2 del/s</source>
        <translation>接続 %1、配信 %2/秒</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1 %2
%3/s, lag %4</source>
        <translation>%1 %2
%3/秒、ラグ %4</translation>
    </message>
</context>
</TS>
