// The mic runner's phone: add a raised hand, see who is on deck and where
// they sit, mark "mic in hand". Actions taken during a Wi-Fi drop wait and
// are sent when the connection returns.

import { start, el, showError, keepFocus } from "./floor.js";
import { t } from "./strings.js";

const $ = (id) => document.getElementById(id);
let deck = null;

const floor = start({ onState: render });

function act(command) {
  return floor.send(command).catch((error) => showError($("error"), error));
}

$("add").addEventListener("submit", (event) => {
  event.preventDefault();
  const entry = { channel: "onsite", person: { name: $("name").value.trim() } };
  const seat = $("seat").value.trim();
  if (seat) entry.location = seat;
  // Cleared at once: the hand is queued even while offline. If the broker
  // refuses it, what was typed comes back.
  floor.send({ type: "submit", entry }).catch((error) => {
    showError($("error"), error);
    if (!$("name").value) {
      $("name").value = entry.person.name;
      $("seat").value = entry.location || "";
    }
  });
  $("add").reset();
  $("name").focus();
});
$("mic").addEventListener("click", () => { if (deck) act({ type: "mic_in_hand", entry_id: deck.id }); });

/** Where to take the microphone: the onsite speaker without one, else the
 *  first onsite entry in the broker's order. */
function onDeck(floor) {
  const current = floor.speaker();
  if (current && current.entry.channel === "onsite" && !current.entry.mic_in_hand) {
    return { entry: current.entry, when: t("runner.speaking_no_mic") };
  }
  const next = floor.queue().find(({ slot }) => slot.channel === "onsite");
  if (!next) return null;
  return { entry: next.entry, when: next.place === 0 ? t("runner.next_up") : t("runner.ahead", { n: next.place }) };
}

function render(floor) {
  const found = onDeck(floor);
  deck = found ? found.entry : null;
  const later = !found && floor.view.entries.some((e) => e.channel === "onsite" && e.status === "waiting");
  $("deck-name").textContent = found ? found.entry.person.name
    : later ? t("runner.later", { n: floor.order.length }) : t("runner.nobody");
  $("deck-seat").textContent = found && found.entry.location ? found.entry.location : "";
  $("deck-when").textContent = found
    ? `${found.when}${found.entry.mic_in_hand ? ` · ${t("runner.has_mic")}` : ""}` : "";
  $("mic").hidden = !found || found.entry.mic_in_hand;
  const pending = floor.view.entries.filter((e) => e.channel === "onsite" && e.status === "pending");
  $("pending-block").hidden = pending.length === 0;
  keepFocus($("pending"), () => $("pending").replaceChildren(...pending.map((entry) => el("li", { "data-entry": entry.id },
    el("span", { class: "who" }, el("strong", {}, entry.person.name), entry.location ? ` · ${entry.location}` : ""),
    el("button", { type: "button", onclick: () => act({ type: "approve", entry_id: entry.id }),
      "aria-label": `${t("runner.approve")}: ${entry.person.name}` }, t("runner.approve")),
    el("button", { type: "button", class: "secondary", onclick: () => act({ type: "reject", entry_id: entry.id }),
      "aria-label": `${t("runner.reject")}: ${entry.person.name}` }, t("runner.reject")),
  ))));
  const hands = floor.view.entries.filter((e) => e.channel === "onsite" && (e.status === "waiting" || e.status === "speaking"));
  keepFocus($("hands"), () => $("hands").replaceChildren(...(hands.length ? hands.map((entry) => {
    const place = floor.place(entry.id);
    return el("li", { "data-entry": entry.id },
      el("span", { class: "who" }, el("strong", {}, entry.person.name),
        entry.location ? ` · ${entry.location}` : "", el("br"),
        el("span", { class: "muted" }, entry.status === "speaking" ? t("status.speaking")
          : place === null ? t("order.after", { n: floor.order.length }) : t("chair.place", { n: place + 1 }),
          entry.mic_in_hand ? ` · ${t("runner.has_mic")}` : "")),
      entry.status === "waiting" ? el("button", { type: "button", class: "secondary",
        onclick: () => act({ type: "withdraw", entry_id: entry.id }),
        "aria-label": `${t("runner.withdraw")}: ${entry.person.name}` }, t("runner.withdraw")) : null,
    );
  }) : [el("li", { class: "muted" }, t("runner.nobody"))])));
  document.body.dataset.seq = floor.view.seq;
}
