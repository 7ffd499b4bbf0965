// The browser tests' harness: the real `floor` binary, a room made through
// its API, and headless Chromium (Debian's) driven by playwright-core.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
const { chromium } = await import(join(root, ".tools", "npm", "node_modules", "playwright-core", "index.mjs"));

export const ADMIN = "browser-test-admin";
/** Where each run writes its screenshots. */
export const SHOTS = join(root, "target", "browser-screenshots");
mkdirSync(SHOTS, { recursive: true });

/** A running broker on `listen`, with its data in `data` and `extra`
 *  arguments (e.g. `--demo`); `banner` holds what it printed before
 *  listening. */
export async function startFloor(data, listen = "127.0.0.1:0", extra = []) {
  const bin = process.env.FLOOR_BIN || join(root, "target", "debug", "floor");
  const args = ["serve", "--listen", listen, "--data", data, "--admin-token", ADMIN, "--stop-on-stdin-eof", ...extra];
  const child = spawn(bin, args, {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, FLOOR_LOG: "warn" },
  });
  const lines = createInterface({ input: child.stdout });
  const banner = [];
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("floor did not start")), 30000);
    lines.on("line", (line) => {
      const match = line.match(/^floor listening on (.+)$/);
      if (match) { clearTimeout(timer); resolve(match[1]); } else banner.push(line);
    });
    child.on("exit", (code) => reject(new Error(`floor exited with ${code}`)));
  });
  return { child, addr, data, base: `http://${addr}`, banner };
}

/** Kills a broker with SIGKILL and waits for it to be gone. */
export async function killFloor(floor) {
  await stopFloor(floor, "SIGKILL");
}

/** Sends a broker `signal` and waits for it to be gone. */
export async function stopFloor(floor, signal) {
  if (floor.child.exitCode !== null || floor.child.signalCode !== null) return;
  const gone = new Promise((resolve) => floor.child.on("exit", resolve));
  floor.child.kill(signal);
  await gone;
}

/** The demo room's links that `serve --demo` printed, by role (the API's
 *  names: the `join` page is the participant's). */
export function demoLinks(floor) {
  const links = {};
  for (const line of floor.banner) {
    const link = line.split(/\s+/).find((word) => word.includes("/r/ws235/"));
    if (!link) continue;
    const page = link.split("/r/ws235/")[1].split("#")[0];
    links[page === "join" ? "participant" : page] = link;
  }
  return links;
}

/** A fresh data directory. */
export function dataDir() {
  return join(mkdtempSync(join(tmpdir(), "floor-browser-")), "data");
}

/** Creates a room; returns its links by role. */
export async function createRoom(floor, id, title) {
  const response = await fetch(`${floor.base}/api/rooms`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ id, title }),
  });
  if (response.status !== 201) throw new Error(`room not created: ${response.status} ${await response.text()}`);
  return (await response.json()).links;
}

/** Headless Chromium from Debian's package. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Opens a page of a role in its own browser context; `init`, if given,
 *  runs in the page before any of its scripts; `prepare`, if given, gets
 *  the context before the page opens (e.g. to route its WebSocket). */
export async function open(browser, link, viewport, { init, prepare } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  if (init) await context.addInitScript(init);
  if (prepare) await prepare(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => { console.error(`page error on ${link.split("#")[0]}:`, error); });
  await page.goto(link);
  await page.waitForSelector("body[data-status=connected]");
  return page;
}

/** The text of an element, without the isolation marks (FSI, PDI) the
 *  pages put around the names and numbers they fill into a sentence. */
export function text(page, selector) {
  return page.$eval(selector, (node) => node.textContent.replace(/[\u2068\u2069]/g, "").trim());
}

/** `text` without isolation marks (FSI, PDI), for a test's own reading. */
export const plain = (text) => text.replace(/[\u2068\u2069]/g, "");

/** The names in the projector's next list, in order. */
export function nextNames(page) {
  return page.$$eval("#next li[data-entry] .name", (nodes) => nodes.map((n) => n.textContent));
}

/** Presses Tab until the focused element matches `test` (at most 60). */
export async function tabTo(page, description, test) {
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(test)) return;
  }
  throw new Error(`Tab never reached ${description}`);
}

const AXE = join(root, ".tools", "npm", "node_modules", "axe-core", "axe.min.js");

/** axe-core's violations on `page` as it is now, of any impact, each as
 *  "rule (impact): target, target..." (an empty list when there are none).
 *  axe is evaluated in the page rather than added as a script tag, which
 *  the pages' Content-Security-Policy (`script-src 'self'`) refuses. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(readFileSync(AXE, "utf8"));
  const result = await page.evaluate(() => window.axe.run());
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Sends `commands` in order over a WebSocket of its own, opened from
 *  `page` (any page of the broker), with the token of `link`; `channel`
 *  for a participant. Resolves with the acks, rejects at the first
 *  refusal. */
