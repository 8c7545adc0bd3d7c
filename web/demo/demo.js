// SPDX-License-Identifier: Apache-2.0
// The live board: a shared whiteboard with notes and presence, built on the browser
// client (/client/aldis.js) alone. Every edit is one publication on one channel, so
// the board is the channel's history replayed in offset order: a page that comes
// back after being offline resumes from its last offset and misses nothing.
//
// URL: /demo/#token=JWT[&channel=demo.board]  (or ?token=...&channel=...)
import { Client, ErrorCode } from "/client/aldis.js";

const params = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
const channel = params.get("channel") || "demo.board";
const $ = (id) => document.getElementById(id);

// What the page shows, exposed for people poking at it and for the browser tests.
const board = {
  channel,
  offsets: [], // every publication applied, in order
  strokes: [], // {offset, key, user, colour, points: [[x, y], ...] in 0..1}
  notes: [], // {offset, key, user, text}
  pending: new Map(), // key -> the edit shown before the node confirmed it
  presence: [],
  state: "disconnected",
  reloading: null,
  epoch: "",
};
window.aldisBoard = board;

$("channel").textContent = channel;

function say(text) {
  $("message").textContent = text;
}

function mintCommand() {
  return `aldis token --sub YOUR_NAME --subscribe '${channel}' --publish '${channel}' --ttl 8h`;
}

function start(token) {
  $("login").hidden = true;
  $("board").hidden = false;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const client = new Client(`${scheme}//${location.host}/v1/ws`, {
    token,
    name: "aldis-demo",
    requestTimeout: 60000, // edits made offline wait for the connection
  });
  board.client = client;

  client.on("state", (state) => {
    board.state = state;
    $("status").dataset.state = state;
    $("status").textContent = state;
    if (state === "connected") {
      refreshPresence();
    }
  });
  client.on("connected", (info) => {
    $("where").textContent = `${info.user} on ${info.node}${info.region ? " (" + info.region + ")" : ""}`;
    say("");
  });
  client.on("disconnected", ({ code, reason, reconnect }) => {
    say(reconnect ? `connection lost (${code}); reconnecting` : `disconnected: ${reason} (${code})`);
  });
  client.on("error", (err) => {
    say(`${err.code}: ${err.message}`);
    if (err.code === ErrorCode.UNAUTHORIZED || err.code === ErrorCode.TOKEN_EXPIRED) showLogin(`${err.code}: ${err.message}`);
  });

  // From the start of the stream: the replay is the board so far.
  const sub = client.subscribe(channel, { since: { offset: 0, epoch: "" } });
  sub.on("publication", (pub) => (board.reloading ? board.reloading.push(pub) : apply(pub)));
  sub.on("subscribed", async (reply) => {
    board.epoch = reply.epoch;
    if (!reply.recovered) {
      // The node could not replay from where this page was (history trimmed, or
      // the stream was reset): rebuild the board from the history it keeps.
      await reload(client, reply);
    }
  });
  sub.on("join", refreshPresence);
  sub.on("leave", refreshPresence);
  sub.on("error", (err) => say(`cannot join ${channel}: ${err.code}: ${err.message}`));
  setInterval(refreshPresence, 5000);

  wireCanvas(client);
  wireNotes(client);
}

async function reload(client, reply) {
  board.reloading = []; // live publications that arrive meanwhile, applied after
  board.offsets = [];
  board.strokes = [];
  board.notes = [];
  $("notes").replaceChildren();
  let since = { offset: 0, epoch: reply.epoch };
  const seen = [];
  for (;;) {
    const page = await client.history(channel, { since, limit: 1000 });
    for (const pub of page.publications) seen.push(pub);
    if (page.publications.length < 1000) break;
    since = { offset: page.publications.at(-1).offset, epoch: page.epoch };
  }
  for (const pub of seen) if (pub.offset <= reply.offset) apply(pub);
  const live = board.reloading;
  board.reloading = null;
  for (const pub of live) apply(pub);
  draw();
  say(`board reloaded from history (${seen.length} edits)`);
}

