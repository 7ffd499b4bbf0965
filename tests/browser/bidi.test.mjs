// Names in another script than the page's: an Arabic name and organisation
// on the English pages, a Latin name with punctuation and an organisation
// with a comma on the Arabic pages. Every element that shows what a person
// wrote (a name, an organisation, a question, a seat) isolates it (a
// <bdi>, or `unicode-bidi: plaintext` or `isolate`), and a sentence with a
// name filled in holds it between FSI and PDI (U+2068, U+2069). As drawn:
// on the Arabic projector the place number is right of the name, the
// Latin name still reads left to right, and the separator before the
// organisation stays outside the name; on the English one the Arabic
// name reads right to left. The Arabic projector's countdowns: minutes,
// colon and seconds left to right, their words to the right.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SHOTS, startFloor, killFloor, dataDir, createRoom, launch, open, sendCommands } from "./harness.mjs";

const WIDE = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const ARABIC = { name: "أمينة الحسيني", affiliation: "وزارة الاتصالات" };
const LATIN = { name: "Dr. Jean-Pierre O'Neil (ITU)", affiliation: "Ministry of ICT, Kenya" };
const SARA = { name: "سارة بن علي", affiliation: "Access Now" };
const REQUESTS = [
  { channel: "onsite", person: ARABIC, text: "كيف نضمن مشاركة الجميع في القرار؟", location: "الصف 7، المقعد 4", delivery: "room_mic" },
  { channel: "online", person: LATIN, text: "Which standards (ISO, ITU-T) come first?", location: "Geneva, Room 2", delivery: "remote_audio" },
  { channel: "onsite", person: { name: "Kwame Mensah", affiliation: "University of Ghana" }, text: "Who pays for it?",
    location: "Row 3, seat 12", delivery: "room_mic" },
  { channel: "online", person: SARA, text: "ما دور المجتمع المدني؟", delivery: "remote_audio" },
];
/** What people wrote, which the pages must isolate wherever it shows. */
const WRITTEN = REQUESTS.flatMap((r) => [r.person.name, r.person.affiliation, r.text, r.location]).filter(Boolean);

let floor, browser, links;

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "mixed", "Workshop 235");
  browser = await launch();
  const page = await open(browser, links.chair, WIDE);
  const acks = await sendCommands(page, links.chair, [
    { type: "update_settings", patch: { intake_window_s: 0 } },
    { type: "set_programme", programme: { phases: [{ title: "Open floor", kind: "open_floor", minutes: 30 }] } },
    { type: "start_phase", phase: 0 },
    ...REQUESTS.map((entry) => ({ type: "submit", entry })),
  ]);
  await sendCommands(page, links.chair, [{ type: "call", entry_id: acks[3].entry_id, expect_speaking: null }]);
  await page.context().close();
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** Opens `role`'s page in `lang` once the room's requests are drawn. */
async function openIn(role, lang, size) {
  const page = await open(browser, `${links[role]}&lang=${lang}`, size);
  const shown = role === "runner" ? ARABIC.name : LATIN.name;
  await page.waitForFunction((name) => document.body.textContent.includes(name), role === "participant" ? ARABIC.name : shown);
  return page;
}

/** Each place on `page` where something people wrote shows without being
 *  isolated: its text node neither holds it between FSI and PDI nor sits
 *  in an element holding it alone that is a <bdi> or has `unicode-bidi`
 *  plaintext or isolate. */
function unisolated(page) {
  return page.evaluate((written) => {
    const clean = (s) => s.replace(/[\u2068\u2069]/g, "").trim();
    const isolates = (node) => node.tagName === "BDI" ||
      ["plaintext", "isolate", "isolate-override"].includes(getComputedStyle(node).unicodeBidi);
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || ["SCRIPT", "STYLE", "TEXTAREA", "OPTION"].includes(parent.tagName) || parent.closest("[hidden]")) continue;
      for (const value of written) {
        if (!node.textContent.includes(value) || node.textContent.includes(`\u2068${value}\u2069`)) continue;
        let ok = false;
        for (let up = parent; up && clean(up.textContent) === value; up = up.parentElement) ok ||= isolates(up);
        if (!ok) found.push(`"${value}" in <${parent.tagName.toLowerCase()} class="${parent.className}">: "${parent.textContent}"`);
      }
    }
    return found;
  }, WRITTEN);
}

/** The rect of `word` in the first text node under `selector` (within the
 *  element holding `within`, if given) that has it. */
