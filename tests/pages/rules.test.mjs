// The pages' copies of two rules against the Rust ones: where the mic
// runner goes next (pages/deck.js `onDeck`, floor-client's `OnDeck::of`)
// and the open floor's time budget (pages/wait.js `forecast`,
// floor_core::forecast). The cases, with the Rust answers, are written by
// crates/floor-client/tests/rules_conformance.rs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pages = join(root, "crates", "floor-broker", "src", "pages");
const { onDeck } = await import(join(pages, "deck.js"));
const { forecast } = await import(join(pages, "wait.js"));
const CASES = join(root, "target", "fold-conformance", "rules.json");

function cases() {
  if (!existsSync(CASES)) {
    const run = spawnSync("cargo", ["test", "--locked", "-p", "floor-client", "--test", "rules_conformance"],
      { cwd: root, stdio: "inherit" });
    assert.equal(run.status, 0, "cargo test -p floor-client --test rules_conformance failed");
  }
  return JSON.parse(readFileSync(CASES, "utf8"));
}

/** JSON with sorted keys, so that two equal values print the same. */
function canonical(value) {
  return JSON.stringify(value, (_, v) => (v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

const all = cases();

test("the runner's page goes where the command line goes", () => {
  assert.ok(all.length >= 300, `${all.length} cases`);
  assert.ok(all.some((c) => c.on_deck && c.on_deck.speaking) && all.some((c) => c.on_deck && !c.on_deck.speaking),
    "cases of both kinds");
  const problems = [];
  for (const c of all) {
    const found = onDeck(c.view, c.order);
    const mine = found && { entry_id: found.entry.id, ahead: found.ahead, speaking: found.speaking };
    if (canonical(mine) !== canonical(c.on_deck)) {
      problems.push(`${c.name}: pages ${JSON.stringify(mine)}, Rust ${JSON.stringify(c.on_deck)}`);
    }
  }
  assert.deepEqual(problems.slice(0, 10), []);
});

test("the chair's page forecasts the open floor as the core does", () => {
  const read = all.flatMap((c) => c.forecasts.map((f) => ({ ...f, name: c.name, view: c.view })));
  assert.ok(read.filter((f) => f.forecast).length >= 100, "cases in an open floor");
  const problems = [];
  for (const f of read) {
    const mine = forecast(f.view, f.now_ms);
    if (canonical(mine) !== canonical(f.forecast)) {
      problems.push(`${f.name} at ${f.now_ms}: pages ${JSON.stringify(mine)}, Rust ${JSON.stringify(f.forecast)}`);
    }
  }
  assert.deepEqual(problems.slice(0, 10), []);
});