function apply(pub) {
  const last = board.offsets.at(-1);
  if (last !== undefined && pub.offset <= last) return; // already on the board
  board.offsets.push(pub.offset);
  $("offset").textContent = String(pub.offset);
  const edit = pub.data ?? {};
  if (pub.key) board.pending.delete(pub.key);
  if (edit.kind === "stroke" && Array.isArray(edit.points)) {
    board.strokes.push({ offset: pub.offset, key: pub.key, user: pub.user, colour: edit.colour, points: edit.points });
    draw();
  } else if (edit.kind === "note" && typeof edit.text === "string") {
    board.notes.push({ offset: pub.offset, key: pub.key, user: pub.user, text: edit.text });
    const item = document.createElement("li");
    item.dataset.offset = String(pub.offset);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = pub.user ?? "server";
    item.append(who, document.createTextNode(edit.text));
    $("notes").append(item);
    item.scrollIntoView({ block: "nearest" });
  }
  showPending();
}

function showPending() {
  const n = board.pending.size;
  $("pending").textContent = n ? `${n} edit${n > 1 ? "s" : ""} waiting for the node` : "";
}

async function refreshPresence() {
  const client = board.client;
  if (!client || client.state !== "connected") return;
  try {
    const reply = await client.presence(channel);
    board.presence = reply.clients;
    $("presence-count").textContent = String(reply.count);
    const users = [...new Set(reply.clients.map((c) => c.user))].sort();
    $("presence").replaceChildren(
      ...users.map((user) => {
        const li = document.createElement("li");
        li.textContent = user;
        return li;
      }),
    );
  } catch {
    /* presence off for this namespace, or disconnected: keep the last list */
  }
}

// ---- editing ----

function publishEdit(client, edit) {
  const key = crypto.randomUUID();
  board.pending.set(key, edit);
  showPending();
  draw();
  client.publish(channel, edit, { key }).catch((err) => {
    board.pending.delete(key);
    showPending();
    draw();
    say(`edit not saved: ${err.code}: ${err.message}`);
  });
}

function wireNotes(client) {
  $("note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("note-input").value.trim();
    if (!text) return;
    $("note-input").value = "";
    publishEdit(client, { kind: "note", text });
  });
}

function wireCanvas(client) {
  const canvas = $("canvas");
  let current = null;
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
    return [round((event.clientX - rect.left) / rect.width), round((event.clientY - rect.top) / rect.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    current = { kind: "stroke", colour: $("colour").value, points: [point(event)] };
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.points.push(point(event));
    drawStroke(canvas.getContext("2d"), current);
  });
  const finish = (event) => {
    if (!current) return;
    if (event.type === "pointerup") current.points.push(point(event));
    const stroke = current;
    current = null;
    if (stroke.points.length > 1) publishEdit(client, { ...stroke, points: simplify(stroke.points) });
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  new ResizeObserver(draw).observe(canvas);
}

// At most 400 points a stroke (a publication stays far below max_message_bytes).
function simplify(points) {
  if (points.length <= 400) return points;
  const step = points.length / 400;
  const out = [];
  for (let i = 0; i < 400; ++i) out.push(points[Math.floor(i * step)]);
  out.push(points.at(-1));
  return out;
}

function drawStroke(ctx, stroke) {
  const { width, height } = ctx.canvas;
  ctx.strokeStyle = /^#[0-9a-f]{6}$/i.test(stroke.colour ?? "") ? stroke.colour : "#111827";
  ctx.lineWidth = 3;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath();
  stroke.points.forEach(([x, y], i) => (i ? ctx.lineTo(x * width, y * height) : ctx.moveTo(x * width, y * height)));
  ctx.stroke();
}

function draw() {
  const ctx = $("canvas").getContext("2d");
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  for (const stroke of board.strokes) drawStroke(ctx, stroke);
  ctx.globalAlpha = 0.5; // edits the node has not confirmed yet
  for (const edit of board.pending.values()) if (edit.kind === "stroke") drawStroke(ctx, edit);
  ctx.globalAlpha = 1;
}

function showLogin(reason) {
  $("login").hidden = false;
  $("mint").textContent = mintCommand();
  if (reason) say(reason);
}

const token = params.get("token");
if (token) start(token);
else {
  showLogin("");
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token-input").value.trim();
    history.replaceState(null, "", `#token=${encodeURIComponent(value)}&channel=${encodeURIComponent(channel)}`);
    start(value);
  });
}