function wordBox(page, selector, word, within = null) {
  return page.evaluate(([selector, word, within]) => {
    for (const scope of document.querySelectorAll(selector)) {
      if (within && !scope.textContent.includes(within)) continue;
      const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent.indexOf(word);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        const { left, right, top, bottom } = range.getBoundingClientRect();
        return { left, right, top, bottom };
      }
    }
    return null;
  }, [selector, word, within]);
}

/** The rect of the element `selector` inside the next list's row of `name`. */
function rowPart(page, name, selector) {
  return page.evaluate(([name, selector]) => {
    const row = [...document.querySelectorAll("#next li")].find((li) => li.querySelector(".name")?.textContent === name);
    const part = row && row.querySelector(selector);
    if (!part) return null;
    const { left, right, top, bottom } = part.getBoundingClientRect();
    return { left, right, top, bottom };
  }, [name, selector]);
}

test("whatever people wrote is isolated on every page, in English and in Arabic; sentences hold names between FSI and PDI", async () => {
  for (const lang of ["en", "ar"]) {
    for (const [role, size] of [["display", WIDE], ["chair", WIDE], ["moderator", WIDE], ["runner", PHONE], ["participant", PHONE]]) {
      const page = await openIn(role, lang, size);
      assert.deepEqual(await unisolated(page), [], `the ${role}'s page in ${lang}`);
      if (role === "participant") {
        const now = await page.textContent("#now");
        assert.ok(now.includes(`\u2068${ARABIC.name}\u2069`), `the participant's "now" in ${lang}: ${now}`);
      }
      if (role === "display") {
        const next = await page.textContent("#next-announce");
        for (const name of [LATIN.name, SARA.name]) assert.ok(next.includes(`\u2068${name}\u2069`), `${name} in the next names in ${lang}: ${next}`);
      }
      await page.context().close();
    }
  }
});

test("as drawn on the Arabic projector: the place right of the name, the Latin name left to right, the separator outside it", async () => {
  const page = await openIn("display", "ar", WIDE);
  await page.screenshot({ path: join(SHOTS, "bidi-display-ar-1920x1080.png") });
  const place = await rowPart(page, LATIN.name, ".place");
  const name = await rowPart(page, LATIN.name, ".name");
  const affiliation = await rowPart(page, LATIN.name, ".affiliation");
  assert.ok(place.left >= name.right - 0.5, `the place (${place.left}) is right of the name (${name.right})`);
  // The name's own words in their order, left to right, and its
  // parentheses around "ITU" at its end.
  const dr = await wordBox(page, "#next .name", "Dr.", LATIN.name);
  const oneil = await wordBox(page, "#next .name", "O'Neil", LATIN.name);
  const itu = await wordBox(page, "#next .name", "(ITU)", LATIN.name);
  assert.ok(dr.right <= oneil.left + 0.5 && oneil.right <= itu.left + 0.5, "Dr. Jean-Pierre O'Neil (ITU) reads left to right");
  assert.ok(Math.abs(itu.right - name.right) < 1, "(ITU) ends the name");
  // Right to left: the name, the separator, then the organisation, all
  // apart; the organisation's own words left to right.
  const dot = await wordBox(page, "#next li .who", "·", LATIN.name);
  assert.ok(dot.right <= name.left + 0.5, `the separator (${dot.left}–${dot.right}) is left of the name (${name.left}–${name.right})`);
  assert.ok(affiliation.right <= dot.left + 0.5, "the organisation is left of the separator");
  const ministry = await wordBox(page, "#next .affiliation", "Ministry", LATIN.affiliation);
  const kenya = await wordBox(page, "#next .affiliation", "Kenya", LATIN.affiliation);
  assert.ok(ministry.right <= kenya.left + 0.5, "Ministry of ICT, Kenya reads left to right");
  // An Arabic row reads right to left too: its first word right of its last.
  const first = await wordBox(page, "#next .name", "سارة", SARA.name);
  const last = await wordBox(page, "#next .name", "علي", SARA.name);
  assert.ok(first.left >= last.right - 0.5, "سارة بن علي reads right to left");
  await page.context().close();
});

