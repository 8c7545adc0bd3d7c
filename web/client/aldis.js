// SPDX-License-Identifier: Apache-2.0
// Aldis browser and Node.js client: one ES module, no dependencies, no build step.
// The node serves this file at /client/aldis.js; the protocol it speaks is
// docs/protocol.md (PROTOCOL version 1). See web/client/README.md for examples.
//
//   import { Client } from "/client/aldis.js";
//   const client = new Client("wss://example.com/v1/ws", { getToken: fetchToken });
//   const sub = client.subscribe("chat:lobby", { onPublication: (pub) => show(pub) });
//   await client.publish("chat:lobby", { text: "hello" });

export const VERSION = "1";

// Close codes of the protocol (docs/protocol.md, "Close codes").
export const CloseCode = Object.freeze({
  UNAUTHORIZED: 4001,
  TOKEN_EXPIRED: 4002,
  BAD_REQUEST: 4004,
  SLOW_CONSUMER: 4005,
  TOO_MANY_REQUESTS: 4006,
  DRAINING: 4007,
  CONNECTION_LIMIT: 4009,
  FRAME_TOO_BIG: 1009,
});

// The error codes a reply may carry, and the client's own (`disconnected`, `timeout`,
// `closed`) for commands that never got a reply.
export const ErrorCode = Object.freeze({
  BAD_REQUEST: "bad_request",
  UNAUTHORIZED: "unauthorized",
  TOKEN_EXPIRED: "token_expired",
  PERMISSION_DENIED: "permission_denied",
  UNKNOWN_OP: "unknown_op",
  UNKNOWN_CHANNEL: "unknown_channel",
  ALREADY_SUBSCRIBED: "already_subscribed",
  NOT_SUBSCRIBED: "not_subscribed",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  TOO_MANY_REQUESTS: "too_many_requests",
  LIMIT_EXCEEDED: "limit_exceeded",
  UNAVAILABLE: "unavailable",
  INTERNAL: "internal",
  DISCONNECTED: "disconnected",
  TIMEOUT: "timeout",
  CLOSED: "closed",
});

// An error with the protocol's code (`err.code`, one of ErrorCode) and, when a closed
// connection caused it, the close code (`err.closeCode`).
export class AldisError extends Error {
  constructor(code, message, closeCode = undefined) {
    super(message);
    this.name = "AldisError";
    this.code = code;
    if (closeCode !== undefined) this.closeCode = closeCode;
  }
}

// What the client does after a close with `code`: "reconnect" (with backoff), "token"
// (reconnect once a new token is at hand), or "stop".
export function reconnectPolicy(code) {
  switch (code) {
    case CloseCode.UNAUTHORIZED:
    case CloseCode.TOKEN_EXPIRED:
      return "token";
    case CloseCode.BAD_REQUEST:
    case CloseCode.FRAME_TOO_BIG:
    case 1002: // protocol error
    case 1003: // unsupported data
    case 1007: // invalid payload
      return "stop";
    default:
      return "reconnect";
  }
}

// Exponential backoff with jitter: attempt n (0-based) waits a random time between half
// and all of min(max, min * 2^n), so clients dropped together do not return together.
export function backoffDelay(attempt, { minDelay = 500, maxDelay = 20000, random = Math.random } = {}) {
  const cap = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}

class Emitter {
  #handlers = new Map();

  // Adds a handler; returns a function that removes it.
  on(event, handler) {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event).add(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) {
    this.#handlers.get(event)?.delete(handler);
  }

  once(event, handler) {
    const off = this.on(event, (...args) => {
      off();
      handler(...args);
    });
    return off;
  }

  emit(event, ...args) {
    const handlers = this.#handlers.get(event);
    if (!handlers) return false;
    for (const handler of [...handlers]) {
      try {
        handler(...args);
      } catch (err) {
        // A failing handler must not break the client's own bookkeeping.
        setTimeout(() => {
          throw err;
        });
      }
    }
    return handlers.size > 0;
  }
}

const State = Object.freeze({
  DISCONNECTED: "disconnected",
  CONNECTING: "connecting",
  CONNECTED: "connected",
  CLOSED: "closed",
});
export { State };

