// The HTML session report in a real browser: a session with a request of
// every outcome (spoke, speaking, waiting, pending, withdrawn, rejected,
// merged) is played against the real broker over its WebSocket, and the
// report it serves is checked with axe-core (0 violations of any impact)
// and for charts whose legend and labels cover nothing they label. In
// English, Arabic, Chinese and Russian: the document's language and direction,
// no English heading left, nothing wider than a phone or the desk, the
// people's names isolated, axe clean.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { root, SHOTS, startFloor, killFloor, dataDir, createRoom, launch, misfits, axeViolations, chartFaults } from "./harness.mjs";

const AXE = join(root, ".tools", "npm", "node_modules", "axe-core", "axe.min.js");
const ROOM = "report";

let floor, browser, tokens;

/** The token of a page link (`#token=...`). */
function tokenOf(link) {
  return new URLSearchParams(new URL(link).hash.slice(1)).get("token");
}

/** Plays the session from a page of the broker's origin: each role over
 *  its own WebSocket, each command waiting for its ack. */
async function playSession(page) {
  await page.goto(`${floor.base}/healthz`);
  await page.evaluate(async ({ room, tokens }) => {
    function connect(token, channel) {
      const ws = new WebSocket(new URL("/ws", location.href).href.replace(/^http/, "ws"));
      const waiting = new Map();
      let n = 0;
      ws.onmessage = (message) => {
        const m = JSON.parse(message.data);
        const done = waiting.get(m.request_id);
        if (!done) return;
        waiting.delete(m.request_id);
        if (m.type === "ack") done.resolve(m); else done.reject(new Error(`${m.code}: ${m.message}`));
      };
      const welcomed = new Promise((resolve, reject) => {
        ws.addEventListener("message", (message) => {
          if (JSON.parse(message.data).type === "snapshot") resolve();
        });
        ws.onerror = () => reject(new Error("the socket failed"));
      });
      ws.onopen = () => {
        const hello = { type: "hello", protocol: 1, room, token, client_id: crypto.randomUUID(), agent: "floor-report-test/1" };
        if (channel) hello.channel = channel;
        ws.send(JSON.stringify(hello));
      };
      const send = async (command) => {
        await welcomed;
        n += 1;
        const request_id = `r-${n}`;
        const answer = new Promise((resolve, reject) => waiting.set(request_id, { resolve, reject }));
        ws.send(JSON.stringify({ type: "command", request_id, command }));
        return answer;
      };
      return { send };
    }
    const chair = connect(tokens.chair);
    const moderator = connect(tokens.moderator);
    const runner = connect(tokens.runner);
    const participant = connect(tokens.participant, "online");
    const submit = async (role, channel, name, extra = {}) => (await role.send({
      type: "submit",
      entry: { channel, kind: "question", person: { name, ...(extra.person || {}) }, ...(extra.text ? { text: extra.text } : {}) },
    })).entry_id;

    await chair.send({
      type: "set_programme",
      programme: {
        time_zone: "Europe/Paris",
        chair: { name: "Parminder Jeet Singh", stakeholder_group: "civil_society", region: "asia_pacific" },
        phases: [{ title: "Open floor", kind: "open_floor", minutes: 30 }],
      },
    });
    await chair.send({ type: "update_settings", patch: { moderated: true } });
    const amina = await submit(runner, "onsite", "Amina Diallo", {
      person: { stakeholder_group: "civil_society", region: "african" },
      text: "Who pays for the new cables?",
    });
    const carla = await submit(moderator, "online", "Carla Ruiz", {
      person: { stakeholder_group: "academia", region: "grulac" },
      text: "How will small firms reach the fund?",
    });
    const duplicate = await submit(moderator, "online", "Carla R.");
    await moderator.send({ type: "merge", entry_id: duplicate, into: carla });
    const bo = await submit(runner, "onsite", "Bo Chen", { person: { stakeholder_group: "private_sector", region: "asia_pacific" } });
    await chair.send({ type: "reject", entry_id: bo, reason: "Asked already" });
    const dev = await submit(moderator, "online", "Dev Patel");
    await moderator.send({ type: "withdraw", entry_id: dev });
    await submit(participant, "online", "Eva Novak");
    await submit(runner, "onsite", "Fay Wong", { person: { stakeholder_group: "government", region: "weog" } });
    await chair.send({ type: "call", entry_id: amina });
    await chair.send({ type: "finish" });
    await chair.send({ type: "call", entry_id: carla });
  }, { room: ROOM, tokens });
}