export function sendCommands(page, link, commands, channel = null) {
  const url = new URL(link);
  const token = new URLSearchParams(url.hash.slice(1)).get("token");
  const room = decodeURIComponent(url.pathname.split("/")[2]);
  return page.evaluate(({ room, token, commands, channel }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(new URL("/ws", location.href).href.replace(/^http/, "ws"));
    const acks = [];
    const send = () => {
      if (acks.length === commands.length) { ws.close(); return resolve(acks); }
      ws.send(JSON.stringify({ type: "command", request_id: crypto.randomUUID(), command: commands[acks.length] }));
    };
    ws.onopen = () => ws.send(JSON.stringify({
      type: "hello", protocol: 1, room, token, client_id: crypto.randomUUID(), agent: "browser-test/1",
      ...(channel ? { channel } : {}),
    }));
    ws.onmessage = (message) => {
      const m = JSON.parse(message.data);
      if (m.type === "snapshot") send();
      else if (m.type === "ack") { acks.push(m); send(); }
      else if (m.type === "error") { ws.close(); reject(new Error(`${m.code}: ${m.message}`)); }
    };
    ws.onclose = (close) => { if (acks.length < commands.length) reject(new Error(`closed ${close.code}`)); };
  }), { room, token, commands, channel });
}

/** What is out of place on `page`: a document wider than the viewport
 *  (or, with `whole`, larger), a visible element (the part its clipping
 *  ancestors show) outside the viewport (with `whole`, in both
 *  directions), and, with `apart`, content of the projector's main area
 *  overlapping its footer or side column. */
export function misfits(page, { whole = true, apart = false } = {}) {
  return page.evaluate(([whole, apart]) => {
    const width = window.innerWidth;
    const height = window.innerHeight;
    const root = document.documentElement;
    const found = [];
    if (root.scrollWidth !== width || (whole && root.scrollHeight !== height)) {
      found.push(`the document is ${root.scrollWidth}×${root.scrollHeight}`);
    }
    const name = (node) => node.id ? `#${node.id}` : `${node.tagName.toLowerCase()}.${node.className}`;
    for (const node of document.body.querySelectorAll("*")) {
      const style = getComputedStyle(node);
      if (style.visibility === "hidden" || style.display === "none") continue;
      let { left, top, right, bottom } = node.getBoundingClientRect();
      for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflow === "visible") continue;
        const clip = up.getBoundingClientRect();
        left = Math.max(left, clip.left); top = Math.max(top, clip.top);
        right = Math.min(right, clip.right); bottom = Math.min(bottom, clip.bottom);
      }
      if (right - left <= 0 || bottom - top <= 0) continue;
      const off = left < -0.5 || right > width + 0.5 || (whole && (top < -0.5 || bottom > height + 0.5));
      if (off) found.push(`${name(node)} at ${Math.round(left)},${Math.round(top)}–${Math.round(right)},${Math.round(bottom)}`);
      // On the projector, the main area's content stays off the footer
      // and the side column.
      if (!apart || !node.closest(".display main")) continue;
      for (const other of document.querySelectorAll(".display footer, .display aside")) {
        const box = other.getBoundingClientRect();
        const w = Math.min(right, box.right) - Math.max(left, box.left);
        const h = Math.min(bottom, box.bottom) - Math.max(top, box.top);
        if (w > 0.5 && h > 0.5) found.push(`${name(node)} overlaps ${other.tagName.toLowerCase()}`);
      }
    }
    return found;
  }, [whole, apart]);
}

/** What is wrong with the report's charts on `page` (SVG drawn by
 *  plotters): a text outside its chart, or a bar whose label (the text at
 *  its height) does not lie beyond the bar's end. In every language the
 *  charts are drawn left to right, so a label is always right of its bar. */
export function chartFaults(page) {
  return page.evaluate(() => {
    const found = [];
    for (const svg of document.querySelectorAll("figure svg")) {
      const chart = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll("text")]
        .filter((t) => t.textContent.trim())
        .map((t) => ({ text: t.textContent, box: t.getBoundingClientRect() }));
      for (const { text, box } of texts) {
        if (box.left < chart.left - 0.5 || box.right > chart.right + 0.5) {
          found.push(`"${text}" runs out of its chart (${Math.round(box.left)}–${Math.round(box.right)} in ${Math.round(chart.left)}–${Math.round(chart.right)})`);
        }
      }
      const bars = [...svg.querySelectorAll("rect")]
        .filter((r) => !/^#?f{6}$|white/i.test(r.getAttribute("fill") || ""))
        .map((r) => r.getBoundingClientRect())
        .filter((b) => b.height < chart.height / 2);
      for (const bar of bars) {
        const middle = (bar.top + bar.bottom) / 2;
        const label = texts
          .filter(({ box }) => box.top <= middle && middle <= box.bottom)
          .sort((a, b) => Math.abs(a.box.left - bar.right) - Math.abs(b.box.left - bar.right))[0];
        if (!label) found.push(`a bar at ${Math.round(middle)} has no label`);
        else if (label.box.left < bar.right - 0.5) found.push(`"${label.text}" is not beyond its bar's end`);
      }
    }
    return found;
  });
}
