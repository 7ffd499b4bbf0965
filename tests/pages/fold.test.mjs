// The pages' fold (crates/floor-broker/src/pages/fold.js) against the
// core's, and the chair's page's call to undo (pages/undo.js) against
// `Room::last_call`: each case written by crates/floor-core/tests/fold_conformance.rs
// (the recorded session, the protocol's examples, random sessions) is
// folded here, and every view the core gives is compared field by field.
// A case the core refuses, the pages' fold must refuse at the same event.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { fold } = await import(join(root, "crates", "floor-broker", "src", "pages", "fold.js"));
const { lastCallAfter } = await import(join(root, "crates", "floor-broker", "src", "pages", "undo.js"));
const CASES = join(root, "target", "fold-conformance", "cases.json");

/** The cases, written by the Rust side first when they are missing. */
function cases() {
  if (!existsSync(CASES)) {
    const run = spawnSync("cargo", ["test", "--locked", "-p", "floor-core", "--test", "fold_conformance"],
      { cwd: root, stdio: "inherit" });
    assert.equal(run.status, 0, "cargo test -p floor-core --test fold_conformance failed");
  }
  return JSON.parse(readFileSync(CASES, "utf8"));
}

/** The first difference between `actual` and `expected`, as a path, or
 *  null. Absent and `undefined` are the same, as in JSON. */
function difference(actual, expected, path = "view") {
  if (Object.is(actual, expected)) return null;
  const kind = (v) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  if (kind(actual) !== kind(expected)) return `${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`;
  if (kind(actual) === "array") {
    if (actual.length !== expected.length) return `${path}.length: ${actual.length} ≠ ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const found = difference(actual[i], expected[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (kind(actual) === "object") {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const key of [...keys].sort()) {
      if (actual[key] === undefined && expected[key] === undefined) continue;
      const found = difference(actual[key], expected[key], `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  return `${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`;
}

/** Folds one case; the list of disagreements with the core (empty when
 *  the two folds agree). */
export function check(c) {
  const view = structuredClone(c.start);
  const expected = new Map(c.views.map((v) => [v.after, v]));
  const problems = [];
  let last = null;
  for (let i = 0; i < c.events.length; i++) {
    last = lastCallAfter(last, c.events[i], view);
    try {
      fold(view, c.events[i]);
    } catch (error) {
      if (c.refused_at !== i) problems.push(`${c.name}: event ${i} refused by the pages (${error.message}), not by the core`);
      return problems;
    }
    if (c.refused_at === i) {
      problems.push(`${c.name}: event ${i} (${c.events[i].event.type}) refused by the core, applied by the pages`);
      return problems;
    }
    if (expected.has(i)) {
      const want = expected.get(i);
      const found = difference(JSON.parse(JSON.stringify(view)), want.view);
      if (found) {
        problems.push(`${c.name}: after event ${i} (${c.events[i].event.type}), ${found}`);
        return problems;
      }
      if (want.last_call !== undefined && want.last_call !== last) {
        problems.push(`${c.name}: after event ${i} (${c.events[i].event.type}), the call to undo is ${last}, not ${want.last_call}`);
        return problems;
      }
    }
  }
  return problems;
}

test("the pages fold every case as the core does", () => {
  const all = cases();
  const events = all.reduce((n, c) => n + c.events.length, 0);
  assert.ok(all.length >= 300 && events > 1000, `${all.length} cases, ${events} events`);
  assert.ok(all.some((c) => c.refused_at !== null), "some case the core refuses");
  const problems = all.flatMap(check);
  assert.deepEqual(problems.slice(0, 10), []);
});
