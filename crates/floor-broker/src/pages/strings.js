// The pages' languages: which one a page speaks, and its strings.
//
// Every visible string is in `strings-<code>.js`, one table per language:
// Arabic (ar), Chinese, simplified (zh), English (en), French (fr),
// Russian (ru) and Spanish (es). English is the reference: every other
// table has the same keys (tests/pages/strings.test.mjs holds them to it),
// and the domain's terms follow docs/glossary.md.
//
// - `{name}` is a placeholder, filled from the caller's parameters; a
//   number is written with the language's digits (Intl.NumberFormat).
// - Plurals follow CLDR through Intl.PluralRules: a key given as
//   `key.one`, `key.few`, `key.many`, `key.other` (the categories the
//   language has) is picked by the parameter `n`. A language may give a
//   plain key in plural forms even where English has one form; callers
//   pass `n` with every count for that reason.
// - The language comes from the link (`#...&lang=fr` or `?lang=fr`),
//   else from the browser's languages, else English. A projector's link
//   may name two (`lang=en,fr`): its labels are then shown in both.

import en from "./strings-en.js";

/** The languages the pages speak, with their own names and direction. */
export const LANGUAGES = {
  ar: { name: "العربية", dir: "rtl", tag: "ar" },
  zh: { name: "中文", dir: "ltr", tag: "zh-Hans" },
  en: { name: "English", dir: "ltr", tag: "en" },
  fr: { name: "Français", dir: "ltr", tag: "fr" },
  ru: { name: "Русский", dir: "ltr", tag: "ru" },
  es: { name: "Español", dir: "ltr", tag: "es" },
};

const tables = { en };

/** Loads the table of `code` (one of LANGUAGES). */
async function load(code) {
  if (!tables[code]) tables[code] = (await import(`./strings-${code}.js`)).default;
  return tables[code];
}

/** The language code a tag such as `fr-CA` or `zh-Hans-CN` names, if spoken. */
export function spoken(tag) {
  const base = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(LANGUAGES, base) ? base : null;
}

