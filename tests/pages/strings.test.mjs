// The pages' six languages against the English reference
// (crates/floor-broker/src/pages/strings-*.js; strings.js gives the
// rules): every key in every language, plural forms for exactly the
// language's CLDR categories, the same placeholders, and no string left
// in English by accident.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pages = join(root, "crates", "floor-broker", "src", "pages");
const load = async (code) => (await import(pathToFileURL(join(pages, `strings-${code}.js`)).href)).default;
const { LANGUAGES, spoken } = await import(pathToFileURL(join(pages, "strings.js")).href);

const CATEGORY = /\.(zero|one|two|few|many|other)$/;
/** Keys whose text may be the same as English: not words, or the same
 *  word in both languages. */
const SAME_AS_ENGLISH = new Set(["app.name", "chair.place", "join.count", "moderator.count"]);
const SAME_WORD = { fr: new Set(["kind.question"]) };
/** The plural categories a variant may leave its number out of (Arabic's
 *  "one request", "two requests" say the number in the noun). */
const NUMBER_IN_WORD = new Set(["zero", "one", "two"]);

const placeholders = (text) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

/** A table's keys: plain ones, and plural ones by their base. `key.other`
 *  is a plural form when `isPlural(base, key)` says so. */
function shape(table, isPlural) {
  const plain = new Map();
  const plural = new Map();
  for (const [key, value] of Object.entries(table)) {
    const base = key.replace(CATEGORY, "");
    if (base !== key && isPlural(base, key)) {
      if (!plural.has(base)) plural.set(base, new Map());
      plural.get(base).set(key.slice(base.length + 1), value);
    } else {
      plain.set(key, value);
    }
  }
  return { plain, plural };
}

const en = await load("en");
// English's plural keys come in groups (`.one` and `.other`); a lone
// `phase.other` is a plain key.
const groups = new Map();
for (const key of Object.keys(en)) {
  const base = key.replace(CATEGORY, "");
  if (base !== key) groups.set(base, (groups.get(base) || 0) + 1);
}
const reference = shape(en, (base) => groups.get(base) > 1);

test("the six UN languages are offered, English the reference", () => {
  assert.deepEqual(Object.keys(LANGUAGES).sort(), ["ar", "en", "es", "fr", "ru", "zh"]);
  assert.equal(LANGUAGES.ar.dir, "rtl");
  assert.equal(spoken("fr-CA"), "fr");
  assert.equal(spoken("zh-Hans-CN"), "zh");
  assert.equal(spoken("de"), null);
});

for (const code of Object.keys(LANGUAGES).filter((c) => c !== "en")) {
  test(`${code}: every key, its plural forms and placeholders, nothing left in English`, async () => {
    const table = await load(code);
    const categories = new Set(new Intl.PluralRules(LANGUAGES[code].tag).resolvedOptions().pluralCategories);
    // Plural forms of English's plural keys, or of a plain English key.
    const mine = shape(table, (base, key) => reference.plural.has(base) || (Object.hasOwn(en, base) && !Object.hasOwn(en, key)));
    const problems = [];
    const checkText = (key, text, expected, category, extra = new Set()) => {
      if (typeof text !== "string" || !text.trim()) {
        problems.push(`${key}: empty`);
        return;
      }
      const found = placeholders(text);
      for (const name of expected) {
        if (!found.has(name) && !(name === "n" && NUMBER_IN_WORD.has(category))) {
          problems.push(`${key}: lacks {${name}}`);
        }
      }
      for (const name of found) {
        if (!expected.has(name) && !extra.has(name)) problems.push(`${key}: has {${name}}, which English has not`);
      }
    };
    const checkPlural = (base, variants, expected, extra = new Set()) => {
      const given = new Set(variants.keys());
      for (const c of categories) if (!given.has(c)) problems.push(`${base}: lacks the plural form ${c}`);
      for (const c of given) if (!categories.has(c)) problems.push(`${base}: has a plural form ${c}, which ${code} has not`);
      for (const [c, text] of variants) checkText(`${base}.${c}`, text, expected, c, extra);
    };
    for (const [key, english] of reference.plain) {
      const expected = placeholders(english);
      if (mine.plain.has(key)) {
        checkText(key, mine.plain.get(key), expected, null);
        if (mine.plural.has(key)) problems.push(`${key}: both plain and in plural forms`);
        const same = SAME_AS_ENGLISH.has(key) || SAME_WORD[code]?.has(key);
        if (mine.plain.get(key) === english && !same) problems.push(`${key}: left in English`);
      } else if (mine.plural.has(key)) {
        // Plural forms of a plain English key: the count comes as `n`,
        // which the text may show in place of the English placeholder.
        checkPlural(key, mine.plural.get(key), expected, new Set(["n"]));
      } else {
        problems.push(`${key}: missing`);
      }
    }
    for (const [base, variants] of reference.plural) {
      const expected = new Set([...variants.values()].flatMap((text) => [...placeholders(text)]));
      if (!mine.plural.has(base)) {
        problems.push(`${base}: missing its plural forms`);
        continue;
      }
      checkPlural(base, mine.plural.get(base), expected);
      for (const [c, text] of mine.plural.get(base)) {
        if (variants.get(c) === text) problems.push(`${base}.${c}: left in English`);
      }
    }
    for (const key of mine.plain.keys()) if (!reference.plain.has(key)) problems.push(`${key}: not an English key`);
    for (const base of mine.plural.keys()) {
      if (!reference.plain.has(base) && !reference.plural.has(base)) problems.push(`${base}.*: not an English key`);
    }
    assert.deepEqual(problems, [], `${code} (${problems.length} problems)`);
  });
}

test("a plural picks the language's CLDR category, and numbers its digits", async () => {
  const { t } = await import(pathToFileURL(join(pages, "strings.js")).href);
  assert.equal(t("runner.later", { n: 1 }), "No one from the room in the next 1 turn");
  assert.equal(t("runner.later", { n: 3 }), "No one from the room in the next 3 turns");
  assert.equal(t("display.more", { n: 1200 }), "and 1,200 more");
  // A name is isolated (FSI ... PDI) inside the sentence.
  assert.equal(t("stage.presenter", { name: "أمينة" }), "Presenting: \u2068أمينة\u2069");
});

test("every service a relayed request can come from has its label", async () => {
  const { SOURCES } = await import(pathToFileURL(join(pages, "protocol.js")).href);
  const english = await load("en");
  assert.ok(SOURCES.length > 0);
  for (const source of SOURCES) assert.ok(english[`source.${source}`], `source.${source} has no string`);
});
