// Every page in Arabic and in Chinese at the sizes it is used at (the
// projector at 1920×1080 and 1280×720, the phones' pages and the join code
// page at 390×844 and 320×568, the chair's and the moderator's at 1280×720
// and 390×844): the document's language and direction, the language's
// strings and no English left over, nothing off the screen, axe-core
// clean. French and Russian, the longest strings, at phone widths. The
// bilingual projector (`lang=en,fr`). The participant's language switcher.
// A link without `lang`: the browser's languages choose, else English.
// The room holds a real session: a run of show with presenters, requests
// from the room and online with names, organisations, questions and seats,
// a speaker, a pinned request. The README's projector screenshots are
// written from here (docs/screenshots/).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import {
  root, SHOTS, misfits, startFloor, killFloor, dataDir, createRoom, launch, open, sendCommands, axeViolations,
} from "./harness.mjs";

const PROJECTOR = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }];
const PHONES = [{ width: 390, height: 844 }, { width: 320, height: 568 }];
const DESK = [{ width: 1280, height: 720 }, { width: 390, height: 844 }];
/** Each page and its sizes; `whole`: it must fit the screen both ways
 *  (the projector), else it must not be wider than the screen. */
const PAGES = [
  { role: "display", sizes: PROJECTOR, whole: true },
  { role: "chair", sizes: DESK },
  { role: "moderator", sizes: DESK },
  { role: "runner", sizes: PHONES },
  { role: "participant", sizes: PHONES },
  { role: "code", sizes: PHONES },
];
const TAGS = { ar: "ar", zh: "zh-Hans", en: "en", fr: "fr", ru: "ru", es: "es" };
const README = join(root, "docs", "screenshots");

const TITLE = "IGF 2026, Workshop 235: Digital industrialisation, fairly and with everyone heard";
const PRESENTERS = [
  { name: "Roberto Bissio", affiliation: "Social Watch" },
  { name: "Deborah James", affiliation: "CEPR" },
  { name: "Christopher Foster", affiliation: "University of Manchester" },
];
/** The requests, in the order they arrive. */
const REQUESTS = [
  { channel: "onsite", person: { name: "Kwame Mensah", affiliation: "University of Ghana" },
    text: "Who pays for the community networks once the grants end?", location: "Row 3, seat 12", delivery: "room_mic" },
  { channel: "online", person: { name: "Carla Ruiz", affiliation: "Fundación Vía Libre" },
    text: "How do small firms reach the data they produce?", location: "Buenos Aires hub", delivery: "remote_audio" },
  { channel: "onsite", person: { name: "أمينة الحسيني", affiliation: "وزارة الاتصالات" },
    text: "كيف نضمن مشاركة الجميع في القرار؟", location: "Row 7, seat 4", delivery: "room_mic" },
  { channel: "online", person: { name: "Dr. Jean-Pierre O'Neil (ITU)", affiliation: "Ministry of ICT, Kenya" },
    text: "Which standards should a small country adopt first?", location: "Geneva", delivery: "remote_audio" },
  { channel: "onsite", person: { name: "Bo Chen" }, location: "Balcony, left", delivery: "room_mic" },
  { channel: "online", person: { name: "Dev Patel", affiliation: "IT for Change" }, kind: "comment",
    text: "A comment on the fairness of procurement rules.", delivery: "read_aloud" },
  { channel: "onsite", person: { name: "Mei Lin Tan", affiliation: "APNIC" }, location: "Row 1, seat 2", delivery: "room_mic" },
];
const SPEAKER = REQUESTS[0].person.name;
const PINNED = REQUESTS[5].person.name;
/** What the users wrote: no language's strings, taken out before the
 *  pages' texts are searched for English. */
const USER_CONTENT = [
  TITLE, "Presentations", "Questions from the room and online", "Closing remarks",
  ...PRESENTERS.flatMap((p) => [p.name, p.affiliation]),
  ...REQUESTS.flatMap((r) => [r.person.name, r.person.affiliation, r.text, r.location]),
].filter(Boolean).sort((a, b) => b.length - a.length);

let floor, browser, links, en;

/** The link of `link` asking for `lang` (`ar`, or `en,fr`). */
const withLang = (link, lang) => `${link}&lang=${lang}`;

