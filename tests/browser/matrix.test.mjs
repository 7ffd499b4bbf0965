// Where an entry came from, on the pages: a request relayed from a Matrix
// room (`provenance.source` "matrix", sent here as `floor bridge matrix`
// sends it) is shown "via Matrix" with the person's user id on the online
// moderator's page (pending and queued), "via Matrix" without the id on the
// projector and the chair's console, and the id nowhere on the
// participant's page; an entry made on floor's own pages shows no source.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFloor, killFloor, dataDir, createRoom, launch, open, text, sendCommands, plain } from "./harness.mjs";

const WIDE = { width: 1920, height: 1080 };
const LAPTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const ACCOUNT = "@amina:matrix.example.org";

let floor, browser, links, display, moderator, chair, participant;
let relayed;

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "ws26", "Remote hands");
  browser = await launch();
  moderator = await open(browser, links.moderator, LAPTOP);
  display = await open(browser, links.display, WIDE);
  chair = await open(browser, links.chair, LAPTOP);
  participant = await open(browser, links.participant, PHONE);
  await sendCommands(moderator, links.chair, [{ type: "update_settings", patch: { moderated: true } }]);
  const [ack] = await sendCommands(moderator, links.moderator, [{ type: "submit", entry: {
    channel: "online", source: "matrix", delivery: "remote_audio",
    person: { name: "Amina Diallo", person_id: ACCOUNT }, text: "Who funds the community networks?" } }]);
  relayed = ack.entry_id;
  await sendCommands(moderator, links.moderator, [{ type: "submit", entry: {
    channel: "online", person: { name: "Bo Chen" }, text: "Typed by the moderator" } }]);
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

test("a pending relayed request shows its source and the user id on the moderator's page", async () => {
  const row = `#pending li[data-entry="${relayed}"]`;
  await moderator.waitForSelector(`${row} .source`);
  assert.equal(await text(moderator, `${row} .source`), `via Matrix ${ACCOUNT}`);
  assert.equal(await text(moderator, `${row} .source .account`), ACCOUNT);
});

test("approved, it shows its source on every page, with the user id on the moderator's page only", async () => {
  await sendCommands(moderator, links.moderator, [{ type: "approve", entry_id: relayed }]);
  const row = `li[data-entry="${relayed}"]`;
  await moderator.waitForSelector(`#online ${row} .source .account`);
  assert.equal(await text(moderator, `#online ${row} .source`), `via Matrix ${ACCOUNT}`);

  await display.waitForSelector(`#next ${row} .source`);
  assert.equal(await text(display, `#next ${row} .source`), "via Matrix");
  assert.equal(await display.$(`#next ${row} .account`), null);

  await chair.waitForSelector(`${row} .source`);
  assert.equal(await text(chair, `${row} .source`), "via Matrix");
  assert.equal(await chair.$(`${row} .account`), null);

  for (const page of [display, chair, participant]) {
    assert.ok(!plain(await page.evaluate(() => document.body.innerText)).includes(ACCOUNT));
  }
});

test("an entry made on floor's own pages shows no source", async () => {
  await moderator.waitForFunction(() => [...document.querySelectorAll("#online li[data-entry]")]
    .some((li) => li.querySelector(".who strong")?.textContent === "Bo Chen"));
  const sources = await moderator.$$eval("#online li[data-entry]", (rows) => rows
    .filter((li) => li.querySelector(".who strong")?.textContent === "Bo Chen").map((li) => li.querySelectorAll(".source").length));
  assert.deepEqual(sources, [0]);
});

test("the projector speaks of the relayed speaker's source when they have the floor", async () => {
  await sendCommands(chair, links.chair, [{ type: "call", entry_id: relayed, expect_speaking: null }]);
  await display.waitForFunction(() => document.querySelector("#speaker-meta .source") !== null);
  assert.equal(await text(display, "#speaker-meta .source"), "via Matrix");
  assert.ok(!plain(await text(display, "#speaker-meta")).includes(ACCOUNT));
});
