// SPDX-License-Identifier: Apache-2.0
// Types of aldis.js (served beside it at /client/aldis.d.ts). The protocol they
// describe is docs/protocol.md; web/client/README.md has examples.

export declare const VERSION: string;

export declare const CloseCode: Readonly<{
  UNAUTHORIZED: 4001;
  TOKEN_EXPIRED: 4002;
  BAD_REQUEST: 4004;
  SLOW_CONSUMER: 4005;
  TOO_MANY_REQUESTS: 4006;
  DRAINING: 4007;
  CONNECTION_LIMIT: 4009;
  FRAME_TOO_BIG: 1009;
}>;

export declare const ErrorCode: Readonly<{
  BAD_REQUEST: "bad_request";
  UNAUTHORIZED: "unauthorized";
  TOKEN_EXPIRED: "token_expired";
  PERMISSION_DENIED: "permission_denied";
  UNKNOWN_OP: "unknown_op";
  UNKNOWN_CHANNEL: "unknown_channel";
  ALREADY_SUBSCRIBED: "already_subscribed";
  NOT_SUBSCRIBED: "not_subscribed";
  PAYLOAD_TOO_LARGE: "payload_too_large";
  TOO_MANY_REQUESTS: "too_many_requests";
  LIMIT_EXCEEDED: "limit_exceeded";
  UNAVAILABLE: "unavailable";
  INTERNAL: "internal";
  DISCONNECTED: "disconnected";
  TIMEOUT: "timeout";
  CLOSED: "closed";
}>;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export declare const State: Readonly<{
  DISCONNECTED: "disconnected";
  CONNECTING: "connecting";
  CONNECTED: "connected";
  CLOSED: "closed";
}>;

export type ClientState = (typeof State)[keyof typeof State];

export declare class AldisError extends Error {
  constructor(code: ErrorCodeValue | string, message: string, closeCode?: number);
  readonly code: ErrorCodeValue | string;
  readonly closeCode?: number;
}

export declare function reconnectPolicy(code: number): "reconnect" | "token" | "stop";

export declare function backoffDelay(
  attempt: number,
  options?: { minDelay?: number; maxDelay?: number; random?: () => number },
): number;

/** A position in a channel's stream. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** A publication push, as the node sends it. */
export interface Publication<T = unknown> {
  push: "pub";
  channel: string;
  offset: number;
  data: T;
  /** Unix milliseconds when the node took the publish. */
  ts: number;
  /** The publisher's `sub`, or null for the server API. */
  user: string | null;
  key?: string;
}

export interface JoinLeave {
  push: "join" | "leave";
  channel: string;
  client: number;
  user: string;
}

export interface ConnectReply {
  client: number;
  user: string;
  node: string;
  region: string;
  expires_at: number;
  ping_interval: number;
}

export interface SubscribeReply {
  channel: string;
  epoch: string;
  offset: number;
  recovered: boolean;
  replayed: number;
}

export interface PublishReply {
  offset: number;
  epoch: string;
  duplicate: boolean;
}

export interface HistoryReply<T = unknown> {
  epoch: string;
  offset: number;
  publications: Publication<T>[];
}

export interface PresenceReply {
  count: number;
  clients: { client: number; user: string }[];
}

interface Emitter<Events extends Record<string, unknown[]>> {
  /** Adds a handler; returns a function that removes it. */
  on<E extends keyof Events>(event: E, handler: (...args: Events[E]) => void): () => void;
  off<E extends keyof Events>(event: E, handler: (...args: Events[E]) => void): void;
  once<E extends keyof Events>(event: E, handler: (...args: Events[E]) => void): () => void;
}

export type SubscriptionEvents<T> = {
  publication: [Publication<T>];
  subscribed: [SubscribeReply & { resumed: boolean }];
  join: [JoinLeave];
  leave: [JoinLeave];
  unsubscribed: [{ reason: string }];
  error: [AldisError];
};

export interface SubscribeOptions<T = unknown> {
  /** Replay what came after this position (offset 0: from the start of the kept history). */
  since?: { offset: number; epoch?: string };
  /** A durable subscription name: the node keeps the position that `ack` moves. */
  durable?: string;
  onPublication?: (pub: Publication<T>) => void;
  onSubscribed?: (reply: SubscribeReply & { resumed: boolean }) => void;
  onJoin?: (push: JoinLeave) => void;
  onLeave?: (push: JoinLeave) => void;
  onUnsubscribed?: (info: { reason: string }) => void;
  onError?: (error: AldisError) => void;
}

export declare class Subscription<T = unknown> {
  readonly channel: string;
  readonly durable?: string;
  /** The last publication delivered to the application; null before the first reply. */
  readonly position: StreamPosition | null;
  readonly state: "pending" | "subscribed" | "unsubscribed";
  ready(): Promise<SubscribeReply>;
  unsubscribe(): Promise<void>;
}
export interface Subscription<T> extends Emitter<SubscriptionEvents<T>> {}

export interface ClientOptions {
  /** A JWT; without getToken the client stops when it expires or is refused. */
  token?: string;
  /** Called for every connect and before expiry; a refused token is asked for again. */
  getToken?: () => string | Promise<string>;
  /** Client software name sent with `connect` (default "aldis.js"). */
  name?: string;
  /** The WebSocket class (default globalThis.WebSocket; the `ws` package in Node.js < 22). */
  WebSocket?: unknown;
  /** Backoff between reconnect attempts, in milliseconds (defaults 500 and 20000). */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
  /** Seconds before `expires_at` to refresh (default 30, at most half the lifetime). */
  refreshBefore?: number;
  /** Milliseconds a command waits for its reply or for a connection (default 10000). */
  requestTimeout?: number;
  /** The jitter source (default Math.random). */
  random?: () => number;
}

export type ClientEvents = {
  state: [ClientState];
  connected: [ConnectReply];
  disconnected: [{ code: number; reason: string; reconnect: boolean }];
  error: [AldisError];
  refreshed: [{ expires_at: number }];
};

export declare class Client {
  constructor(url: string, options: ClientOptions);
  readonly state: ClientState;
  /** The last connect reply (null before the first connect). */
  readonly info: ConnectReply | null;
  readonly subscriptions: Map<string, Subscription>;
  /** The delay chosen for the pending reconnect attempt, in milliseconds. */
  readonly nextReconnectDelay?: number;
  connect(): Promise<ConnectReply>;
  close(): void;
  subscribe<T = unknown>(channel: string, options?: SubscribeOptions<T>): Subscription<T>;
  publish(channel: string, data: unknown, options?: { key?: string }): Promise<PublishReply>;
  history<T = unknown>(
    channel: string,
    options?: { since?: { offset: number; epoch?: string }; limit?: number; reverse?: boolean },
  ): Promise<HistoryReply<T>>;
  presence(channel: string): Promise<PresenceReply>;
  ack(channel: string, offset: number): Promise<Record<string, never>>;
  ping(): Promise<Record<string, never>>;
  refresh(): Promise<{ expires_at: number }>;
}
export interface Client extends Emitter<ClientEvents> {}
