// The online moderator: add remote questions fast (keyboard only works),
// import a pasted chat transcript, approve or reject participants' own
// submissions, merge duplicates, edit text, see where each one stands.

import { start, el, badge, reasonText, showError, keepFocus } from "./floor.js";
import { t } from "./strings.js";

const $ = (id) => document.getElementById(id);
let editing = null;
let focusEdit = false;

const floor = start({ onState: render });

function act(command) {
  return floor.send(command).catch((error) => { showError($("error"), error); throw error; });
}

function draft(name, text, { comment = false, readAloud = false, affiliation = "" } = {}) {
  const person = { name };
  if (affiliation) person.affiliation = affiliation;
  const entry = { channel: "online", kind: comment ? "comment" : "question", person,
    delivery: readAloud ? "read_aloud" : "remote_audio" };
  if (text) entry.text = text;
  return entry;
}

$("add").addEventListener("submit", (event) => {
  event.preventDefault();
  const entry = draft($("name").value.trim(), $("text").value.trim(), {
    comment: $("comment").checked, readAloud: $("read-aloud").checked, affiliation: $("affiliation").value.trim(),
  });
  act({ type: "submit", entry }).then(() => {
    $("add").reset();
    $("name").focus();
  }, () => {});
});
// Enter in the question field adds it (Shift+Enter for a new line).
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("add").requestSubmit();
  }
});

$("audience").addEventListener("submit", (event) => {
  event.preventDefault();
  act({ type: "set_remote_audience", count: Number($("audience-count").value) })
    .then(() => { $("audience-count").value = ""; }, () => {});
});

$("import").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("../../api/chat/parse", { method: "POST", body: $("transcript").value });
  if (!response.ok) return showError($("error"), new Error(await response.text()));
  const read = await response.json();
  let imported = 0;
  const refused = [];
  for (const question of read.questions) {
    try {
      await floor.send({ type: "submit", entry: draft(question.name, question.text) });
      imported += 1;
    } catch (error) {
      refused.push({ line: question.line, reason: `${question.name}: ${error.message}` });
    }
  }
  const problems = [...refused, ...read.unreadable].sort((a, b) => a.line - b.line);
  $("report").replaceChildren(
    el("p", {}, t("moderator.import_report", { imported, refused: refused.length, unreadable: read.unreadable.length })),
    el("ul", {}, problems.map((p) => el("li", {}, t("moderator.line", { line: p.line, reason: p.reason })))),
  );
  if (problems.length === 0) $("transcript").value = "";
});

function render(floor) {
  const view = floor.view;
  $("room-title").textContent = floor.roomInfo ? floor.roomInfo.title : "";
  $("audience-last").textContent = view.remote_audience != null
    ? t("moderator.audience_last", { count: view.remote_audience }) : "";
  const pending = view.entries.filter((e) => e.status === "pending" && e.channel === "online");
  keepFocus($("pending"), () => $("pending").replaceChildren(...(pending.length ? pending.map((entry) => el("li", { "data-entry": entry.id },
    el("span", { class: "who" }, el("strong", {}, entry.person.name), entry.text ? ` · ${entry.text}` : ""),
    el("button", { type: "button", onclick: () => act({ type: "approve", entry_id: entry.id }).catch(() => {}),
      "aria-label": `${t("moderator.approve")}: ${entry.person.name}` }, t("moderator.approve")),
    el("button", { type: "button", class: "secondary", onclick: () => act({ type: "reject", entry_id: entry.id }).catch(() => {}),
      "aria-label": `${t("moderator.reject")}: ${entry.person.name}` }, t("moderator.reject")),
  )) : [el("li", { class: "muted" }, t("moderator.none"))])));

  const open = view.entries.filter((e) => e.channel === "online" && (e.status === "waiting" || e.status === "speaking"));
  if (editing && !open.some((e) => e.id === editing)) editing = null;
  // Do not redraw under someone typing an edit.
  if (editing && document.activeElement && document.activeElement.closest("#online")) return;
  keepFocus($("online"), () => $("online").replaceChildren(
    ...(open.length ? open.map((entry) => row(floor, entry, open)) : [el("li", { class: "muted" }, t("moderator.none"))])));
  document.body.dataset.seq = view.seq;
}

function row(floor, entry, open) {
  const place = floor.place(entry.id);
  const slot = place === null ? null : floor.order[place];
  const standing = entry.status === "speaking" ? t("status.speaking")
    : place === null ? (entry.status === "waiting" ? t("order.after", { n: floor.order.length }) : t("status.waiting"))
    : `${t("chair.place", { n: place + 1 })} · ${slot && slot.reasons.length ? reasonText(slot.reasons[0], "online") : ""}`;
  if (editing === entry.id) {
    const input = el("input", { value: entry.text || "", maxlength: "1000", "aria-label": t("moderator.text") });
    const save = () => act({ type: "edit", entry_id: entry.id, patch: { text: input.value.trim() || null } })
      .then(() => { editing = null; render(floor); }, () => {});
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); save(); }
    });
    if (focusEdit) {
      focusEdit = false;
      queueMicrotask(() => input.focus());
    }
    return el("li", { "data-entry": entry.id }, el("strong", {}, entry.person.name), input,
      el("button", { type: "button", onclick: save }, t("moderator.save")));
  }
  const others = open.filter((e) => e.id !== entry.id);
  // Choosing in the list does nothing until the Merge button is pressed.
  const into = el("select", { "aria-label": `${t("moderator.merge")} ${entry.person.name}` },
    el("option", { value: "" }, t("moderator.merge_none")),
    others.map((o) => el("option", { value: o.id }, o.person.name)));
  const merge = el("span", {}, into, " ", el("button", { type: "button", class: "secondary",
    "aria-label": `${t("moderator.merge_button")}: ${entry.person.name}`,
    onclick: () => into.value && act({ type: "merge", entry_id: entry.id, into: into.value }).catch(() => {}) },
  t("moderator.merge_button")));
  return el("li", { "data-entry": entry.id },
    badge("online"),
    el("span", { class: "who" }, el("strong", {}, entry.person.name), entry.text ? ` · ${entry.text}` : "",
      el("br"), el("span", { class: "muted" }, standing)),
    el("button", { type: "button", class: "secondary", onclick: () => { editing = entry.id; focusEdit = true; render(floor); },
      "aria-label": `${t("moderator.edit")}: ${entry.person.name}` }, t("moderator.edit")),
    others.length ? merge : null,
  );
}
