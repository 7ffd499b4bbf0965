// The pages' reading of a compact `order` (crates/floor-broker/src/pages/order.js)
// against floor_protocol::order::expand: every case written by
// crates/floor-protocol/tests/order.rs expands here to the same order, and
// a case the Rust side refuses, the pages refuse too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { expandOrder } = await import(join(root, "crates", "floor-broker", "src", "pages", "order.js"));
const CASES = join(root, "target", "order-conformance", "cases.json");

/** The cases, written by the Rust side first when they are missing. */
function cases() {
  if (!existsSync(CASES)) {
    const run = spawnSync("cargo", ["test", "--locked", "-p", "floor-protocol", "--test", "order"],
      { cwd: root, stdio: "inherit" });
    assert.equal(run.status, 0, "cargo test -p floor-protocol --test order failed");
  }
  return JSON.parse(readFileSync(CASES, "utf8"));
}

test("the pages expand every compact order as the protocol crate does", () => {
  const all = cases();
  assert.ok(all.length > 300);
  for (const [i, c] of all.entries()) {
    assert.deepEqual(expandOrder(c.slots, c.previous), c.order, `case ${i}`);
  }
});

test("the protocol's example expands to the pinned entry first", () => {
  const read = (name) => JSON.parse(readFileSync(join(root, "protocol", "examples", "server", name), "utf8"));
  const previous = read("order.json").order;
  const order = expandOrder(read("order-compact.json").order, previous);
  assert.deepEqual(order.map((s) => s.entry_id.slice(0, 4)), ["ed3a", "b232", "4414", "326c"]);
});