/** A strings table as the broker serves it. */
async function tableOf(lang) {
  const source = await (await fetch(`${floor.base}/assets/strings-${lang}.js`)).text();
  return (await import(`data:text/javascript,${encodeURIComponent(source)}`)).default;
}

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "ws235", TITLE);
  browser = await launch();
  en = await tableOf("en");
  const page = await open(browser, links.chair, DESK[0]);
  const acks = await sendCommands(page, links.chair, [
    { type: "update_settings", patch: { intake_window_s: 0, speaking_limit_s: 180 } },
    { type: "set_programme", programme: { phases: [
      { title: "Presentations", kind: "presentations", minutes: 30, minutes_each: 8, speakers: PRESENTERS },
      { title: "Questions from the room and online", kind: "open_floor", minutes: 40 },
      { title: "Closing remarks", kind: "closing", minutes: 10 },
    ] } },
    { type: "start_phase", phase: 1 },
    ...REQUESTS.map((entry) => ({ type: "submit", entry })),
  ]);
  const ids = acks.slice(3).map((ack) => ack.entry_id);
  await sendCommands(page, links.chair, [
    { type: "call", entry_id: ids[0], expect_speaking: null },
    { type: "pin", entry_id: ids[5] },
  ]);
  await page.context().close();
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** Opens `role`'s page in `lang` at `size`; the join code page (`code`),
 *  which has no connection, by its address. */
async function openIn(role, lang, size) {
  if (role === "code") {
    const context = await browser.newContext({ viewport: size, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(`${floor.base}/join?lang=${lang}`, { waitUntil: "networkidle" });
    // Its strings are put in by a module once the table is loaded; what
    // the page then says is checked by the caller.
    await page.waitForFunction((tag) => document.documentElement.lang === tag, TAGS[lang], { timeout: 5000 }).catch(() => {});
    return page;
  }
  const page = await open(browser, withLang(links[role], lang), size);
  // The session drawn: the speaker's name (the moderator's page, which
  // lists online requests, the pinned one's) is on the page.
  const name = role === "moderator" ? PINNED : SPEAKER;
  await page.waitForFunction((name) => document.body.textContent.replace(/[\u2068\u2069]/g, "").includes(name), name)
    .catch(() => assert.fail(`${name} never shown on the ${role}'s page in ${lang}`));
  return page;
}


/** What a page says, read in it: its shown texts, accessible names,
 *  placeholders and title (each with the users' content taken out), each
 *  `[data-t]` node's key and text, and the document's lang and dir. */
function reading(page) {
  return page.evaluate((userContent) => {
    const clean = (s) => s.replace(/[\u2068\u2069]/g, "");
    const strip = (s) => userContent.reduce((out, u) => out.split(u).join(" "), clean(s));
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || ["SCRIPT", "STYLE", "TEXTAREA"].includes(parent.tagName)) continue;
      if (parent.closest("[hidden]") || !node.textContent.trim()) continue;
      if (!parent.checkVisibility() && !parent.closest(".visually-hidden")) continue;
      texts.push(strip(node.textContent));
    }
    for (const node of document.body.querySelectorAll("[aria-label], [placeholder], [title], img[alt]")) {
      if (node.closest("[hidden]")) continue;
      for (const name of ["aria-label", "placeholder", "title", "alt"]) {
        const value = node.getAttribute(name);
        if (value) texts.push(strip(value));
      }
    }
    texts.push(strip(document.title));
    // A node whose string the users' content replaced (the session's
    // title in the title's place) is read with the other texts.
    const keyed = [...document.querySelectorAll("[data-t]")]
      .map((node) => ({ key: node.dataset.t, text: clean(node.textContent).trim() }))
      .filter(({ text }) => !userContent.some((u) => text.includes(u)));
    return { texts, keyed, lang: document.documentElement.lang, dir: document.documentElement.dir };
  }, USER_CONTENT);
}

/** The English a page in the language of `table` must not show: the
 *  literal parts (placeholders taken out) of the English values that
 *  differ from the language's, over 3 characters, in none of its values. */
function englishParts(table) {
  const theirs = Object.values(table).join("\n");
  const parts = new Set();
  for (const [key, value] of Object.entries(en)) {
    if (table[key] === value) continue;
    for (const part of value.split(/\{\w+\}/)) {
      const piece = part.trim();
      if (piece.length > 3 && /\p{L}{2}/u.test(piece) && !theirs.includes(piece)) parts.add(piece);
    }
  }
  return [...parts];
}

/** Checks that `page` speaks `lang`: its lang and dir, its labels in the
 *  language (most of them their own key's string), no English. */
async function speaks(page, lang, table, where) {
  const read = await reading(page);
  assert.equal(read.lang, TAGS[lang], `lang of ${where}`);
  assert.equal(read.dir, lang === "ar" ? "rtl" : "ltr", `dir of ${where}`);
  const values = new Set(Object.values(table));
  const own = read.keyed.filter(({ key, text }) => table[key] === text);
  assert.ok(own.length >= (read.keyed.length > 3 ? 3 : 1), `${where}: only ${own.length} labels in ${lang}`);
  assert.deepEqual(read.keyed.filter(({ text }) => text && !values.has(text)), [], `${where}: labels not in ${lang}`);
  const all = read.texts.join("\n");
  // Nothing a program left: an object or a value that is not one, a
  // placeholder not filled.
  assert.deepEqual(all.match(/\[object \w+\]|\bundefined\b|\bNaN\b|\{\w+\}/g) || [], [], `${where}: what a program left`);
  assert.deepEqual(englishParts(table).filter((part) => all.includes(part)), [], `${where}: English left in the page`);
}

