// The chair's console when staff act at once: an undo of the last call
// seen on the projector, and two chair screens pressing Next while both
// show the same speaker (one person is called; the other screen says so).
// What the chair sees at 1920×1080 and 1280×720: the speaker's question
// and seat, the next entries' seats, how many requests await approval;
// and the setting of which channel opens the floor.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ADMIN, SHOTS, startFloor, killFloor, dataDir, createRoom, launch, open, text, tabTo, sendCommands, axeViolations,
} from "./harness.mjs";

const WIDE = { width: 1920, height: 1080 };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SIZES = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }];

let floor, browser, links, display, chair, runner;

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "plenary", "Main hall");
  browser = await launch();
  display = await open(browser, links.display, WIDE);
  chair = await open(browser, links.chair, LAPTOP);
  runner = await open(browser, links.runner, PHONE);
  for (const name of ["Amina Diallo", "Bo Chen", "Carla Ruiz", "Dev Patel"]) {
    await runner.fill("#name", name);
    await runner.click("#add button[type=submit]");
    await display.waitForFunction((n) =>
      [...document.querySelectorAll("#next li[data-entry] .name")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === n), name);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** Waits until `page` shows `name` speaking. */
function speaking(page, name) {
  return page.waitForFunction((n) => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === n, name);
}

/** Waits until the projector's next list is `names`. */
function nextIs(names) {
  return display.waitForFunction((expected) => JSON.stringify(
    [...document.querySelectorAll("#next li[data-entry] .name")].map((n) => n.textContent)) === JSON.stringify(expected),
  names);
}

test("undo of the last call: the projector shows the previous speaker again and the called person back in line", async () => {
  await chair.bringToFront();
  await chair.keyboard.press("N");
  await speaking(display, "Amina Diallo");
  await nextIs(["Bo Chen", "Carla Ruiz", "Dev Patel"]);
  const countdown = await text(display, "#countdown");
  await chair.keyboard.press("N");
  await speaking(display, "Bo Chen");
  await nextIs(["Carla Ruiz", "Dev Patel"]);

  // Undo, from the keyboard: it names the call it reverses.
  await chair.waitForSelector("#undo:not([hidden])");
  await chair.evaluate(() => document.activeElement && document.activeElement.blur());
  await tabTo(chair, "Undo last call: Bo Chen", () =>
    document.activeElement.getAttribute("aria-label") === "Undo last call: Bo Chen");
  await chair.keyboard.press("Enter");
  await speaking(display, "Amina Diallo");
  await nextIs(["Bo Chen", "Carla Ruiz", "Dev Patel"]);
  await speaking(chair, "Amina Diallo");
  // Amina's turn goes on from where it was, not from the start.
  assert.ok(await text(display, "#countdown") <= countdown);
  assert.equal(await text(display, "#tally-onsite"), "1");
  // Nothing left to undo: the button is gone.
  await chair.waitForSelector("#undo", { state: "hidden" });
  await chair.keyboard.press("N");
  await speaking(display, "Bo Chen");
  await chair.waitForSelector("#undo:not([hidden])");
});

test("two chair screens press Next at once: one person is called, both show them, the other screen says why nothing was done", async () => {
  // The second screen's incoming messages can be held back: it then
  // presses Next still showing Bo, as if both pressed at the same instant.
  const held = { on: false, messages: [], release: () => {} };
  const second = await open(browser, links.chair, LAPTOP, {
    prepare: (context) => context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => { if (held.on) held.messages.push(message); else ws.send(message); });
      held.release = () => { held.on = false; for (const m of held.messages.splice(0)) ws.send(m); };
    }),
  });
  await speaking(second, "Bo Chen");
  held.on = true;
  await chair.bringToFront();
  await chair.keyboard.press("N");
  await speaking(display, "Carla Ruiz");
  await second.bringToFront();
  assert.equal(await text(second, "#speaker-name"), "Bo Chen");
  await second.keyboard.press("N");
  held.release();

  await second.waitForFunction(() => /someone else changed the floor/.test(document.getElementById("error").textContent.replace(/[\u2068\u2069]/g, "")));
  await speaking(second, "Carla Ruiz");
  await speaking(chair, "Carla Ruiz");
  await nextIs(["Dev Patel"]);
  // One call: Amina, Bo and Carla spoke (Bo's undone call counts no turn).
  assert.equal(await text(display, "#tally-onsite"), "3");
  assert.equal(await text(chair, "#error"), "");
  await second.close();
});

/** The room's settings, from the HTTP API. */
async function settings() {
  const response = await fetch(`${floor.base}/api/rooms/plenary`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return (await response.json()).room.settings;
}

test("the chair sees the speaker's question and seat, the seats of those waiting, and the requests awaiting approval", async () => {
  await sendCommands(chair, links.chair, [{ type: "update_settings", patch: { moderated: true } }]);
  // A participant in the room asks: the request awaits approval.
  await sendCommands(chair, links.participant, [{ type: "submit", entry: {
    channel: "onsite", person: { name: "Femi Adeyemi" }, location: "Row 7, seat 12" } }], "onsite");
  const [online] = await sendCommands(chair, links.chair, [{ type: "submit", entry: {
    channel: "online", person: { name: "Mei Lin Tan", affiliation: "NUS" }, location: "Singapore",
    text: "Could the panel address intermediary liability rules in ASEAN?", delivery: "read_aloud" } }]);
  for (const size of SIZES) {
    const page = await open(browser, links.chair, size);
    await page.waitForFunction(() => /^1 request awaits approval/.test(document.getElementById("pending-count").textContent.replace(/[\u2068\u2069]/g, "")));
    const row = `#online li[data-entry='${online.entry_id}']`;
    await page.waitForSelector(row);
    assert.match(await text(page, `${row} .details`), /^From: Singapore · Could the panel address intermediary liability rules in ASEAN\?$/);
    assert.deepEqual(await axeViolations(page), [], `axe on the chair at ${size.width}×${size.height}`);
    await page.close();
  }
  // A second one: the count follows.
  await sendCommands(chair, links.participant, [{ type: "submit", entry: {
    channel: "onsite", person: { name: "Gita Rao" } } }], "onsite");
  await chair.bringToFront();
  await chair.waitForFunction(() => /^2 requests await approval/.test(document.getElementById("pending-count").textContent.replace(/[\u2068\u2069]/g, "")));
  await chair.click(`#online li[data-entry='${online.entry_id}'] button[aria-label='Call now: Mei Lin Tan']`);
  await chair.waitForFunction(() => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === "Mei Lin Tan");
  assert.equal(await text(chair, "#speaker-details"), "From: SingaporeCould the panel address intermediary liability rules in ASEAN?");
  assert.equal(await chair.$eval("#speaker-details br", () => true), true);
  await chair.screenshot({ path: join(SHOTS, "chair-details.png"), fullPage: true });
  assert.deepEqual(await axeViolations(chair), [], "axe on the chair with a speaker and requests awaiting approval");
});

test("the chair sets which channel opens the floor", async () => {
  assert.equal(await chair.inputValue("#opens-with"), "online");
  await chair.selectOption("#opens-with", "onsite");
  const seq = Number(await chair.$eval("body", (b) => b.dataset.seq));
  await chair.click("#settings button[type=submit]");
  await chair.waitForFunction((before) => Number(document.body.dataset.seq) > before, seq);
  assert.equal((await settings()).opens_with, "onsite");
  assert.equal(await text(chair, "label[for=opens-with]"), "The open floor starts with");
  assert.deepEqual(await axeViolations(chair), [], "axe on the chair after the settings changed");
});
