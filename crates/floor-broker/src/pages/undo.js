// The call the chair may undo, followed event by event exactly as
// floor_core's UndoTracker follows it (`Room::last_call`): a call can be
// undone until its entry stops speaking, it is undone, a phase starts or
// the policy changes. tests/pages/fold.test.mjs holds the two equal.
// Pure: node imports it.

/** The entry id of the call that can be undone after `event`, given the
 *  one before (`last`, or null) and the view before the event. */
export function lastCallAfter(last, event, viewBefore) {
  const e = event.event;
  switch (e.type) {
    case "speaker_called": return e.entry_id;
    case "call_undone":
    case "phase_started": return null;
    case "speaker_finished": return last === e.entry_id ? null : last;
    case "settings_changed":
      return JSON.stringify(e.settings.policy) === JSON.stringify(viewBefore.settings.policy) ? last : null;
    default: return last;
  }
}
