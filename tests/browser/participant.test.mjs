// The participant's phone at 390×844 and 320×568: the session's title and
// who speaks now, live; a wait that counts the run of show before the open
// floor; a closed queue and the end of the open floor in the form's place;
// a link that does not work says so instead of "1 waiting to be sent"; a
// blank name and a question over 1,000 characters are refused on the page.
// axe-core finds nothing in any state reached.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ADMIN, SHOTS, startFloor, killFloor, dataDir, createRoom, launch, open, text, sendCommands, axeViolations,
} from "./harness.mjs";

const SIZES = [{ width: 390, height: 844 }, { width: 320, height: 568 }];
const TITLE = "Workshop 235: Digital industrialisation, fairly and with everyone heard";
const PROGRAMME = {
  phases: [
    { title: "Presentations", kind: "presentations", minutes: 45, minutes_each: 9,
      speakers: [{ name: "Roberto Bissio" }, { name: "Deborah James" }] },
    { title: "Responses", kind: "other", minutes: 5 },
    { title: "Questions from the room and online", kind: "open_floor", minutes: 30 },
    { title: "Closing remarks", kind: "closing", minutes: 10 },
  ],
};

let floor, browser, rooms = 0;

before(async () => {
  floor = await startFloor(dataDir());
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** A new room; its links and a way to send the
 *  chair's commands (from `page`, any page of the broker). */
async function room() {
  rooms += 1;
  const links = await createRoom(floor, `phone-${rooms}`, TITLE);
  const chair = (page, ...commands) => sendCommands(page, links.chair, commands);
  return { links, chair, id: `phone-${rooms}` };
}

/** 3-minute turns, and two people of the room already in line. */
const TWO_AHEAD = [
  { type: "update_settings", patch: { speaking_limit_s: 180 } },
  { type: "submit", entry: { channel: "onsite", person: { name: "Amina Diallo" } } },
  { type: "submit", entry: { channel: "onsite", person: { name: "Bo Chen" } } },
];

async function noAxe(page, state, size) {
  assert.deepEqual(await axeViolations(page), [], `axe on the participant page, ${state}, ${size.width}×${size.height}`);
}

/** Waits until `selector`'s text is `expected` (a string or a RegExp). */
function textIs(page, selector, expected) {
  const pattern = expected instanceof RegExp ? { source: expected.source } : { exact: expected };
  return page.waitForFunction(([s, p]) => {
    const node = document.querySelector(s);
    if (!node) return false;
    const value = node.textContent.replace(/[\u2068\u2069]/g, "").trim();
    return p.exact !== undefined ? value === p.exact : new RegExp(p.source).test(value);
  }, [selector, pattern]).catch(async (error) => {
    throw new Error(`${selector} never read ${expected}: it reads "${await text(page, selector)}" (${error.message})`);
  });
}

/** Fills the form and asks for the floor. */
async function ask(page, name, question = "") {
  await page.fill("#name", name);
  await page.fill("#text", question);
  await page.click("#form button[type=submit]");
}

/** The room's entries, from the HTTP API. */
async function entries(id) {
  const response = await fetch(`${floor.base}/api/rooms/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return (await response.json()).room.entries;
}

test("a blank name and a question over 1,000 characters are refused on the page, with a live count; nothing is cut", async () => {
  for (const size of SIZES) {
    const { links, id } = await room();
    const page = await open(browser, links.participant, size);
    assert.equal(await text(page, "#text-count"), "0 / 1,000");
    await ask(page, "   ");
    await textIs(page, "#invalid", "Write your name first: the chair calls you by it.");
    assert.equal(await page.$eval("#name", (n) => n.getAttribute("aria-invalid")), "true");
    assert.equal(await page.evaluate(() => document.activeElement.id), "name");
    await noAxe(page, "a blank name", size);

    // 1,020 characters pasted: all kept, counted, refused with the numbers.
    const words = "Could the panel say how ".repeat(50);
    const long = `${words.slice(0, 1019)}?`;
    await page.fill("#name", "Kwame Mensah");
    await page.fill("#text", long);
    assert.equal(await text(page, "#text-count"), "1,020 / 1,000");
    assert.equal(await page.$eval("#text-count", (n) => n.classList.contains("over")), true);
    await page.click("#form button[type=submit]");
    await textIs(page, "#invalid",
      "Your question is 1,020 characters long and at most 1,000 can be sent. Shorten it, then ask again.");
    assert.equal((await page.inputValue("#text")).length, 1020);
    await noAxe(page, "a question too long", size);
    assert.deepEqual(await entries(id), []);

    // At the limit it is sent whole.
    const limit = `${words.slice(0, 999)}?`;
    await page.fill("#text", limit);
    assert.equal(await text(page, "#text-count"), "1,000 / 1,000");
    await page.click("#form button[type=submit]");
    await textIs(page, "#mine-state", "You are number 1 in line");
    assert.equal(await text(page, "#invalid"), "");
    assert.equal((await entries(id))[0].text, limit);
    await page.context().close();
  }
});

test("during presentations: the title, who presents, and a wait that counts the run of show before the open floor", async () => {
  for (const size of SIZES) {
    const { links, chair } = await room();
    const page = await open(browser, links.participant, size);
    await textIs(page, "h1", TITLE);
    assert.equal(await page.title(), `Ask to speak · ${TITLE}`);
    await chair(page, ...TWO_AHEAD, { type: "set_programme", programme: PROGRAMME },
      { type: "start_phase", phase: 0 }, { type: "next_presenter" });
    await textIs(page, "#now", "Presenting now: Roberto Bissio");
    await ask(page, "Kwame Mensah", "What does fair mean here?");
    await textIs(page, "#mine-state", "You are number 3 in line");
    // 45 min of presentations just begun and 5 of responses, then two
    // 3-minute turns.
    await textIs(page, "#mine-wait", "The open floor starts in about 50 min. Then about 6 min to wait.");
    await noAxe(page, "waiting with a place during presentations", size);
    await page.screenshot({ path: join(SHOTS, `participant-waiting-${size.width}x${size.height}.png`), fullPage: true });

    await chair(page, { type: "next_presenter" });
    await textIs(page, "#now", "Presenting now: Deborah James");
    await chair(page, { type: "start_phase", phase: 1 });
    await textIs(page, "#now", "Now: Responses");
    await textIs(page, "#mine-wait", "The open floor starts in about 5 min. Then about 6 min to wait.");
    // The open floor: the queue's speaker, and the wait from now.
    await chair(page, { type: "update_settings", patch: { intake_window_s: 0 } }, { type: "start_phase", phase: 2 },
      { type: "next" });
    await textIs(page, "#now", "Speaking now: Amina Diallo");
    await textIs(page, "#mine-state", "You are number 2 in line");
    await textIs(page, "#mine-wait", "About 6 min to wait");
    await noAxe(page, "waiting during the open floor", size);
    await page.context().close();
  }
});

test("the queue closed takes the form's place; reopened, the form is back with what was typed", async () => {
  for (const size of SIZES) {
    const { links, chair } = await room();
    const page = await open(browser, links.participant, size);
    await page.fill("#name", "Sofia Scasserra");
    await page.fill("#text", "How do small firms take part?");
    await chair(page, { type: "close_queue" });
    await page.waitForSelector("#ask", { state: "hidden" });
    await page.waitForSelector("#closed", { state: "visible" });
    const box = await page.locator("#closed").boundingBox();
    assert.ok(box.y + box.height <= size.height, `the notice ends at ${box.y + box.height}px`);
    assert.match(await text(page, "#closed"), /^The queue is closed for now: no new requests are taken\./);
    await noAxe(page, "the queue closed", size);
    await page.screenshot({ path: join(SHOTS, `participant-closed-${size.width}x${size.height}.png`) });

    await chair(page, { type: "open_queue" });
    await page.waitForSelector("#ask", { state: "visible" });
    assert.equal(await page.isHidden("#closed"), true);
    assert.equal(await page.inputValue("#name"), "Sofia Scasserra");
    assert.equal(await page.inputValue("#text"), "How do small firms take part?");
    await page.context().close();
  }
});

test("a request awaiting approval says so", async () => {
  for (const size of SIZES) {
    const { links, chair } = await room();
    const page = await open(browser, links.participant, size);
    await chair(page, { type: "update_settings", patch: { moderated: true } });
    await ask(page, "Mei Lin Tan");
    await textIs(page, "#mine-state", "Waiting for approval");
    assert.equal(await text(page, "#mine-wait"), "");
    await noAxe(page, "pending", size);
    await page.context().close();
  }
});

test("after the open floor: no place in line, the request's status, and the form replaced by a notice", async () => {
  for (const size of SIZES) {
    const { links, chair } = await room();
    const waiting = await open(browser, links.participant, size);
    const late = await open(browser, links.participant, size);
    await chair(waiting, ...TWO_AHEAD, { type: "set_programme", programme: PROGRAMME }, { type: "start_phase", phase: 2 });
    await ask(waiting, "Kwame Mensah");
    await textIs(waiting, "#mine-state", "You are number 3 in line");
    await chair(waiting, { type: "start_phase", phase: 3 });
    await textIs(waiting, "#mine-wait", "The open floor has ended: your request may not be reached.");
    assert.equal(await text(waiting, "#mine-state"), "In line");
    assert.doesNotMatch(await text(waiting, "main"), /number \d+ in line|min to wait/);
    await noAxe(waiting, "a request after the open floor", size);

    await late.waitForSelector("#ended", { state: "visible" });
    assert.equal(await late.isHidden("#ask"), true);
    assert.equal(await text(late, "#ended"), "The open floor has ended: no more requests are taken.");
    assert.equal(await text(late, "#now"), "Now: Closing remarks");
    await noAxe(late, "after the open floor", size);
    await late.screenshot({ path: join(SHOTS, `participant-ended-${size.width}x${size.height}.png`) });
    await waiting.context().close();
    await late.context().close();
  }
});

/** Opens `link` and waits until the page says its link does not work. */
async function openDead(link, size) {
  const context = await browser.newContext({ viewport: size, colorScheme: "light" });
  const page = await context.newPage();
  await page.goto(link);
  await page.waitForSelector("body[data-status=refused]");
  return page;
}

/** Asks with a link that does not work: the page says the request was not
 *  sent, keeps what was typed, and never counts it as waiting to be sent. */
async function notSent(page, size, state) {
  await ask(page, "Deborah James", "Who pays for the cables?");
  await textIs(page, "#invalid", "Your request was not sent: this link does not work. What you typed stays here.");
  await page.waitForSelector("#dead", { state: "visible" });
  assert.match(await text(page, "#dead"), /^This link does not work, so no request can be sent from it\./);
  assert.doesNotMatch(await text(page, "#status"), /waiting to be sent/);
  assert.match(await text(page, "#status"), /link/);
  assert.equal(await page.inputValue("#name"), "Deborah James");
  assert.equal(await page.inputValue("#text"), "Who pays for the cables?");
  await noAxe(page, state, size);
}

test("a link that does not work says so, and a request is never left waiting to be sent", async () => {
  for (const size of SIZES) {
    const { links, id } = await room();
    // A link whose token never opened the room.
    const never = new URL(links.participant);
    never.hash = `token=${"0".repeat(32)}`;
    const page = await openDead(never.href, size);
    await notSent(page, size, "a link that never worked");
    await page.screenshot({ path: join(SHOTS, `participant-dead-${size.width}x${size.height}.png`), fullPage: true });
    await page.context().close();

    // A link whose token was rotated while the page was open.
    const open_ = await open(browser, links.participant, size);
    const rotated = await fetch(`${floor.base}/api/rooms/${id}/rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ roles: ["participant"] }),
    });
    assert.equal(rotated.status, 200);
    await open_.waitForSelector("body[data-status=refused]");
    await notSent(open_, size, "a rotated link");
    assert.match(await text(open_, "#status"), /This link was replaced/);
    assert.deepEqual(await entries(id), []);
    await open_.context().close();
  }
});
