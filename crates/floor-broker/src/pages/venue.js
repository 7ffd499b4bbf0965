// The venue dashboard's reading of the conference (protocol/README.md,
// section 17.6): one row per location, the session under way there and
// the next one, the live room's summary and the warnings to show now.
// Pure, so that node's tests can read it without a browser.

/** The warnings of `summary` to show at `now` (broker time, ms): all but
 *  an `over_time` whose `since_ms` is still to come. */
export function visibleWarnings(summary, now) {
  return (summary.warnings || []).filter((warning) => warning.kind !== "over_time" || now >= warning.since_ms);
}

/** The dashboard's rows at `now` (broker time, ms): one per location of
 *  `sessions` (as `/conference/ws` lists them), sorted by name with
 *  `collator`; each with `location`, `now` (the session with
 *  starts ≤ now < ends, the latest to start when several overlap),
 *  `next` (the first to start after now), `summary` (the now session's
 *  room's, from `summaries`, a Map by room id; null when it has none) and
 *  `warnings` (those to show now). */
export function rows(sessions, summaries, now, collator) {
  const byLocation = new Map();
  for (const session of sessions) {
    if (!byLocation.has(session.location)) byLocation.set(session.location, []);
    byLocation.get(session.location).push(session);
  }
  const names = [...byLocation.keys()].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
  return names.map((location) => {
    const list = byLocation.get(location).slice()
      .sort((a, b) => a.starts_at_ms - b.starts_at_ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const under = list.filter((s) => s.starts_at_ms <= now && now < s.ends_at_ms);
    const current = under.length ? under[under.length - 1] : null;
    const next = list.find((s) => s.starts_at_ms > now) || null;
    const summary = current ? summaries.get(current.id) || null : null;
    const warnings = summary ? visibleWarnings(summary, now) : [];
    return { location, now: current, next, summary, warnings };
  });
}
