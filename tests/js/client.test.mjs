// SPDX-License-Identifier: Apache-2.0
// The browser client (web/client/aldis.js) in Node.js against a real node: the module
// the node serves at /client/aldis.js, used the way an application would.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";

import { AldisError, Client, CloseCode, ErrorCode, backoffDelay, reconnectPolicy } from "../../web/client/aldis.js";
import { startNode, token, until } from "./support/node.mjs";

const clients = [];
function client(node, options) {
  const c = new Client(node.wsUrl, { WebSocket, minReconnectDelay: 100, maxReconnectDelay: 1000, ...options });
  clients.push(c);
  return c;
}

function collect(sub) {
  const pubs = [];
  sub.on("publication", (pub) => pubs.push(pub));
  return pubs;
}

function assertConsecutive(pubs, first, last) {
  assert.deepEqual(
    pubs.map((p) => p.offset),
    Array.from({ length: last - first + 1 }, (_, i) => first + i),
    "every offset once, in order, with no gap",
  );
}

describe("aldis.js against a real node", { timeout: 120000 }, () => {
  let node;
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    for (const c of clients) c.close();
    await node?.dispose();
  });

  test("the node serves this module at /client/aldis.js", { timeout: 30000 }, async () => {
    const res = await fetch(`${node.base}/client/aldis.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/javascript/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const served = await res.text();
    assert.equal(served, readFileSync(new URL("../../web/client/aldis.js", import.meta.url), "utf8"));
    const again = await fetch(`${node.base}/client/aldis.js`, { headers: { "If-None-Match": res.headers.get("etag") } });
    assert.equal(again.status, 304);
    const types = await fetch(`${node.base}/client/aldis.d.ts`);
    assert.equal(types.status, 200);
    assert.match(types.headers.get("content-type"), /^application\/typescript/);
    assert.equal(await types.text(), readFileSync(new URL("../../web/client/aldis.d.ts", import.meta.url), "utf8"));
  });

  test("connect, subscribe, publish, history and presence", { timeout: 30000 }, async () => {
    const alice = client(node, { token: token("alice") });
    const bob = client(node, { getToken: async () => token("bob") });
    const info = await alice.connect();
    assert.equal(info.user, "alice");
    assert.equal(info.node, "js-node");
    assert.equal(alice.state, "connected");

    const sub = bob.subscribe("room.basics");
    const pubs = collect(sub);
    const reply = await sub.ready();
    assert.equal(reply.offset, 0);

    const first = await alice.publish("room.basics", { text: "hello" });
    assert.equal(first.offset, 1);
    assert.equal(first.duplicate, false);
    const second = await alice.publish("room.basics", { text: "again" }, { key: "k-1" });
    const dup = await alice.publish("room.basics", { text: "again" }, { key: "k-1" });
    assert.deepEqual(dup, { ...second, duplicate: true });

    await until(() => pubs.length === 2, "two publications");
    assert.deepEqual(pubs[0].data, { text: "hello" });
    assert.equal(pubs[0].user, "alice");
    assert.equal(pubs[1].key, "k-1");
    assertConsecutive(pubs, 1, 2);

    const history = await bob.history("room.basics", { limit: 10 });
    assert.deepEqual(history.publications.map((p) => p.data.text), ["hello", "again"]);
    const newest = await bob.history("room.basics", { limit: 1, reverse: true });
    assert.equal(newest.publications[0].offset, 2);

    const presence = await alice.presence("room.basics");
    assert.deepEqual(presence.clients.map((c) => c.user), ["bob"]);
  });

  test("errors carry the protocol's codes and the connection stays usable", { timeout: 30000 }, async () => {
    const limited = client(node, { token: token("carol", { permissions: { subscribe: ["open.*", "nowhere:*"], publish: [] } }) });
    const denied = limited.subscribe("secret.plans");
    await assert.rejects(denied.ready(), (err) => err instanceof AldisError && err.code === ErrorCode.PERMISSION_DENIED);
    assert.equal(limited.subscriptions.has("secret.plans"), false);
    await assert.rejects(limited.publish("open.x", 1), { code: ErrorCode.PERMISSION_DENIED });
    await assert.rejects(limited.history("nowhere:x"), { code: ErrorCode.UNKNOWN_CHANNEL });
    // Still connected and serving.
    const sub = limited.subscribe("open.news");
    await sub.ready();
    assert.equal(limited.state, "connected");

    // A frame above max_frame_bytes closes that connection with 1009, for good: the
    // application gets payload_too_large and the client does not loop on it.
    const big = client(node, { getToken: async () => token("hugo") });
    await big.connect();
    await assert.rejects(big.publish("open.x", "y".repeat(70 * 1024)), {
      code: ErrorCode.PAYLOAD_TOO_LARGE,
      closeCode: CloseCode.FRAME_TOO_BIG,
    });
    await until(() => big.state === "closed", "closed for good");
    assert.equal(limited.state, "connected");
    assert.deepEqual(await limited.presence("open.news"), { count: 1, clients: [{ client: limited.info.client, user: "carol" }] });
  });

  test("a refused token stops the client with `unauthorized` instead of retrying", { timeout: 30000 }, async () => {
    const forged = token("mallory").replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const bad = client(node, { token: forged });
    const states = [];
    bad.on("state", (s) => states.push(s));
    await assert.rejects(bad.connect(), (err) => err.code === ErrorCode.UNAUTHORIZED && err.closeCode === CloseCode.UNAUTHORIZED);
    assert.equal(bad.state, "closed");
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(states, ["connecting", "closed"], "no reconnect loop");

    const expired = client(node, { token: token("dave", { ttl: -10 }) });
    await assert.rejects(expired.connect(), { code: ErrorCode.TOKEN_EXPIRED });
  });

  test("a static token that expires ends with token_expired (4002)", { timeout: 30000 }, async () => {
    const short = client(node, { token: token("erin", { ttl: 2 }) });
    await short.connect();
    const closed = new Promise((resolve) => short.on("disconnected", resolve));
    const event = await closed;
    assert.equal(event.code, CloseCode.TOKEN_EXPIRED);
    assert.equal(event.reconnect, false);
    await until(() => short.state === "closed", "closed state");
  });

  test("getToken refreshes the token before it expires: the connection outlives several tokens", { timeout: 30000 }, async () => {
    let minted = 0;
    const c = client(node, {
      getToken: async () => {
        minted++;
        return token("frank", { ttl: 3 });
      },
      refreshBefore: 30, // capped at half the lifetime: 1.5 s before expiry
    });
    const disconnects = [];
    const refreshes = [];
    c.on("disconnected", (e) => disconnects.push(e));
    c.on("refreshed", (e) => refreshes.push(e));
    const info = await c.connect();
    const sub = c.subscribe("room.refresh");
    const pubs = collect(sub);
    await sub.ready();
    await new Promise((r) => setTimeout(r, 7000)); // past two whole token lifetimes
    assert.deepEqual(disconnects, [], "never disconnected");
    assert.ok(refreshes.length >= 3, `refreshed ${refreshes.length} times`);
    assert.ok(refreshes.at(-1).expires_at > info.expires_at + 3);
    assert.ok(minted >= 4);
    await c.publish("room.refresh", "still here");
    await until(() => pubs.length === 1, "publication after refreshes");
  });

  test("close() while the socket is still connecting ends quietly", { timeout: 30000 }, async () => {
    const uncaught = [];
    const onUncaught = (err) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      for (let i = 0; i < 20; ++i) {
        const c = client(node, { getToken: async () => token("ivan") });
        const connecting = c.connect().catch((err) => err);
        await new Promise((r) => setTimeout(r, i % 3)); // before, at and after the socket opens
        c.close();
        const result = await connecting;
        assert.ok(result.code === ErrorCode.CLOSED || result.user === "ivan", String(result?.message ?? result));
        assert.equal(c.state, "closed");
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(uncaught.map(String), []);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  test("backoff with jitter: bounded, growing, spread", { timeout: 30000 }, () => {
    const options = { minDelay: 500, maxDelay: 20000 };
    for (let attempt = 0; attempt < 12; ++attempt) {
      const cap = Math.min(20000, 500 * 2 ** attempt);
      assert.equal(backoffDelay(attempt, { ...options, random: () => 0 }), cap / 2);
      assert.equal(backoffDelay(attempt, { ...options, random: () => 0.999999 }), Math.round(cap / 2 + 0.999999 * (cap / 2)));
    }
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5, options)));
    assert.ok(spread.size > 20, "random delays differ");
    assert.equal(reconnectPolicy(CloseCode.SLOW_CONSUMER), "reconnect");
    assert.equal(reconnectPolicy(CloseCode.DRAINING), "reconnect");
    assert.equal(reconnectPolicy(CloseCode.CONNECTION_LIMIT), "reconnect");
    assert.equal(reconnectPolicy(1006), "reconnect");
    assert.equal(reconnectPolicy(CloseCode.TOKEN_EXPIRED), "token");
    assert.equal(reconnectPolicy(CloseCode.BAD_REQUEST), "stop");
    assert.equal(reconnectPolicy(CloseCode.FRAME_TOO_BIG), "stop");
  });

  test("reconnects after the node restarts and resumes from its offset: no gap, no duplicate", { timeout: 30000 }, async () => {
    const reader = client(node, { getToken: async () => token("reader") });
    const sub = reader.subscribe("room.resume");
    const pubs = collect(sub);
    const subscribed = [];
    sub.on("subscribed", (r) => subscribed.push(r));
    const disconnects = [];
    reader.on("disconnected", (e) => disconnects.push(e));
    await sub.ready();

    const writer = client(node, { getToken: async () => token("writer") });
    for (let i = 1; i <= 20; ++i) await writer.publish("room.resume", { i });
    await until(() => pubs.length === 20, "the first 20");

    // Drain: clients get 4007 and come back with backoff once the node is up again.
    const status = await node.stop("SIGTERM");
    assert.equal(status.code, 0);
    await until(() => disconnects.length === 1, "the drain close");
    assert.equal(disconnects[0].code, CloseCode.DRAINING);
    assert.equal(disconnects[0].reconnect, true);
    await node.start();

    // Published while the reader is away (the writer reconnects first or queues).
    for (let i = 21; i <= 60; ++i) await writer.publish("room.resume", { i }, { key: `resume-${i}` });
    await until(() => pubs.length === 60, "the missed 40, replayed");
    await writer.publish("room.resume", { i: 61 });
    await until(() => pubs.length === 61, "live again");
    assertConsecutive(pubs, 1, 61);
    assert.deepEqual(pubs.map((p) => p.data.i), Array.from({ length: 61 }, (_, i) => i + 1));
    assert.equal(subscribed.length, 2);
    assert.equal(subscribed[1].recovered, true);
    assert.equal(subscribed[1].resumed, true);
    assert.ok(reader.nextReconnectDelay >= 50 && reader.nextReconnectDelay <= 1000, `delay ${reader.nextReconnectDelay}`);
  });

  test("after kill -9 too, keyed publishes in flight are sent again and land once", { timeout: 30000 }, async () => {
    const reader = client(node, { getToken: async () => token("reader2") });
    const sub = reader.subscribe("room.kill");
    const pubs = collect(sub);
    await sub.ready();
    const writer = client(node, { getToken: async () => token("writer2") });
    await writer.connect();
    const sent = [];
    for (let i = 1; i <= 30; ++i) sent.push(writer.publish("room.kill", { i }, { key: `kill-${i}` }));
    await node.stop("SIGKILL");
    await node.start();
    const replies = await Promise.all(sent);
    const offsets = replies.map((r) => r.offset);
    assert.equal(new Set(offsets).size, 30, "30 distinct offsets");
    await until(() => pubs.length >= 30, "all 30 delivered");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(pubs.length, 30, "none twice");
    assertConsecutive(pubs, pubs[0].offset, pubs[0].offset + 29);
  });

  test("a publish without a key in flight at a drop fails with `disconnected`, not silently", { timeout: 30000 }, async () => {
    const c = client(node, { getToken: async () => token("gina") });
    await c.connect();
    const results = [];
    for (let i = 0; i < 200; ++i)
      results.push(c.publish("room.drop", { i }).then(() => "ok", (err) => err.code));
    await node.stop("SIGKILL");
    await node.start();
    const outcome = await Promise.all(results);
    assert.ok(outcome.every((o) => o === "ok" || o === ErrorCode.DISCONNECTED), JSON.stringify([...new Set(outcome)]));
    await until(() => c.state === "connected", "reconnected");
    assert.equal((await c.publish("room.drop", "after")).duplicate, false);
  });
});