for (const lang of ["ar", "zh"]) {
  test(`every page in ${lang}: lang and dir, its strings and no English, nothing off the screen, axe-core clean`, async () => {
    const table = await tableOf(lang);
    for (const { role, sizes, whole } of PAGES) {
      for (const size of sizes) {
        const where = `${role} at ${size.width}×${size.height} in ${lang}`;
        const page = await openIn(role, lang, size);
        await page.screenshot({ path: join(SHOTS, `lang-${lang}-${role}-${size.width}x${size.height}.png`), fullPage: !whole });
        await speaks(page, lang, table, where);
        assert.deepEqual(await misfits(page, { whole: Boolean(whole), apart: Boolean(whole) }), [], `${where}: off the screen`);
        assert.deepEqual(await axeViolations(page), [], `axe on ${where}`);
        await page.context().close();
      }
    }
  });
}

test("French and Russian, the longest strings, fit the phones: participant, runner and join code page at 320 and 390, the chair and the moderator at 390", async () => {
  for (const lang of ["fr", "ru"]) {
    const table = await tableOf(lang);
    const cases = [
      ...PHONES.flatMap((size) => ["participant", "runner", "code"].map((role) => ({ role, size }))),
      { role: "chair", size: PHONES[0] },
      { role: "moderator", size: PHONES[0] },
    ];
    for (const { role, size } of cases) {
      const where = `${role} at ${size.width}×${size.height} in ${lang}`;
      const page = await openIn(role, lang, size);
      await page.screenshot({ path: join(SHOTS, `lang-${lang}-${role}-${size.width}x${size.height}.png`), fullPage: true });
      await speaks(page, lang, table, where);
      assert.deepEqual(await misfits(page, { whole: false }), [], `${where}: off the screen`);
      assert.deepEqual(await axeViolations(page), [], `axe on ${where}`);
      await page.context().close();
    }
  }
});

test("the bilingual projector (lang=en,fr): its labels in English and French, each name once, nothing off the screen, axe clean", async () => {
  const fr = await tableOf("fr");
  for (const size of PROJECTOR) {
    const where = `the en,fr projector at ${size.width}×${size.height}`;
    const page = await openIn("display", "en,fr", size);
    await page.waitForFunction(() => document.querySelectorAll("#next li[data-entry]").length === 5);
    const more = await page.$$eval("#more > span", (nodes) => nodes.map((n) => n.lang));
    assert.deepEqual(more, ["en", "fr"], `"and 1 more" in both languages on ${where}`);
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ["en", "ltr"]);
    for (const [selector, key] of [["#next-label", "display.next"], ["#queue-state", "display.queue_open"], ["#speaker-label", "display.speaking"]]) {
      const spans = await page.$$eval(`${selector} > span`, (nodes) => nodes.map((n) => ({ lang: n.lang, text: n.textContent })));
      assert.deepEqual(spans, [{ lang: "en", text: en[key] }, { lang: "fr", text: fr[key] }], `${selector} on ${where}`);
    }
    // Each name once on the screen (the live region that reads the next
    // names out aside: it is not shown).
    const shown = await page.evaluate(() => {
      const texts = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".visually-hidden, [hidden]")) continue;
        texts.push(node.textContent.replace(/[\u2068\u2069]/g, ""));
      }
      return texts.join("\n");
    });
    for (const name of REQUESTS.slice(0, 5).map((r) => r.person.name).concat(PINNED)) {
      assert.equal(shown.split(name).length - 1, 1, `${name} once on ${where}`);
    }
    await page.screenshot({ path: join(SHOTS, `lang-en-fr-display-${size.width}x${size.height}.png`) });
    assert.deepEqual(await misfits(page, { whole: true, apart: true }), [], `${where}: off the screen`);
    assert.deepEqual(await axeViolations(page), [], `axe on ${where}`);
    // The queue closed: its banner in both languages still fits.
    await sendCommands(page, links.chair, [{ type: "close_queue" }]);
    await page.waitForFunction(() => document.body.dataset.queue === "closed");
    await page.screenshot({ path: join(SHOTS, `lang-en-fr-display-closed-${size.width}x${size.height}.png`) });
    assert.deepEqual(await misfits(page, { whole: true, apart: true }), [], `${where}, the queue closed: off the screen`);
    await sendCommands(page, links.chair, [{ type: "open_queue" }]);
    await page.waitForFunction(() => document.body.dataset.queue === "open");
    await page.context().close();
  }
});

