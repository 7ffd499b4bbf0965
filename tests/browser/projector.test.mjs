// The projector at a real screen's sizes (1920×1080 and 1280×720): the
// worst case still fits (a speaker, 5 next, 80-character names and
// affiliations, a pinned entry, the queue closed, an open floor collecting
// requests); presenters are the headline, and their overtime is red on the
// projector and the chair's console; closing remarks do not look like an
// open floor; going back a phase asks first; the clocks are not live
// regions; axe-core finds nothing in any state reached.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ADMIN, SHOTS, misfits, startFloor, killFloor, dataDir, createRoom, launch, open, text, nextNames, sendCommands, axeViolations,
} from "./harness.mjs";

const SIZES = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }];
const ROOM = "hall-b";
const TITLE = "Internet Governance Forum 2026, Workshop 235: How can developing countries do digital industrialisation, fairly and with everyone heard?";

/** A name of exactly 80 characters (the longest allowed), wide letters. */
const long = (first) => `${first} ${"Wmwmwmwm ".repeat(9)}`.slice(0, 80).trim().padEnd(80, "W");
const AFFILIATION = "Ministry of Information and Communications Technology, Digital Industrialisation and Wide Wireless Networks Directorate".slice(0, 120);

/** Lets a page's clock be frozen at a time (`window.__frozenAt`), so that
 *  an overtime reads exactly; the broker's time is unaffected. */
function freezable() {
  const real = Date.now.bind(Date);
  Date.now = () => (window.__frozenAt ?? real());
}

let floor, browser, links, displays, chairs;

before(async () => {
  floor = await startFloor(dataDir());
  const created = await fetch(`${floor.base}/api/rooms`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ id: ROOM, title: TITLE }),
  });
  links = (await created.json()).links;
  browser = await launch();
  displays = [];
  chairs = [];
  for (const size of SIZES) {
    displays.push(await open(browser, links.display, size, { init: freezable }));
    chairs.push(await open(browser, links.chair, size, { init: freezable }));
  }
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

const chairSays = (...commands) => sendCommands(chairs[0], links.chair, commands);

