// The room view's fold, pure and importable without a browser: each event
// changes the view exactly as floor_core::LiveView::apply does (protocol
// section 10).

import { SETTINGS_DEFAULTS } from "./protocol.js";

/** Folds one event into a room view, as floor_core::LiveView::apply does.
 *  Throws when the event does not fit; the caller then resyncs. */
export function fold(view, event) {
  if (event.seq !== view.seq + 1) throw new Error(`event ${event.seq} after ${view.seq}`);
  const e = event.event;
  const find = (id) => {
    const entry = view.entries.find((x) => x.id === id);
    if (!entry) throw new Error(`unknown entry ${id}`);
    return entry;
  };
  const unpin = (id) => { view.pins = view.pins.filter((p) => p !== id); };
  switch (e.type) {
    case "entry_submitted":
      if (view.entries.some((x) => x.id === e.entry.id)) throw new Error("entry submitted twice");
      view.entries.push(e.entry);
      break;
    case "entry_edited": patch(find(e.entry_id), e.patch); break;
    case "entry_approved": find(e.entry_id).status = "waiting"; break;
    case "entry_rejected": {
      const entry = find(e.entry_id);
      entry.status = "rejected";
      if (e.reason != null) entry.reject_reason = e.reason; else delete entry.reject_reason;
      unpin(e.entry_id);
      break;
    }
    case "entry_merged": {
      const entry = find(e.entry_id);
      find(e.into);
      entry.status = "merged";
      entry.merged_into = e.into;
      unpin(e.entry_id);
      break;
    }
    case "entry_withdrawn": find(e.entry_id).status = "withdrawn"; unpin(e.entry_id); break;
    case "mic_in_hand": find(e.entry_id).mic_in_hand = true; break;
    case "entry_pinned": find(e.entry_id); view.pins.push(e.entry_id); break;
    case "entry_unpinned": find(e.entry_id); unpin(e.entry_id); break;
    case "speaker_called": {
      find(e.entry_id).status = "speaking";
      unpin(e.entry_id);
      view.speaking = {
        entry_id: e.entry_id,
        since_ms: event.at_ms,
        deadline_ms: event.at_ms + view.settings.speaking_limit_s * 1000,
      };
      if (e.credits) view.rotation = { credits: e.credits, last: e.channel };
      view.turns[e.channel] += 1;
      break;
    }
    case "speaker_finished":
      find(e.entry_id).status = "done";
      find(e.entry_id).spoke_ms = e.spoke_ms;
      if (view.speaking && view.speaking.entry_id === e.entry_id) delete view.speaking;
      break;
    case "call_undone": {
      // As LiveView: the called entry waits again, the turn it ended (if
      // any) resumes with its times, its pin is back at its place, the
      // rotation is as before the call and the channel loses the turn.
      const entry = find(e.entry_id);
      const back = e.resumed ? find(e.resumed.entry_id) : null;
      entry.status = "waiting";
      if (back) { back.status = "speaking"; delete back.spoke_ms; }
      if (e.resumed) view.speaking = e.resumed; else delete view.speaking;
      if (e.pin_index != null) view.pins.splice(Math.min(e.pin_index, view.pins.length), 0, e.entry_id);
      view.rotation = e.rotation;
      view.turns[e.channel] = Math.max(0, view.turns[e.channel] - 1);
      break;
    }
    case "settings_changed":
      if (JSON.stringify(e.settings.policy) !== JSON.stringify(view.settings.policy)) {
        view.rotation.credits = { onsite: 0, online: 0 };
      }
      view.settings = e.settings;
      break;
    case "queue_opened": view.queue_open = true; break;
    case "queue_closed": view.queue_open = false; break;
    case "remote_audience_set": view.remote_audience = e.count; break;
    case "programme_set": {
      // As LiveView: a running phase stays when the new run of show has a
      // phase of the same kind at its place; its times follow the new minutes.
      const stage = view.stage;
      const was = stage && view.programme && view.programme.phases[stage.phase];
      const now = stage && e.programme.phases[stage.phase];
      view.programme = e.programme;
      delete view.stage;
      if (was && now && was.kind === now.kind) {
        stage.deadline_ms = stage.since_ms + now.minutes * 60000;
        if (stage.presenter && stage.presenter.index >= (now.speakers || []).length) delete stage.presenter;
        if (stage.presenter) stage.presenter.deadline_ms = stage.presenter.since_ms + presenterMs(now);
        view.stage = stage;
      }
      break;
    }
    case "attendance_recorded": {
      const peak = view.attendance_peak || { onsite: 0, online: 0 };
      view.attendance_peak = {
        onsite: Math.max(peak.onsite, e.connected.onsite),
        online: Math.max(peak.online, e.connected.online),
      };
      break;
    }
    // In place of a legacy declaration: its place in the log, nothing else.
    case "redacted": break;
    case "phase_started": {
      const phase = phaseOf(view, e.phase);
      view.stage = { phase: e.phase, since_ms: event.at_ms, deadline_ms: event.at_ms + phase.minutes * 60000 };
      if (phase.kind === "open_floor") {
        const window = (view.settings.intake_window_s ?? SETTINGS_DEFAULTS.intake_window_s) * 1000;
        if (window > 0) view.stage.intake_until_ms = event.at_ms + window;
        const first = view.settings.opens_with ?? SETTINGS_DEFAULTS.opens_with;
        view.rotation = { credits: { onsite: 0, online: 0 }, last: first === "online" ? "onsite" : "online" };
      }
      break;
    }
    case "presenter_started": {
      if (!view.stage) throw new Error("no phase is running");
      const phase = phaseOf(view, view.stage.phase);
      view.stage.presenter = { index: e.index, since_ms: event.at_ms, deadline_ms: event.at_ms + presenterMs(phase) };
      break;
    }
    default: throw new Error(`unknown event ${e.type}`);
  }
  view.seq = event.seq;
}

/** Milliseconds each presenter of `phase` has (as `Phase::presenter_ms`). */
function presenterMs(phase) {
  return phase.minutes_each != null
    ? phase.minutes_each * 60000
    : Math.max(1, Math.floor(phase.minutes * 60000 / Math.max(1, (phase.speakers || []).length)));
}

function phaseOf(view, index) {
  const phase = view.programme && view.programme.phases[index];
  if (!phase) throw new Error(`no phase ${index}`);
  return phase;
}

function patch(entry, p) {
  const set = (target, field, value) => {
    if (value === undefined) return;
    if (value === null) delete target[field]; else target[field] = value;
  };
  set(entry, "kind", p.kind);
  set(entry.person, "name", p.name);
  set(entry.person, "affiliation", p.affiliation);
  set(entry.person, "stakeholder_group", p.stakeholder_group);
  set(entry.person, "region", p.region);
  set(entry, "text", p.text);
  set(entry, "location", p.location);
  set(entry, "language", p.language);
  set(entry, "delivery", p.delivery);
}
