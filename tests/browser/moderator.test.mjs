// The online moderator's page: an edit that opens at once, the full width
// of its row, for name, organisation, text, kind and delivery, and that
// survives events arriving while it is typed in; removing a queued entry
// after an inline confirmation; a chat import that lists every line read
// before anything is added; a blank name and an over-long question
// refused on the page, with nothing sent; axe in each state, at a laptop
// and a phone size. And, without a browser, the page's pure checks
// (pages/moderation.js).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  ADMIN, SHOTS, root, startFloor, killFloor, dataDir, createRoom, launch, open, text, nextNames, sendCommands, axeViolations,
} from "./harness.mjs";

const { draftProblem, notAQuestion } = await import(
  pathToFileURL(join(root, "crates", "floor-broker", "src", "pages", "moderation.js")).href);

const WIDE = { width: 1920, height: 1080 };
const LAPTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Records every command the page sends, in `window.sentCommands`. */
function recordCommands() {
  window.sentCommands = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const message = JSON.parse(data);
      if (message.type === "command") window.sentCommands.push(message.command);
    } catch { /* not JSON: not a command */ }
    return send.call(this, data);
  };
}

let floor, browser, links, display, moderator;
const ids = {};

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "ws88", "Data governance in the Global South");
  browser = await launch();
  display = await open(browser, links.display, WIDE);
  moderator = await open(browser, links.moderator, LAPTOP, { init: recordCommands });
  for (const [name, text] of [
    ["Carla Ruiz", "How will small firms reach the fund?"],
    ["Dev Patel", "What about open-source procurement?"],
    ["Eva Novak", "Will the fund support women-led startups?"],
  ]) {
    const [ack] = await sendCommands(moderator, links.moderator, [{ type: "submit", entry: {
      channel: "online", person: { name, affiliation: "Online" }, text } }]);
    ids[name] = ack.entry_id;
  }
  await moderator.waitForFunction(() => document.querySelectorAll("#online li[data-entry]").length === 3);
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** The room's entry `id`, from the HTTP API. */
async function entry(id) {
  const response = await fetch(`${floor.base}/api/rooms/ws88`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return (await response.json()).room.entries.find((e) => e.id === id);
}

/** The commands the page sent since the last call. */
function sent(page) {
  return page.evaluate(() => window.sentCommands.splice(0));
}

const row = (name) => `#online li[data-entry='${ids[name]}']`;
const focused = (page) => page.evaluate(() => document.activeElement.id || document.activeElement.getAttribute("aria-label"));

test("Edit opens at once, the row's full width, and saves only the changed name, text and kind", async () => {
  await sent(moderator);
  await moderator.click(`${row("Carla Ruiz")} button[aria-label='Edit: Carla Ruiz']`);
  // Open with no event since the click: the form is there and has the focus.
  assert.equal(await moderator.$eval(`${row("Carla Ruiz")} form.edit`, () => true), true);
  assert.equal(await focused(moderator), `edit-name-${ids["Carla Ruiz"]}`);
  const [form, item] = await moderator.$eval(row("Carla Ruiz"), (li) =>
    [li.querySelector("form").getBoundingClientRect().width, li.getBoundingClientRect().width]);
  assert.ok(form >= item - 1 && form > 1000, `the edit is ${form} px wide in a ${item} px row`);
  for (const field of ["name", "affiliation", "text", "kind", "delivery"]) {
    assert.ok(await moderator.$(`#edit-${field}-${ids["Carla Ruiz"]}`), `${field} is editable`);
  }
  assert.deepEqual(await axeViolations(moderator), [], "axe with an edit open");
  await moderator.screenshot({ path: join(SHOTS, "moderator-edit.png"), fullPage: true });

  await moderator.fill(`#edit-name-${ids["Carla Ruiz"]}`, "Carla Ruiz Ortega");
  await moderator.fill(`#edit-text-${ids["Carla Ruiz"]}`, "How will small firms in Bolivia reach the fund?");
  await moderator.selectOption(`#edit-kind-${ids["Carla Ruiz"]}`, "comment");
  await moderator.press(`#edit-name-${ids["Carla Ruiz"]}`, "Enter");
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`)
    && document.querySelector(`${sel} strong`).textContent.replace(/[\u2068\u2069]/g, "") === "Carla Ruiz Ortega", row("Carla Ruiz"));
  assert.equal(await focused(moderator), "Edit: Carla Ruiz Ortega");
  assert.deepEqual(await sent(moderator), [{ type: "edit", entry_id: ids["Carla Ruiz"], patch: {
    name: "Carla Ruiz Ortega", text: "How will small firms in Bolivia reach the fund?", kind: "comment" } }]);
  const saved = await entry(ids["Carla Ruiz"]);
  assert.equal(saved.kind, "comment");
  assert.equal(saved.person.affiliation, "Online");
  assert.equal(saved.delivery, "remote_audio");
  await display.waitForFunction(() =>
    [...document.querySelectorAll("#next li[data-entry] .name")].some((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Carla Ruiz Ortega"));
});

test("Escape cancels an edit: nothing is sent and the focus is back on Edit", async () => {
  await sent(moderator);
  await moderator.click(`${row("Dev Patel")} button[aria-label='Edit: Dev Patel']`);
  await moderator.keyboard.type("Someone else");
  await moderator.keyboard.press("Escape");
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`), row("Dev Patel"));
  assert.equal(await focused(moderator), "Edit: Dev Patel");
  assert.equal(await text(moderator, `${row("Dev Patel")} strong`), "Dev Patel");
  assert.deepEqual(await sent(moderator), []);
});

