// A participant's phone: the session's title and who speaks now; ask for
// the floor from the room or from the call, see one's place and an
// estimated wait (the run of show before the open floor included),
// withdraw. A closed queue, the end of the open floor and a link that does
// not work each say so in the form's place; what was typed stays.

import { Floor, pageInfo, showError, showStatus, onLinkChange, setText } from "./floor.js";
import { t, applyStrings, LANGUAGES, lang, setLanguage } from "./strings.js";
import { afterOpenFloor, waitEstimate } from "./wait.js";
import { LIMITS, fieldProblem, length, trim } from "./fields.js";
import { OPEN_STATUSES } from "./protocol.js";

const $ = (id) => document.getElementById(id);
/** The longest question the broker takes (fields.js counts as it does). */
const TEXT_MAX = LIMITS.text;
const info = pageInfo();
applyStrings();
$("text-label").textContent = t("join.text", { limit: TEXT_MAX });

// The language switcher: each language in its own name.
for (const [code, language] of Object.entries(LANGUAGES)) {
  const option = document.createElement("option");
  option.value = code;
  option.lang = language.tag;
  option.textContent = language.name;
  $("language").append(option);
}
$("language").value = lang;
$("language").addEventListener("change", async () => {
  await setLanguage($("language").value);
  $("text-label").textContent = t("join.text", { limit: TEXT_MAX });
  showCount();
  if (lastStatus) showLinkStatus(...lastStatus);
  if (floor && floor.view) render(floor);
});
const CHANNEL_KEY = `${info.key}:channel`;
let floor = null;
/** The link's last status, said again in a newly chosen language. */
let lastStatus = null;

/** A participant declares their channel in `hello`, so a change of
 *  channel is a new connection. */
function connect(channel) {
  if (floor && floor.channel === channel) return floor;
  if (floor) floor.close();
  sessionStorage.setItem(CHANNEL_KEY, channel);
  floor = new Floor({ room: info.room, token: info.token, key: info.key, channel, onState: render,
    onError: (error) => showError($("error"), error), onStatus: showLinkStatus });
  floor.connect();
  return floor;
}
// Another link opened in this tab: the same channel, the new token.
onLinkChange((next) => {
  Object.assign(info, next);
  floor.relink(next);
});

/** The status line, and in the page, whether the link works at all: a
 *  refused link can send nothing, ever. */
function showLinkStatus(state, detail, queued) {
  lastStatus = [state, detail, queued];
  showStatus(state, detail, queued);
  $("dead").hidden = state !== "refused";
}

const saved = sessionStorage.getItem(CHANNEL_KEY) || "onsite";
for (const radio of document.querySelectorAll("input[name=channel]")) {
  radio.checked = radio.value === saved;
  radio.addEventListener("change", () => { $("seat-field").hidden = radio.value !== "onsite"; connect(radio.value); });
}
$("seat-field").hidden = saved !== "onsite";
connect(saved);

/** The question's length as the broker counts it. */
function textLength() {
  return length($("text").value);
}

/** The live count under the question: "1,020 / 1,000", red past the limit. */
function showCount() {
  const count = textLength();
  const over = count > TEXT_MAX;
  $("text-count").textContent = t("join.count", { count, limit: TEXT_MAX });
  $("text-count").classList.toggle("over", over);
  $("text").setAttribute("aria-invalid", String(over));
}
$("text").addEventListener("input", showCount);
showCount();
for (const id of ["name", "seat"]) $(id).addEventListener("input", () => $(id).removeAttribute("aria-invalid"));

/** Says why the form was not sent, until the next try. */
function invalid(message, field = null) {
  $("invalid").textContent = message;
  if (field) {
    if (field !== $("text")) field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  invalid("");
  const channel = document.querySelector("input[name=channel]:checked").value;
  const name = trim($("name").value);
  const seat = channel === "onsite" ? trim($("seat").value) : "";
  const found = fieldProblem({ name, text: $("text").value, location: seat });
  if (found) {
    const key = found.problem === "blank" ? "join.name_blank"
      : { name: "join.name_long", location: "join.seat_long", text: "join.too_long" }[found.field];
    const control = { name: $("name"), location: $("seat"), text: $("text") }[found.field];
    return invalid(t(key, { count: found.count ?? 0, limit: found.limit ?? 0, n: found.count ?? 0 }), control);
  }
  const current = connect(channel);
  if (current.status === "refused") return invalid(t("join.not_sent"));
  const entry = { channel, person: { name } };
  const text = trim($("text").value);
  if (text) entry.text = text;
  if (seat) entry.location = seat;
  const gender = $("gender").value;
  if (gender) entry.gender = gender;
  current.send({ type: "submit", entry }).catch((error) => {
    if (current.status === "refused") return invalid(t("join.not_sent"));
    showError($("error"), error.code === "room_full" ? { message: t("join.room_full") } : error);
  });
});
$("withdraw").addEventListener("click", () => {
  const entry = mine(floor);
  if (entry) floor.send({ type: "withdraw", entry_id: entry.id }).catch((error) => showError($("error"), error));
});

