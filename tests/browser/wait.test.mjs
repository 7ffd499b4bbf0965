// The participant's wait estimate and the end of the open floor, on
// hand-made room views (no browser): the run of show before the open floor
// counts, then the speaker's time left and a turn per person ahead.

import { test } from "node:test";
import assert from "node:assert/strict";
import { waitEstimate, untilOpenFloor, afterOpenFloor } from "../../crates/floor-broker/src/pages/wait.js";

const MIN = 60000;
const NOW = 1_800_000_000_000;
const PROGRAMME = {
  phases: [
    { title: "Opening", kind: "opening", minutes: 5 },
    { title: "Presentations", kind: "presentations", minutes: 45, minutes_each: 9 },
    { title: "Responses", kind: "other", minutes: 10 },
    { title: "Open floor", kind: "open_floor", minutes: 40 },
    { title: "Closing remarks", kind: "closing", minutes: 10 },
  ],
};

/** A view with speaking turns of `limitS` seconds, the run of show above
 *  unless `programme` is null, and `extra` fields. */
function view({ limitS = 120, programme = PROGRAMME, ...extra } = {}) {
  return { settings: { speaking_limit_s: limitS }, ...(programme ? { programme } : {}), ...extra };
}

/** Phase `phase` started `ago` ms before NOW. */
function stage(phase, ago, more = {}) {
  const since = NOW - ago;
  return { phase, since_ms: since, deadline_ms: since + PROGRAMME.phases[phase].minutes * MIN, ...more };
}

test("without a run of show: the speaker's time left, then a turn per person ahead", () => {
  const speaking = { entry_id: "a", since_ms: NOW - 30000, deadline_ms: NOW + 90000 };
  assert.deepEqual(waitEstimate(view({ programme: null, speaking }), 5, NOW), { start: null, started: true, wait: 12 });
  assert.deepEqual(waitEstimate(view({ programme: null }), 3, NOW), { start: null, started: true, wait: 6 });
  // Next, with nobody speaking: about a minute, never "0 min".
  assert.deepEqual(waitEstimate(view({ programme: null }), 0, NOW), { start: null, started: true, wait: 1 });
  // A speaker over time adds nothing.
  const over = { entry_id: "a", since_ms: NOW - 200000, deadline_ms: NOW - 80000 };
  assert.equal(waitEstimate(view({ programme: null, speaking: over }), 2, NOW).wait, 4);
});

test("during presentations: the phase's time left and the phases before the open floor come first", () => {
  // Presentations started 6 min ago: 39 min left, then 10 min of responses.
  const during = view({ stage: stage(1, 6 * MIN) });
  assert.equal(untilOpenFloor(during, NOW).ms, 49 * MIN);
  assert.deepEqual(waitEstimate(during, 5, NOW), { start: 49, started: true, wait: 10 });
  // First in line: the open floor's start is the wait.
  assert.deepEqual(waitEstimate(during, 0, NOW), { start: 49, started: true, wait: 0 });
  // The phase just before the open floor, over time: the open floor is due now.
  const late = view({ stage: stage(2, 11 * MIN) });
  assert.equal(untilOpenFloor(late, NOW).ms, 0);
  assert.deepEqual(waitEstimate(late, 2, NOW), { start: null, started: true, wait: 4 });
});

test("before the session starts: the phases before the first open floor, said as not started", () => {
  assert.deepEqual(waitEstimate(view(), 1, NOW), { start: 60, started: false, wait: 2 });
});

test("during the open floor: the intake window left, the speaker's time left, a turn per person ahead", () => {
  const open = view({ limitS: 180, stage: stage(3, 10000, { intake_until_ms: NOW + 20000 }) });
  assert.deepEqual(waitEstimate(open, 0, NOW), { start: null, started: true, wait: 1 });
  assert.deepEqual(waitEstimate(open, 4, NOW), { start: null, started: true, wait: 12 });
  const speaking = { entry_id: "a", since_ms: NOW - 60000, deadline_ms: NOW + 120000 };
  assert.equal(waitEstimate(view({ limitS: 180, stage: stage(3, 5 * MIN), speaking }), 3, NOW).wait, 11);
});

test("the open floor has ended in any phase after one, as on the projector", () => {
  assert.equal(afterOpenFloor(view()), false);
  assert.equal(afterOpenFloor(view({ programme: null })), false);
  assert.equal(afterOpenFloor(view({ stage: stage(1, MIN) })), false);
  assert.equal(afterOpenFloor(view({ stage: stage(3, MIN) })), false);
  assert.equal(afterOpenFloor(view({ stage: stage(4, MIN) })), true);
  // No open floor to wait for after it either.
  assert.deepEqual(untilOpenFloor(view({ stage: stage(4, MIN) }), NOW), { ms: 0, started: true });
});
