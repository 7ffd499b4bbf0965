// The conference's pages against the real broker: a programme of 8
// locations imported with times around now; the venue dashboard
// (`/conference`, the ops token) shows each location's session now and
// next, updates within a second when a chair calls the next speaker, and
// shows each warning once its condition is made (the queue closed with
// requests waiting, online requests with no online moderator, a phase far
// over time, the store unable to write); a replaced ops token stops it,
// and it reconnects when the broker comes back.
// The staff sheet (`/conference/sheet`, the admin token) shows the sheet,
// and one of its QR codes, decoded from a screenshot, is the chair's link
// it prints, which opens the chair's page. axe-core finds nothing on the
// dashboard in any state reached.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, rmSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import {
  ADMIN, SHOTS, root, startFloor, killFloor, stopFloor, dataDir, launch, open, plain, sendCommands, axeViolations, misfits, chartFaults,
} from "./harness.mjs";

// QR codes read back from screenshots: jsQR, and pngjs for the PNG
// (installed by scripts/test into .tools/npm).
const require = createRequire(join(root, ".tools", "npm", "node_modules", "x.js"));
const jsQR = require("jsqr");
const { PNG } = require("pngjs");

const DOCS = join(root, "docs", "screenshots");
const MINUTE = 60000;
const DESK = { width: 1440, height: 1000 };

/** The locations, not in order of name, so that the page sorts them. */
const LOCATIONS = ["Plenary Hall", "Room 10", "Room 2", "Workshop Room A", "Ballroom", "Salle Genève", "Conference Room 4", "Press Room"];
const ZONES = ["Europe/Paris", "America/New_York", undefined, "Asia/Tokyo"];

/** The session under way in location `i`, and the later one. */
const nowId = (i) => `s${i}-now`;
const laterId = (i) => `s${i}-later`;

/** Rooms the tests act in (by location index). */
const CALLED = 0;
const CLOSED = 1;
const OVER = 2;
const ONLINE = 3;

/** The runs of show: presentations in the first room, a phase of one
 *  minute in the room that will run over time. */
const PROGRAMMES = {
  [CALLED]: { phases: [
    { title: "Presentations", kind: "presentations", minutes: 30, minutes_each: 8,
      speakers: [{ name: "Roberto Bissio" }, { name: "Deborah James" }] },
    { title: "Open floor", kind: "open_floor", minutes: 40 },
  ] },
  [OVER]: { phases: [{ title: "Opening remarks", kind: "opening", minutes: 1 }, { title: "Open floor", kind: "open_floor", minutes: 30 }] },
  [ONLINE]: { phases: [{ title: "Open floor", kind: "open_floor", minutes: 60 }] },
};

let floor, browser, dashboard, ops, sheet, start;

/** The programme: in each location one session under way now and one
 *  starting later. */
function programme() {
  start = Math.floor(Date.now() / MINUTE) * MINUTE;
  const sessions = [];
  LOCATIONS.forEach((location, i) => {
    const time_zone = ZONES[i % ZONES.length];
    sessions.push({
      id: nowId(i), uid: `uid-${i}-now@floor.test`, title: `Session now in ${location}`,
      starts_at_ms: start - 30 * MINUTE, ends_at_ms: start + 60 * MINUTE, location, kind: "Workshop",
      ...(time_zone ? { time_zone } : {}), ...(PROGRAMMES[i] ? { programme: PROGRAMMES[i] } : {}),
    });
    sessions.push({
      id: laterId(i), uid: `uid-${i}-later@floor.test`, title: `Later in ${location}`,
      starts_at_ms: start + (90 + i * 5) * MINUTE, ends_at_ms: start + (150 + i * 5) * MINUTE, location, kind: "Panel",
      ...(time_zone ? { time_zone } : {}),
    });
  });
  return { sessions };
}

