// Refusals in people's words: the pages say what happened from the error's
// code, field and entry, and name the person an entry id points at, never
// the id itself nor the broker's field path.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { root, startFloor, killFloor, dataDir, createRoom, launch, open, axeViolations, plain } from "./harness.mjs";

const { describeError } = await import(join(root, "crates", "floor-broker", "src", "pages", "errors.js"));

/** A page's connection holding one waiting entry, third in line. */
const floor = {
  entry: (id) => (id === "e1" ? { id: "e1", status: "waiting", person: { name: "Jonas Berg" } } : null),
  place: (id) => (id === "e1" ? 2 : null),
};

test("each refusal a page can meet reads as a sentence, without ids or field paths", () => {
  const id = "fa1e0ed7-770a-43e4-879b-26d8c311c206";
  const cases = [
    [{ code: "duplicate_person", entry_id: "e1", message: `this person already has an open request (${id})` },
      "Jonas Berg already has a request open (place 3 in line). Edit or merge that one instead."],
    [{ code: "duplicate_person", entry_id: id, message: `this person already has an open request (${id})` },
      "This person already has a request open. Edit or merge that one instead."],
    [{ code: "invalid_field", field: "entry.person.name", message: "entry.person.name: must not be empty" },
      "Please check the name: must not be empty"],
    [{ code: "invalid_field", field: "patch.text", message: "patch.text: is 1020 characters long; the limit is 1000" },
      "Please check the question: is 1020 characters long; the limit is 1000"],
    [{ code: "speaker_changed", entry_id: "e1", message: "another entry is speaking" },
      "Someone acted at the same moment: Jonas Berg is speaking now. Look again, then decide."],
    [{ code: "participant_limit", entry_id: id, message: `you already have an open request (${id}); withdraw it first` },
      "You already have a request open. Withdraw it first to ask again."],
    [{ code: "queue_closed", message: "the queue is closed to new requests" }, "The queue is closed to new requests."],
  ];
  for (const [error, expected] of cases) assert.equal(plain(describeError(error, floor)), expected);
  for (const code of ["room_full", "forbidden", "entry_not_found", "nothing_to_call", "no_current_speaker",
    "channel_mismatch", "internal"]) {
    const sentence = describeError({ code, message: "raw words" }, floor);
    assert.notEqual(sentence, "raw words", code);
    assert.match(sentence, /^[A-Z].*\.$/, code);
  }
});

let broker, browser;

before(async () => {
  broker = await startFloor(dataDir());
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (broker) await killFloor(broker);
});

test("the runner who types a name already in line is told who it is and where they stand", async () => {
  const links = await createRoom(broker, "errors", "Refusals");
  const runner = await open(browser, links.runner, { width: 390, height: 844 });
  await runner.fill("#name", "Jonas Berg");
  await runner.click("#add button[type=submit]");
  await runner.waitForSelector("#hands li[data-entry]");
  await runner.fill("#name", "jonas  berg");
  await runner.click("#add button[type=submit]");
  await runner.waitForFunction(() => document.getElementById("error").textContent !== "");
  const shown = plain(await runner.textContent("#error"));
  assert.equal(shown, "Not done: Jonas Berg already has a request open (place 1 in line). Edit or merge that one instead.");
  assert.doesNotMatch(shown, /[0-9a-f]{8}-[0-9a-f]{4}/);
  assert.deepEqual(await axeViolations(runner), []);
});
