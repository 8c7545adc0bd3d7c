// SPDX-License-Identifier: Apache-2.0
// Compiled (not run) by tests/js/types.test.mjs with --strict: the way an application
// uses aldis.js must type-check against web/client/aldis.d.ts.
import {
  AldisError,
  Client,
  CloseCode,
  ErrorCode,
  type Publication,
  type SubscribeReply,
  backoffDelay,
  reconnectPolicy,
} from "../../../web/client/aldis.js";

interface Stroke {
  kind: "stroke";
  points: [number, number][];
}

export async function example(): Promise<number> {
  const client = new Client("wss://aldis.example.com/v1/ws", {
    getToken: async () => "jwt",
    refreshBefore: 20,
    minReconnectDelay: 250,
  });
  const off = client.on("disconnected", ({ code, reconnect }) => {
    if (code === CloseCode.DRAINING && reconnect) console.log("moving to another node");
  });
  off();
  client.on("state", (state) => state === "connected");
  const info = await client.connect();
  const sub = client.subscribe<Stroke>("board", {
    since: { offset: 0 },
    onPublication: (pub: Publication<Stroke>) => pub.data.points.length,
  });
  sub.on("subscribed", (reply) => (reply.resumed && !reply.recovered ? "reload" : "ok"));
  const ready: SubscribeReply = await sub.ready();
  const published = await client.publish("board", { kind: "stroke", points: [[0, 1]] }, { key: "k" });
  const history = await client.history<Stroke>("board", { limit: 10, reverse: true });
  const presence = await client.presence("board");
  try {
    await client.ack("board", published.offset);
  } catch (err) {
    if (err instanceof AldisError && err.code === ErrorCode.NOT_SUBSCRIBED) return -1;
  }
  await sub.unsubscribe();
  client.close();
  return info.expires_at + ready.offset + history.publications[0].data.points.length + presence.count +
    backoffDelay(3) + (reconnectPolicy(4005) === "reconnect" ? 1 : 0) + (sub.position?.offset ?? 0);
}