/** This participant's open entry. */
function mine(floor) {
  if (!floor.view || !floor.clientKey) return null;
  return floor.view.entries.find((e) => e.provenance.client === floor.clientKey
    && OPEN_STATUSES.includes(e.status)) || null;
}

function render(current) {
  if (current !== floor) return;
  const view = current.view;
  const title = current.roomInfo && current.roomInfo.title;
  setText($("room-title"), title || t("join.title"));
  document.title = title ? `${t("join.title")} · ${title}` : t("join.title");
  showNow(current);
  const entry = mine(current);
  const ended = afterOpenFloor(view);
  $("mine").hidden = !entry;
  $("ended").hidden = Boolean(entry) || !ended;
  $("closed").hidden = Boolean(entry) || ended || view.queue_open;
  $("ask").hidden = Boolean(entry) || ended || !view.queue_open;
  document.body.dataset.form = $("ask").hidden ? "hidden" : "shown";
  const refused = !entry && latest(current);
  $("refused").hidden = !refused;
  if (refused) {
    $("refused").textContent = refused.reject_reason
      ? t("join.rejected_reason", { reason: refused.reject_reason }) : t("join.rejected");
  }
  if (entry) showMine(current, entry, ended);
  document.body.dataset.seq = view.seq;
}
// The wait counts down with the clocks, between the room's changes too.
setInterval(() => { if (floor && floor.view) render(floor); }, 10000);

/** Who has the floor now: of a speaker of the queue and a presenter of the
 *  run of show, the one whose turn began last (as on the projector); else
 *  the running phase. */
function showNow(current) {
  const running = current.stage();
  const { speaker, presenter } = current.onStage();
  let text = "";
  if (speaker) text = t("join.speaking_now", { name: speaker.entry.person.name });
  else if (presenter) text = t("join.presenting_now", { name: presenter.person.name });
  else if (running) text = t("join.phase_now", { title: running.phase.title });
  setText($("now"), text);
  $("now").hidden = !text;
}

/** The participant's own request: its state, and their place and wait
 *  while the open floor is to come or runs. */
function showMine(current, entry, ended) {
  let state;
  let wait = "";
  if (entry.status === "speaking") {
    state = t("join.speaking");
  } else if (ended) {
    state = t(`status.${entry.status}`);
    wait = t("join.ended_mine");
  } else if (entry.status === "pending") {
    state = t("status.pending");
  } else {
    const place = current.place(entry.id);
    // Waiting past the head of the order the broker lists.
    const more = place === null;
    const ahead = more ? current.order.length : place;
    state = more ? t("join.after", { n: ahead }) : t("join.position", { n: place + 1 });
    wait = waitText(waitEstimate(current.view, ahead, current.now()), more);
  }
  setText($("mine-state"), state);
  setText($("mine-wait"), wait);
}

/** The estimate in words: when the open floor starts, if it is to come,
 *  then the wait from there. */
function waitText(estimate, more) {
  if (estimate.start === null) return t(more ? "join.wait_more" : "join.wait", { minutes: estimate.wait, n: estimate.wait });
  const opens = t(estimate.started ? "join.open_in" : "join.open_into", { start: estimate.start, n: estimate.start });
  const then = estimate.wait === 0 && !more ? t("join.then_first")
    : t(more ? "join.then_wait_more" : "join.then_wait", { minutes: estimate.wait, n: estimate.wait });
  return `${opens} ${then}`;
}

/** This participant's latest entry, if it was rejected. */
function latest(current) {
  const own = current.view.entries.filter((e) => e.provenance.client === current.clientKey);
  const last = own[own.length - 1];
  return last && last.status === "rejected" ? last : null;
}
