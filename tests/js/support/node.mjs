// SPDX-License-Identifier: Apache-2.0
// A real Aldis daemon for the JavaScript tests: the binary ctest names in
// ALDIS_BINARY, a config in a temporary folder, free loopback ports, and HS256 tokens
// signed with the key that config holds.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SECRET = "js-tests-secret-of-at-least-32-bytes!!";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

// A token for `sub`: lifetime `ttl` seconds (negative: already expired), permissions
// {subscribe: [...], publish: [...]} (default: everything).
export function token(sub, { ttl = 3600, permissions = { subscribe: ["*"], publish: ["*"] } } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: "HS256", typ: "JWT", kid: "js" });
  const payload = b64url({ sub, iat: now, exp: now + ttl, permissions });
  const signature = createHmac("sha256", SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export function binary() {
  const path = process.env.ALDIS_BINARY;
  if (!path) throw new Error("ALDIS_BINARY is not set: run the JavaScript tests through ctest (or set it to build/ci/app/aldis)");
  return path;
}

export class Node {
  constructor(dir, port, adminPort, extraToml) {
    this.dir = dir;
    this.port = port;
    this.adminPort = adminPort;
    this.extraToml = extraToml;
    this.output = "";
    this.process = null;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  // Starts (or restarts, on the same ports and data) the daemon; resolves once /ready.
  async start() {
    this.process = spawn(binary(), ["--daemon", "--config", join(this.dir, "aldis.toml")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process.stdout.on("data", (d) => (this.output += d));
    this.process.stderr.on("data", (d) => (this.output += d));
    this.exited = new Promise((resolve) => this.process.once("exit", (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`aldis exited at start:\n${this.output}`);
      try {
        const res = await fetch(`${this.base}/ready`);
        if (res.status === 200) return this;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`aldis not ready within 15 s:\n${this.output}`);
  }

  // SIGTERM (drain) or SIGKILL; resolves with the exit status.
  async stop(signal = "SIGTERM") {
    if (!this.process || this.process.exitCode !== null) return { code: this.process?.exitCode };
    this.process.kill(signal);
    const status = await this.exited;
    this.process = null;
    return status;
  }

  async dispose() {
    await this.stop("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// A node with the demo's default namespace (durable, presence) plus `extraToml`.
export async function startNode(extraToml = "") {
  const dir = mkdtempSync(join(tmpdir(), "aldis-js-"));
  const [port, adminPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, "aldis.toml"),
    `[node]
id = "js-node"
data_dir = "${dir}/data"
drain_timeout = "2s"
log_level = "warn"

[client]
address = "127.0.0.1"
port = ${port}
ping_interval = "2s"

[admin]
enabled = false

[auth]
leeway = "0s"
api_keys = ["js-tests-api-key-0123456789"]

[[auth.keys]]
id = "js"
algorithms = ["HS256"]
secret = "${SECRET}"

[namespaces.default]
durable = true
history_size = 10000
presence = true

[namespaces.live]
durable = false
history_size = 100
join_leave = true
${extraToml}
`,
  );
  const node = new Node(dir, port, adminPort, extraToml);
  return node.start();
}

// Resolves when `predicate()` holds, polling; rejects with `what` after `ms`.
export async function until(predicate, what, ms = 10000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