async function api(method, path, body) {
  const response = await fetch(`${floor.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response;
}

/** The staff links the sheet prints, by room and role (`chair`...). */
function sheetLinks(html) {
  const links = {};
  const unescape = (s) => s.replace(/&quot;/g, "\"").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  for (const [, raw] of html.matchAll(/<figure data-link="([^"]+)">/g)) {
    const link = unescape(raw);
    const [, room, page] = new URL(link).pathname.match(/^\/r\/([^/]+)\/([^/]+)$/);
    links[room] = { ...links[room], [page]: link };
  }
  return links;
}

before(async () => {
  floor = await startFloor(dataDir());
  const imported = await api("PUT", "/api/conference", programme());
  assert.equal(imported.status, 200, await imported.clone().text());
  assert.equal((await imported.json()).created.length, LOCATIONS.length * 2);
  const issued = await api("POST", "/api/conference/ops-token");
  assert.equal(issued.status, 200);
  ops = await issued.json();
  const answer = await api("GET", "/api/conference/sheet");
  assert.equal(answer.status, 200);
  sheet = sheetLinks(await answer.text());
  browser = await launch();
  dashboard = await open(browser, ops.link, DESK);
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

const row = (i) => `li[data-location="${LOCATIONS[i]}"]`;

/** The row of location `i` as the page shows it. */
function rowOf(page, i) {
  return page.$eval(row(i), (node) => ({
    room: node.dataset.room,
    warnings: node.dataset.warnings ? node.dataset.warnings.split(" ") : [],
    needs: node.classList.contains("needs"),
    text: node.textContent.replace(/[\u2068\u2069]/g, ""),
  }));
}

/** Waits until location `i`'s row has (or, with `present` false, has
 *  not) the warning `kind`. */
function warningShown(page, i, kind, present = true) {
  return page.waitForFunction(([selector, kind, present]) => {
    const node = document.querySelector(selector);
    return node && (node.dataset.warnings || "").split(" ").includes(kind) === present;
  }, [row(i), kind, present]);
}

async function noAxeViolations(page, state) {
  assert.deepEqual(await axeViolations(page), [], `axe on the dashboard ${state}`);
}

/** Submits a request to room `i` as its chair (over a socket of its own). */
function submit(i, channel, name) {
  const entry = channel === "onsite"
    ? { channel, person: { name }, location: "Row 2", delivery: "room_mic" }
    : { channel, person: { name }, text: "A question from the call", delivery: "remote_audio" };
  return sendCommands(dashboard, sheet[nowId(i)].chair, [{ type: "submit", entry }]);
}

test("every location is a row, sorted by name, with its session now and the next one at their local times", async () => {
  await dashboard.waitForFunction((n) => document.querySelectorAll("li[data-location]").length === n, LOCATIONS.length);
  const shown = await dashboard.$$eval("li[data-location]", (nodes) => nodes.map((n) => n.dataset.location));
  assert.deepEqual(shown, [...LOCATIONS].sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
  for (const [i, location] of LOCATIONS.entries()) {
    const { room, text } = await rowOf(dashboard, i);
    assert.equal(room, nowId(i));
    const zone = ZONES[i % ZONES.length] || "UTC";
    const hhmm = (ms) => new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }).format(ms);
    assert.ok(text.includes(`${hhmm(start - 30 * MINUTE)}–${hhmm(start + 60 * MINUTE)} Session now in ${location}`), text);
    assert.ok(text.includes(`${hhmm(start + (90 + i * 5) * MINUTE)} Later in ${location}`), text);
  }
  assert.equal(await dashboard.textContent("#attention"), "No room needs a person now");
  await noAxeViolations(dashboard, "at first");
  assert.deepEqual(await misfits(dashboard, { whole: false }), []);
});

test("a room with no screen open says nothing is connected; one opened shows its screens", async () => {
  const idle = await rowOf(dashboard, 7);
  assert.match(idle.text, /Nothing connected: no screen has this room open\./);
  const chair = await open(browser, sheet[nowId(7)].chair, DESK);
  await dashboard.waitForFunction((sel) => /Screens: chair 1, online moderator 0/.test(document.querySelector(sel).textContent), row(7));
  assert.doesNotMatch((await rowOf(dashboard, 7)).text, /Nothing connected/);
  await chair.context().close();
  await dashboard.waitForFunction((sel) => /Nothing connected/.test(document.querySelector(sel).textContent), row(7));
});

test("the dashboard shows the speaker a chair calls within a second", async () => {
  const name = "Amina Diallo";
  await submit(CALLED, "onsite", name);
  await dashboard.waitForFunction((sel) => /Waiting: 1 in the room, 0 online/.test(document.querySelector(sel).textContent), row(CALLED));
  // Watch for the name in the row, then call `next` as the room's chair
  // from the same page, and time both in the page's clock.
  const link = new URL(sheet[nowId(CALLED)].chair);
  const token = new URLSearchParams(link.hash.slice(1)).get("token");
  const latency = await dashboard.evaluate(({ selector, name, room, token }) => new Promise((resolve, reject) => {
    let sentAt = null;
    const observer = new MutationObserver(() => {
      const speaker = document.querySelector(`${selector} [data-speaker]`);
      if (sentAt !== null && speaker && speaker.dataset.speaker === name) {
        observer.disconnect();
        resolve(performance.now() - sentAt);
      }
    });
    observer.observe(document.getElementById("locations"), { childList: true, subtree: true, attributes: true });
    const ws = new WebSocket(new URL("/ws", location.href).href.replace(/^http/, "ws"));
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", protocol: 1, room, token, client_id: crypto.randomUUID(), agent: "browser-test/1" }));
    ws.onmessage = (message) => {
      const m = JSON.parse(message.data);
      if (m.type === "snapshot") {
        sentAt = performance.now();
        ws.send(JSON.stringify({ type: "command", request_id: "next-1", command: { type: "next", expect_speaking: null } }));
      } else if (m.type === "error") reject(new Error(`${m.code}: ${m.message}`));
    };
    setTimeout(() => reject(new Error("the speaker never showed")), 10000);
  }), { selector: row(CALLED), name, room: nowId(CALLED), token });
  console.log(`the dashboard showed the speaker ${Math.round(latency)} ms after the chair's next was sent`);
  assert.ok(latency < 1000, `${latency} ms`);
  const { text } = await rowOf(dashboard, CALLED);
  assert.match(text, /Speaking: Amina Diallo In the room/);
  assert.match(text, /Waiting: 0 in the room, 0 online/);
});

