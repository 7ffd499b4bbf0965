// The chair's console: call the next speaker (key N), call or pin any
// entry, end a turn, undo the last call, open or close the queue, change
// the rules. Next, call, finish and undo carry the speaker this page shows
// (`expect_speaking`): when another screen changed the floor first, the
// broker refuses and the page says so, showing the new state.

import { start, el, badge, reasonText, clock, countdown, setText, showStageClock, showError, keepFocus, sourceLabel } from "./floor.js";
import { t } from "./strings.js";
import { forecast } from "./wait.js";
import { lastCallAfter } from "./undo.js";

const $ = (id) => document.getElementById(id);
let settingsShown = null;

for (const option of $("policy").options) {
  const [kind, onsite, online] = option.value.split("-");
  if (kind === "weighted") option.textContent = t("policy.weighted", { onsite, online });
}

const floor = start({ onState: render });

function act(command) {
  return floor.send(command).catch((error) => {
    if (error.code !== "speaker_changed") return showError($("error"), error);
    // The broker sends the events that changed the floor before this
    // answer, so the page already shows the new state.
    showError($("error"), { message: t("chair.speaker_changed") });
  });
}

/** A command on the floor, with the speaker this page shows. */
function onFloor(command) {
  const speaking = floor.view && floor.view.speaking;
  return act({ ...command, expect_speaking: speaking ? speaking.entry_id : null });
}

// The most recent call this page folded, while it can be undone
// (undo.js, as floor_core's UndoTracker). The page knows of a call only
// from the events it folded: after a fresh snapshot (a reload, a resync)
// it knows none, and offers no undo.
let lastCall = null; // { entry_id, epoch }
let foldedSeq = null;
floor.onEvent = (event) => {
  // `floor.working` is still the view before this event.
  const id = lastCallAfter(lastCall ? lastCall.entry_id : null, event, floor.working);
  lastCall = id ? { entry_id: id, epoch: floor.epoch } : null;
  foldedSeq = event.seq;
};

/** The call the Undo button reverses, if this page knows it can. */
function undoable(view) {
  // A view from a snapshot covers events this page did not fold.
  if (view.seq !== foldedSeq || !lastCall || lastCall.epoch !== floor.epoch) {
    lastCall = null;
    foldedSeq = view.seq;
  }
  return lastCall && view.speaking && view.speaking.entry_id === lastCall.entry_id ? lastCall : null;
}

// One command at a time from each of these buttons: a double click or a
// held key calls one speaker, or undoes one call.
const pending = new Set();
function press(id, command) {
  if (pending.has(id)) return;
  pending.add(id);
  $(id).disabled = true;
  onFloor(command).finally(() => {
    pending.delete(id);
    if (floor.view) render(floor);
  });
}
const next = () => press("next", { type: "next" });

const SHORTCUT_KEY = "floor:chair:shortcut";
$("shortcut").checked = localStorage.getItem(SHORTCUT_KEY) !== "off";
$("shortcut").addEventListener("change", () => localStorage.setItem(SHORTCUT_KEY, $("shortcut").checked ? "on" : "off"));

$("next").addEventListener("click", next);
$("finish").addEventListener("click", () => press("finish", { type: "finish" }));
$("undo").addEventListener("click", () => press("undo", { type: "undo_call" }));
$("queue-toggle").addEventListener("click", () =>
  act({ type: floor.view && floor.view.queue_open ? "close_queue" : "open_queue" }));
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (!$("shortcut").checked || typing || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "n" || event.key === "N") {
    event.preventDefault();
    next();
  }
});
$("next-phase").addEventListener("click", () => {
  const running = floor.stage();
  act({ type: "start_phase", phase: running ? running.stage.phase + 1 : 0 });
});
$("next-presenter").addEventListener("click", () => act({ type: "next_presenter" }));

// Editing the run of show: the text is the room file the broker writes
// from the current run of show; the broker reads it back (with the line of
// any mistake) and the console sends it as `set_programme`.
const TEMPLATE = '[[phase]]\ntitle = "Open floor"\nkind = "open_floor"\nminutes = 40\n';
let programmeShown = null; // the run of show the text was written from
let programmeDirty = false;
$("programme-text").addEventListener("input", () => { programmeDirty = true; });
$("programme-edit").addEventListener("toggle", () => { if ($("programme-edit").open) loadProgramme(true); });
$("programme-reset").addEventListener("click", () => { programmeDirty = false; loadProgramme(true); });
$("programme-apply").addEventListener("click", async () => {
  const error = $("programme-error");
  error.textContent = "";
  error.className = "error";
  const response = await fetch("../../api/programme/parse", { method: "POST", body: $("programme-text").value });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    error.textContent = body.line ? t("chair.programme_line", body) : (body.message || response.statusText);
    return;
  }
  floor.send({ type: "set_programme", programme: body.programme }).then(() => {
    programmeDirty = false;
    error.className = "muted";
    error.textContent = t("chair.programme_applied");
  }, (refusal) => showError(error, refusal));
});

