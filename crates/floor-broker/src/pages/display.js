// The projector: who speaks and for how much longer, who is next and why,
// the turns per channel, and how to ask. No controls.

import { start, el, badge, reasonKey, countdown, setText, showStageClock, sourceLabel } from "./floor.js";
import { afterOpenFloor } from "./wait.js";
import { t, fill, languages } from "./strings.js";

const $ = (id) => document.getElementById(id);
const NEXT = 5;
/** A node holding the string `key` (in both languages on a bilingual
 *  projector). */
const said = (tag, attrs, key, params) => {
  const node = el(tag, attrs);
  fill(node, key, params);
  return node;
};
if (languages().length > 1) document.body.classList.add("bilingual");

/** How long the projector waits to read its join code and QR code again
 *  when the broker could not be reached. */
const JOIN_RETRY_MS = 3000;
/** The latest reading of the join code (an older one that ends late is
 *  dropped), its retry timer, whether a code from the broker is shown,
 *  and how many readings are under way. */
let joinRun = 0;
let joinRetry = null;
let joinShown = false;
let joinBusy = 0;

const floor = start({ onState: render, onLink: (info) => { joinShown = false; showJoin(info); } });
showJoin(floor.info);
// Read again after a reconnection: the broker may have been away when the
// page loaded, or the participant token rotated meanwhile.
floor.onWelcome = () => { if (!joinBusy) showJoin(floor.info); };

function render(floor) {
  const view = floor.view;
  setText($("room-title"), floor.roomInfo && floor.roomInfo.title ? floor.roomInfo.title : t("app.name"));
  $("closed-banner").hidden = view.queue_open;
  document.body.dataset.queue = view.queue_open ? "open" : "closed";
  tick();
  showNext(floor);
  const short = (channel) => said("span", { class: `badge ${channel}` }, `channel.short.${channel}`);
  const tally = `${view.turns.onsite}:${view.turns.online}`;
  if ($("tally").dataset.shown !== tally) {
    $("tally").dataset.shown = tally;
    $("tally").replaceChildren(
      said("h2", {}, "display.turns"),
      el("div", { class: "count" }, short("onsite"), " ", el("strong", { id: "tally-onsite" }, view.turns.onsite),
        " : ", el("strong", { id: "tally-online" }, view.turns.online), " ", short("online")),
    );
  }
  fill($("queue-state"), view.queue_open ? "display.queue_open" : "display.queue_closed");
  $("queue-state").className = view.queue_open ? "" : "closed";
  const policy = view.settings.policy;
  fill($("policy"), `policy.${policy.kind}`, policy);
  document.body.dataset.seq = view.seq;
}

/** The "Next" block: the broker's order, the coming presenters of a phase
 *  with presenters, or, after the open floor, that it has ended. */
function showNext(floor) {
  const running = floor.stage();
  const speakers = running ? running.phase.speakers || [] : [];
  let heading = "display.next";
  let rows;
  let more = "";
  if (running && speakers.length && running.phase.kind !== "open_floor") {
    const from = running.presenter ? running.presenter.turn.index + 1 : 0;
    heading = "stage.next_presenters";
    rows = speakers.slice(from, from + NEXT).map((person, i) =>
      el("li", { "data-presenter": from + i },
        el("span", { class: "place" }, `${i + 1}.`),
        el("span", { class: "who" }, el("bdi", { class: "name" }, person.name),
          person.affiliation ? [" · ", el("bdi", { class: "affiliation" }, person.affiliation)] : ""),
      ));
  } else if (afterOpenFloor(floor.view)) {
    rows = [said("li", { class: "muted" }, "stage.ended")];
  } else {
    const queue = floor.queue();
    rows = queue.slice(0, NEXT).map(({ slot, place, entry }) =>
      el("li", { "data-entry": entry.id, "data-channel": slot.channel },
        el("span", { class: "place" }, `${place + 1}.`),
        badge(slot.channel),
        el("span", { class: "who" }, el("bdi", { class: "name" }, entry.person.name),
          entry.person.affiliation ? [" · ", el("bdi", { class: "affiliation" }, entry.person.affiliation)] : "",
          entry.provenance.source ? [" ", sourceLabel(entry)] : ""),
        slot.reasons.length ? said("span", { class: "reason" }, reasonKey(slot.reasons[0], slot.channel, floor.view))
          : el("span", { class: "reason" }),
      ));
    more = queue.length > NEXT ? queue.length - NEXT : 0;
  }
  if (!rows.length) rows = [said("li", { class: "muted" }, "display.empty")];
  fill($("next-label"), heading);
  $("next").replaceChildren(...rows);
  if (more) fill($("more"), "display.more", { n: more });
  else setText($("more"), "");
  // Announced when the names change, not at every render; each name
  // isolated (FSI ... PDI), as in any sentence.
  const names = [...$("next").querySelectorAll(".name")].map((n) => n.textContent);
  setText($("next-announce"), names.length ? t("display.next_announce", { names: names.map((n) => `\u2068${n}\u2069`).join(", ") }) : "");
}

/** The headline: who speaks (of a speaker of the queue and the presenter,
 *  the one whose turn began last), else the running phase, else whether
 *  the floor is open; and its countdown. */
