// The mic runner's phone: add a raised hand, see who is on deck and where
// they sit, mark "mic in hand". Actions taken during a Wi-Fi drop wait and
// are sent when the connection returns; a hand added meanwhile is listed
// as not sent yet. Taking a hand down and rejecting a request ask first,
// in the row: the protocol has no way back from either.

import { start, el, showError, keepFocus } from "./floor.js";
import { t } from "./strings.js";
import { LIMITS, length, trim } from "./fields.js";
import { onDeck } from "./deck.js";

const $ = (id) => document.getElementById(id);
let deck = null;
/** The row that asks "are you sure?": { action: "withdraw" | "reject", id }. */
let confirming = null;
/** Withdrawals and rejections sent but not yet acknowledged, by entry id. */
const going = new Map();
/** Hands added but not yet acknowledged, in the order they were added. */
const unsent = new Map();
let added = 0;

const floor = start({ onState: render });

function act(command) {
  return floor.send(command).catch((error) => showError($("error"), error));
}

/** Renders again, once the page has a room to show. */
function refresh() {
  if (floor.view) render(floor);
}

// Adding a hand.

/** What stops the form from being sent, as { field, text }, or null.
 *  While typing (`submitting` false) only a field past its limit counts. */
function problem(submitting) {
  if (submitting && !trim($("name").value)) return { field: "name", text: t("runner.name_missing") };
  if (length($("name").value) > LIMITS.name) return { field: "name", text: t("runner.name_long", { max: LIMITS.name }) };
  if (length($("seat").value) > LIMITS.location) return { field: "seat", text: t("runner.seat_long", { max: LIMITS.location }) };
  return null;
}

/** Marks the field at fault and says why in the form's alert line. */
function flag(found) {
  for (const id of ["name", "seat"]) {
    if (found && found.field === id) $(id).setAttribute("aria-invalid", "true");
    else $(id).removeAttribute("aria-invalid");
  }
  const error = $("error");
  const text = found ? found.text : "";
  if (found || error.dataset.form) {
    clearTimeout(error.timer);
    if (error.textContent !== text) error.textContent = text;
  }
  if (found) error.dataset.form = "yes"; else delete error.dataset.form;
}

for (const id of ["name", "seat"]) $(id).addEventListener("input", () => flag(problem(false)));

$("add").addEventListener("submit", (event) => {
  event.preventDefault();
  const found = problem(true);
  flag(found);
  if (found) {
    $(found.field).focus();
    return;
  }
  const entry = { channel: "onsite", person: { name: trim($("name").value) } };
  const seat = trim($("seat").value);
  if (seat) entry.location = seat;
  const key = (added += 1);
  unsent.set(key, entry);
  // Cleared at once: the hand is queued even while offline, and listed as
  // not sent until the broker has it. If the broker refuses it, what was
  // typed comes back.
  floor.send({ type: "submit", entry }).catch((error) => {
    showError($("error"), error);
    if (!$("name").value) {
      $("name").value = entry.person.name;
      $("seat").value = entry.location || "";
    }
  }).finally(() => {
    unsent.delete(key);
    refresh();
  });
  $("add").reset();
  $("name").focus();
  refresh();
});
$("mic").addEventListener("click", () => { if (deck) act({ type: "mic_in_hand", entry_id: deck.id }); });

// Asking before a hand goes down or a request is rejected.

const LISTS = { withdraw: "hands", reject: "pending" };

/** Opens the question in the row of `entry`; its "Keep" takes the focus,
 *  so that a second press of the same key changes nothing. */
function ask(action, entry) {
  confirming = { action, id: entry.id };
  refresh();
  const keep = $(LISTS[action]).querySelector(`[data-entry="${entry.id}"] .confirm .keep`);
  if (keep) keep.focus();
}

/** Closes the question; the focus goes back to the button that opened it. */
function cancel(action, entry) {
  confirming = null;
  refresh();
  const back = $(LISTS[action]).querySelector(`[data-entry="${entry.id}"] button.${action}`);
  if (back) back.focus();
}

function confirmed(action, entry) {
  confirming = null;
  going.set(entry.id, action);
  act({ type: action, entry_id: entry.id }).finally(() => {
    going.delete(entry.id);
    refresh();
  });
  refresh();
  focusList(LISTS[action]);
}

/** Puts the focus on a list's heading, or on the hands' when that list
 *  is hidden (no request awaits approval any more). */
function focusList(list) {
  const heading = $(`${list}-label`);
  if (heading.closest("[hidden]")) $("hands-label").focus(); else heading.focus();
}

/** The question, "Yes" and "Keep", in the row; Escape keeps. */
function question(action, entry) {
  const id = `confirm-${entry.id}`;
  const name = entry.person.name;
  return el("div", {
    class: "confirm", role: "group", "aria-labelledby": id,
    onkeydown: (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      cancel(action, entry);
    },
  },
  el("span", { id }, t(`runner.${action}_confirm`, { name })),
  el("button", { type: "button", class: "danger", onclick: () => confirmed(action, entry),
    "aria-label": `${t(`runner.${action}_yes`)}: ${name}` }, t(`runner.${action}_yes`)),
  el("button", { type: "button", class: "secondary keep", onclick: () => cancel(action, entry),
    "aria-label": `${t("runner.keep")}: ${name}` }, t("runner.keep")));
}