/** Writes the current run of show into the editor, unless the chair has
 *  unsaved changes there (or `force`). */
async function loadProgramme(force) {
  const programme = floor.view && floor.view.programme;
  const key = JSON.stringify(programme || null);
  if (!force && (programmeDirty || key === programmeShown)) return;
  programmeShown = key;
  if (!programme) { $("programme-text").value = TEMPLATE; return; }
  const response = await fetch("../../api/programme/format", {
    method: "POST", headers: { "content-type": "application/json" }, body: key });
  if (response.ok && (force || !programmeDirty)) $("programme-text").value = await response.text();
}

$("settings").addEventListener("submit", (event) => {
  event.preventDefault();
  const choice = $("policy").value;
  const policy = choice === "alternate" ? { kind: "alternate" }
    : choice === "fifo" ? { kind: "fifo" }
    : { kind: "weighted", onsite: Number(choice.split("-")[1]), online: Number(choice.split("-")[2]) };
  act({ type: "update_settings", patch: {
    policy,
    speaking_limit_s: Number($("limit").value),
    moderated: $("moderated").checked,
    opens_with: $("opens-with").value,
    max_open_entries: Number($("max-open").value),
  } });
});

function render(floor) {
  const view = floor.view;
  $("room-title").textContent = floor.roomInfo ? floor.roomInfo.title : "";
  const current = floor.speaker();
  setText($("speaker-name"), current ? current.entry.person.name : t("display.nobody"));
  $("speaker-meta").replaceChildren(...(current ? [badge(current.entry.channel)] : []));
  $("speaker-details").replaceChildren(...(current ? details(current.entry) : []));
  const awaiting = view.entries.filter((e) => e.status === "pending").length;
  setText($("pending-count"), awaiting > 1 ? t("chair.pending", { n: awaiting })
    : awaiting === 1 ? t("chair.pending_one") : view.settings.moderated ? t("chair.pending_none") : "");
  $("pending-count").className = awaiting > 0 ? "notice" : "muted";
  $("queue-toggle").textContent = t(view.queue_open ? "chair.close" : "chair.open");
  $("finish").disabled = !current || pending.has("finish");
  $("next").disabled = pending.has("next");
  const call = undoable(view);
  $("undo").hidden = !call;
  $("undo").disabled = pending.has("undo");
  if (call) $("undo").setAttribute("aria-label", `${t("chair.undo")}: ${current.entry.person.name}`);
  for (const channel of ["onsite", "online"]) {
    // The broker lists the head of the order; entries waiting past it
    // follow in submission order, each marked as standing after it.
    const listed = floor.queue().filter(({ slot }) => slot.channel === channel);
    const later = view.entries.filter((e) => e.channel === channel && e.status === "waiting" && floor.place(e.id) === null)
      .map((entry) => ({ slot: null, place: null, entry }));
    const rows = [...listed, ...later].map(({ slot, place, entry }) => {
      const pinned = view.pins.includes(entry.id);
      const waited = Math.max(0, Math.floor((floor.now() - entry.provenance.at_ms) / 60000));
      const why = slot && slot.reasons.length ? reasonText(slot.reasons[0], channel, view) : "";
      return el("li", { "data-entry": entry.id },
        el("span", { class: "place" }, place === null ? t("order.after", { n: floor.order.length }) : t("chair.place", { n: place + 1 })),
        el("span", { class: "who" },
          el("strong", {}, entry.person.name),
          entry.person.affiliation ? [" · ", el("bdi", {}, entry.person.affiliation)] : "",
          entry.provenance.source ? [" ", sourceLabel(entry)] : "",
          el("br"),
          el("span", { class: "muted" }, [why, t("time.waited", { minutes: waited, n: waited })].filter(Boolean).join(" · ")),
          el("span", { class: "details" }, ...details(entry, true)),
        ),
        el("button", { type: "button", class: "secondary", onclick: () => onFloor({ type: "call", entry_id: entry.id }),
          "aria-label": `${t("chair.call")}: ${entry.person.name}` }, t("chair.call")),
        el("button", { type: "button", class: "secondary",
          onclick: () => act({ type: pinned ? "unpin" : "pin", entry_id: entry.id }),
          "aria-label": `${t(pinned ? "chair.unpin" : "chair.pin")}: ${entry.person.name}` },
          t(pinned ? "chair.unpin" : "chair.pin")),
      );
    });
    keepFocus($(channel), () =>
      $(channel).replaceChildren(...(rows.length ? rows : [el("li", { class: "muted" }, t("display.empty"))])));
  }
  const settings = JSON.stringify(view.settings);
  if (settings !== settingsShown && !$("settings").contains(document.activeElement)) {
    settingsShown = settings;
    const p = view.settings.policy;
    const value = p.kind === "weighted" ? `weighted-${p.onsite}-${p.online}` : p.kind;
    if (![...$("policy").options].some((o) => o.value === value)) {
      $("policy").append(el("option", { value }, t("policy.weighted", p)));
    }
    $("policy").value = value;
    $("limit").value = view.settings.speaking_limit_s;
    $("moderated").checked = view.settings.moderated;
    $("opens-with").value = view.settings.opens_with ?? "online";
    $("max-open").value = view.settings.max_open_entries ?? 500;
  }
  renderProgramme(floor);
  document.body.dataset.seq = view.seq;
  tick();
}