test("an event arriving while an edit is typed loses nothing, and the edit is saved whole", async () => {
  await moderator.click(`${row("Dev Patel")} button[aria-label='Edit: Dev Patel']`);
  const field = `#edit-text-${ids["Dev Patel"]}`;
  await moderator.focus(field);
  await moderator.keyboard.press("Control+A");
  await moderator.keyboard.type("What about open-source");
  const seq = Number(await moderator.$eval("body", (b) => b.dataset.seq));
  // Another screen adds a question: the page redraws its list.
  const [ack] = await sendCommands(display, links.moderator, [{ type: "submit", entry: {
    channel: "online", person: { name: "Farid Haddad" } } }]);
  ids["Farid Haddad"] = ack.entry_id;
  await moderator.waitForFunction((before) => Number(document.body.dataset.seq) > before
    && [...document.querySelectorAll("#online strong")].some((s) => s.textContent.replace(/[\u2068\u2069]/g, "") === "Farid Haddad"), seq);
  assert.equal(await moderator.inputValue(field), "What about open-source");
  assert.equal(await focused(moderator), `edit-text-${ids["Dev Patel"]}`);
  await moderator.keyboard.type(" procurement in Kenya?");
  await moderator.keyboard.press("Enter");
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`), row("Dev Patel"));
  assert.equal((await entry(ids["Dev Patel"])).text, "What about open-source procurement in Kenya?");
});

test("a refused edit keeps what was typed and says why", async () => {
  await sent(moderator);
  const edit = (field) => `#edit-${field}-${ids["Dev Patel"]}`;
  await moderator.click(`${row("Dev Patel")} button[aria-label='Edit: Dev Patel']`);
  // Refused on the page: a blank name.
  await moderator.fill(edit("name"), "   ");
  await moderator.press(edit("name"), "Enter");
  assert.equal(await text(moderator, `${row("Dev Patel")} form .error`),
    "Type the person's name: the chair needs it to call them. Nothing was sent.");
  assert.equal(await moderator.getAttribute(edit("name"), "aria-invalid"), "true");
  assert.deepEqual(await sent(moderator), []);
  // Refused by the broker: with one entry per person (the default), the
  // name and organisation of another open entry.
  await moderator.fill(edit("name"), "Farid Haddad");
  await moderator.fill(edit("affiliation"), "");
  await moderator.click(`${row("Dev Patel")} form button[type=submit]`);
  await moderator.waitForFunction((sel) => /^Not done: /.test(document.querySelector(`${sel} form .error`).textContent.replace(/[\u2068\u2069]/g, "")),
    row("Dev Patel"));
  assert.deepEqual((await sent(moderator)).map((c) => c.patch), [{ name: "Farid Haddad", affiliation: null }]);
  assert.equal(await moderator.inputValue(edit("name")), "Farid Haddad");
  assert.equal(await moderator.inputValue(edit("affiliation")), "");
  assert.equal(await moderator.$eval(`${row("Dev Patel")} form button[type=submit]`, (b) => b.disabled), false);
  await moderator.click(`${row("Dev Patel")} form button:has-text('Cancel')`);
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`), row("Dev Patel"));
  assert.equal(await text(moderator, `${row("Dev Patel")} strong`), "Dev Patel");
});

test("Remove asks first; Keep or Escape change nothing; Remove rejects the entry with its reason", async () => {
  await sent(moderator);
  const remove = `${row("Eva Novak")} button[aria-label='Remove: Eva Novak']`;
  await moderator.click(remove);
  assert.equal(await focused(moderator), `reason-${ids["Eva Novak"]}`);
  assert.match(await text(moderator, `${row("Eva Novak")} form.remove`), /Remove Eva Novak's request from the queue\?/);
  assert.deepEqual(await axeViolations(moderator), [], "axe with a removal to confirm");
  await moderator.keyboard.press("Escape");
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`), row("Eva Novak"));
  assert.equal(await focused(moderator), "Remove: Eva Novak");
  await moderator.click(remove);
  await moderator.click(`${row("Eva Novak")} form.remove button:has-text('Keep')`);
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`), row("Eva Novak"));
  assert.deepEqual(await sent(moderator), []);
  assert.ok((await nextNames(display)).includes("Eva Novak"));

  // From the keyboard: Enter on Remove, a reason, Enter.
  await moderator.focus(remove);
  await moderator.keyboard.press("Enter");
  await moderator.keyboard.type("Asked the same as Carla; merged in the chat.");
  await moderator.keyboard.press("Enter");
  await display.waitForFunction(() =>
    ![...document.querySelectorAll("#next li[data-entry] .name")].some((n) => n.textContent.replace(/[\u2068\u2069]/g, "") === "Eva Novak"));
  await moderator.waitForFunction((sel) => !document.querySelector(sel), row("Eva Novak"));
  const rejected = await entry(ids["Eva Novak"]);
  assert.equal(rejected.status, "rejected");
  assert.equal(rejected.reject_reason, "Asked the same as Carla; merged in the chat.");
});

test("Reject of a request awaiting approval asks first; Keep changes nothing; a new event keeps the question open", async () => {
  await sendCommands(moderator, links.chair, [{ type: "update_settings", patch: { moderated: true } }]);
  const [own] = await sendCommands(moderator, links.participant, [{ type: "submit", entry: {
    channel: "online", person: { name: "Gustavo Lima" }, text: "Who audits the fund?" } }], "online");
  const pendingRow = `#pending li[data-entry='${own.entry_id}']`;
  const reject = `${pendingRow} button[aria-label='Reject: Gustavo Lima']`;
  await moderator.waitForSelector(reject);
  await sent(moderator);
  await moderator.click(reject);
  assert.match(await text(moderator, `${pendingRow} form`), /Reject Gustavo Lima's request\? It will not join the queue\./);
  assert.equal(await focused(moderator), `reason-${own.entry_id}`);
  assert.deepEqual(await axeViolations(moderator), [], "axe with a rejection to confirm");
  // Another screen acts meanwhile: the question stays, with what was typed.
  await moderator.keyboard.type("Please use your own name");
  await sendCommands(display, links.moderator, [{ type: "set_remote_audience", count: 41 }]);
  await moderator.waitForFunction(() => /41/.test(document.getElementById("audience-last").textContent.replace(/[\u2068\u2069]/g, "")));
  assert.equal(await moderator.inputValue(`#reason-${own.entry_id}`), "Please use your own name");
  await moderator.click(`${pendingRow} form button:has-text('Keep')`);
  await moderator.waitForFunction((sel) => !document.querySelector(`${sel} form`), pendingRow);
  assert.equal(await focused(moderator), "Reject: Gustavo Lima");
  assert.deepEqual(await sent(moderator), []);
  assert.equal((await entry(own.entry_id)).status, "pending");
  await moderator.click(reject);
  await moderator.keyboard.type("Please write your question in English or French");
  await moderator.keyboard.press("Enter");
  await moderator.waitForFunction((sel) => !document.querySelector(sel), pendingRow);
  const rejected = await entry(own.entry_id);
  assert.equal(rejected.status, "rejected");
  assert.equal(rejected.reject_reason, "Please write your question in English or French");
  await sendCommands(moderator, links.chair, [{ type: "update_settings", patch: { moderated: false } }]);
});