/** The languages the link asks for (`lang=fr` or `lang=en,fr`), in order. */
export function linkLanguages(loc = globalThis.location) {
  if (!loc) return [];
  const found = [];
  for (const part of [String(loc.hash || "").replace(/^#/, ""), String(loc.search || "").replace(/^\?/, "")]) {
    for (const pair of part.split("&")) {
      const [name, value] = pair.split("=");
      if (name !== "lang" || !value) continue;
      for (const tag of decodeURIComponent(value).split(",")) {
        const code = spoken(tag);
        if (code && !found.includes(code)) found.push(code);
      }
    }
  }
  return found.slice(0, 2);
}

/** The language of the browser's first choice that the pages speak. */
function browserLanguage() {
  // No `navigator` outside a browser (node's tests import these modules).
  const nav = globalThis.navigator || {};
  for (const tag of nav.languages || [nav.language || "en"]) {
    const code = spoken(tag);
    if (code) return code;
  }
  return "en";
}

/** The link's languages (kept for this tab: the page drops the link's
 *  fragment once read), else the one chosen on this device, else the
 *  browser's. */
function chosen() {
  let fromLink = linkLanguages();
  let stored = null;
  try {
    const tab = globalThis.sessionStorage;
    if (fromLink.length) tab?.setItem("floor:lang", fromLink.join(","));
    else fromLink = (tab?.getItem("floor:lang") || "").split(",").map(spoken).filter(Boolean);
    stored = spoken(globalThis.localStorage?.getItem("floor:lang"));
  } catch {
    // Storage refused (a private window): the link and the browser decide.
  }
  return fromLink.length ? fromLink : [stored || browserLanguage()];
}

/** A speaker of one language: its strings, plurals and numbers. */
class Speaker {
  constructor(code, table) {
    this.code = code;
    this.table = table;
    this.tag = LANGUAGES[code].tag;
    this.dir = LANGUAGES[code].dir;
    this.plurals = new Intl.PluralRules(this.tag);
    this.numbers = new Intl.NumberFormat(this.tag);
  }

  /** The text of `key` in this language, or undefined. */
  text(key, params) {
    if (Object.hasOwn(this.table, key)) return this.table[key];
    if (params.n === undefined) return undefined;
    const n = Number(params.n);
    return this.table[`${key}.${this.plurals.select(n)}`] ?? this.table[`${key}.other`];
  }

  /** `key` filled from `params`; English when this language lacks it. */
  t(key, params = {}) {
    let text = this.text(key, params);
    let speaker = this;
    if (text === undefined && this.code !== "en") {
      speaker = english;
      text = english.text(key, params);
    }
    if (text === undefined) return key;
    return text.replace(/\{(\w+)\}/g, (_, name) => {
      const value = params[name];
      if (typeof value === "number") return speaker.numbers.format(value);
      // Isolated (FSI ... PDI), as <bdi> would: a name in another script
      // never reorders the sentence around it.
      const filled = String(value ?? "");
      return filled ? `\u2068${filled}\u2069` : "";
    });
  }
}

const english = new Speaker("en", en);
let speakers = [english];

const wanted = chosen();
for (const code of wanted) {
  try {
    await load(code);
  } catch {
    // A table that cannot be loaded: English instead.
  }
}
speakers = wanted.filter((code) => tables[code]).map((code) => new Speaker(code, tables[code]));
if (speakers.length === 0) speakers = [english];

/** The page's language code (its first, for a bilingual projector). */
export let lang = speakers[0].code;

/** The page's languages: one, or two on a bilingual projector. */
export function languages() {
  return speakers.map((s) => s.code);
}

/** The BCP 47 tag of the page's language, for Intl (e.g. `zh-Hans`). */
export function langTag() {
  return speakers[0].tag;
}

/** The string `key` in the page's language, `{name}` filled from `params`. */
export function t(key, params = {}) {
  return speakers[0].t(key, params);
}

/** The string `key` in each of the page's languages (two on a bilingual
 * projector), with the language of each. */
export function tAll(key, params = {}) {
  return speakers.map((s) => ({ lang: s.tag, dir: s.dir, text: s.t(key, params) }));
}

/** A number in the page's language. */
export function num(value) {
  return speakers[0].numbers.format(value);
}

/** Changes the page's language (the participant's switcher); the caller
 * draws the page again. Remembered on this device. */
export async function setLanguage(code) {
  if (!Object.hasOwn(LANGUAGES, code)) return;
  await load(code);
  speakers = [new Speaker(code, tables[code])];
  lang = code;
  try {
    globalThis.localStorage?.setItem("floor:lang", code);
    globalThis.sessionStorage?.setItem("floor:lang", code);
  } catch {
    // Not remembered; the page still changes.
  }
  if (globalThis.document) applyStrings();
}

/** Fills `data-t` (text), `data-t-placeholder` and `data-t-label` under
 * `root`, and sets the document's `lang` and `dir`. A node with `data-t`
 * on a bilingual page gets one span per language. */
export function applyStrings(root = document) {
  document.documentElement.lang = speakers[0].tag;
  document.documentElement.dir = speakers[0].dir;
  for (const node of root.querySelectorAll("[data-t]")) fill(node, node.dataset.t);
  for (const node of root.querySelectorAll("[data-t-placeholder]")) node.placeholder = t(node.dataset.tPlaceholder);
  for (const node of root.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(node.dataset.tLabel));
}

/** Puts `key` into `node`: its text, or on a bilingual page one span per
 * language (each with its `lang` and `dir`; the second styled `.second`). */
export function fill(node, key, params = {}) {
  if (speakers.length === 1 || node.tagName === "TITLE" || node.tagName === "OPTION") {
    const text = t(key, params);
    if (node.textContent !== text) node.textContent = text;
    return;
  }
  // Only when it changes, so that a live region announces changes.
  const said = JSON.stringify(tAll(key, params).map((part) => part.text));
  if (node.dataset.said === said && node.children.length === speakers.length) return;
  node.dataset.said = said;
  node.replaceChildren(
    ...tAll(key, params).map((part, i) => {
      const span = document.createElement("span");
      span.lang = part.lang;
      span.dir = part.dir;
      span.className = i === 0 ? "first" : "second";
      span.textContent = part.text;
      return span;
    }),
  );
}