// One subscription. It outlives connections: after a reconnect the client subscribes
// again from `position` (the last offset delivered), so the application sees every
// publication once, in order, with no gap. When the node cannot replay that far (the
// history is gone or the channel's epoch changed) the `subscribed` event says
// `recovered: false` and the application must reload its state (`history`).
//
// Events: "publication" (pub), "subscribed" ({epoch, offset, recovered, replayed,
// resumed}), "join" / "leave" (push), "unsubscribed" ({reason}), "error" (AldisError).
export class Subscription extends Emitter {
  #client;
  #readyWaiters = [];

  constructor(client, channel, options) {
    super();
    this.#client = client;
    this.channel = channel;
    this.durable = options.durable;
    // {offset, epoch} of the last publication delivered to the application.
    this.position = options.since ? { offset: options.since.offset, epoch: options.since.epoch ?? "" } : null;
    this.state = "pending"; // pending, subscribed, unsubscribed
    this.subscribedOnce = false;
    for (const [event, key] of [
      ["publication", "onPublication"],
      ["subscribed", "onSubscribed"],
      ["join", "onJoin"],
      ["leave", "onLeave"],
      ["unsubscribed", "onUnsubscribed"],
      ["error", "onError"],
    ])
      if (typeof options[key] === "function") this.on(event, options[key]);
  }

