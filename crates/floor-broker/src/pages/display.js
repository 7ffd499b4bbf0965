// The projector: who speaks and for how much longer, who is next and why,
// the turns per channel, and how to ask. No controls.

import { start, el, badge, reasonText, clock } from "./floor.js";
import { t } from "./strings.js";

const $ = (id) => document.getElementById(id);
const NEXT = 5;

const floor = start({ onState: render, onLink: showJoin });
showJoin(floor.info);

function render(floor) {
  const view = floor.view;
  const current = floor.speaker();
  if (current) {
    const { entry } = current;
    $("speaker-label").textContent = t("display.speaking");
    $("speaker-name").textContent = entry.person.name;
    $("speaker-meta").replaceChildren(
      badge(entry.channel), " ",
      entry.person.affiliation ? `${entry.person.affiliation} · ` : "",
      t(`delivery.${entry.delivery}`),
    );
  } else {
    $("speaker-label").textContent = "";
    $("speaker-name").textContent = t("display.nobody");
    $("speaker-meta").replaceChildren();
  }
  tick();
  const queue = floor.queue();
  $("next").replaceChildren(...queue.slice(0, NEXT).map(({ slot, place, entry }) =>
    el("li", { "data-entry": entry.id, "data-channel": slot.channel },
      el("span", { class: "place" }, `${place + 1}.`),
      badge(slot.channel),
      el("span", { class: "name" }, entry.person.name),
      el("span", { class: "reason" }, slot.reasons.length ? reasonText(slot.reasons[0], slot.channel) : ""),
    )));
  if (queue.length === 0) $("next").replaceChildren(el("li", { class: "muted" }, t("display.empty")));
  $("more").textContent = queue.length > NEXT ? t("display.more", { n: queue.length - NEXT }) : "";
  const short = (channel) => el("span", { class: `badge ${channel}` }, t(`channel.short.${channel}`));
  $("tally").replaceChildren(
    el("h2", {}, t("display.turns")),
    el("div", { class: "count" }, short("onsite"), " ", el("strong", { id: "tally-onsite" }, view.turns.onsite),
      " : ", el("strong", { id: "tally-online" }, view.turns.online), " ", short("online")),
  );
  $("queue-state").textContent = t(view.queue_open ? "display.queue_open" : "display.queue_closed");
  const policy = view.settings.policy;
  $("policy").textContent = t(`policy.${policy.kind}`, policy);
  document.body.dataset.seq = view.seq;
}

/** The phase of the run of show, its countdown, and the presenter. */
function showStage() {
  const running = floor.stage();
  const node = $("stage");
  if (!running) { node.textContent = ""; return; }
  const left = running.stage.deadline_ms - floor.now();
  let text = t(left >= 0 ? "stage.left" : "stage.over", { title: running.phase.title, clock: clock(left) });
  const intake = running.stage.intake_until_ms ? running.stage.intake_until_ms - floor.now() : 0;
  if (intake > 0) text = t("stage.intake", { clock: clock(intake) });
  if (running.presenter && running.presenter.person) {
    text += ` · ${t("stage.presenter", {
      name: running.presenter.person.name,
      clock: clock(running.presenter.turn.deadline_ms - floor.now()),
    })}`;
  }
  node.textContent = text;
  node.className = left < 0 ? "over" : "";
}

function tick() {
  showStage();
  const current = floor.view && floor.speaker();
  const node = $("countdown");
  if (!current) { node.textContent = ""; node.className = ""; return; }
  const left = current.speaking.deadline_ms - floor.now();
  node.textContent = left >= 0 ? t("time.left", { clock: clock(left) }) : t("time.over", { clock: clock(left) });
  node.className = left < 0 ? "over" : left <= 30000 ? "warn" : "";
}
setInterval(tick, 250);

/** The way in for the hall: the QR code of the participant page, and
 *  the room's join code with the address to type it at. The room's
 *  current code and link come from the broker (they change when the
 *  participant token is rotated); a room without a code falls back to the
 *  link's `join`. */
async function showJoin(info) {
  let join = null;
  try {
    const response = await fetch(`../../api/rooms/${encodeURIComponent(info.room)}/join-code`, {
      headers: { Authorization: `Bearer ${info.token}` },
    });
    if (response.ok) join = await response.json();
  } catch { /* shown below without a code */ }
  if (!join && info.join) {
    const link = new URL(`../${encodeURIComponent(info.room)}/join`, location.href);
    link.hash = `token=${info.join}`;
    join = { link: link.href };
  }
  if (!join) {
    $("join-link").textContent = t("display.join_missing");
    $("join-code").textContent = "";
    $("qr-image").hidden = true;
    return;
  }
  // POSTed, not in a query string: the participant token stays out of
  // URLs and logs.
  fetch("../../qr.svg", { method: "POST", body: join.link })
    .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(response.statusText))))
    .then((svg) => {
      const image = $("qr-image");
      image.src = URL.createObjectURL(svg);
      image.alt = t("display.join");
      image.hidden = false;
    })
    .catch(() => {});
  const at = join.join_url ? new URL(join.join_url) : null;
  $("join-link").textContent = at ? t("display.join_at", { address: `${at.host}${at.pathname}` }) : "";
  $("join-code").textContent = join.code || "";
}
