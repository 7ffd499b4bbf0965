// The role pages in a real browser (headless Chromium) against the real
// broker: a session with the projector, chair, moderator and runner pages;
// a broker restart; a moderated participant; a page without
// crypto.randomUUID (plain HTTP); keyboard-only use; the demo room across
// restarts and a link replaced in an open tab; and a screenshot of every
// page.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ADMIN, SHOTS, startFloor, killFloor, stopFloor, demoLinks, dataDir, createRoom, launch, open, text, nextNames, tabTo,
} from "./harness.mjs";

const WIDE = { width: 1920, height: 1080 };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let floor, browser, links, display, chair, moderator, runner;
/** The broker of the demo room (`serve --demo`), and one whose tokens
 *  are rotated, each started by its test. */
let demo, rotating;

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "ws235", "IGF 2018 WS #235: Digital industrialization");
  browser = await launch();
  display = await open(browser, links.display, WIDE);
  chair = await open(browser, links.chair, LAPTOP);
  moderator = await open(browser, links.moderator, LAPTOP);
  runner = await open(browser, links.runner, PHONE);
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
  if (demo) await killFloor(demo);
  if (rotating) await killFloor(rotating);
});

/** Waits until the projector shows `name` speaking; returns the time taken. */
async function speakerShown(name, since) {
  await display.waitForFunction(
    (expected) => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === expected,
    name, { timeout: 1000 },
  );
  return Date.now() - since;
}

