// The pages' style sheets lay out with logical properties only
// (`margin-inline-start`, not `margin-left`), so that an Arabic page,
// `dir="rtl"`, is the mirror of an English one. A physical side in a
// declaration (margin, padding, border, inset, float, clear, text-align
// or a transform that moves left or right) fails the test with its file
// and line.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pages = join(root, "crates", "floor-broker", "src", "pages");

/** Declarations that name a physical side. */
const PHYSICAL = [
  /\b(margin|padding|border|scroll-margin|scroll-padding)-(left|right)\b/,
  /\bborder-(top|bottom)-(left|right)-radius\b/,
  /(^|[\s;{])(left|right)\s*:/,
  /\b(float|clear)\s*:\s*(left|right)\b/,
  /\btext-align\s*:\s*(left|right)\b/,
];

/** Each CSS text of the pages: the style sheets, and `<style>` blocks and
 *  `style` attributes of the HTML pages. */
function sheets() {
  const found = [];
  for (const name of readdirSync(pages)) {
    const text = readFileSync(join(pages, name), "utf8");
    if (name.endsWith(".css")) found.push({ name, text });
    if (name.endsWith(".html")) {
      for (const m of text.matchAll(/<style[^>]*>([\s\S]*?)<\/style>|style="([^"]*)"/g)) {
        found.push({ name, text: m[1] ?? m[2] });
      }
    }
  }
  return found;
}

test("the pages' CSS names no physical side: logical properties only", () => {
  const all = sheets();
  assert.ok(all.some((s) => s.name === "floor.css"), "floor.css is read");
  const bad = [];
  for (const { name, text } of all) {
    const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
    withoutComments.split("\n").forEach((line, i) => {
      if (PHYSICAL.some((re) => re.test(line))) bad.push(`${name}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});

test("the check finds a physical side where there is one", () => {
  for (const line of ["a { margin-left: 1em }", ".x{left:0}", "p { text-align: right; }", "b { float: left }", "i { border-top-right-radius: 2px }"]) {
    assert.ok(PHYSICAL.some((re) => re.test(line)), line);
  }
  for (const line of ["a { margin-inline-start: 1em }", "p { text-align: start }", ".x { inset-inline-start: 0 }", "a { border-start-end-radius: 2px }"]) {
    assert.ok(!PHYSICAL.some((re) => re.test(line)), line);
  }
});