test("the participant's language switcher: Español changes the page without a reload, keeps the request, and is remembered", async () => {
  const es = await tableOf("es");
  const page = await open(browser, links.participant, PHONES[0]);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.fill("#name", "Lucía Fernández");
  await page.fill("#text", "¿Quién financia los centros comunitarios?");
  await page.click("#form button[type=submit]");
  await page.waitForFunction(() => /^You are number \d+ in line$/.test(document.getElementById("mine-state").textContent.replace(/[\u2068\u2069]/g, "")));
  const place = Number((await page.textContent("#mine-state")).match(/\d+/)[0]);
  await page.evaluate(() => { window.notReloaded = true; });

  await page.selectOption("#language", "es");
  const position = es["join.position"].replace("{n}", String(place));
  const says = (expected) => page.waitForFunction((text) =>
    document.getElementById("mine-state").textContent.replace(/[\u2068\u2069]/g, "") === text, expected);
  await says(position);
  assert.equal(await page.evaluate(() => window.notReloaded), true, "changed without a reload");
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ["es", "ltr"]);
  assert.equal(await page.isVisible("#mine"), true, "the request is still shown");
  assert.equal(await page.textContent("#withdraw"), es["join.withdraw"]);
  await speaks(page, "es", es, "the participant after choosing Español");
  assert.deepEqual(await axeViolations(page), [], "axe after choosing Español");

  // Remembered: on a reload, and in a new tab opened from the link.
  await page.reload();
  await page.waitForSelector("body[data-status=connected]");
  await says(position);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "es");
  assert.equal(await page.inputValue("#language"), "es");
  const tab = await page.context().newPage();
  await tab.goto(links.participant);
  await tab.waitForSelector("body[data-status=connected]");
  assert.equal(await tab.evaluate(() => document.documentElement.lang), "es");
  assert.equal(await tab.textContent("#form button[type=submit]"), es["join.submit"]);
  await page.context().close();
});

test("the README's screenshots: the Arabic projector and the English and French one at 1920×1080, each under 300 KB", async () => {
  for (const [lang, file] of [["ar", "projector-ar.png"], ["en,fr", "projector-en-fr.png"]]) {
    const path = join(README, file);
    let bytes = Infinity;
    // Full size if it fits in 300 KB, else smaller pixels.
    for (const deviceScaleFactor of [1, 0.75, 0.5]) {
      const context = await browser.newContext({ viewport: PROJECTOR[0], colorScheme: "light", deviceScaleFactor });
      const page = await context.newPage();
      await page.goto(withLang(links.display, lang));
      await page.waitForSelector("body[data-status=connected]");
      await page.waitForFunction((name) => document.body.textContent.replace(/[\u2068\u2069]/g, "").includes(name) &&
        !document.getElementById("qr-image").hidden && document.getElementById("qr-image").complete, SPEAKER);
      await page.screenshot({ path, type: "png" });
      assert.deepEqual(await misfits(page, { whole: true, apart: true }), [], `${file}: off the screen`);
      await context.close();
      bytes = statSync(path).size;
      if (bytes <= 300 * 1024) break;
    }
    assert.ok(bytes <= 300 * 1024, `${file} is ${Math.round(bytes / 1024)} KB`);
  }
});

test("without lang in the link, the browser's first language the pages speak chooses, else English; the link's lang wins over the browser's", async () => {
  const cases = [
    { browser: ["fr-CA"], link: null, expect: "fr" },
    { browser: ["pt-BR", "ru-RU", "en"], link: null, expect: "ru" },
    { browser: ["zh-CN"], link: null, expect: "zh" },
    { browser: ["ar-EG", "en"], link: null, expect: "ar" },
    { browser: ["pt-BR", "de-DE"], link: null, expect: "en" },
    { browser: ["fr-FR"], link: "es", expect: "es" },
  ];
  for (const { browser: languages, link, expect } of cases) {
    for (const role of ["display", "participant"]) {
      const where = `the ${role}'s page with the browser's languages ${languages.join(", ")}${link ? ` and lang=${link} in the link` : ""}`;
      const context = await browser.newContext({ viewport: PHONES[0], colorScheme: "light", locale: languages[0] });
      await context.addInitScript((languages) => {
        Object.defineProperty(Navigator.prototype, "languages", { get: () => languages, configurable: true });
      }, languages);
      const page = await context.newPage();
      await page.goto(link ? withLang(links[role], link) : links[role]);
      await page.waitForSelector("body[data-status=connected]");
      assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
        [TAGS[expect], expect === "ar" ? "rtl" : "ltr"], where);
      await speaks(page, expect, await tableOf(expect), where);
      await context.close();
    }
  }
});