function showHeadline() {
  const view = floor.view;
  const running = floor.stage();
  const { speaker: current, presenter } = floor.onStage();
  let label = "";
  let name;
  let meta = [];
  let deadline = null;
  if (current) {
    const { entry } = current;
    label = { key: "display.speaking" };
    name = entry.person.name;
    meta = [badge(entry.channel), " ",
      entry.person.affiliation ? [el("bdi", {}, entry.person.affiliation), " · "] : "", t(`delivery.${entry.delivery}`),
      entry.provenance.source ? [" · ", sourceLabel(entry)] : ""];
    deadline = current.speaking.deadline_ms;
  } else if (presenter) {
    label = running.phase.title;
    name = presenter.person.name;
    meta = presenter.person.affiliation ? [el("bdi", {}, presenter.person.affiliation)] : [];
    deadline = presenter.turn.deadline_ms;
  } else if (running && running.phase.kind !== "open_floor") {
    label = { key: "display.now" };
    name = running.phase.title;
    deadline = running.stage.deadline_ms;
  } else {
    name = { key: view.queue_open ? "display.nobody" : "display.nobody_closed" };
    const collecting = running && running.stage.intake_until_ms > floor.now();
    meta = collecting && view.queue_open ? [said("span", {}, "stage.collecting")] : [];
  }
  show($("speaker-label"), label);
  show($("speaker-name"), name);
  const key = JSON.stringify([current && current.entry.id, presenter && presenter.turn.index, meta.flat().map((m) => (m instanceof Node ? m.textContent : String(m)))]);
  if ($("speaker-meta").dataset.shown !== key) {
    $("speaker-meta").dataset.shown = key;
    $("speaker-meta").replaceChildren(...meta.flat());
  }
  const node = $("countdown");
  if (deadline === null) { setText(node, ""); node.className = ""; return; }
  const time = countdown(deadline, floor.now());
  fill(node, time.key, time.params);
  node.className = time.over ? "over" : time.warn ? "warn" : "";
}

/** The footer's phase of the run of show and its clock. The phase's title
 *  is a live region (a new phase is announced); the clock is not. */
function showStage() {
  const running = floor.stage();
  $("stage").className = running ? "" : "idle";
  if (!running) {
    setText($("stage-phase"), "");
    $("stage-clock").replaceChildren();
    return;
  }
  setText($("stage-phase"), running.phase.title);
  showStageClock($("stage-clock"), running.stage, floor.now());
}

/** Shows `what`: a string key (`{ key }`, in the page's languages) or
 *  user content (a name, a phase's title: as it is). */
function show(node, what) {
  if (what && typeof what === "object") fill(node, what.key);
  else setText(node, what);
}

function tick() {
  if (!floor.view) return;
  showHeadline();
  showStage();
}
setInterval(tick, 250);

/** The way in for the hall: the QR code of the participant page, and
 *  the room's join code with the address to type it at. The room's
 *  current code and link come from the broker (they change when the
 *  participant token is rotated); a room without a code falls back to the
 *  link's `join`. A projector opened while the broker cannot be reached
 *  (a restart) tries again every few seconds until both are shown, and
 *  reads them again after each reconnection. */

async function showJoin(info) {
  joinBusy += 1;
  try {
    await readJoin(info);
  } finally {
    joinBusy -= 1;
  }
}

async function readJoin(info) {
  const run = ++joinRun;
  clearTimeout(joinRetry);
  const again = () => {
    if (run === joinRun) joinRetry = setTimeout(() => showJoin(floor.info), JOIN_RETRY_MS);
  };
  let join = null;
  let reached = false;
  try {
    const response = await fetch(`../../api/rooms/${encodeURIComponent(info.room)}/join-code`, {
      headers: { Authorization: `Bearer ${info.token}` },
    });
    // A 4xx (but 429) says for good that there is no code for this link;
    // anything else may change once the broker is back.
    reached = response.status < 500 && response.status !== 429;
    if (response.ok) join = await response.json();
  } catch { /* shown below without a code, and tried again */ }
  if (run !== joinRun) return;
  if (!join && info.join) {
    const link = new URL(`../${encodeURIComponent(info.room)}/join`, location.href);
    link.hash = `token=${info.join}`;
    join = { link: link.href };
  }
  if (!reached) again();
  if (!join) {
    if (!joinShown) {
      fill($("join-link"), "display.join_missing");
      $("join-code").textContent = "";
      $("qr-image").hidden = true;
    }
    return;
  }
  // POSTed, not in a query string: the participant token stays out of
  // URLs and logs.
  let svg;
  try {
    const response = await fetch("../../qr.svg", { method: "POST", body: join.link });
    if (!response.ok) throw new Error(response.statusText);
    svg = await response.blob();
  } catch {
    if (reached) again();
    return;
  }
  if (run !== joinRun) return;
  const image = $("qr-image");
  if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(svg);
  image.alt = t("display.join");
  image.hidden = false;
  const at = join.join_url ? new URL(join.join_url) : null;
  if (at) fill($("join-link"), "display.join_at", { address: `${at.host}${at.pathname}` });
  else $("join-link").textContent = "";
  $("join-code").textContent = join.code || "";
  joinShown = reached;
}
