// The mic runner's phone, at 390×844 and 320×568: the deck card says
// truthfully whether the person is speaking now without a microphone or
// only in line, and how many speak before them (one speaks, two speak);
// "Hand down" and "Reject" ask first, in the row, from the keyboard too;
// a blank or too long name is refused on the page before anything is
// queued; a hand added offline is listed as not sent yet, then as a hand
// once the broker has it. axe-core finds nothing in any of these states.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ADMIN, SHOTS, startFloor, killFloor, dataDir, createRoom, launch, open, text, tabTo, sendCommands, axeViolations,
} from "./harness.mjs";

const PHONES = [{ width: 390, height: 844 }, { width: 320, height: 568 }];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

/** The names of the hands the runner's page lists as the broker's. */
function hands(page) {
  return page.$$eval("#hands li[data-entry] strong", (nodes) => nodes.map((n) => n.textContent));
}

/** Waits until the deck card says `when` about `name`. */
function deckSays(page, name, when) {
  return page.waitForFunction(([n, w]) => document.getElementById("deck-name").textContent.replace(/[\u2068\u2069]/g, "") === n &&
    document.getElementById("deck-when").textContent.replace(/[\u2068\u2069]/g, "") === w, [name, when]);
}

/** The aria-label of the focused element. */
function focused(page) {
  return page.evaluate(() => document.activeElement.getAttribute("aria-label") || document.activeElement.id);
}

/** Adds a hand through the runner's form. */
async function addHand(page, name, seat = "") {
  await page.fill("#name", name);
  await page.fill("#seat", seat);
  await page.click("#add button[type=submit]");
}

