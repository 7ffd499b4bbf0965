// The venue dashboard: every location of the conference in a row, the
// session under way there and the next one, and for a live room what a
// person walking the venue needs (phase and time left, who speaks, who
// waits, which screens are on, and the warnings). It reads
// `/conference/ws` (protocol/README.md, section 17.6) with the admin or
// `ops` token of its link's #fragment, kept in this tab's session storage
// and never sent in a URL; it reconnects with backoff when the socket
// drops, and stops on a refused token.

import { el, badge, countdown, setText, showStatus, pageInfo, onLinkChange } from "./floor.js";
import { t, applyStrings, langTag } from "./strings.js";
import { rows } from "./venue.js";
import { FINAL_CLOSES, RECONNECT_MIN_MS, RECONNECT_MAX_MS } from "./protocol.js";

const $ = (id) => document.getElementById(id);
const FINAL = new Set(FINAL_CLOSES);

let info = pageInfo();
applyStrings();

/** What the broker said: the sessions, each room's latest summary, and
 *  the broker's clock ahead of this one by `skew` ms (set by each
 *  `conference` message, as the role pages set it at `welcome`). */
const state = { sessions: [], summaries: new Map(), skew: 0, loaded: false };
/** The socket, the reconnection's attempt and timer, the last refusal. */
let ws = null;
let attempt = 0;
let timer = null;
let lastError = null;
/** The rows as last drawn (JSON), so that a tick draws only what changed. */
let drawn = null;

/** The broker's time now, in ms. */
const now = () => Date.now() + state.skew;

const collator = new Intl.Collator(langTag(), { numeric: true });
const formats = new Map();

/** HH:MM of `ms` in the session's time zone (UTC when it has none, or
 *  when this browser does not know it). */
function hhmm(ms, zone) {
  const key = zone || "UTC";
  if (!formats.has(key)) {
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    let format;
    try {
      format = new Intl.DateTimeFormat(langTag(), { ...options, timeZone: key });
    } catch {
      format = new Intl.DateTimeFormat(langTag(), { ...options, timeZone: "UTC" });
    }
    formats.set(key, format);
  }
  return formats.get(key).format(ms);
}

function connect() {
  clearTimeout(timer);
  if (!info.token) return refuse(t("conference.no_token"));
  const url = new URL("conference/ws", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  url.search = "";
  const socket = new WebSocket(url);
  ws = socket;
  lastError = null;
  socket.onopen = () => {
    if (ws === socket) socket.send(JSON.stringify({ type: "watch", token: info.token }));
  };
  socket.onmessage = (message) => {
    if (ws !== socket) return;
    let parsed;
    try { parsed = JSON.parse(message.data); } catch { return; }
    receive(parsed);
  };
  socket.onclose = (close) => {
    if (ws !== socket) return;
    ws = null;
    if (FINAL.has(close.code)) {
      const unauthorized = lastError && lastError.code === "unauthorized";
      const reason = lastError ? lastError.message : close.reason;
      return refuse(unauthorized ? t("conference.unauthorized") : t("status.refused", { reason }));
    }
    showStatus("reconnecting", "", 0);
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(attempt, 10));
    attempt += 1;
    timer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  };
}

/** Stops for good with `sentence` (a token refused, or none): what the
 *  page showed goes, since this link may no longer see it. */
function refuse(sentence) {
  state.loaded = false;
  state.sessions = [];
  state.summaries = new Map();
  drawn = null;
  $("locations").replaceChildren();
  $("attention").textContent = "";
  $("attention").className = "attention";
  $("empty").hidden = true;
  $("refused").textContent = sentence;
  showStatus("refused", t("conference.stopped"), 0);
}

function receive(message) {
  switch (message.type) {
    case "conference":
      state.skew = message.server_time_ms - Date.now();
      state.sessions = message.sessions;
      state.summaries = new Map(message.rooms.map((summary) => [summary.room, summary]));
      state.loaded = true;
      attempt = 0;
      $("refused").textContent = "";
      showStatus("connected", "", 0);
      render();
      break;
    case "room":
      state.summaries.set(message.summary.room, message.summary);
      render();
      break;
    case "error":
      lastError = message;
      break;
  }
}

/** Draws the rows again when what they show changed (a message, or the
 *  clock moving a session on or a warning in), then the clocks. */
