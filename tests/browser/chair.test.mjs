// The chair's console when staff act at once: an undo of the last call
// seen on the projector, and two chair screens pressing Next while both
// show the same speaker (one person is called; the other screen says so).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFloor, killFloor, dataDir, createRoom, launch, open, text, tabTo } from "./harness.mjs";

const WIDE = { width: 1920, height: 1080 };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

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
      [...document.querySelectorAll("#next li[data-entry] .name")].some((s) => s.textContent === n), name);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** Waits until `page` shows `name` speaking. */
function speaking(page, name) {
  return page.waitForFunction((n) => document.getElementById("speaker-name").textContent === n, name);
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

  await second.waitForFunction(() => /someone else changed the floor/.test(document.getElementById("error").textContent));
  await speaking(second, "Carla Ruiz");
  await speaking(chair, "Carla Ruiz");
  await nextIs(["Dev Patel"]);
  // One call: Amina, Bo and Carla spoke (Bo's undone call counts no turn).
  assert.equal(await text(display, "#tally-onsite"), "3");
  assert.equal(await text(chair, "#error"), "");
  await second.close();
});