test("the queue closed with a request waiting is a warning, and the row stands out", async () => {
  await submit(CLOSED, "onsite", "Kwame Mensah");
  await sendCommands(dashboard, sheet[nowId(CLOSED)].chair, [{ type: "close_queue" }]);
  await warningShown(dashboard, CLOSED, "queue_closed_with_waiting");
  const shown = await rowOf(dashboard, CLOSED);
  assert.ok(shown.needs);
  assert.match(shown.text, /Needs a person/);
  assert.match(shown.text, /The queue is closed while requests are waiting\./);
  assert.match(shown.text, /Queue closed/);
  assert.equal(plain(await dashboard.textContent("#attention")), "Rooms needing a person: 1");
  await noAxeViolations(dashboard, "with a warning");
});

test("online requests with no online moderator connected are a warning, gone once a moderator connects", async () => {
  await submit(ONLINE, "online", "Carla Ruiz");
  await warningShown(dashboard, ONLINE, "no_moderator");
  assert.match((await rowOf(dashboard, ONLINE)).text, /Online requests are waiting and no online moderator is connected\./);
  assert.equal(plain(await dashboard.textContent("#attention")), "Rooms needing a person: 2");
  const moderator = await open(browser, sheet[nowId(ONLINE)].moderator, DESK);
  await warningShown(dashboard, ONLINE, "no_moderator", false);
  assert.match((await rowOf(dashboard, ONLINE)).text, /online moderator 1/);
  await moderator.context().close();
  await warningShown(dashboard, ONLINE, "no_moderator");
});