function render() {
  if (!state.loaded) return;
  const at = now();
  const list = rows(state.sessions, state.summaries, at, collator);
  const shown = JSON.stringify(list);
  if (shown !== drawn) {
    drawn = shown;
    $("empty").hidden = state.sessions.length > 0;
    $("locations").replaceChildren(...list.map(row));
    const needy = list.filter((r) => r.warnings.length > 0).length;
    setText($("attention"), needy ? t("conference.attention", { n: needy }) : t("conference.attention_none"));
    $("attention").className = needy ? "attention alert" : "attention";
    document.body.dataset.needy = needy;
  }
  tickClocks(at);
}

/** Each clock of the page: the time left to its deadline, or over it. */
function tickClocks(at) {
  for (const node of document.querySelectorAll("[data-deadline]")) {
    const time = countdown(Number(node.dataset.deadline), at);
    setText(node, time.text);
    node.classList.toggle("over", time.over);
  }
}

/** A session's time and title. */
function session(s, withEnd) {
  const time = withEnd ? `${hhmm(s.starts_at_ms, s.time_zone)}–${hhmm(s.ends_at_ms, s.time_zone)}` : hhmm(s.starts_at_ms, s.time_zone);
  return el("p", { class: "session", "data-session": s.id },
    el("span", { class: "time" }, time), " ", el("bdi", { class: "title" }, s.title));
}

/** A clock counting down to `deadline` (filled by `tickClocks`). */
function clockTo(deadline) {
  return el("span", { class: "clock", role: "timer", "aria-live": "off", "data-deadline": deadline });
}

/** What the live room's summary says. */
function live(summary, warnings) {
  const parts = [];
  if (summary.phase) {
    parts.push(el("p", { class: "phase" }, t("conference.phase", { title: summary.phase.title }), " · ", clockTo(summary.phase.deadline_ms)));
  }
  if (summary.presenter) {
    parts.push(el("p", { class: "presenter" }, t("stage.presenter", { name: summary.presenter.name }), " · ", clockTo(summary.presenter.deadline_ms)));
  }
  parts.push(summary.speaker
    ? el("p", { class: "speaker", "data-speaker": summary.speaker.name }, t("conference.speaker", { name: summary.speaker.name }), " ", badge(summary.speaker.channel))
    : el("p", { class: "speaker muted" }, t("conference.no_speaker")));
  const counts = [t("conference.waiting", summary.waiting)];
  if (summary.awaiting_approval > 0) counts.push(t("conference.awaiting", { n: summary.awaiting_approval }));
  counts.push(t(summary.queue_open ? "display.queue_open" : "display.queue_closed"));
  parts.push(el("p", { class: "counts" }, counts.join(" · ")));
  // Screens per role, or that none is connected (nobody runs this room).
  const connected = Object.values(summary.screens).some((n) => n > 0);
  parts.push(connected
    ? el("p", { class: "screens muted" }, t("conference.screens", summary.screens))
    : el("p", { class: "idle" }, t("conference.idle")));
  if (warnings.length) {
    parts.push(el("ul", { class: "warnings" }, warnings.map((warning) => el("li", { "data-warning": warning.kind },
      el("span", { class: "sign", "aria-hidden": "true" }, "!"), " ", t(`conference.warning.${warning.kind}`)))));
  }
  return parts;
}

/** One location's row. */
function row(r) {
  const needs = r.warnings.length > 0;
  const heading = el("div", { class: "where" }, el("h2", { class: "location" }, r.location),
    needs ? el("span", { class: "flag" }, t("conference.needs")) : null);
  const current = el("div", { class: "now" }, el("h3", {}, t("conference.now")));
  if (!r.now) current.append(el("p", { class: "muted" }, t("conference.none_now")));
  else {
    current.append(session(r.now, true));
    if (r.summary) current.append(...live(r.summary, r.warnings));
    else current.append(el("p", { class: "idle" }, t("conference.idle")));
  }
  const next = el("div", { class: "next" }, el("h3", {}, t("conference.next")),
    r.next ? session(r.next, false) : el("p", { class: "muted" }, t("conference.none_next")));
  return el("li", {
    class: needs ? "needs" : "",
    "data-location": r.location,
    "data-room": r.now ? r.now.id : null,
    "data-warnings": r.warnings.map((w) => w.kind).join(" "),
  }, heading, current, next);
}

onLinkChange((next) => {
  info = next;
  const old = ws;
  ws = null;
  if (old) old.close();
  attempt = 0;
  state.loaded = false;
  drawn = null;
  $("refused").textContent = "";
  showStatus("connecting", "", 0);
  connect();
});

showStatus("connecting", "", 0);
connect();
setInterval(render, 500);