  // Resolves once the node has confirmed the subscription (with its reply), rejects
  // with the AldisError that refused it.
  ready() {
    if (this.state === "subscribed") return Promise.resolve(this.lastReply);
    if (this.state === "unsubscribed")
      return Promise.reject(this.failure ?? new AldisError(ErrorCode.CLOSED, "unsubscribed"));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  unsubscribe() {
    return this.#client._unsubscribe(this);
  }

  // The rest is the client's side of the subscription.
  _subscribed(reply) {
    const resumed = this.subscribedOnce && this.position !== null;
    const mine = this.position;
    // Live publications may overtake the reply: a position they moved past the
    // reply's offset in the same stream stays.
    const ahead = mine && (mine.epoch === reply.epoch || mine.epoch === "") && mine.offset > reply.offset;
    if (!mine || (!reply.recovered && !ahead)) this.position = { offset: reply.offset, epoch: reply.epoch };
    else this.position = { offset: mine.offset, epoch: reply.epoch };
    this.state = "subscribed";
    this.subscribedOnce = true;
    this.lastReply = reply;
    this.emit("subscribed", { ...reply, resumed });
    for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve(reply);
  }

  _failed(error) {
    this.state = "unsubscribed";
    this.failure = error;
    this.emit("error", error);
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(error);
  }

  _publication(pub) {
    // Offsets only grow within a subscription; one at or below the position was
    // already delivered (a replay overlapping what came live before a reconnect).
    if (this.position && pub.offset <= this.position.offset && this.position.offset !== 0) return;
    this.position = { offset: pub.offset, epoch: this.position?.epoch || this.lastReply?.epoch || "" };
    this.emit("publication", pub);
  }

  _ended(reason) {
    this.state = "unsubscribed";
    this.emit("unsubscribed", { reason });
    for (const waiter of this.#readyWaiters.splice(0))
      waiter.reject(new AldisError(ErrorCode.NOT_SUBSCRIBED, reason));
  }
}

// A connection to one node that reconnects by itself.
//
// Options:
//   token: a JWT, or getToken: async () => JWT (called for every connect and for every
//     refresh; with only `token`, the client stops when it expires).
//   name: client software name sent with connect.
//   WebSocket: the WebSocket class (default globalThis.WebSocket; in Node.js before 22
//     pass `(await import("ws")).WebSocket`).
//   minReconnectDelay (500 ms), maxReconnectDelay (20 s): the backoff between attempts.
//   refreshBefore (30 s): how long before `expires_at` a new token is asked for (at most
//     half of the token's lifetime).
//   requestTimeout (10 s): how long a command waits for its reply (and for a connection
//     while disconnected).
//   random: the jitter source (tests pass a fixed one).
//
// Events: "state" (state), "connected" (connect reply), "disconnected" ({code, reason,
// reconnect}), "error" (AldisError), "refreshed" ({expires_at}).
export class Client extends Emitter {
  #url;
  #options;
  #ws = null;
  #state = State.DISCONNECTED;
  #nextId = 1;
  #pending = new Map(); // id -> {frame, resolve, reject, timer, retry}
  #waiting = []; // commands issued while not connected: {frame, resolve, reject, timer, retry}
  #subscriptions = new Map(); // channel -> Subscription
  #attempt = 0;
  #reconnectTimer = null;
  #refreshTimer = null;
  #idleTimer = null;
  #lastReceive = 0;
  #pingInterval = 25;
  #connectPromise = null;
  #explicitToken;
  #lastClose = null; // the last disconnect push, then the last close: {code, reason, reconnect, error}
  #connectError = null; // why the node refused the last connect command
  #authFailures = 0; // 4001/4002 closes in a row with no connect in between

  constructor(url, options = {}) {
    super();
    this.#url = url;
    this.#options = {
      minReconnectDelay: 500,
      maxReconnectDelay: 20000,
      refreshBefore: 30,
      requestTimeout: 10000,
      random: Math.random,
      ...options,
    };
    this.#explicitToken = options.token;
    if (!options.token && typeof options.getToken !== "function")
      throw new TypeError("Client needs a token or a getToken callback");
    this.info = null; // the connect reply: {client, user, node, region, expires_at, ping_interval}
  }

  get state() {
    return this.#state;
  }

  get subscriptions() {
    return new Map(this.#subscriptions);
  }

  // Opens the connection (and keeps it open until close()). Resolves with the
  // connect reply; rejects only when the node refuses for good (bad token, etc.).
  connect() {
    if (this.#state === State.CLOSED) this.#state = State.DISCONNECTED;
    if (this.#state === State.CONNECTED) return Promise.resolve(this.info);
    if (!this.#connectPromise) {
      this.#connectPromise = new Promise((resolve, reject) => {
        const offConnected = this.on("connected", (info) => {
          offConnected();
          offClosed();
          this.#connectPromise = null;
          resolve(info);
        });
        const offClosed = this.on("state", (state) => {
          if (state !== State.CLOSED) return;
          offConnected();
          offClosed();
          this.#connectPromise = null;
          reject(this.#lastClose?.error ?? new AldisError(ErrorCode.CLOSED, "client closed"));
        });
      });
      if (this.#state === State.DISCONNECTED && !this.#reconnectTimer) this.#open();
    }
    return this.#connectPromise;
  }

  // Closes the connection for good (no reconnect). Commands in flight are rejected
  // with `closed`; subscriptions are kept and resume after a later connect().
  close() {
    this.#clearTimers();
    this.#setState(State.CLOSED);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      this.#detach(ws);
      try {
        ws.close(1000, "client closed");
      } catch {
        /* already closed */
      }
    }
    this.#failAll(new AldisError(ErrorCode.CLOSED, "client closed"), true);
    for (const sub of this.#subscriptions.values()) if (sub.state === "subscribed") sub.state = "pending";
  }

  // Subscribes to `channel`. Options: since ({offset, epoch}: replay what came after),
  // durable (a durable subscription name), and handlers onPublication, onSubscribed,
  // onJoin, onLeave, onUnsubscribed, onError. Returns the Subscription at once; await
  // `sub.ready()` for the node's answer.
  subscribe(channel, options = {}) {
    if (this.#subscriptions.has(channel))
      throw new AldisError(ErrorCode.ALREADY_SUBSCRIBED, `already subscribed to ${channel}`);
    const sub = new Subscription(this, channel, options);
    this.#subscriptions.set(channel, sub);
    if (this.#state === State.CONNECTED) this.#sendSubscribe(sub);
    else if (this.#state === State.DISCONNECTED && !this.#reconnectTimer) this.connect().catch(() => {});
    return sub;
  }

  // Publishes `data` (any JSON value). With `key`, the publish is idempotent and is
  // sent again after a reconnect if its reply was lost; without one it fails with
  // `disconnected` instead (it may or may not have been published).
  // Resolves with {offset, epoch, duplicate}.
  publish(channel, data, { key } = {}) {
    const frame = { op: "publish", channel, data };
    if (key !== undefined) frame.key = key;
    return this.#command(frame, { retry: key !== undefined });
  }

  // Resolves with {epoch, offset, publications}. Options: since, limit, reverse.
  history(channel, { since, limit, reverse } = {}) {
    const frame = { op: "history", channel };
    if (since) frame.since = { offset: since.offset, epoch: since.epoch ?? "" };
    if (limit !== undefined) frame.limit = limit;
    if (reverse) frame.reverse = true;
    return this.#command(frame, { retry: true });
  }

  // Resolves with {count, clients: [{client, user}]}.
  presence(channel) {
    return this.#command({ op: "presence", channel }, { retry: true });
  }

  // For a durable subscription: the node keeps `offset` as the position to resume after.
  ack(channel, offset) {
    return this.#command({ op: "ack", channel, offset }, { retry: true });
  }

  ping() {
    return this.#command({ op: "ping" }, { retry: true });
  }

  // Asks getToken() for a new token and sends it now (the client also does this by
  // itself `refreshBefore` seconds before expiry).
  async refresh() {
    const token = await this.#token();
    const reply = await this.#command({ op: "refresh", token }, { retry: false });
    this.info = { ...this.info, expires_at: reply.expires_at };
    this.#scheduleRefresh(reply.expires_at);
    this.emit("refreshed", reply);
    return reply;
  }

  // ---- connection ----

  async #token() {
    if (typeof this.#options.getToken === "function") return await this.#options.getToken();
    return this.#explicitToken;
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.emit("state", state);
  }

  async #open() {
    this.#reconnectTimer = null;
    this.#setState(State.CONNECTING);
    let token;
    try {
      token = await this.#token();
    } catch (err) {
      this.emit("error", new AldisError(ErrorCode.UNAUTHORIZED, `getToken failed: ${err?.message ?? err}`));
      return this.#scheduleReconnect();
    }
    if (this.#state !== State.CONNECTING) return; // closed meanwhile
    const WebSocketClass = this.#options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocketClass) throw new TypeError("no WebSocket class: pass options.WebSocket (the ws package in Node.js)");
    let ws;
    try {
      ws = new WebSocketClass(this.#url);
    } catch (err) {
      this.emit("error", new AldisError(ErrorCode.DISCONNECTED, `cannot open ${this.#url}: ${err?.message ?? err}`));
      return this.#scheduleReconnect();
    }
    this.#ws = ws;
    ws.onopen = () => {
      this.#lastReceive = Date.now();
      // connect goes first; it is not a queued command, so nothing overtakes it.
      this.#sendRaw(ws, { id: this.#nextId, op: "connect", token, name: this.#options.name ?? "aldis.js" });
      const id = this.#nextId++;
      const timer = setTimeout(() => ws.close(4000, "connect timed out"), this.#options.requestTimeout);
      this.#pending.set(id, {
        connect: true,
        timer,
        resolve: (info) => this.#onConnected(ws, info),
        reject: (err) => {
          this.#connectError = err; // the close that follows reports it
        },
      });
    };
    ws.onmessage = (event) => this.#onMessage(ws, event.data);
    ws.onclose = (event) => this.#onClose(ws, event.code, event.reason);
    ws.onerror = () => {
      /* onclose follows with the code */
    };
  }

  #onConnected(ws, info) {
    if (ws !== this.#ws) return;
    this.info = info;
    this.#attempt = 0;
    this.#authFailures = 0;
    this.#connectError = null;
    this.#pingInterval = info.ping_interval || 25;
    this.#setState(State.CONNECTED);
    this.#scheduleRefresh(info.expires_at);
    this.#scheduleIdleCheck();
    this.emit("connected", info);
    for (const sub of this.#subscriptions.values()) this.#sendSubscribe(sub);
    for (const cmd of this.#waiting.splice(0)) this.#sendCommand(cmd);
  }

  #onMessage(ws, data) {
    if (ws !== this.#ws) return;
    this.#lastReceive = Date.now();
    let msg;
    try {
      msg = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
    } catch {
      this.emit("error", new AldisError(ErrorCode.BAD_REQUEST, "node sent a frame that is not JSON"));
      return;
    }
    if (msg.push !== undefined) return this.#onPush(msg);
    const cmd = this.#pending.get(msg.id);
    if (!cmd) return;
    this.#pending.delete(msg.id);
    clearTimeout(cmd.timer);
    if (msg.error) cmd.reject(new AldisError(msg.error.code, msg.error.message));
    else cmd.resolve(msg.ok ?? {});
  }

  #onPush(msg) {
    switch (msg.push) {
      case "pub": {
        const sub = this.#subscriptions.get(msg.channel);
        if (sub) sub._publication(msg);
        break;
      }
      case "join":
      case "leave":
        this.#subscriptions.get(msg.channel)?.emit(msg.push, msg);
        break;
      case "unsubscribed": {
        const sub = this.#subscriptions.get(msg.channel);
        if (sub) {
          this.#subscriptions.delete(msg.channel);
          sub._ended(msg.reason);
        }
        break;
      }
      case "disconnect":
        this.#lastClose = { code: msg.code, reason: msg.reason, reconnect: msg.reconnect };
        break;
      default:
        break; // pushes of a later protocol version
    }
  }

  #onClose(ws, code, reason) {
    if (ws !== this.#ws) return;
    this.#ws = null;
    this.#detach(ws);
    this.#clearTimers();
    const announced = this.#lastClose && this.#lastClose.code === code ? this.#lastClose : null;
    const policy = reconnectPolicy(code);
    const codeFor = {
      [CloseCode.UNAUTHORIZED]: ErrorCode.UNAUTHORIZED,
      [CloseCode.TOKEN_EXPIRED]: ErrorCode.TOKEN_EXPIRED,
      [CloseCode.BAD_REQUEST]: ErrorCode.BAD_REQUEST,
      [CloseCode.TOO_MANY_REQUESTS]: ErrorCode.TOO_MANY_REQUESTS,
      [CloseCode.CONNECTION_LIMIT]: ErrorCode.LIMIT_EXCEEDED,
      [CloseCode.FRAME_TOO_BIG]: ErrorCode.PAYLOAD_TOO_LARGE,
    };
    const refused = this.#connectError;
    this.#connectError = null;
    const error = new AldisError(
      refused?.code ?? codeFor[code] ?? ErrorCode.DISCONNECTED,
      refused?.message || reason || announced?.reason || `connection closed (${code})`,
      code,
    );
    // A refused or expired token: try again only when a new one can be asked for,
    // and give up after three refusals in a row (a revoked user, a wrong key).
    let reconnect;
    if (this.#state === State.CLOSED || policy === "stop") reconnect = false;
    else if (policy === "token")
      reconnect = typeof this.#options.getToken === "function" && ++this.#authFailures < 3;
    else reconnect = announced?.reconnect !== false || code === CloseCode.DRAINING;
    this.#lastClose = { code, reason, error };
    this.#failAll(error, false);
    for (const sub of this.#subscriptions.values()) if (sub.state === "subscribed") sub.state = "pending";
    this.emit("disconnected", { code, reason: error.message, reconnect });
    if (this.#state === State.CLOSED) return;
    if (!reconnect) {
      this.emit("error", error);
      this.#setState(State.CLOSED);
      for (const cmd of this.#waiting.splice(0)) {
        clearTimeout(cmd.timer);
        cmd.reject(error);
      }
      return;
    }
    this.#setState(State.DISCONNECTED);
    this.#scheduleReconnect();
  }

  // A socket closed while still connecting reports an error later: in Node.js's `ws`
  // an error without a handler would end the process, so a no-op one stays.
  #detach(ws) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = () => {};
  }

  #scheduleReconnect() {
    if (this.#state === State.CLOSED) return;
    this.#setState(State.DISCONNECTED);
    const delay = backoffDelay(this.#attempt++, {
      minDelay: this.#options.minReconnectDelay,
      maxDelay: this.#options.maxReconnectDelay,
      random: this.#options.random,
    });
    this.nextReconnectDelay = delay;
    this.#reconnectTimer = setTimeout(() => this.#open(), delay);
  }

  #scheduleRefresh(expiresAt) {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    if (typeof this.#options.getToken !== "function" || !expiresAt) return;
    const lifetime = expiresAt * 1000 - Date.now();
    const before = Math.min(this.#options.refreshBefore * 1000, lifetime / 2);
    this.#refreshTimer = setTimeout(() => {
      this.refresh().catch((err) => {
        // The node closes with 4002 at expiry; the reconnect asks for a token again.
        this.emit("error", err instanceof AldisError ? err : new AldisError(ErrorCode.UNAUTHORIZED, String(err)));
      });
    }, Math.max(0, lifetime - before));
  }

  // Browsers answer the node's pings without telling the page, so a dead network is
  // noticed by silence: after a ping interval with nothing received, a `ping` command
  // goes out, and with no answer within another interval the socket is dropped and
  // the client reconnects.
  #scheduleIdleCheck() {
    clearTimeout(this.#idleTimer);
    const interval = this.#pingInterval * 1000;
    this.#idleTimer = setTimeout(() => {
      if (this.#state !== State.CONNECTED) return;
      const silent = Date.now() - this.#lastReceive;
      if (silent >= 2 * interval) {
        this.#ws?.close(4000, "no answer from the node");
        // Some WebSocket implementations wait for the close handshake: do not.
        const ws = this.#ws;
        if (ws) this.#onClose(ws, 1006, "no answer from the node");
        return;
      }
      if (silent >= interval) this.ping().catch(() => {});
      this.#scheduleIdleCheck();
    }, interval / 2);
  }

  #clearTimers() {
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#idleTimer);
    this.#reconnectTimer = this.#refreshTimer = this.#idleTimer = null;
  }

  // ---- commands ----

  #command(frame, { retry }) {
    return new Promise((resolve, reject) => {
      const cmd = { frame, resolve, reject, retry, timer: null };
      cmd.timer = setTimeout(() => {
        this.#pending.delete(cmd.id);
        const i = this.#waiting.indexOf(cmd);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new AldisError(ErrorCode.TIMEOUT, `${frame.op} got no reply within ${this.#options.requestTimeout} ms`));
      }, this.#options.requestTimeout);
      if (this.#state === State.CONNECTED) this.#sendCommand(cmd);
      else if (this.#state === State.CLOSED && !this.#connectPromise) {
        clearTimeout(cmd.timer);
        reject(new AldisError(ErrorCode.CLOSED, "client closed: call connect()"));
      } else {
        this.#waiting.push(cmd);
        if (this.#state === State.DISCONNECTED && !this.#reconnectTimer) this.connect().catch(() => {});
      }
    });
  }

  #sendCommand(cmd) {
    cmd.id = this.#nextId++;
    this.#pending.set(cmd.id, cmd);
    this.#sendRaw(this.#ws, { id: cmd.id, ...cmd.frame });
  }

  #sendRaw(ws, frame) {
    ws.send(JSON.stringify(frame));
  }

  // Commands without a reply when the connection went: those safe to repeat wait for
  // the next connection, the others fail with `disconnected`.
  #failAll(error, everything) {
    for (const [id, cmd] of this.#pending) {
      this.#pending.delete(id);
      if (cmd.connect || cmd.subscription) {
        // A subscribe is sent again from #subscriptions on the next connection.
        clearTimeout(cmd.timer);
        continue;
      }
      if (!everything && cmd.retry) this.#waiting.push(cmd);
      else {
        clearTimeout(cmd.timer);
        cmd.reject(error);
      }
    }
    if (everything)
      for (const cmd of this.#waiting.splice(0)) {
        clearTimeout(cmd.timer);
        cmd.reject(error);
      }
  }

  #sendSubscribe(sub) {
    const frame = { op: "subscribe", channel: sub.channel };
    if (sub.position) frame.since = { offset: sub.position.offset, epoch: sub.position.epoch };
    if (sub.durable) frame.durable = sub.durable;
    sub.state = "pending";
    const cmd = {
      frame,
      subscription: true,
      timer: null,
      resolve: (reply) => sub._subscribed(reply),
      reject: (err) => {
        if (this.#subscriptions.get(sub.channel) === sub) this.#subscriptions.delete(sub.channel);
        sub._failed(err);
      },
    };
    this.#sendCommand(cmd);
  }

  async _unsubscribe(sub) {
    if (this.#subscriptions.get(sub.channel) !== sub) return;
    this.#subscriptions.delete(sub.channel);
    const wasSubscribed = sub.state === "subscribed";
    sub._ended("unsubscribed by the client");
    if (wasSubscribed && this.#state === State.CONNECTED)
      await this.#command({ op: "unsubscribe", channel: sub.channel }, { retry: false }).catch((err) => {
        if (err.code !== ErrorCode.NOT_SUBSCRIBED && err.code !== ErrorCode.DISCONNECTED) throw err;
      });
  }
}