test("a phase far over time is a warning once the page's clock reaches its time (the page's clock moved 4 minutes on)", async () => {
  await sendCommands(dashboard, sheet[nowId(OVER)].chair, [{ type: "start_phase", phase: 0 }]);
  await dashboard.waitForFunction((sel) => /Phase: Opening remarks · [01]:\d\d left/.test(document.querySelector(sel).textContent.replace(/[\u2068\u2069]/g, "")), row(OVER));
  // The broker lists the warning from now, for the time it will hold from;
  // the page shows it only then.
  assert.ok(!(await rowOf(dashboard, OVER)).warnings.includes("over_time"));
  const later = await open(browser, ops.link, DESK, { prepare: (context) => context.clock.install() });
  await later.waitForFunction((sel) => /Phase: \u2068Opening remarks\u2069/.test(document.querySelector(sel).textContent), row(OVER));
  assert.ok(!(await rowOf(later, OVER)).warnings.includes("over_time"));
  await later.clock.fastForward("04:00");
  await warningShown(later, OVER, "over_time");
  const shown = await rowOf(later, OVER);
  assert.match(shown.text, /Far over time: more than 2 minutes past the planned end\./);
  assert.match(shown.text, /Phase: Opening remarks · \+[23]:\d\d over/);
  assert.ok(shown.needs);
  await noAxeViolations(later, "with a phase over time");
  await later.context().close();
});

test("the dashboard's screenshot", async () => {
  await dashboard.setViewportSize({ width: 1440, height: 1000 });
  const path = join(SHOTS, "conference-dashboard.png");
  await dashboard.screenshot({ path, fullPage: true });
  mkdirSync(DOCS, { recursive: true });
  copyFileSync(path, join(DOCS, "conference-dashboard.png"));
});

test("the staff sheet: shown with the admin token, its QR code decodes to the chair's link, which opens the chair's page", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1400 }, colorScheme: "light" });
  const page = await context.newPage();
  page.on("pageerror", (error) => { console.error("page error on the sheet:", error); });
  await page.goto(`${floor.base}/conference/sheet#token=${ADMIN}`);
  await page.waitForSelector("body[data-sheet=shown] figure[data-link]");
  assert.equal(new URL(page.url()).hash, "", "the token left the address bar");
  assert.equal(await page.locator("figure[data-link]").count(), LOCATIONS.length * 2 * 4);
  assert.equal(await page.textContent(".sheet-tools button"), "Print");
  const shot = join(SHOTS, "conference-sheet.png");
  await page.screenshot({ path: shot });
  copyFileSync(shot, join(DOCS, "conference-sheet.png"));

  const figure = page.locator(`article#session-${nowId(CALLED)} figure`).first();
  const link = await figure.getAttribute("data-link");
  assert.equal(link, sheet[nowId(CALLED)].chair);
  const png = PNG.sync.read(await figure.locator("svg").screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, "the QR code decodes");
  assert.equal(decoded.data, link);
  assert.deepEqual(await axeViolations(page), [], "axe on the staff sheet");
  await context.close();

  const chair = await open(browser, decoded.data, DESK);
  await chair.waitForFunction(() => document.getElementById("room-title").textContent.includes("Session now in"));
  assert.equal(plain(await chair.textContent("#room-title")), `Session now in ${LOCATIONS[CALLED]}`);
  await chair.context().close();
});