/** The room's snapshot, from the HTTP API. */
async function snapshot() {
  const response = await fetch(`${floor.base}/api/rooms/${ROOM}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return (await response.json()).room;
}


/** Whether `selector` is inside the viewport and not hidden. */
function shown(page, selector) {
  return page.$eval(selector, (node) => {
    const box = node.getBoundingClientRect();
    return getComputedStyle(node).visibility !== "hidden" && box.width > 0 && box.height > 0 &&
      box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
  });
}

async function noAxeViolations(page, state) {
  assert.deepEqual(await axeViolations(page), [], `axe on the ${state}`);
}

const PRESENTERS = ["Roberto Bissio", "Deborah James", long("Aileen"), "Christopher Foster", "Sofia Scasserra", "Kwame Mensah"];
const PROGRAMME = {
  phases: [
    { title: "Presentations", kind: "presentations", minutes: 30, minutes_each: 5,
      speakers: PRESENTERS.map((name) => ({ name, affiliation: AFFILIATION })) },
    { title: long("Questions and comments from the room and online, with"), kind: "open_floor", minutes: 40 },
    { title: "Closing remarks", kind: "closing", minutes: 10, minutes_each: 2,
      speakers: PRESENTERS.slice(0, 3).map((name) => ({ name })) },
  ],
};

test("the worst case fits at 1920×1080 and 1280×720: speaker, 5 next, long names, a pin, the queue closed, an open floor collecting requests", async () => {
  await chairSays({ type: "set_programme", programme: PROGRAMME }, { type: "start_phase", phase: 1 });
  const acks = [];
  for (let i = 0; i < 9; i += 1) {
    const channel = i % 2 ? "online" : "onsite";
    const [ack] = await chairSays({ type: "submit", entry: {
      channel, person: { name: long(`Speaker${i}`), affiliation: AFFILIATION },
      text: "A question long enough to wrap on any screen, and then some more words to make sure of it.",
      location: channel === "onsite" ? "Row 14, seat 3, by the left aisle" : "Nairobi hub",
      delivery: channel === "onsite" ? "room_mic" : "remote_audio",
    } });
    acks.push(ack);
  }
  // The chair calls during the intake window, pins one, closes the queue.
  await chairSays(
    { type: "call", entry_id: acks[0].entry_id, expect_speaking: null },
    { type: "pin", entry_id: acks[7].entry_id },
    { type: "close_queue" },
  );
  for (const [i, display] of displays.entries()) {
    const { width, height } = SIZES[i];
    await display.waitForFunction(() => document.body.dataset.queue === "closed" &&
      document.querySelectorAll("#next li[data-entry]").length === 5 &&
      /^Speaker0 /.test(document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "")));
    await display.waitForFunction(() => {
      const image = document.getElementById("qr-image");
      return !image.hidden && image.complete && image.naturalWidth > 0;
    });
    // The pinned entry comes first, moved up by the chair.
    assert.match(await text(display, "#next li[data-entry] .reason"), /Moved up by the chair/);
    assert.equal(await text(display, "#more"), "and 3 more");
    assert.equal(await text(display, "h1"), TITLE);
    // "Queue closed" in the main area, and in the footer beside the clock and the policy.
    assert.ok(await shown(display, "#closed-banner"), "the closed banner is on screen");
    assert.equal(await text(display, "#closed-banner"), "Queue closed: no new requests");
    assert.equal(await text(display, "#queue-state"), "Queue closed");
    for (const part of ["#stage", "#queue-state", "#policy", "#countdown", "#tally", "#qr-image"]) {
      assert.ok(await shown(display, part), `${part} is on screen at ${width}×${height}`);
    }
    // The intake window does not read like a clock time.
    assert.match(await text(display, "#stage"), /: (40:00|3\d:\d\d) left · collecting requests, calls begin in 0:[0-3]\d$/);
    assert.doesNotMatch(await text(display, "#stage"), /until/);
    assert.deepEqual(await misfits(display), [], `nothing overflows at ${width}×${height}`);
    await display.screenshot({ path: join(SHOTS, `display-worst-${width}x${height}.png`) });
    await noAxeViolations(display, `projector at ${width}×${height}, worst case`);
    await noAxeViolations(chairs[i], `chair at ${width}×${height}, worst case`);
  }
  // Reopened, the banner goes.
  await chairSays({ type: "open_queue" });
  await displays[0].waitForSelector("#closed-banner", { state: "hidden" });
});

test("the clocks are not live regions: the phase line and the next list are, and they change only when the state does", async () => {
  for (const page of [displays[0], chairs[0]]) {
    const live = await page.$$eval("#countdown, #stage-clock", (nodes) => nodes.map((node) => {
      for (let up = node; up; up = up.parentElement) {
        const politeness = up.getAttribute("aria-live");
        if (politeness && politeness !== "off") return `${node.id} in a live region (${up.id})`;
        if (["status", "alert", "log"].includes(up.getAttribute("role"))) return `${node.id} in a ${up.getAttribute("role")}`;
      }
      return null;
    }));
    assert.deepEqual(live.filter(Boolean), []);
    assert.equal(await page.$eval("#stage-phase", (n) => n.getAttribute("aria-live")), "polite");
    // Two seconds of ticking clocks: no live region changes.
    const changes = await page.evaluate(() => new Promise((resolve) => {
      let count = 0;
      const observer = new MutationObserver((records) => { count += records.length; });
      for (const node of document.querySelectorAll("[aria-live]:not([aria-live=off]), [role=status], [role=alert]")) {
        observer.observe(node, { childList: true, characterData: true, subtree: true });
      }
      setTimeout(() => { observer.disconnect(); resolve(count); }, 2000);
    }));
    assert.equal(changes, 0);
  }
  // The next list is announced, politely.
  assert.equal(await displays[0].$eval("#next-announce", (n) => n.getAttribute("aria-live")), "polite");
  assert.match(await text(displays[0], "#next-announce"), /^Next: Speaker7 /);
});

test("a speaker's overtime reads \"+0:25 over\" in red on the projector and on the chair's console", async () => {
  const { speaking } = await snapshot();
  for (const [i, size] of SIZES.entries()) {
    for (const page of [displays[i], chairs[i]]) {
      await page.evaluate((t) => { window.__frozenAt = t; }, speaking.deadline_ms + 24_600);
      await page.waitForFunction(() => document.getElementById("countdown").textContent.replace(/[\u2068\u2069]/g, "") === "+0:25 over");
      assert.equal(await page.$eval("#countdown", (n) => getComputedStyle(n).backgroundColor), "rgb(176, 0, 32)");
      assert.equal(await page.$eval("#countdown", (n) => getComputedStyle(n).color), "rgb(255, 255, 255)");
    }
    // On the chair's console, as big as the speaker's name.
    const [clockSize, nameSize] = await chairs[i].evaluate(() => ["countdown", "speaker-name"]
      .map((id) => parseFloat(getComputedStyle(document.getElementById(id)).fontSize)));
    assert.equal(clockSize, nameSize);
    assert.deepEqual(await misfits(displays[i]), []);
    await chairs[i].screenshot({ path: join(SHOTS, `chair-speaker-over-${size.width}x${size.height}.png`) });
    await noAxeViolations(chairs[i], "chair, speaker over time");
    for (const page of [displays[i], chairs[i]]) await page.evaluate(() => { delete window.__frozenAt; });
  }
});

test("presenters are the headline, and their overtime is red on the projector and on the chair's console", async () => {
  await chairSays({ type: "finish", expect_speaking: (await snapshot()).speaking.entry_id },
    { type: "start_phase", phase: 0 }, { type: "next_presenter" }, { type: "next_presenter" }, { type: "next_presenter" });
  for (const display of displays) {
    await display.waitForFunction((name) => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === name, PRESENTERS[2]);
    assert.equal(await text(display, "#speaker-label"), "Presentations");
    assert.match(await text(display, "#countdown"), /^[45]:\d\d left$/);
    assert.equal(await text(display, "#next-label"), "Next presenters");
    assert.deepEqual(await display.$$eval("#next .name", (n) => n.map((x) => x.textContent)), PRESENTERS.slice(3));
    assert.doesNotMatch(await display.textContent("main"), /The floor is open/);
  }
  // 13 s past the presenter's deadline, on both pages' clocks.
  const { stage } = await snapshot();
  const at = stage.presenter.deadline_ms + 12_600;
  for (const [i, size] of SIZES.entries()) {
    const display = displays[i];
    const chair = chairs[i];
    for (const page of [display, chair]) await page.evaluate((t) => { window.__frozenAt = t; }, at);
    await display.waitForFunction(() => document.getElementById("countdown").textContent.replace(/[\u2068\u2069]/g, "") === "+0:13 over");
    assert.equal(await display.$eval("#countdown", (n) => n.className), "over");
    assert.equal(await display.$eval("#countdown", (n) => getComputedStyle(n).backgroundColor), "rgb(176, 0, 32)");
    await chair.waitForFunction(() => document.getElementById("presenter-clock").textContent.replace(/[\u2068\u2069]/g, "") === "+0:13 over");
    assert.equal(await text(chair, "#presenter-name"), `Presenting: ${PRESENTERS[2]}`);
    assert.equal(await chair.$eval("#presenter-clock", (n) => getComputedStyle(n).backgroundColor), "rgb(176, 0, 32)");
    // As big as the speaker's name, not small grey text.
    assert.ok(await chair.$eval("#presenter-clock", (n) => parseFloat(getComputedStyle(n).fontSize) >= 18));
    assert.deepEqual(await misfits(display), []);
    await display.screenshot({ path: join(SHOTS, `display-presenter-over-${size.width}x${size.height}.png`) });
    await chair.screenshot({ path: join(SHOTS, `chair-presenter-over-${size.width}x${size.height}.png`) });
    await noAxeViolations(display, "projector, presenter over time");
    await noAxeViolations(chair, "chair, presenter over time");
    for (const page of [display, chair]) await page.evaluate(() => { delete window.__frozenAt; });
  }
});

test("closing remarks: no open-floor headline, no live-looking queue; going back to the open floor asks first", async () => {
  const chair = chairs[0];
  await chair.bringToFront();
  await chair.click("button[aria-label='Start: Closing remarks']");
  for (const display of displays) {
    await display.waitForFunction(() => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === "Closing remarks");
    assert.equal(await text(display, "#speaker-label"), "Now");
    assert.match(await text(display, "#countdown"), /^(10:0\d|9:\d\d) left$/);
    assert.equal(await display.$$eval("#next li[data-entry]", (n) => n.length), 0);
    assert.equal(await text(display, "#more"), "");
    assert.deepEqual(await display.$$eval("#next .name", (n) => n.map((x) => x.textContent)), PRESENTERS.slice(0, 3));
    assert.doesNotMatch(await display.textContent("body"), /The floor is open/);
    assert.deepEqual(await misfits(display), []);
    await noAxeViolations(display, "projector, closing remarks");
  }
  await displays[0].screenshot({ path: join(SHOTS, "display-closing-1920x1080.png") });

  // The open floor's Start: dismissed, nothing happens; accepted, it starts.
  const button = `button[aria-label='Start: ${PROGRAMME.phases[1].title}']`;
  const dialogs = [];
  chair.once("dialog", (dialog) => { dialogs.push(dialog.message().replace(/[\u2068\u2069]/g, "")); dialog.dismiss(); });
  await chair.click(button);
  assert.equal(dialogs.length, 1);
  assert.match(dialogs[0], /^Go back to "Questions and comments/);
  assert.equal((await snapshot()).stage.phase, 2);
  chair.once("dialog", (dialog) => dialog.accept());
  await chair.click(button);
  await displays[0].waitForFunction(() => /calls begin in/.test(document.getElementById("stage").textContent.replace(/[\u2068\u2069]/g, "")));
  assert.equal((await snapshot()).stage.phase, 1);
  await noAxeViolations(chair, "chair, open floor again");
  // The next phase's button moves forward without asking.
  let asked = false;
  chair.once("dialog", (dialog) => { asked = true; dialog.dismiss(); });
  await chair.click("#next-phase");
  await displays[0].waitForFunction(() => document.getElementById("speaker-name").textContent.replace(/[\u2068\u2069]/g, "") === "Closing remarks");
  assert.equal(asked, false);
  chair.removeAllListeners("dialog");
});

test("after the open floor without presenters, the projector says it has ended", async () => {
  const programme = structuredClone(PROGRAMME);
  delete programme.phases[2].speakers;
  delete programme.phases[2].minutes_each;
  await chairSays({ type: "set_programme", programme });
  await displays[1].waitForFunction(() => document.getElementById("next").textContent.replace(/[\u2068\u2069]/g, "") === "The open floor has ended");
  assert.deepEqual(await nextNames(displays[1]), []);
  assert.deepEqual(await misfits(displays[1]), []);
  await noAxeViolations(displays[1], "projector, after the open floor");
});

test("a reason far down the order does not say \"Only online is waiting\" while room hands wait", async () => {
  const mixed = await createRoom(floor, "mixed", "Side room");
  const display = await open(browser, mixed.display, SIZES[1]);
  const hand = { channel: "onsite", person: { name: "Amina Diallo" } };
  const remote = (name) => ({ channel: "online", person: { name } });
  await sendCommands(display, mixed.chair, [hand, remote("Carla Ruiz"), remote("Dev Patel"), remote("Mei Lin Tan")]
    .map((entry) => ({ type: "submit", entry })));
  await display.waitForFunction(() => document.querySelectorAll("#next li[data-entry]").length === 4);
  const reasons = await display.$$eval("#next li[data-entry] .reason", (nodes) => nodes.map((n) => n.textContent));
  // The room's one hand and online alternate; then only online is left,
  // which the order says of the slots after the room's hand.
  assert.deepEqual(reasons, ["The room's turn", "After the room's hands", "After the room's hands", "After the room's hands"]);
  await display.close();
});

test("a projector that could not reach the broker for its join code and QR code (a restart) shows them once it can", async () => {
  const hall = await createRoom(floor, "hall-c", "Hall C");
  // The page's first readings fail as they would with the broker away.
  let failed = 0;
  const display = await open(browser, hall.display, SIZES[1], {
    prepare: (context) => context.route(/\/(api\/rooms\/hall-c\/join-code|qr\.svg)$/, (route) => {
      if (failed < 2) {
        failed += 1;
        return route.abort("connectionrefused");
      }
      return route.continue();
    }),
  });
  await display.waitForFunction(() => {
    const image = document.getElementById("qr-image");
    return !image.hidden && image.complete && image.naturalWidth > 0 && /^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(document.getElementById("join-code").textContent.replace(/[\u2068\u2069]/g, ""));
  });
  assert.equal(failed, 2);
  await display.close();
});