test("as drawn on the English projector: Arabic names read right to left, their organisations after the separator", async () => {
  const page = await openIn("display", "en", WIDE);
  await page.screenshot({ path: join(SHOTS, "bidi-display-en-1920x1080.png") });
  // The speaker: an Arabic name, an Arabic organisation.
  const first = await wordBox(page, "#speaker-name", "أمينة");
  const last = await wordBox(page, "#speaker-name", "الحسيني");
  assert.ok(first.left >= last.right - 0.5, `أمينة (${first.left}) is right of الحسيني (${last.right})`);
  const ministry = await wordBox(page, "#speaker-meta", "وزارة");
  const ict = await wordBox(page, "#speaker-meta", "الاتصالات");
  assert.ok(ministry.left >= ict.right - 0.5, "وزارة الاتصالات reads right to left");
  const dot = await wordBox(page, "#speaker-meta", "·");
  assert.ok(dot.left >= ministry.right - 0.5, "the separator is right of the organisation");
  // In the next list: the place, the Arabic name, the separator, the
  // Latin organisation, left to right.
  const place = await rowPart(page, SARA.name, ".place");
  const name = await rowPart(page, SARA.name, ".name");
  const affiliation = await rowPart(page, SARA.name, ".affiliation");
  assert.ok(place.right <= name.left + 0.5, "the place is left of the name");
  const sara = await wordBox(page, "#next .name", "سارة", SARA.name);
  const ali = await wordBox(page, "#next .name", "علي", SARA.name);
  assert.ok(sara.left >= ali.right - 0.5, "سارة بن علي reads right to left");
  const rowDot = await wordBox(page, "#next li .who", "·", SARA.name);
  assert.ok(rowDot.left >= name.right - 0.5, "the separator is right of the name");
  assert.ok(affiliation.left >= rowDot.right - 0.5, "the organisation is right of the separator");
  const access = await wordBox(page, "#next .affiliation", "Access", SARA.affiliation);
  const now = await wordBox(page, "#next .affiliation", "Now", SARA.affiliation);
  assert.ok(access.right <= now.left + 0.5, "Access Now reads left to right");
  await page.context().close();
});

/** How a clock is drawn inside `selector`: its text (isolation marks
 *  kept), the value of its minutes and seconds read by the digits' own
 *  numbering, and the boxes of its minutes, its colon, its seconds and of
 *  the words around it. */
function drawnClock(page, selector) {
  return page.evaluate((selector) => {
    const scope = document.querySelector(selector);
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const match = /(\p{Nd}+):(\p{Nd}{2})/u.exec(node.textContent);
      if (!match) continue;
      const box = (from, length) => {
        const range = document.createRange();
        range.setStart(node, from);
        range.setEnd(node, from + length);
        const { left, right } = range.getBoundingClientRect();
        return { left, right };
      };
      const value = (digits) => Number([...digits].map((d) => {
        // A digit's value: its distance from the zero of its block.
        const code = d.codePointAt(0);
        for (const zero of [0x30, 0x660, 0x6f0]) if (code >= zero && code <= zero + 9) return code - zero;
        return NaN;
      }).join(""));
      const at = match.index;
      const words = node.textContent.slice(0, at).replace(/[\u2068\u2069]/g, "").trim();
      return {
        text: scope.textContent,
        digits: match[1] + match[2],
        minutes: value(match[1]),
        seconds: value(match[2]),
        minuteBox: box(at, match[1].length),
        colonBox: box(at + match[1].length, 1),
        secondBox: box(at + match[1].length + 1, 2),
        words,
        wordsBox: words ? box(node.textContent.indexOf(words), words.length) : null,
      };
    }
    return null;
  }, selector);
}

test("the Arabic projector's countdowns read correctly: the language's digits, minutes left of the colon and seconds right, the words to their right", async () => {
  const page = await openIn("display", "ar", WIDE);
  const zero = await page.evaluate(() => new Intl.NumberFormat("ar", { useGrouping: false }).format(0));
  for (const [selector, most] of [["#countdown", 60], ["#stage-clock", 30]]) {
    await page.waitForFunction((selector) => /\p{Nd}+:\p{Nd}{2}/u.test(document.querySelector(selector).textContent), selector);
    const clock = await drawnClock(page, selector);
    assert.ok(clock, `a clock in ${selector}`);
    assert.ok([...clock.digits].every((d) => d.codePointAt(0) - zero.codePointAt(0) >= 0 && d.codePointAt(0) - zero.codePointAt(0) <= 9),
      `${selector} is written in the page's digits (${zero}…): ${clock.text}`);
    assert.ok(clock.minutes <= most && clock.seconds < 60, `${selector} reads as minutes then seconds: ${clock.text}`);
    assert.ok(clock.minuteBox.right <= clock.colonBox.left + 0.5 && clock.colonBox.right <= clock.secondBox.left + 0.5,
      `${selector}: the minutes, the colon and the seconds left to right (${JSON.stringify(clock)})`);
    if (clock.wordsBox) {
      assert.ok(clock.wordsBox.left >= clock.secondBox.right - 0.5, `${selector}: "${clock.words}" is right of the clock, where an Arabic reader starts`);
    }
  }
  await page.screenshot({ path: join(SHOTS, "bidi-display-ar-clocks-1920x1080.png") });
  await page.context().close();
});