test("the event's report prints on A4: in English and in Arabic, at the printed page's width nothing runs off it, each chart's labels inside it beyond their bars, places isolated, axe clean", async () => {
  // 210 mm less the report's 16 mm margins, in CSS pixels (96 per inch).
  const width = Math.floor(((210 - 2 * 16) / 25.4) * 96);
  for (const lang of ["en", "ar"]) {
    const context = await browser.newContext({
      viewport: { width, height: 1100 },
      colorScheme: "light",
      extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` },
    });
    const page = await context.newPage();
    await page.emulateMedia({ media: "print" });
    const response = await page.goto(`${floor.base}/api/conference/report?format=html&lang=${lang}`);
    assert.equal(response.status(), 200);
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      [lang, lang === "ar" ? "rtl" : "ltr"]);
    const rows = await page.$$eval("section.sessions tbody tr", (trs) => trs.length);
    assert.ok(rows >= LOCATIONS.length, `a row per session: ${rows}`);
    await page.screenshot({ path: join(SHOTS, `conference-report-${lang}-a4.png`), fullPage: true });
    assert.deepEqual(await misfits(page, { whole: false }), [], `the ${lang} report off an A4 page`);
    assert.deepEqual(await chartFaults(page), [], `the ${lang} report's charts`);
    // Places and types people named are kept apart in their labels.
    const labels = await page.$$eval("figure svg text", (nodes) => nodes.map((n) => n.textContent.trim()));
    for (const location of LOCATIONS) {
      assert.ok(labels.some((l) => l.startsWith(`\u2068${location}\u2069`)), `${location} isolated in its chart's label`);
    }
    assert.deepEqual(await axeViolations(page), [], `axe on the ${lang} report`);
    await context.close();
  }
});

test("the sheet page says why it shows nothing: a wrong token", async () => {
  const context = await browser.newContext({ viewport: DESK });
  const page = await context.newPage();
  await page.goto(`${floor.base}/conference/sheet#token=not-the-admin-token`);
  await page.waitForSelector("body[data-sheet=failed]");
  assert.match(plain(await page.textContent("#error")), /not the admin token/);
  await context.close();
});

test("a replaced ops token stops the dashboard, which says its link's token is not valid any more", async () => {
  const issued = await api("POST", "/api/conference/ops-token");
  assert.equal(issued.status, 200);
  const fresh = await issued.json();
  await dashboard.waitForSelector("body[data-status=refused]");
  assert.match(plain(await dashboard.textContent("#refused")), /This link's token is not valid any more/);
  assert.equal(await dashboard.locator("li[data-location]").count(), 0);
  await noAxeViolations(dashboard, "refused");
  // The new link, opened in the same tab, takes over.
  await dashboard.goto(fresh.link);
  await dashboard.waitForSelector("body[data-status=connected]");
  await dashboard.waitForFunction((n) => document.querySelectorAll("li[data-location]").length === n, LOCATIONS.length);
  ops = fresh;
});

test("the dashboard reconnects when the broker comes back", async () => {
  await stopFloor(floor, "SIGTERM");
  await dashboard.waitForSelector("body[data-status=reconnecting]");
  floor = await startFloor(floor.data, floor.addr);
  await dashboard.waitForSelector("body[data-status=connected]", { timeout: 15000 });
  await dashboard.waitForFunction((n) => document.querySelectorAll("li[data-location]").length === n, LOCATIONS.length);
  await warningShown(dashboard, CLOSED, "queue_closed_with_waiting");
});

test("the store unable to write is a warning in every live room", async () => {
  // The data file removed under the running broker: it stops writing.
  for (const name of readdirSync(floor.data).filter((n) => n.startsWith("floor.db"))) rmSync(join(floor.data, name));
  for (const i of LOCATIONS.keys()) await warningShown(dashboard, i, "storage_degraded");
  assert.equal(plain(await dashboard.textContent("#attention")), `Rooms needing a person: ${LOCATIONS.length}`);
  const shown = await rowOf(dashboard, CALLED);
  assert.match(shown.text, /The server cannot save: commands are refused\. Check the server's storage\./);
  assert.ok(shown.needs);
});
