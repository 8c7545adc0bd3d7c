// SPDX-License-Identifier: Apache-2.0
// The live board at /demo/ in headless Chromium (Debian's chromium driven by
// playwright-core): two people see each other's edits, and a page that loses its
// network and comes back catches up with no gap.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";

import { startNode, token, until } from "./support/node.mjs";

function chromiumPath() {
  const path = process.env.ALDIS_CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(path)) {
    if (process.env.ALDIS_REQUIRE_SERVICES === "1") throw new Error(`no Chromium at ${path} (scripts/bootstrap installs it)`);
    return null;
  }
  return path;
}

const executablePath = chromiumPath();

describe("the live board in Chromium", { skip: executablePath ? false : "no Chromium (set ALDIS_CHROMIUM)", timeout: 180000 }, () => {
  let node;
  let browser;
  before(async () => {
    node = await startNode();
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  });
  after(async () => {
    await browser?.close();
    await node?.dispose();
  });

  async function openBoard(user, channel) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(err));
    await page.goto(`${node.base}/demo/#token=${token(user)}&channel=${channel}`);
    await page.waitForSelector('#status[data-state="connected"]');
    return { context, page, errors };
  }

  const board = (page) =>
    page.evaluate(() => ({
      offsets: window.aldisBoard.offsets,
      notes: window.aldisBoard.notes.map((n) => `${n.user}: ${n.text}`),
      strokes: window.aldisBoard.strokes.map((s) => s.points),
      pending: window.aldisBoard.pending.size,
      state: window.aldisBoard.state,
    }));

  async function note(page, text) {
    await page.fill("#note-input", text);
    await page.press("#note-input", "Enter");
  }

  async function stroke(page, from, to) {
    const box = await page.locator("#canvas").boundingBox();
    await page.mouse.move(box.x + from[0] * box.width, box.y + from[1] * box.height);
    await page.mouse.down();
    for (let i = 1; i <= 10; ++i)
      await page.mouse.move(
        box.x + (from[0] + ((to[0] - from[0]) * i) / 10) * box.width,
        box.y + (from[1] + ((to[1] - from[1]) * i) / 10) * box.height,
      );
    await page.mouse.up();
  }

  test("two pages see each other's edits and each other", async () => {
    const alice = await openBoard("alice", "board.two");
    const bob = await openBoard("bob", "board.two");

    await note(alice.page, "hello from alice");
    await bob.page.waitForSelector("#notes li >> text=hello from alice");
    await stroke(bob.page, [0.1, 0.1], [0.6, 0.5]);
    await until(async () => (await board(alice.page)).strokes.length === 1, "bob's stroke on alice's board");

    const a = await board(alice.page);
    const b = await board(bob.page);
    assert.deepEqual(a.notes, ["alice: hello from alice"]);
    assert.deepEqual(a, b, "both boards hold the same edits in the same order");
    assert.deepEqual(a.offsets, [1, 2]);
    const [x0, y0] = a.strokes[0][0];
    assert.ok(Math.abs(x0 - 0.1) < 0.02 && Math.abs(y0 - 0.1) < 0.02, `stroke starts at ${x0},${y0}`);

    // Presence: each page lists both users.
    for (const page of [alice.page, bob.page])
      await until(async () => (await page.locator("#presence li").allTextContents()).join() === "alice,bob", "presence");
    // The canvas really shows the stroke (a pixel on its path is not blank).
    const painted = await alice.page.evaluate(() => {
      const canvas = document.getElementById("canvas");
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ++n;
      return n;
    });
    assert.ok(painted > 100, `${painted} painted pixels`);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
    await alice.context.close();
    await bob.context.close();
  });

  test("a page that goes offline catches up with no gap, and its own offline edits land", async () => {
    const alice = await openBoard("alice", "board.offline");
    const bob = await openBoard("bob", "board.offline");
    await note(alice.page, "before");
    await until(async () => (await board(bob.page)).notes.length === 1, "first note on bob's board");

    await bob.context.setOffline(true);
    await bob.page.waitForSelector('#status:not([data-state="connected"])', { timeout: 20000 });

    for (let i = 1; i <= 30; ++i) await note(alice.page, `while bob is away ${i}`);
    await stroke(alice.page, [0.2, 0.8], [0.9, 0.2]);
    await note(bob.page, "written offline by bob"); // waits in bob's client
    await until(async () => (await board(alice.page)).offsets.length === 32, "alice's own edits confirmed");
    assert.equal((await board(bob.page)).notes.length, 1, "bob saw nothing while offline");

    await bob.context.setOffline(false);
    await bob.page.waitForSelector('#status[data-state="connected"]', { timeout: 30000 });
    await until(async () => (await board(bob.page)).offsets.length === 33, "bob caught up", 30000);
    await until(async () => (await board(alice.page)).offsets.length === 33, "bob's offline note reached alice");

    const a = await board(alice.page);
    const b = await board(bob.page);
    assert.deepEqual(b.offsets, Array.from({ length: 33 }, (_, i) => i + 1), "every offset once, in order");
    assert.deepEqual(b, a, "the same board on both pages");
    assert.equal(b.notes.at(-1), "bob: written offline by bob");
    assert.equal(b.pending, 0);

    // A page opened now gets the whole board from the channel's history.
    const carol = await openBoard("carol", "board.offline");
    await until(async () => (await board(carol.page)).offsets.length === 33, "carol's board");
    assert.deepEqual(await board(carol.page), a);
    assert.deepEqual([...alice.errors, ...bob.errors, ...carol.errors], []);
  });

  test("without a token the page explains how to get one", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${node.base}/demo/`);
    await page.waitForSelector("#login:not([hidden])");
    assert.match(await page.textContent("#mint"), /aldis token --sub YOUR_NAME --subscribe 'demo.board'/);
    await page.fill("#token-input", "not-a-token");
    await page.press("#token-input", "Enter");
    await page.waitForSelector('#status[data-state="closed"]');
    assert.match(await page.textContent("#message"), /unauthorized/);
    await context.close();
  });
});