test("the chair's N calls speakers that alternate between the room and online, on the projector within a second", async () => {
  for (const [name, seat] of [["Amina Diallo", "Row 4, aisle"], ["Bo Chen", "Row 9"]]) {
    await runner.fill("#name", name);
    await runner.fill("#seat", seat);
    await runner.click("#add button[type=submit]");
  }
  for (const [name, question] of [
    ["Carla Ruiz", "How will small firms reach the fund?"],
    ["Dev Patel", "What about open-source procurement?"],
  ]) {
    await moderator.fill("#name", name);
    await moderator.fill("#text", question);
    await moderator.press("#text", "Enter");
    await moderator.waitForFunction((n) => document.getElementById("name").value === "" &&
      [...document.querySelectorAll("#online strong")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === n), name);
  }
  await display.waitForFunction(() => document.querySelectorAll("#next li[data-entry]").length === 4);
  // The way in for participants: a QR code of the join page.
  await display.waitForFunction(() => {
    const image = document.getElementById("qr-image");
    return !image.hidden && image.complete && image.naturalWidth > 0;
  });
  // Under it, the address to type the room's join code at, and the code.
  assert.match(await text(display, "#join-link"), /\/join and type$/);
  assert.match(await text(display, "#join-code"), /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  // The room asked first, then the channels take turns.
  assert.deepEqual(await nextNames(display), ["Amina Diallo", "Carla Ruiz", "Bo Chen", "Dev Patel"]);
  assert.equal(await text(runner, "#deck-name"), "Amina Diallo");
  assert.equal(await text(runner, "#deck-seat"), "Row 4, aisle");
  await runner.screenshot({ path: join(SHOTS, "runner.png"), fullPage: true });

  const expected = [
    ["Amina Diallo", "onsite", ["Carla Ruiz", "Bo Chen", "Dev Patel"]],
    ["Carla Ruiz", "online", ["Bo Chen", "Dev Patel"]],
    ["Bo Chen", "onsite", ["Dev Patel"]],
  ];
  const took = [];
  for (const [name, channel, next] of expected) {
    await chair.bringToFront();
    const pressed = Date.now();
    await chair.keyboard.press("N");
    took.push(await speakerShown(name, pressed));
    if (took.length === 1) await display.screenshot({ path: join(SHOTS, "display.png") });
    assert.equal(await display.$eval("#speaker-meta .badge", (b) => b.className), `badge ${channel}`);
    await display.waitForFunction((names) =>
      JSON.stringify([...document.querySelectorAll("#next li[data-entry] .name")].map((n) => n.textContent)) === JSON.stringify(names),
    next, { timeout: 1000 });
  }
  console.log(`projector updated ${took.join(" ms, ")} ms after each N`);
  assert.equal(await text(display, "#tally-onsite"), "2");
  assert.equal(await text(display, "#tally-online"), "1");
  // Each place says why.
  assert.match(await text(display, "#next li .reason"), /online's turn|only online/i);

  // The runner marks the microphone for Bo, on stage now.
  await runner.waitForFunction(() => document.getElementById("deck-name").textContent.replace(/[\u2068\u2069]/g, "") === "Bo Chen");
  await runner.click("#mic");
  await runner.waitForFunction(() => document.getElementById("mic").hidden);

  await display.screenshot({ path: join(SHOTS, "display-later.png") });
  // The light theme, at 4K.
  const big = await open(browser, `${links.display}&theme=light`, { width: 3840, height: 2160 });
  await big.waitForFunction(() => document.documentElement.dataset.theme === "light" && document.body.dataset.seq);
  await big.screenshot({ path: join(SHOTS, "display-4k-light.png") });
  await big.close();
  await chair.screenshot({ path: join(SHOTS, "chair.png"), fullPage: true });
  await moderator.screenshot({ path: join(SHOTS, "moderator.png"), fullPage: true });
});

test("a broker restart shows every page reconnecting, then the same state, without a reload", async () => {
  const pages = [display, chair, moderator, runner];
  const before = await Promise.all(pages.map((p) => p.$eval("main", (m) => m.innerText)));
  const seq = await display.$eval("body", (b) => b.dataset.seq);
  const addr = floor.addr;
  await killFloor(floor);
  await Promise.all(pages.map((p) => p.waitForSelector("body[data-status=reconnecting]")));
  assert.equal(await text(display, "#status"), "Reconnecting…");
  floor = await startFloor(floor.data, addr);
  await Promise.all(pages.map((p) => p.waitForSelector("body[data-status=connected]", { timeout: 20000 })));
  await Promise.all(pages.map((p) => p.waitForFunction((s) => document.body.dataset.seq === s, seq)));
  const afterwards = await Promise.all(pages.map((p) => p.$eval("main", (m) => m.innerText)));
  // The countdowns moved on; everything else is as it was.
  const still = (s) => s.replace(/\d+:\d\d/g, "m:ss").replace(/waiting \d+ min/g, "waiting n min");
  assert.deepEqual(afterwards.map(still), before.map(still));
});

test("a hand added while the broker is down is sent when it returns, once", async () => {
  const addr = floor.addr;
  await killFloor(floor);
  await runner.waitForSelector("body[data-status=reconnecting]");
  await runner.fill("#name", "Ines Costa");
  await runner.fill("#seat", "Balcony");
  await runner.click("#add button[type=submit]");
  await runner.waitForFunction(() => /1 waiting to be sent/.test(document.getElementById("status").textContent.replace(/[\u2068\u2069]/g, "")));
  floor = await startFloor(floor.data, addr);
  await display.waitForFunction(() =>
    [...document.querySelectorAll("#next li[data-entry] .name")].filter((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Ines Costa").length === 1,
  null, { timeout: 20000 });
  await runner.waitForFunction(() => !/waiting to be sent/.test(document.getElementById("status").textContent.replace(/[\u2068\u2069]/g, "")));
  const response = await fetch(`${floor.base}/api/rooms/ws235`, { headers: { authorization: "Bearer browser-test-admin" } });
  const snapshot = await response.json();
  assert.equal(snapshot.room.entries.filter((e) => e.person.name === "Ines Costa").length, 1);
});

test("a participant's question in a moderated room reaches the projector only after approval", async () => {
  await chair.bringToFront();
  await chair.check("#moderated");
  await chair.click("#settings button[type=submit]");
  await chair.waitForFunction(() => document.getElementById("moderated").checked);
  const participant = await open(browser, links.participant, PHONE);
  await participant.check("input[name=channel][value=online]");
  await participant.waitForSelector("body[data-status=connected]");
  await participant.fill("#name", "Eva Novak");
  await participant.fill("#text", "Will the fund support women-led startups?");
  await participant.selectOption("#gender", "woman");
  await participant.click("#form button[type=submit]");
  await participant.waitForFunction(() => document.getElementById("mine-state").textContent.replace(/[\u2068\u2069]/g, "") === "Waiting for approval");
  await participant.screenshot({ path: join(SHOTS, "join.png"), fullPage: true });

  await moderator.waitForSelector("#pending li[data-entry] strong");
  assert.equal(await text(moderator, "#pending li[data-entry] strong"), "Eva Novak");
  assert.ok(!(await nextNames(display)).includes("Eva Novak"), "not on the projector before approval");
  await moderator.click("#pending li[data-entry] button:has-text('Approve')");
  await display.waitForFunction(() =>
    [...document.querySelectorAll("#next li[data-entry] .name")].some((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Eva Novak"), null, { timeout: 1000 });
  await participant.waitForFunction(() => /number \d+ in line/.test(document.getElementById("mine-state").textContent.replace(/[\u2068\u2069]/g, "")));
  assert.match(await text(participant, "#mine-wait"), /About \d+ min/);
  // Onsite, the mic runner approves.
  const neighbour = await open(browser, links.participant, PHONE);
  await neighbour.fill("#name", "Femi Adebayo");
  await neighbour.fill("#seat", "Row 12");
  await neighbour.click("#form button[type=submit]");
  await runner.waitForSelector("#pending-block:not([hidden]) li[data-entry]");
  await runner.click("#pending button:has-text('Approve')");
  await display.waitForFunction(() =>
    [...document.querySelectorAll("#next li[data-entry] .name")].some((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Femi Adebayo"), null, { timeout: 1000 });
  await neighbour.close();
  // And takes it back.
  await participant.click("#withdraw");
  await display.waitForFunction(() =>
    ![...document.querySelectorAll("#next li[data-entry] .name")].some((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Eva Novak"), null, { timeout: 1000 });
  await participant.waitForSelector("#ask:not([hidden])");
  await participant.close();
});

test("without crypto.randomUUID (plain HTTP on a venue LAN) a page's client id is a random v4 UUID, and the page works", async () => {
  // Browsers offer crypto.randomUUID only in secure contexts.
  const insecure = () => { delete Crypto.prototype.randomUUID; };
  const ids = [];
  for (let i = 0; i < 2; i += 1) {
    const participant = await open(browser, links.participant, PHONE, { init: insecure });
    assert.equal(await participant.evaluate(() => typeof crypto.randomUUID), "undefined");
    const id = await participant.evaluate(() =>
      Object.entries(localStorage).find(([key]) => key.endsWith(":client"))[1]);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ids.push(id);
    if (i === 0) {
      await participant.fill("#name", "Gita Rao");
      await participant.fill("#seat", "Row 3");
      await participant.click("#form button[type=submit]");
      await participant.waitForFunction(() =>
        /Waiting for approval|in line/.test(document.getElementById("mine-state").textContent.replace(/[\u2068\u2069]/g, "")));
      await participant.click("#withdraw");
      await participant.waitForSelector("#ask:not([hidden])");
    }
    await participant.close();
  }
  assert.notEqual(ids[0], ids[1], "each browser its own id");
});

test("keyboard only: the moderator adds a question and the chair calls a chosen entry", async () => {
  // Moderator: from the top of the page, Tab to the form and type.
  await moderator.bringToFront();
  await moderator.evaluate(() => document.activeElement && document.activeElement.blur());
  await tabTo(moderator, "the name field", () => document.activeElement.id === "name");
  await moderator.keyboard.type("Fatima Zahra");
  await moderator.keyboard.press("Tab"); // organisation
  await moderator.keyboard.type("Maghreb Digital");
  await moderator.keyboard.press("Tab"); // question
  await moderator.keyboard.type("Is there a regional data strategy?");
  await moderator.keyboard.press("Enter");
  await display.waitForFunction(() =>
    [...document.querySelectorAll("#next li[data-entry] .name")].some((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Fatima Zahra"));

  // Chair: Tab to "Call now" for Dev Patel, press Enter.
  await chair.bringToFront();
  await chair.evaluate(() => document.activeElement && document.activeElement.blur());
  await tabTo(chair, "Call now: Dev Patel", () => document.activeElement.getAttribute("aria-label") === "Call now: Dev Patel");
  const pressed = Date.now();
  await chair.keyboard.press("Enter");
  await speakerShown("Dev Patel", pressed);
  // And N still works after that, once the chair's page shows Dev Patel
  // speaking too (its N says whom it saw speaking, `expect_speaking`).
  await chair.waitForFunction(() => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === "Dev Patel");
  await chair.evaluate(() => document.activeElement && document.activeElement.blur());
  await chair.keyboard.press("N");
  await display.waitForFunction(() => document.getElementById("speaker-name").textContent !== "Dev Patel");
});

test("the moderator imports a pasted chat transcript and sees which lines were not read", async () => {
  await moderator.bringToFront();
  await moderator.fill("#transcript", [
    "10:02:13 From Gita Rao to Everyone: How do we measure digital inclusion?",
    "thanks, great panel",
    "[10:05] Hugo Lima: Will the slides be shared?",
  ].join("\n"));
  await moderator.click("#import button[type=submit]");
  await moderator.click("#preview-add:has-text('Add 2 selected')");
  await moderator.waitForFunction(() => /Imported 2; refused 0; unreadable 1/.test(document.getElementById("report").textContent.replace(/[\u2068\u2069]/g, "")));
  assert.match(await text(moderator, "#report li"), /^Line 2: /);
  await display.waitForFunction(() => {
    const names = [...document.querySelectorAll("#next li[data-entry] .name")].map((n) => n.textContent);
    return names.includes("Gita Rao") && names.includes("Hugo Lima");
  });
});

test("at 200% zoom (a 1280×800 screen seen as 640×400) no page needs sideways scrolling", async () => {
  const zoomed = { width: 640, height: 400 };
  for (const role of ["chair", "moderator", "runner", "participant", "display"]) {
    const page = await open(browser, links[role], zoomed);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${role} is ${overflow}px too wide at 200%`);
    await page.screenshot({ path: join(SHOTS, `${role}-200pct.png`), fullPage: true });
    await page.close();
  }
});

test("the run of show: the chair starts phases and presenters, the projector shows the phase and its countdown", async () => {
  const { execFileSync } = await import("node:child_process");
  const { root } = await import("./harness.mjs");
  const bin = process.env.FLOOR_BIN || join(root, "target", "debug", "floor");
  const out = execFileSync(bin, ["chair", "programme", join(root, "examples", "igf2018-ws235.toml")], {
    env: { ...process.env, FLOOR_URL: links.chair },
  }).toString();
  assert.match(out, /3 phases, 90 min/);
  await chair.bringToFront();
  await chair.waitForSelector("#programme-card:not([hidden])");
  await chair.click("#next-phase");
  await display.waitForFunction(() => /^Presentations: 40:00 left|^Presentations: 39:5\d left/.test(document.getElementById("stage").textContent.replace(/[\u2068\u2069]/g, "")));
  await chair.click("#next-presenter");
  await display.waitForFunction(() => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === "Roberto Bissio" &&
    /^[78]:\d\d left$/.test(document.getElementById("countdown").textContent.replace(/[\u2068\u2069]/g, "")));
  await chair.click("#next-presenter");
  await display.waitForFunction(() => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === "Deborah James");
  await display.screenshot({ path: join(SHOTS, "display-run-of-show.png") });
  await chair.screenshot({ path: join(SHOTS, "chair-run-of-show.png"), fullPage: true });

  // The open floor collects requests for 30 s before anyone is called.
  await chair.click("button[aria-label='Start: Questions and comments from the room and online']");
  await display.waitForFunction(() => /: (40:00|39:\d\d) left · collecting requests, calls begin in 0:[23]\d$/.test(document.getElementById("stage").textContent.replace(/[\u2068\u2069]/g, "")));
  await display.screenshot({ path: join(SHOTS, "display-floor-open.png") });
  await chair.click("#next");
  await chair.waitForFunction(() => /collecting requests/.test(document.getElementById("error").textContent.replace(/[\u2068\u2069]/g, "")));
  // The chair sees the time budget of the open floor.
  await chair.waitForFunction(() => /min per turn, .* waiting requests/.test(document.getElementById("forecast").textContent.replace(/[\u2068\u2069]/g, "")));
});

test("the chair edits the run of show in the console: a mistake shows its line, an edit keeps the running phase", async () => {
  await chair.bringToFront();
  // The editor opened by itself while the room had no run of show.
  if (!(await chair.$eval("#programme-edit", (d) => d.open))) await chair.click("#programme-edit summary");
  await chair.waitForFunction(() => /title = "Closing remarks"/.test(document.getElementById("programme-text").value));
  const file = await chair.inputValue("#programme-text");
  assert.match(file, /\[chair\]\s+name = "Parminder Jeet Singh"/);
  await chair.fill("#programme-text", file.replace("minutes = 10", "minutes = \"ten\""));
  await chair.click("#programme-apply");
  await chair.waitForFunction(() => /^Line \d+: /.test(document.getElementById("programme-error").textContent.replace(/[\u2068\u2069]/g, "")));
  // The open floor (running now) gets 35 minutes instead of 40.
  const edited = file.replace(/(kind = "open_floor"\s+minutes = )40/, "$135");
  assert.notEqual(edited, file);
  await chair.fill("#programme-text", edited);
  await chair.click("#programme-apply");
  await chair.waitForFunction(() => document.getElementById("programme-error").textContent.replace(/[\u2068\u2069]/g, "") === "The run of show is updated.");
  await chair.waitForFunction(() =>
    [...document.querySelectorAll("#phases li")].some((li) => li.textContent.startsWith("Questions and comments from the room and online · 35 min")));
  await chair.waitForFunction(() =>
    /^Questions and comments from the room and online: 3[0-4]:\d\d left/.test(document.getElementById("stage").textContent.replace(/[\u2068\u2069]/g, "")));
  await chair.screenshot({ path: join(SHOTS, "chair-edit-run-of-show.png"), fullPage: true });
});

test("the moderator records the remote audience", async () => {
  await moderator.bringToFront();
  await moderator.fill("#audience-count", "84");
  await moderator.press("#audience-count", "Enter");
  await moderator.waitForFunction(() => document.getElementById("audience-last").textContent.replace(/[\u2068\u2069]/g, "") === "Last count: 84");
});

test("a name written as HTML shows as text on every page and runs nothing", async () => {
  const { execFileSync } = await import("node:child_process");
  const { root } = await import("./harness.mjs");
  const bin = process.env.FLOOR_BIN || join(root, "target", "debug", "floor");
  const name = "<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>";
  execFileSync(bin, ["runner", "add", name, "--seat", "<b>Row 1</b>"], {
    env: { ...process.env, FLOOR_URL: links.runner },
  });
  await chair.waitForFunction((n) =>
    [...document.querySelectorAll(".who strong")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === n), name);
  await runner.waitForFunction((n) => document.body.textContent.includes(n), name);
  for (const page of [display, chair, moderator, runner]) {
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.evaluate(() => document.querySelectorAll("img[src=x], b").length), 0);
  }
  // Every page is served with a policy that allows only its own scripts.
  const response = await fetch(links.display.split("#")[0]);
  assert.match(response.headers.get("content-security-policy"), /script-src 'self'/);
});

test("the chair caps the open requests, and a participant past the cap is told the queue is full", async () => {
  const small = await createRoom(floor, "small", "A small room");
  const smallChair = await open(browser, small.chair, LAPTOP);
  await smallChair.fill("#max-open", "1");
  await smallChair.click("#settings button[type=submit]");
  const capped = async () => {
    const response = await fetch(`${floor.base}/api/rooms/small`, { headers: { authorization: "Bearer browser-test-admin" } });
    return (await response.json()).room.settings.max_open_entries === 1;
  };
  for (let i = 0; !(await capped()); i += 1) {
    assert.ok(i < 100, "the cap was never set");
    await smallChair.waitForTimeout(50);
  }
  const first = await open(browser, small.participant, PHONE);
  await first.fill("#name", "Lin Wei");
  await first.click("#form button[type=submit]");
  await first.waitForFunction(() => /number \d+ in line/.test(document.getElementById("mine-state").textContent.replace(/[\u2068\u2069]/g, "")));
  const second = await open(browser, small.participant, PHONE);
  await second.fill("#name", "Omar Haddad");
  await second.click("#form button[type=submit]");
  await second.waitForFunction(() => /queue is full/.test(document.getElementById("error").textContent.replace(/[\u2068\u2069]/g, "")));
  await second.screenshot({ path: join(SHOTS, "join-room-full.png"), fullPage: true });
  for (const page of [smallChair, first, second]) await page.close();
});

/** Marks a page's document, to tell later that it was never reloaded. */
function mark(page) {
  return page.evaluate(() => { window.sameDocument = true; });
}

function neverReloaded(page) {
  return page.evaluate(() => window.sameDocument === true);
}

/** The waiting or speaking hands on the runner's page named `name`. */
function handsNamed(page, name) {
  return page.$$eval("#hands li[data-entry] strong", (nodes, n) => nodes.filter((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === n).length, name);
}

test("the demo room survives SIGTERM and SIGKILL: same links, pages back to Live without a reload, a hand added meanwhile arrives once", { timeout: 120000 }, async () => {
  demo = await startFloor(dataDir(), "127.0.0.1:0", ["--demo"]);
  const demoLinksFirst = demoLinks(demo);
  assert.deepEqual(Object.keys(demoLinksFirst).sort(), ["chair", "display", "moderator", "participant", "runner"]);
  const pages = [
    await open(browser, demoLinksFirst.chair, LAPTOP),
    await open(browser, demoLinksFirst.runner, PHONE),
    await open(browser, demoLinksFirst.display, WIDE),
  ];
  const [, demoRunner, demoDisplay] = pages;
  for (const page of pages) await mark(page);
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    const name = `Hand during ${signal}`;
    const addr = demo.addr;
    await stopFloor(demo, signal);
    await Promise.all(pages.map((p) => p.waitForSelector("body[data-status=reconnecting]")));
    await demoRunner.fill("#name", name);
    await demoRunner.fill("#seat", "Row 2");
    await demoRunner.click("#add button[type=submit]");
    await demoRunner.waitForFunction(() => /1 waiting to be sent/.test(document.getElementById("status").textContent.replace(/[\u2068\u2069]/g, "")));
    demo = await startFloor(demo.data, addr, ["--demo"]);
    assert.deepEqual(demoLinks(demo), demoLinksFirst, `the same links after ${signal}`);
    await Promise.all(pages.map((p) => p.waitForSelector("body[data-status=connected]", { timeout: 20000 })));
    await demoRunner.waitForFunction((n) =>
      [...document.querySelectorAll("#hands li[data-entry] strong")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === n), name, { timeout: 20000 });
    await demoRunner.waitForFunction(() => !/waiting to be sent/.test(document.getElementById("status").textContent.replace(/[\u2068\u2069]/g, "")));
    assert.equal(await handsNamed(demoRunner, name), 1);
    const response = await fetch(`${demo.base}/api/rooms/ws235`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const snapshot = await response.json();
    assert.equal(snapshot.room.entries.filter((e) => e.person.name === name).length, 1, `one hand after ${signal}`);
    // The projector follows the same log, to the same event.
    await demoDisplay.waitForFunction((seq) => document.body.dataset.seq === String(seq), snapshot.room.seq);
    for (const page of pages) {
      assert.equal(await text(page, "#status"), "Live");
      assert.ok(await neverReloaded(page), `${page.url()} was not reloaded`);
    }
  }
  // The projector still shows the way in: its link's participant token works.
  await demoDisplay.waitForFunction(() => {
    const image = document.getElementById("qr-image");
    return !image.hidden && image.complete && image.naturalWidth > 0;
  });
  for (const page of pages) await page.close();
});

test("a page whose link was replaced says so; the new link opened in the same tab works without a reload", { timeout: 120000 }, async () => {
  rotating = await startFloor(dataDir());
  const side = await createRoom(rotating, "side", "A side room");
  const other = await createRoom(rotating, "other", "Another room");
  const page = await open(browser, side.chair, LAPTOP);
  await mark(page);
  const response = await fetch(`${rotating.base}/api/rooms/side/rotate`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ roles: ["chair"] }),
  });
  assert.equal(response.status, 200);
  const rotated = (await response.json()).links.chair;
  // The broker closed the connection of the old token; this tab had been
  // welcomed with it, so it was replaced.
  await page.waitForSelector("body[data-status=refused]");
  assert.match(await text(page, "#status"), /This link was replaced: its token was rotated/);
  await page.screenshot({ path: join(SHOTS, "chair-link-replaced.png") });

  // The new link pasted into the address bar: only the fragment changes.
  await page.goto(rotated);
  await page.waitForSelector("body[data-status=connected]");
  assert.equal(await text(page, "#status"), "Live");
  assert.equal(await text(page, "#room-title"), "A side room");
  assert.ok(await neverReloaded(page), "the tab was not reloaded");
  assert.equal(await page.evaluate(() => location.hash), "", "the token left the address bar");

  // A tab that never worked with the old link cannot tell why it fails.
  const stale = await (await browser.newContext({ viewport: PHONE })).newPage();
  await stale.goto(side.chair);
  await stale.waitForSelector("body[data-status=refused]");
  assert.match(await text(stale, "#status"), /This link no longer works: it may have been replaced/);
  // And then the new link, pasted into it, works there too.
  await stale.goto(rotated);
  await stale.waitForSelector("body[data-status=connected]");

  // Another room's link opened in the same tab opens that room.
  await page.goto(other.chair);
  await page.waitForSelector("body[data-status=connected]");
  await page.waitForFunction(() => document.getElementById("room-title").textContent.replace(/[\u2068\u2069]/g, "") === "Another room");
  for (const p of [page, stale]) await p.close();
  await killFloor(rotating);
});