test("chat import lists every line read, obvious non-questions unchecked, and adds only the checked ones", async () => {
  await moderator.fill("#transcript", [
    "10:01 Host: please keep questions short",
    "10:02:13 From Mei Lin Tan to Everyone: Could the panel address intermediary liability rules in ASEAN?",
    "10:03 Ravi Kumar: +1 to Kwame",
    "10:04 Kwame Mensah: How will rural schools get connectivity funding?",
    "hello everyone",
    "10:05 Ana Souza: thanks!",
    "10:06 Lea Martin: I would like to hear the regulators on cross-border data flows",
  ].join("\n"));
  const seq = await moderator.$eval("body", (b) => b.dataset.seq);
  await sent(moderator);
  await moderator.click("#import button[type=submit]");
  await moderator.waitForSelector("#preview:not([hidden]) #preview-add");
  const lines = await moderator.$$eval("#preview li input[type=checkbox]", (boxes) =>
    boxes.map((b) => [b.closest("li").querySelector("label").textContent, b.checked]));
  assert.deepEqual(lines, [
    ["Host: please keep questions short", false],
    ["Mei Lin Tan: Could the panel address intermediary liability rules in ASEAN?", true],
    ["Ravi Kumar: +1 to Kwame", false],
    ["Kwame Mensah: How will rural schools get connectivity funding?", true],
    ["Ana Souza: thanks!", false],
    ["Lea Martin: I would like to hear the regulators on cross-border data flows", true],
  ]);
  assert.match(await text(moderator, "#preview"), /Line 5: hello everyone/);
  assert.equal(await text(moderator, "#preview-add"), "Add 3 selected");
  // Nothing is added before "Add".
  assert.deepEqual(await sent(moderator), []);
  assert.equal(await moderator.$eval("body", (b) => b.dataset.seq), seq);
  assert.deepEqual(await axeViolations(moderator), [], "axe with the import preview");
  await moderator.screenshot({ path: join(SHOTS, "moderator-import.png"), fullPage: true });

  await moderator.uncheck("#line-7");
  assert.equal(await text(moderator, "#preview-add"), "Add 2 selected");
  await moderator.click("#preview-add");
  await moderator.waitForFunction(() =>
    /Imported 2; refused 0; unreadable 1; left out 4/.test(document.getElementById("report").textContent.replace(/[\u2068\u2069]/g, "")));
  assert.equal(await moderator.$eval("#preview", (p) => p.hidden), true);
  assert.deepEqual((await sent(moderator)).map((c) => c.entry.person.name), ["Mei Lin Tan", "Kwame Mensah"]);
  await display.waitForFunction(() => {
    const names = [...document.querySelectorAll("#next li[data-entry] .name")].map((n) => n.textContent);
    return names.includes("Mei Lin Tan") && names.includes("Kwame Mensah");
  });
  const names = await nextNames(display);
  for (const left of ["Host", "Ravi Kumar", "Ana Souza", "Lea Martin"]) assert.ok(!names.includes(left), left);
  assert.deepEqual(await axeViolations(moderator), [], "axe with the import report");
});