/** The row's own buttons: the question when it is open, what is being
 *  sent when it is, else `buttons`. */
function actions(action, entry, buttons) {
  if (going.has(entry.id)) return el("span", { class: "muted" }, t(going.get(entry.id) === "reject" ? "runner.rejecting" : "runner.withdrawing"));
  if (confirming && confirming.action === action && confirming.id === entry.id) return question(action, entry);
  return buttons;
}

// The page.

/** Where to take the microphone (deck.js), with the words for when. */
function nextStop(floor) {
  const found = onDeck(floor.view, floor.order);
  if (!found) return null;
  const when = found.speaking ? t("runner.speaking_no_mic")
    : found.ahead === 0 ? t("runner.next_in_line") : t("runner.ahead", { n: found.ahead });
  return { entry: found.entry, now: found.speaking, when };
}

function who(name, location, ...status) {
  return el("span", { class: "who" }, el("strong", {}, name), location ? [" · ", el("bdi", { class: "location" }, location)] : "",
    status.length ? [el("br"), el("span", { class: "muted" }, ...status)] : null);
}

function renderDeck(floor) {
  const found = nextStop(floor);
  deck = found ? found.entry : null;
  const later = !found && floor.view.entries.some((e) => e.channel === "onsite" && e.status === "waiting");
  $("deck").dataset.when = found ? (found.now ? "now" : "line") : "none";
  $("deck-name").textContent = found ? found.entry.person.name
    : later ? t("runner.later", { n: floor.order.length }) : t("runner.nobody");
  $("deck-seat").textContent = found && found.entry.location ? found.entry.location : "";
  $("deck-when").textContent = found
    ? `${found.when}${found.entry.mic_in_hand ? ` · ${t("runner.has_mic")}` : ""}` : "";
  $("mic").hidden = !found || found.entry.mic_in_hand;
}

function renderPending(entries) {
  const pending = entries.filter((e) => e.channel === "onsite" && e.status === "pending");
  if (pending.length === 0 && document.activeElement === $("pending-label")) $("hands-label").focus();
  $("pending-block").hidden = pending.length === 0;
  keepFocus($("pending"), () => $("pending").replaceChildren(...pending.map((entry) => el("li", { "data-entry": entry.id },
    who(entry.person.name, entry.location),
    actions("reject", entry, [
      el("button", { type: "button", onclick: () => act({ type: "approve", entry_id: entry.id }),
        "aria-label": `${t("runner.approve")}: ${entry.person.name}` }, t("runner.approve")),
      el("button", { type: "button", class: "secondary reject", onclick: () => ask("reject", entry),
        "aria-label": `${t("runner.reject")}: ${entry.person.name}` }, t("runner.reject")),
    ]),
  ))));
}

function renderHands(floor, entries) {
  const hands = entries.filter((e) => e.channel === "onsite" && (e.status === "waiting" || e.status === "speaking"));
  const rows = hands.map((entry) => {
    const place = floor.place(entry.id);
    return el("li", { "data-entry": entry.id },
      who(entry.person.name, entry.location, entry.status === "speaking" ? t("status.speaking")
        : place === null ? t("order.after", { n: floor.order.length }) : t("chair.place", { n: place + 1 }),
      entry.mic_in_hand ? ` · ${t("runner.has_mic")}` : ""),
      entry.status === "waiting" ? actions("withdraw", entry, el("button", { type: "button", class: "secondary withdraw",
        onclick: () => ask("withdraw", entry),
        "aria-label": `${t("runner.withdraw")}: ${entry.person.name}` }, t("runner.withdraw"))) : null,
    );
  });
  const sending = floor.status === "connected";
  for (const entry of unsent.values()) {
    rows.push(el("li", { class: "unsent" },
      who(entry.person.name, entry.location, t(sending ? "runner.sending" : "runner.unsent"))));
  }
  keepFocus($("hands"), () => $("hands").replaceChildren(...(rows.length ? rows : [el("li", { class: "muted" }, t("runner.nobody"))])));
}

/** Drops a question whose entry can no longer take its answer (called,
 *  approved or withdrawn meanwhile); returns the list that held the
 *  focus in it, if any. */
function dropStaleQuestion(entries) {
  if (!confirming) return null;
  const entry = entries.find((e) => e.id === confirming.id);
  const status = confirming.action === "withdraw" ? "waiting" : "pending";
  if (entry && entry.status === status) return null;
  const list = LISTS[confirming.action];
  confirming = null;
  return $(list).contains(document.activeElement) ? list : null;
}

function render(floor) {
  const entries = floor.view.entries;
  const refocus = dropStaleQuestion(entries);
  renderDeck(floor);
  renderPending(entries);
  renderHands(floor, entries);
  if (refocus) focusList(refocus);
  document.body.dataset.seq = floor.view.seq;
}
