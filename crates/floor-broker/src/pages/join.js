// A participant's phone: ask for the floor from the room or from the call,
// see one's place and an estimated wait, withdraw.

import { Floor, pageInfo, showError, showStatus, onLinkChange } from "./floor.js";
import { t, applyStrings } from "./strings.js";

const $ = (id) => document.getElementById(id);
const info = pageInfo();
applyStrings();
const CHANNEL_KEY = `${info.key}:channel`;
let floor = null;

/** A participant declares their channel in `hello`, so a change of
 *  channel is a new connection. */
function connect(channel) {
  if (floor && floor.channel === channel) return floor;
  if (floor) floor.close();
  sessionStorage.setItem(CHANNEL_KEY, channel);
  floor = new Floor({ room: info.room, token: info.token, key: info.key, channel, onState: render,
    onError: (error) => showError($("error"), error), onStatus: showStatus });
  floor.connect();
  return floor;
}
// Another link opened in this tab: the same channel, the new token.
onLinkChange((next) => {
  Object.assign(info, next);
  floor.relink(next);
});

const saved = sessionStorage.getItem(CHANNEL_KEY) || "onsite";
for (const radio of document.querySelectorAll("input[name=channel]")) {
  radio.checked = radio.value === saved;
  radio.addEventListener("change", () => { $("seat-field").hidden = radio.value !== "onsite"; connect(radio.value); });
}
$("seat-field").hidden = saved !== "onsite";
connect(saved);

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  const channel = document.querySelector("input[name=channel]:checked").value;
  const current = connect(channel);
  const entry = { channel, person: { name: $("name").value.trim() } };
  const text = $("text").value.trim();
  if (text) entry.text = text;
  const seat = $("seat").value.trim();
  if (channel === "onsite" && seat) entry.location = seat;
  const gender = $("gender").value;
  if (gender) entry.gender = gender;
  current.send({ type: "submit", entry }).catch((error) =>
    showError($("error"), error.code === "room_full" ? { message: t("join.room_full") } : error));
});
$("withdraw").addEventListener("click", () => {
  const entry = mine(floor);
  if (entry) floor.send({ type: "withdraw", entry_id: entry.id }).catch((error) => showError($("error"), error));
});

/** This participant's open entry. */
function mine(floor) {
  if (!floor.view || !floor.clientKey) return null;
  return floor.view.entries.find((e) => e.provenance.client === floor.clientKey
    && ["pending", "waiting", "speaking"].includes(e.status)) || null;
}

function render(current) {
  if (current !== floor) return;
  const entry = mine(current);
  $("mine").hidden = !entry;
  $("ask").hidden = Boolean(entry);
  $("closed").hidden = Boolean(entry) || current.view.queue_open;
  const refused = !entry && latest(current);
  $("refused").hidden = !refused;
  if (refused) {
    $("refused").textContent = refused.reject_reason
      ? t("join.rejected_reason", { reason: refused.reject_reason }) : t("join.rejected");
  }
  if (entry) {
    const place = current.place(entry.id);
    if (entry.status === "speaking") {
      $("mine-state").textContent = t("join.speaking");
      $("mine-wait").textContent = "";
    } else if (entry.status === "pending") {
      $("mine-state").textContent = t("status.pending");
      $("mine-wait").textContent = "";
    } else if (place === null) {
      // Waiting past the head of the order the broker lists.
      $("mine-state").textContent = t("join.after", { n: current.order.length });
      $("mine-wait").textContent = t("join.wait_more", { minutes: estimate(current, current.order.length) });
    } else {
      $("mine-state").textContent = t("join.position", { n: place + 1 });
      $("mine-wait").textContent = t("join.wait", { minutes: estimate(current, place) });
    }
  }
  document.body.dataset.seq = current.view.seq;
}

/** This participant's latest entry, if it was rejected. */
function latest(current) {
  const own = current.view.entries.filter((e) => e.provenance.client === current.clientKey);
  const last = own[own.length - 1];
  return last && last.status === "rejected" ? last : null;
}

/** Minutes to wait: the speaker's time left, then a full turn for each
 *  person ahead (an upper bound; turns are often shorter). */
function estimate(current, place) {
  const limit = current.view.settings.speaking_limit_s * 1000;
  const speaker = current.speaker();
  const left = speaker ? Math.max(0, speaker.speaking.deadline_ms - current.now()) : 0;
  return Math.max(1, Math.round((left + place * limit) / 60000));
}