test("a blank name is refused on the page with a clear sentence, and nothing is sent", async () => {
  await sent(moderator);
  await moderator.fill("#name", "  \u00a0 ");
  await moderator.fill("#text", "What is the timeline?");
  await moderator.press("#text", "Enter");
  assert.equal(await text(moderator, "#error"), "Type the person's name: the chair needs it to call them. Nothing was sent.");
  assert.equal(await focused(moderator), "name");
  assert.equal(await moderator.getAttribute("#name", "aria-invalid"), "true");
  assert.equal(await moderator.inputValue("#text"), "What is the timeline?");
  assert.deepEqual(await sent(moderator), []);
});

test("a 1,020-character question shows its count and is refused whole, with nothing sent", async () => {
  await sent(moderator);
  // Ends with a letter: the broker counts after trimming.
  const question = (n) => `${"Could the panel say more about it? ".repeat(30).slice(0, n - 1)}z`;
  const long = question(1020);
  assert.equal(long.length, 1020);
  await moderator.fill("#name", "Long Talker");
  await moderator.fill("#text", long);
  assert.equal(await text(moderator, "#text-count"), "1,020 / 1,000");
  assert.equal(await moderator.$eval("#text-count", (c) => c.classList.contains("over")), true);
  await moderator.press("#text", "Enter");
  assert.equal(await text(moderator, "#error"),
    "The question has 1,020 characters; at most 1,000 can be sent. Shorten it: nothing was sent.");
  assert.equal((await moderator.inputValue("#text")).length, 1020, "the text is never cut");
  assert.deepEqual(await sent(moderator), []);
  // At the limit, it goes.
  await moderator.fill("#text", question(1000));
  assert.equal(await text(moderator, "#text-count"), "1,000 / 1,000");
  await moderator.press("#text", "Enter");
  await moderator.waitForFunction(() => document.getElementById("name").value === ""
    && document.getElementById("text-count").textContent.replace(/[\u2068\u2069]/g, "") === "0 / 1,000");
  assert.equal(await text(moderator, "#error"), "");
  assert.deepEqual(await axeViolations(moderator), [], "axe on the list");
});