function renderProgramme(floor) {
  const programme = floor.view.programme;
  $("programme-running").hidden = !programme;
  $("programme-none").hidden = Boolean(programme);
  if (!programme) $("programme-edit").open = true;
  if ($("programme-edit").open) loadProgramme(false);
  if (!programme) return;
  const running = floor.stage();
  $("next-phase").disabled = Boolean(running && !running.next);
  const speakers = running ? (running.phase.speakers || []).length : 0;
  const index = running && running.presenter ? running.presenter.turn.index + 1 : 0;
  $("next-presenter").disabled = !running || index >= speakers;
  keepFocus($("phases"), () => $("phases").replaceChildren(...programme.phases.map((phase, i) => el("li", {
    "aria-current": running && running.stage.phase === i ? "step" : null,
  },
  el("bdi", {}, phase.title), ` · ${t("chair.phase_minutes", { minutes: phase.minutes, n: phase.minutes })} `,
  el("button", { type: "button", class: "secondary", onclick: () => startPhase(i, phase),
    "aria-label": `${t("chair.start_phase")}: ${phase.title}` }, t("chair.start_phase"))))));
}

/** A phase's Start: going back to an earlier phase, or starting the
 *  running one again, asks first (a click must not undo the session's
 *  progress). */
function startPhase(index, phase) {
  const running = floor.stage();
  if (running && index <= running.stage.phase) {
    const key = index < running.stage.phase ? "chair.back_confirm" : "chair.restart_confirm";
    if (!window.confirm(t(key, { title: phase.title }))) return;
  }
  act({ type: "start_phase", phase: index });
}

/** An entry's seat or location and its question, for the chair. */
function details(entry, inline = false) {
  const parts = [];
  if (entry.location) parts.push(el("span", { class: "location" }, t(`chair.location.${entry.channel}`, { location: entry.location })));
  if (entry.text) parts.push(el(inline ? "span" : "q", { class: "question" }, entry.text));
  return parts.flatMap((part, i) => (i ? [inline ? " · " : el("br"), part] : [part]));
}

/** Shows a countdown in `node`: time left, or "+m:ss over" in red. */
function showClock(node, deadline) {
  if (deadline === null) { setText(node, ""); node.className = "clock"; return; }
  const time = countdown(deadline, floor.now());
  setText(node, time.text);
  node.className = time.over ? "clock over" : "clock";
}

function tick() {
  const current = floor.view && floor.speaker();
  showClock($("countdown"), current ? current.speaking.deadline_ms : null);
  const running = floor.view && floor.stage();
  const presenter = running && running.presenter && running.presenter.person ? running.presenter : null;
  $("presenter").hidden = !presenter;
  setText($("presenter-name"), presenter ? t("stage.presenter", { name: presenter.person.name }) : "");
  showClock($("presenter-clock"), presenter ? presenter.turn.deadline_ms : null);
  if (!running) {
    setText($("stage-phase"), floor.view && floor.view.programme ? t("stage.none") : "");
    $("stage-clock").replaceChildren();
    return;
  }
  setText($("stage-phase"), running.phase.title);
  showStageClock($("stage-clock"), running.stage, floor.now());
  showForecast();
}

/** The time budget of an open floor (`forecast` in wait.js). */
function showForecast() {
  const found = forecast(floor.view, floor.now());
  if (!found) { $("forecast").textContent = ""; return; }
  const late = found.will_not_fit > 0;
  const params = { minutes: Math.round(found.per_turn_ms / 6000) / 10, late: found.will_not_fit, waiting: found.waiting, n: found.waiting,
    left: clock(found.time_left_ms) };
  $("forecast").textContent = t(late ? "chair.forecast" : "chair.forecast_fits", params);
  $("forecast").className = late ? "error" : "muted";
}
setInterval(tick, 500);