before(async () => {
  floor = await startFloor(dataDir());
  const links = await createRoom(floor, ROOM, "Report of every outcome");
  tokens = Object.fromEntries(Object.entries(links).map(([role, link]) => [role, tokenOf(link)]));
  browser = await launch();
  const context = await browser.newContext();
  await playSession(await context.newPage());
  await context.close();
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** The HTML report, opened as the broker serves it, at `viewport`, in
 *  `lang` (the broker's default, English, when null). */
async function openReport(viewport, lang = null) {
  const context = await browser.newContext({
    viewport,
    colorScheme: "light",
    extraHTTPHeaders: { authorization: `Bearer ${tokens.chair}` },
  });
  const page = await context.newPage();
  const response = await page.goto(`${floor.base}/api/rooms/${ROOM}/report?format=html${lang ? `&lang=${lang}` : ""}`);
  assert.equal(response.status(), 200);
  return page;
}

/** Whether two boxes share any area. */
function overlap(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

test("the HTML report says when and where, lists every request's outcome, and axe finds nothing", async () => {
  const page = await openReport({ width: 1280, height: 900 });
  const body = await page.textContent("main");
  assert.match(body, /\(times in Europe\/Paris, UTC[+-]\d\d:\d\d\)/);
  assert.match(body, /(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d to/);
  assert.doesNotMatch(body, /\d{13}/, "no raw broker time");
  for (const label of ["Civil society", "Latin America and the Caribbean (GRULAC)", "Private sector"]) {
    assert.ok(body.includes(label), label);
  }
  assert.doesNotMatch(body, /civil_society|grulac|private_sector/);
  const outcomes = await page.$$eval("h2", (headings) => {
    const section = headings.find((h) => h.textContent.replace(/[\u2068\u2069]/g, "") === "Questions and what became of them").parentElement;
    return [...section.querySelectorAll("tbody tr")].map((row) =>
      [row.querySelector("th").textContent, row.lastElementChild.textContent]);
  });
  const became = Object.fromEntries(outcomes);
  assert.match(became["Amina Diallo"], /^Given the floor at \d\d:\d\d$/);
  assert.match(became["Carla Ruiz"], /speaking at the end$/);
  assert.equal(became["Carla R."], "Merged into Carla Ruiz's request");
  assert.equal(became["Bo Chen"], "Rejected: Asked already");
  assert.equal(became["Dev Patel"], "Withdrawn");
  assert.equal(became["Eva Novak"], "Still awaiting approval at the end");
  assert.equal(became["Fay Wong"], "Still waiting at the end");
  // Bo's rejection was onsite: remote participation counts none.
  assert.match(body, /Online requests merged as duplicates: 1; rejected: 0; withdrawn: 1\./);

  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run());
  assert.deepEqual(
    results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
  );
  await page.screenshot({ path: join(SHOTS, "report.png"), fullPage: true });
});

test("the charts' legend and bar labels cover no line and no bar", async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const page = await openReport(viewport);
    const figures = await page.$$eval("figure", (nodes) => nodes.map((figure) => {
      const box = (node) => {
        const r = node.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      const svg = figure.querySelector("svg");
      const legend = figure.querySelector(".legend");
      return {
        caption: figure.querySelector("figcaption").textContent,
        svg: box(svg),
        legend: legend && box(legend),
        lines: [...svg.querySelectorAll("polyline")].map(box),
        bars: [...svg.querySelectorAll("rect")]
          .filter((r) => !/^#?f{6}$|white/i.test(r.getAttribute("fill") || ""))
          .map(box),
        labels: [...svg.querySelectorAll("text")]
          .filter((t) => /^(Onsite|Online): /.test(t.textContent.trim()))
          .map(box),
      };
    }));
    const queue = figures.find((f) => f.caption.startsWith("Requests waiting"));
    const speaking = figures.find((f) => f.caption.startsWith("Speaking time"));
    assert.ok(queue && speaking, "both charts are drawn");
    assert.ok(queue.lines.length >= 2, "a line per channel");
    assert.ok(queue.legend, "the queue chart has a legend");
    assert.ok(!overlap(queue.legend, queue.svg), "the legend is outside the plot");
    for (const line of queue.lines) assert.ok(!overlap(queue.legend, line), "the legend covers a line");
    assert.equal(speaking.bars.length, 2, "a bar per channel");
    assert.equal(speaking.labels.length, 2, "a label per bar");
    for (const label of speaking.labels) {
      for (const bar of speaking.bars) assert.ok(!overlap(label, bar), `a label covers a bar at ${viewport.width} px`);
    }
    // Each label sits beyond the end of its own bar (the bar at its height).
    for (const bar of speaking.bars) {
      const middle = (bar.top + bar.bottom) / 2;
      const label = speaking.labels.find((l) => l.top <= middle && middle <= l.bottom);
      assert.ok(label && label.left >= bar.right, `a bar's label is beside it at ${viewport.width} px`);
    }
  }
});

test("the HTML report in English, Arabic, Chinese and Russian: lang and dir, no English heading left in another language, nothing off the page at a phone's or a desk's width, every chart's text inside it and each bar's label beyond its end, names isolated, axe clean", async () => {
  const english = await openReport({ width: 1280, height: 900 });
  const headings = await english.$$eval("h1, h2, figcaption, th", (nodes) =>
    nodes.map((n) => n.textContent.replace(/[\u2068\u2069]/g, "").trim()).filter((t) => /\p{L}{4}/u.test(t)));
  await english.context().close();
  const names = ["Amina Diallo", "Carla Ruiz", "Bo Chen", "Dev Patel", "Eva Novak", "Fay Wong"];
  for (const lang of ["en", "ar", "zh", "ru"]) {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const where = `the report in ${lang} at ${viewport.width} px`;
      const page = await openReport(viewport, lang);
      assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
        [lang, lang === "ar" ? "rtl" : "ltr"], where);
      const text = (await page.textContent("main")).replace(/[\u2068\u2069]/g, "");
      const left = lang === "en" ? [] : headings.filter((h) => ![...names, "Carla R."].includes(h) && text.includes(h));
      assert.deepEqual(left, [], `${where}: English headings left`);
      for (const name of names) assert.ok(text.includes(name), `${where}: ${name}`);
      const bare = await page.evaluate((names) => names.filter((name) => ![...document.querySelectorAll("main *")]
        .some((node) => node.textContent.replace(/[\u2068\u2069]/g, "") === name &&
          (node.tagName === "BDI" || ["isolate", "plaintext"].includes(getComputedStyle(node).unicodeBidi)))), names);
      assert.deepEqual(bare, [], `${where}: names not isolated`);
      await page.screenshot({ path: join(SHOTS, `report-${lang}-${viewport.width}.png`), fullPage: true });
      assert.deepEqual(await misfits(page, { whole: false }), [], `${where}: off the page`);
      assert.deepEqual(await chartFaults(page), [], `${where}: the charts`);
      assert.deepEqual(await axeViolations(page), [], `axe on ${where}`);
      await page.context().close();
    }
  }
});