for (const size of PHONES) {
  const at = `${size.width}×${size.height}`;
  describe(`the runner's page at ${at}`, () => {
    let floor, links, runner;

    /** The room's entries named `name`, from the HTTP API. */
    async function entriesNamed(name) {
      const response = await fetch(`${floor.base}/api/rooms/hall`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return (await response.json()).room.entries.filter((e) => e.person.name === name);
    }

    /** axe-core finds nothing, and nothing needs sideways scrolling. */
    async function clean(state) {
      assert.deepEqual(await axeViolations(runner), [], `axe on the runner's page at ${at}: ${state}`);
      const overflow = await runner.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the runner's page is ${overflow}px too wide at ${at}: ${state}`);
    }

    before(async () => {
      floor = await startFloor(dataDir());
      links = await createRoom(floor, "hall", "Main hall");
      runner = await open(browser, links.runner, size);
      // First come, first served: the order is the order of arrival.
      await sendCommands(runner, links.chair, [{ type: "update_settings", patch: { policy: { kind: "fifo" } } }]);
    });

    after(async () => {
      if (floor) await killFloor(floor);
    });

    test("the deck card: how many speak before them, next in line (not called), then speaking now without a microphone", async () => {
      await sendCommands(runner, links.chair, ["Carla Ruiz", "Dev Patel"].map((name) => ({
        type: "submit", entry: { channel: "online", person: { name } } })));
      await addHand(runner, "Amina Diallo", "Row 4, aisle");
      await deckSays(runner, "Amina Diallo", "Next from the room: 2 speak before them");
      assert.equal(await text(runner, "#deck-seat"), "Row 4, aisle");
      assert.equal(await runner.$eval("#deck", (d) => d.dataset.when), "line");
      await clean("on deck, in line");
      await runner.screenshot({ path: join(SHOTS, `runner-deck-${size.width}x${size.height}.png`), fullPage: true });

      await sendCommands(runner, links.chair, [{ type: "next" }]);
      await deckSays(runner, "Amina Diallo", "Next from the room: 1 speaks before them");
      await sendCommands(runner, links.chair, [{ type: "next" }]);
      await deckSays(runner, "Amina Diallo", "Next in line, not called yet");
      assert.equal(await runner.$eval("#deck", (d) => d.dataset.when), "line");

      // Called: she speaks now, and the microphone is not with her yet.
      await sendCommands(runner, links.chair, [{ type: "next" }]);
      await deckSays(runner, "Amina Diallo", "Speaking now, without a microphone: take it to them now");
      assert.equal(await runner.$eval("#deck", (d) => d.dataset.when), "now");
      assert.equal(await runner.isVisible("#mic"), true);
      await clean("speaking now without a microphone");
      await runner.screenshot({ path: join(SHOTS, `runner-deck-now-${size.width}x${size.height}.png`), fullPage: true });
      await runner.click("#mic");
      await runner.waitForFunction(() => document.getElementById("deck-name").textContent.replace(/[\u2068\u2069]/g, "") === "Nobody in the room is waiting");
      assert.match(await text(runner, "#hands li[data-entry]"), /^Amina Diallo · Row 4, aisleSpeaking · Has the microphone$/);
    });

    test("Hand down asks first in the row: Keep and Escape change nothing, Yes takes the hand down", async () => {
      await addHand(runner, "Bo Chen", "Row 9");
      await addHand(runner, "Carmen Silva");
      await runner.waitForFunction(() => document.querySelectorAll("#hands li[data-entry]").length === 3);
      const row = "#hands li[data-entry]:has(button[aria-label='Hand down: Bo Chen'])";
      const [bo] = await entriesNamed("Bo Chen");

      // From the keyboard: Tab to the button, Enter asks.
      await runner.evaluate(() => document.activeElement && document.activeElement.blur());
      await tabTo(runner, "Hand down: Bo Chen", () => document.activeElement.getAttribute("aria-label") === "Hand down: Bo Chen");
      await runner.keyboard.press("Enter");
      await runner.waitForSelector(`#hands li[data-entry='${bo.id}'] .confirm`);
      assert.equal(await text(runner, `#hands li[data-entry='${bo.id}'] .confirm span`), "Take Bo Chen's hand down?");
      assert.equal(await focused(runner), "Keep: Bo Chen", "Keep, the safe answer, has the focus");
      await clean("Hand down asking");
      await runner.screenshot({ path: join(SHOTS, `runner-hand-down-${size.width}x${size.height}.png`), fullPage: true });

      // The room changes meanwhile: the question stays open, with the focus.
      const seq = Number(await runner.$eval("body", (b) => b.dataset.seq));
      await sendCommands(runner, links.chair, [{ type: "submit", entry: { channel: "online", person: { name: "Eve Adams" } } }]);
      await runner.waitForFunction((s) => Number(document.body.dataset.seq) > s, seq);
      assert.equal(await runner.isVisible(`#hands li[data-entry='${bo.id}'] .confirm`), true);
      assert.equal(await focused(runner), "Keep: Bo Chen");

      // Enter on Keep: nothing is sent, the focus is back on Hand down.
      await runner.keyboard.press("Enter");
      await runner.waitForSelector(`#hands li[data-entry='${bo.id}'] .confirm`, { state: "detached" });
      assert.equal(await focused(runner), "Hand down: Bo Chen");
      // Escape likewise.
      await runner.keyboard.press("Enter");
      await runner.waitForSelector(`#hands li[data-entry='${bo.id}'] .confirm`);
      await runner.keyboard.press("Escape");
      await runner.waitForSelector(`#hands li[data-entry='${bo.id}'] .confirm`, { state: "detached" });
      assert.equal(await focused(runner), "Hand down: Bo Chen");
      assert.equal((await entriesNamed("Bo Chen"))[0].status, "waiting");
      assert.ok((await hands(runner)).includes("Bo Chen"));
      assert.equal(await runner.isVisible(row), true);

      // Yes: the hand goes down; the focus goes to the list's heading.
      await runner.keyboard.press("Enter");
      await runner.keyboard.press("Shift+Tab");
      assert.equal(await focused(runner), "Yes, hand down: Bo Chen");
      await runner.keyboard.press("Enter");
      await runner.waitForFunction(() =>
        ![...document.querySelectorAll("#hands li[data-entry] strong")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === "Bo Chen"));
      assert.equal(await focused(runner), "hands-label");
      assert.equal((await entriesNamed("Bo Chen"))[0].status, "withdrawn");
      assert.equal((await entriesNamed("Carmen Silva"))[0].status, "waiting");
    });

    test("Reject asks first: Keep leaves the request awaiting approval, Yes rejects it", async () => {
      await sendCommands(runner, links.chair, [{ type: "update_settings", patch: { moderated: true } }]);
      await sendCommands(runner, links.participant, [{ type: "submit", entry: {
        channel: "onsite", person: { name: "Femi Adeyemi" }, location: "Row 7, seat 12" } }], "onsite");
      await runner.waitForSelector("#pending-block:not([hidden]) li[data-entry]");
      assert.equal(await text(runner, "#pending li[data-entry] .who"), "Femi Adeyemi · Row 7, seat 12");
      await clean("a request awaiting approval");

      await runner.click("button[aria-label='Reject: Femi Adeyemi']");
      await runner.waitForSelector("#pending .confirm");
      assert.equal(await text(runner, "#pending .confirm span"), "Reject Femi Adeyemi's request?");
      assert.equal(await focused(runner), "Keep: Femi Adeyemi");
      assert.equal(await runner.isVisible("button[aria-label='Approve: Femi Adeyemi']"), false, "one question at a time");
      await clean("Reject asking");
      await runner.screenshot({ path: join(SHOTS, `runner-reject-${size.width}x${size.height}.png`), fullPage: true });
      await runner.click("button[aria-label='Keep: Femi Adeyemi']");
      await runner.waitForSelector("#pending .confirm", { state: "detached" });
      assert.equal(await focused(runner), "Reject: Femi Adeyemi");
      assert.equal((await entriesNamed("Femi Adeyemi"))[0].status, "pending");

      await runner.click("button[aria-label='Reject: Femi Adeyemi']");
      await runner.click("button[aria-label='Yes, reject: Femi Adeyemi']");
      await runner.waitForSelector("#pending-block", { state: "hidden" });
      assert.equal((await entriesNamed("Femi Adeyemi"))[0].status, "rejected");
      assert.equal(await focused(runner), "hands-label");
      await sendCommands(runner, links.chair, [{ type: "update_settings", patch: { moderated: false } }]);
    });

    test("offline: a blank or too long name is refused on the page; a hand added is listed as not sent, then as a hand", async () => {
      const addr = floor.addr;
      await killFloor(floor);
      await runner.waitForSelector("body[data-status=reconnecting]");

      // White space only: a sentence, the focus on the name, nothing queued.
      await addHand(runner, "   ", "Row 3");
      await runner.waitForFunction(() => document.getElementById("error").textContent !== "");
      assert.equal(await text(runner, "#error"), "Type the person's name first: a hand needs a name.");
      assert.equal(await runner.getAttribute("#name", "aria-invalid"), "true");
      assert.equal(await runner.evaluate(() => document.activeElement.id), "name");
      assert.equal(await runner.inputValue("#seat"), "Row 3", "what was typed stays");
      assert.doesNotMatch(await text(runner, "#status"), /waiting to be sent/);
      assert.equal(await runner.$$eval("#hands li.unsent", (rows) => rows.length), 0);

      // Past the broker's limits: said as the limit is passed, never cut.
      const long = "Maria Fernanda de los Santos Oliveira Gonçalves Pereira da Silva e Albuquerque Neto";
      assert.equal([...long].length, 83);
      await runner.fill("#name", long);
      assert.equal(await runner.inputValue("#name"), long);
      assert.equal(await text(runner, "#error"), "A name can have at most 80 characters: shorten this one.");
      await runner.click("#add button[type=submit]");
      assert.equal(await text(runner, "#error"), "A name can have at most 80 characters: shorten this one.");
      await addHand(runner, "Ines Costa", "Balcony, left side, behind the camera riser");
      assert.equal(await text(runner, "#error"), "A seat or zone can have at most 40 characters: shorten this one.");
      assert.equal(await runner.getAttribute("#seat", "aria-invalid"), "true");
      assert.doesNotMatch(await text(runner, "#status"), /waiting to be sent/);

      // A good hand: listed at once, as not sent.
      await addHand(runner, "Ines Costa", "Balcony");
      await runner.waitForSelector("#hands li.unsent");
      assert.equal(await text(runner, "#error"), "");
      assert.equal(await runner.getAttribute("#name", "aria-invalid"), null);
      assert.equal(await text(runner, "#hands li.unsent"), "Ines Costa · BalconyNot sent yet: it is sent when the connection returns");
      assert.match(await text(runner, "#status"), /1 waiting to be sent/);
      assert.ok(!(await hands(runner)).includes("Ines Costa"));
      await clean("offline, a hand not sent yet");
      await runner.screenshot({ path: join(SHOTS, `runner-offline-${size.width}x${size.height}.png`), fullPage: true });

      // Back online: the same hand, once, as the broker's.
      floor = await startFloor(floor.data, addr);
      await runner.waitForSelector("#hands li.unsent", { state: "detached", timeout: 20000 });
      await runner.waitForFunction(() =>
        [...document.querySelectorAll("#hands li[data-entry] strong")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === "Ines Costa"));
      assert.equal((await hands(runner)).filter((n) => n === "Ines Costa").length, 1);
      assert.equal((await entriesNamed("Ines Costa")).length, 1);
      assert.equal((await entriesNamed(long)).length, 0);
      assert.equal((await entriesNamed("   ")).length, 0);
      await clean("back online");
    });
  });
}
