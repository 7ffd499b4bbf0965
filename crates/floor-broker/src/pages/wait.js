// The time rules of the pages, from the room view alone: whether the open
// floor of the run of show is over, how long until a participant's turn, and
// the open floor's time budget (the chair's forecast). Pure
// functions of a view (protocol/README.md, section 10) and the time, with no
// page and no connection, so that node tests them as they are.

/** Whether the running phase comes after an open floor of the run of show
 *  (closing remarks): the queue is then no longer live. The projector's
 *  rule: a phase that is not an open floor, with an open floor before it. */
export function afterOpenFloor(view) {
  const stage = view.stage;
  if (!stage || !view.programme) return false;
  const phases = view.programme.phases;
  const running = phases[stage.phase];
  if (!running || running.kind === "open_floor") return false;
  return phases.slice(0, stage.phase).some((phase) => phase.kind === "open_floor");
}

/** Milliseconds until the run of show's next open floor starts: the running
 *  phase's time left, then the minutes of the phases between it and the open
 *  floor. 0 while an open floor runs, or when there is no run of show or no
 *  open floor to come. Before the session starts (no phase running), the
 *  minutes of the phases before the first open floor, and `started` is
 *  false. */
export function untilOpenFloor(view, now) {
  const phases = view.programme ? view.programme.phases : [];
  const stage = view.stage;
  const from = stage ? stage.phase : -1;
  const running = stage ? phases[from] : null;
  if (running && running.kind === "open_floor") return { ms: 0, started: true };
  const next = phases.findIndex((phase, index) => index > from && phase.kind === "open_floor");
  if (next < 0) return { ms: 0, started: Boolean(stage) };
  const between = phases.slice(from + 1, next).reduce((sum, phase) => sum + phase.minutes * 60000, 0);
  const left = stage ? Math.max(0, stage.deadline_ms - now) : 0;
  return { ms: left + between, started: Boolean(stage) };
}

/** The wait of a participant with `ahead` people before them in the
 *  broker's order, at broker time `now`, in whole minutes: `start`, the
 *  minutes until the open floor starts (null when it runs already or the
 *  room has no run of show to wait for), with `started` false when no phase
 *  of the session runs yet; and `wait`, the minutes from then (or from now)
 *  to their turn: the speaker's time left, the open floor's intake window
 *  left, and a full turn for each person ahead (an upper bound; turns are
 *  often shorter). `wait` is 0 only when they are next once the open floor
 *  starts. */
export function waitEstimate(view, ahead, now) {
  const limit = view.settings.speaking_limit_s * 1000;
  const until = untilOpenFloor(view, now);
  if (until.ms > 0) {
    return { start: Math.max(1, Math.round(until.ms / 60000)), started: until.started, wait: minutes(ahead * limit) };
  }
  const speaking = view.speaking ? Math.max(0, view.speaking.deadline_ms - now) : 0;
  const intake = view.stage && view.stage.intake_until_ms ? Math.max(0, view.stage.intake_until_ms - now) : 0;
  return { start: null, started: true, wait: Math.max(1, minutes(speaking + intake + ahead * limit)) };
}

/** Milliseconds as the nearest whole minutes. */
function minutes(ms) {
  return Math.round(ms / 60000);
}

/** The time budget of a running open floor at broker time `now`, as
 *  floor_core::forecast computes it (tests/pages/rules.test.mjs holds the
 *  two equal): a turn lasts as long as the finished ones did on average
 *  (else the speaking limit); the speaker takes what is left of an average
 *  turn; the first waiting requests that fit the time left "fit". `null`
 *  unless an open floor is running. */
export function forecast(view, now) {
  const stage = view.stage;
  const phase = stage && view.programme && view.programme.phases[stage.phase];
  if (!phase || phase.kind !== "open_floor") return null;
  const turns = view.entries.map((e) => e.spoke_ms).filter((ms) => ms != null);
  const perTurn = turns.length ? Math.max(1, Math.floor(turns.reduce((a, b) => a + b, 0) / turns.length))
    : view.settings.speaking_limit_s * 1000;
  const left = Math.max(0, stage.deadline_ms - now);
  const speakerLeft = view.speaking ? Math.max(0, perTurn - Math.max(0, now - view.speaking.since_ms)) : 0;
  const waiting = view.entries.filter((e) => e.status === "waiting").length;
  const fit = Math.min(waiting, Math.floor(Math.max(0, left - speakerLeft) / perTurn));
  return { per_turn_ms: perTurn, time_left_ms: left, waiting, fit, will_not_fit: waiting - fit };
}