test("on a phone (390×844) the edit and the removal fit the screen, with no axe violation", async () => {
  const phone = await open(browser, links.moderator, PHONE);
  const id = ids["Farid Haddad"];
  const item = `#online li[data-entry='${id}']`;
  await phone.waitForSelector(item);
  await phone.click(`${item} button[aria-label='Edit: Farid Haddad']`);
  assert.equal(await phone.evaluate(() => document.activeElement.id), `edit-name-${id}`);
  const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), "no sideways scrolling with an edit open");
  assert.deepEqual(await axeViolations(phone), [], "axe on a phone with an edit open");
  await phone.$eval(item, (li) => li.scrollIntoView());
  await phone.screenshot({ path: join(SHOTS, "moderator-edit-phone.png") });
  await phone.keyboard.press("Escape");
  await phone.click(`${item} button[aria-label='Remove: Farid Haddad']`);
  assert.ok(await fits(), "no sideways scrolling with a removal to confirm");
  assert.deepEqual(await axeViolations(phone), [], "axe on a phone with a removal to confirm");
  await phone.close();
});

test("which chat lines are obviously not questions (pages/moderation.js)", () => {
  const cases = [
    ["Host", "please keep questions short", "host"],
    ["Ana Silva (Co-host)", "Welcome all, we start in a minute", "host"],
    ["Jo Moderator", "Next question?", "host"],
    ["Ravi Kumar", "+1 to Kwame", "agreement"],
    ["Ravi Kumar", "+1", "agreement"],
    ["Li Wei", "Same question here, what about funding?", "agreement"],
    ["Li Wei", "I agree with Amina", "agreement"],
    ["Ana Souza", "thanks!", "greeting"],
    ["Ana Souza", "Thank you for a great panel", "greeting"],
    ["Ana Souza", "Good morning from Lagos everyone", "greeting"],
    ["Tom", "interesting point", "short"],
    ["Tom", "why?", null],
    ["Tom", "Thanks, but how is it funded?", null],
    ["Mei Lin Tan", "Could the panel address intermediary liability rules in ASEAN?", null],
    ["Lea Martin", "I would like to hear the regulators on cross-border data flows", null],
    ["Hostetler Anne", "+10 years of experience says the fund will not reach villages", null],
  ];
  for (const [name, said, why] of cases) assert.equal(notAQuestion(name, said), why, `${name}: ${said}`);
});

test("a draft's fields against the protocol's limits, counted as the broker counts them", () => {
  assert.equal(draftProblem({ name: " \u00a0\t" }).key, "moderator.problem.name_blank");
  assert.equal(draftProblem({ name: "Ana", text: "" }), null);
  assert.equal(draftProblem({ name: "Ana", text: `  ${"a".repeat(1000)}\n ` }), null, "trimmed first");
  assert.deepEqual(draftProblem({ name: "Ana", text: "a".repeat(1001) }),
    { key: "moderator.problem.text_long", field: "text", count: 1001, limit: 1000 });
  // Unicode scalar values, not UTF-16 units or bytes.
  assert.equal(draftProblem({ name: "Ana", text: "😀".repeat(1000) }), null);
  assert.equal(draftProblem({ name: "Ana", text: "é".repeat(1001) }).count, 1001);
  assert.equal(draftProblem({ name: "n".repeat(81) }).key, "moderator.problem.name_long");
  assert.equal(draftProblem({ name: "Ana", affiliation: "o".repeat(121) }).key, "moderator.problem.affiliation_long");
  assert.equal(draftProblem({ reason: "r".repeat(201) }).key, "moderator.problem.reason_long");
  assert.equal(draftProblem({ reason: "" }), null, "a reason is optional");
});
