// The online moderator: add remote questions fast (keyboard only works),
// import a pasted chat transcript after a preview, approve or reject
// participants' own submissions, edit, remove or merge online entries,
// see where each one stands.

import { start, el, badge, reasonText, showError, refusalText, keepFocus, sourceLabel } from "./floor.js";
import { t } from "./strings.js";
import { LIMITS, draftProblem, length, notAQuestion, trim } from "./moderation.js";

const $ = (id) => document.getElementById(id);
/** The online rows opened for an edit or a removal, by entry id: their
 *  nodes stay in the list across renders, so what is typed in them is
 *  never redrawn or lost when events arrive. */
const openRows = new Map();

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

/** The sentence for a problem `draftProblem` found. */
function problemText(problem) {
  return t(problem.key, { count: problem.count ?? 0, limit: problem.limit ?? 0, n: problem.count ?? 0 });
}

/** Checks `fields` (by field name, each with its control in `controls`);
 *  on a problem, says it in `target`, marks the field and focuses it. */
function refuse(fields, controls, target) {
  for (const control of Object.values(controls)) control.removeAttribute("aria-invalid");
  const problem = draftProblem(fields);
  target.textContent = problem ? problemText(problem) : "";
  if (!problem) return false;
  controls[problem.field].setAttribute("aria-invalid", "true");
  controls[problem.field].focus();
  return true;
}

/** Shows, under a text field, its length as the broker counts it against
 *  `limit` ("1,020 / 1,000", red past the limit); never cuts the text. */
function countChars(field, counter, limit) {
  const show = () => {
    const count = length(field.value);
    counter.textContent = t("moderator.count", { count, limit });
    counter.classList.toggle("over", count > limit);
  };
  field.addEventListener("input", show);
  show();
  return show;
}

/** Enter sends a multi-line field's form (Shift+Enter for a new line). */
function enterSends(field, form) {
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

const showAddCount = countChars($("text"), $("text-count"), LIMITS.text);
$("add").addEventListener("submit", (event) => {
  event.preventDefault();
  const fields = { name: $("name").value, affiliation: $("affiliation").value, text: $("text").value };
  if (refuse(fields, { name: $("name"), affiliation: $("affiliation"), text: $("text") }, $("error"))) return;
  const entry = draft(trim(fields.name), trim(fields.text), {
    comment: $("comment").checked, readAloud: $("read-aloud").checked, affiliation: trim(fields.affiliation),
  });
  act({ type: "submit", entry }).then(() => {
    $("add").reset();
    showAddCount();
    $("name").focus();
  }, () => {});
});
enterSends($("text"), $("add"));

$("audience").addEventListener("submit", (event) => {
  event.preventDefault();
  act({ type: "set_remote_audience", count: Number($("audience-count").value) })
    .then(() => { $("audience-count").value = ""; }, () => {});
});

// Chat import: "Read" lists the lines read, each with a checkbox (those
// that are obviously not questions unchecked); nothing is added until
// "Add N selected".

$("import").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("../../api/chat/parse", { method: "POST", body: $("transcript").value });
  if (!response.ok) return showError($("error"), new Error(await response.text()));
  $("report").replaceChildren();
  showPreview(await response.json());
});

function showPreview(read) {
  const lines = read.questions.map((question) => {
    const why = notAQuestion(question.name, question.text);
    const box = el("input", { type: "checkbox", id: `line-${question.line}` });
    box.checked = why === null;
    return { question, box, item: el("li", {},
      box, el("label", { for: box.id }, el("strong", {}, question.name), ": ", el("bdi", {}, question.text)),
      why ? el("span", { class: "muted" }, t("moderator.unchecked", { why: t(`moderator.skip.${why}`) })) : null) };
  });
  const add = el("button", { type: "button", id: "preview-add" });
  const count = () => {
    const n = lines.filter((l) => l.box.checked).length;
    add.textContent = t("moderator.preview_add", { n });
    add.disabled = n === 0;
  };
  for (const line of lines) line.box.addEventListener("change", count);
  count();
  add.addEventListener("click", () => addLines(lines, read.unreadable));
  $("preview").replaceChildren(...[
    el("h3", {}, t("moderator.preview")),
    lines.length ? el("ul", { class: "lines" }, lines.map((l) => l.item)) : el("p", {}, t("moderator.preview_none")),
    read.unreadable.length ? [el("h3", {}, t("moderator.preview_unreadable")), el("ul", {},
      read.unreadable.map((u) => el("li", {}, t("moderator.line", { line: u.line, reason: `${u.content} (${u.reason})` }))))] : null,
    el("div", { class: "row" }, add, el("button", { type: "button", class: "secondary",
      onclick: () => { closePreview(); $("transcript").focus(); } }, t("moderator.preview_discard"))),
  ].flat().filter(Boolean));
  $("preview").hidden = false;
}

function closePreview() {
  $("preview").hidden = true;
  $("preview").replaceChildren();
}

async function addLines(lines, unreadable) {
  $("preview-add").disabled = true;
  const chosen = lines.filter((l) => l.box.checked).map((l) => l.question);
  let imported = 0;
  const refused = [];
  for (const question of chosen) {
    try {
      await floor.send({ type: "submit", entry: draft(question.name, question.text) });
      imported += 1;
    } catch (error) {
      refused.push({ line: question.line, reason: `${question.name}: ${error.human || error.message}` });
    }
  }
  closePreview();
  const problems = [...refused, ...unreadable].sort((a, b) => a.line - b.line);
  $("report").replaceChildren(
    el("p", {}, t("moderator.import_report", {
      n: imported, imported, refused: refused.length, unreadable: unreadable.length, skipped: lines.length - chosen.length })),
    el("ul", {}, problems.map((p) => el("li", {}, t("moderator.line", { line: p.line, reason: p.reason })))),
  );
  if (problems.length === 0) $("transcript").value = "";
  $("transcript").focus();
}

function render(floor) {
  const view = floor.view;
  $("room-title").textContent = floor.roomInfo ? floor.roomInfo.title : "";
  $("audience-last").textContent = view.remote_audience != null
    ? t("moderator.audience_last", { count: view.remote_audience, n: view.remote_audience }) : "";
  const pending = view.entries.filter((e) => e.status === "pending" && e.channel === "online");
  const pendingRows = pending.map((entry) => {
    const kept = openRows.get(entry.id);
    return kept ? kept.node : el("li", { "data-entry": entry.id },
      el("span", { class: "who" }, el("strong", {}, entry.person.name), " ", sourceLabel(entry, true), entry.text ? [" · ", el("bdi", {}, entry.text)] : ""),
      el("button", { type: "button", onclick: () => act({ type: "approve", entry_id: entry.id }).catch(() => {}),
        "aria-label": `${t("moderator.approve")}: ${entry.person.name}` }, t("moderator.approve")),
      // Rejecting asks first, as removing does: there is no way back.
      el("button", { type: "button", class: "secondary", "data-action": "reject", onclick: () => openRow(entry.id, removeRow),
        "aria-label": `${t("moderator.reject")}: ${entry.person.name}` }, t("moderator.reject")));
  });
  keepFocus($("pending"), () => place($("pending"), pendingRows.length ? pendingRows : [el("li", { class: "muted" }, t("moderator.none"))]));

  const online = view.entries.filter((e) => e.channel === "online" && (e.status === "waiting" || e.status === "speaking"));
  // An opened row whose entry left both lists (or moved between them) closes.
  for (const [id, opened] of [...openRows]) {
    const entry = floor.entry(id);
    if (!entry || listOf(entry) !== opened.list) openRows.delete(id);
  }
  const rows = online.map((entry) => {
    const kept = openRows.get(entry.id);
    if (!kept) return row(floor, entry, online);
    kept.standing.textContent = standing(floor, entry);
    return kept.node;
  });
  keepFocus($("online"), () => place($("online"), rows.length ? rows : [el("li", { class: "muted" }, t("moderator.none"))]));
  document.body.dataset.seq = view.seq;
}

/** Puts `rows` in `list` in order, never taking out a row that stays
 *  (taking out a row would drop the focus and the caret of its field). */
function place(list, rows) {
  const stay = new Set(rows);
  for (const child of [...list.children]) if (!stay.has(child)) child.remove();
  let at = list.firstElementChild;
  for (const node of rows) {
    if (node === at) at = node.nextElementSibling;
    else list.insertBefore(node, at);
  }
}

function standing(floor, entry) {
  const place = floor.place(entry.id);
  const slot = place === null ? null : floor.order[place];
  return entry.status === "speaking" ? t("status.speaking")
    : place === null ? (entry.status === "waiting" ? t("order.after", { n: floor.order.length }) : t("status.waiting"))
    : `${t("chair.place", { n: place + 1 })} · ${slot && slot.reasons.length ? reasonText(slot.reasons[0], "online") : ""}`;
}

/** The head of an online row: channel, name, text, where it stands. */
function head(floor, entry) {
  const where = el("span", { class: "muted" }, standing(floor, entry));
  return { where, node: el("span", { class: "who" }, badge("online"), " ", el("strong", {}, entry.person.name),
    " ", sourceLabel(entry, true),
    entry.text ? [" · ", el("bdi", {}, entry.text)] : "", el("br"), where) };
}

function row(floor, entry, online) {
  const name = entry.person.name;
  const others = online.filter((e) => e.id !== entry.id);
  // Choosing in the list does nothing until the Merge button is pressed.
  const into = el("select", { "aria-label": `${t("moderator.merge")} ${name}` },
    el("option", { value: "" }, t("moderator.merge_none")),
    others.map((o) => el("option", { value: o.id }, o.person.name)));
  const merge = el("span", {}, into, " ", el("button", { type: "button", class: "secondary",
    "aria-label": `${t("moderator.merge_button")}: ${name}`,
    onclick: () => into.value && act({ type: "merge", entry_id: entry.id, into: into.value }).catch(() => {}) },
  t("moderator.merge_button")));
  return el("li", { "data-entry": entry.id },
    head(floor, entry).node,
    el("button", { type: "button", class: "secondary", "data-action": "edit", onclick: () => openRow(entry.id, editRow),
      "aria-label": `${t("moderator.edit")}: ${name}` }, t("moderator.edit")),
    entry.status === "waiting" ? el("button", { type: "button", class: "secondary", "data-action": "remove",
      onclick: () => openRow(entry.id, removeRow), "aria-label": `${t("moderator.remove")}: ${name}` }, t("moderator.remove")) : null,
    others.length ? merge : null,
  );
}

/** The list an entry is shown in: `pending` (awaiting approval),
 *  `online` (waiting or speaking), or null. */
function listOf(entry) {
  if (entry.channel !== "online") return null;
  if (entry.status === "pending") return "pending";
  return entry.status === "waiting" || entry.status === "speaking" ? "online" : null;
}

/** Opens an online row as `build` makes it (an edit or a removal), at once. */
function openRow(id, build) {
  const entry = floor.entry(id);
  if (!entry) return;
  const opened = { ...build(entry), list: listOf(entry) };
  openRows.set(id, opened);
  render(floor);
  opened.first.focus();
}

/** Closes an opened row; the focus goes to its `back` button (an action),
 *  or, with none, to the list's heading. */
function closeRow(id, back = null) {
  const list = openRows.get(id)?.list || "online";
  openRows.delete(id);
  render(floor);
  const item = [...$(list).children].find((li) => li.dataset.entry === id);
  const button = back && item && item.querySelector(`button[data-action=${back}]`);
  if (button) button.focus(); else $(`${list}-label`).focus();
}

/** A field of an opened row: its label above its control. */
function field(control, label, wide = false, ...after) {
  return el("div", { class: wide ? "field wide" : "field" }, el("label", { for: control.id }, label), control, ...after);
}

function choice(id, value, options) {
  const select = el("select", { id }, options.map(([v, label]) => el("option", { value: v }, label)));
  select.value = value;
  return select;
}

/** An online row opened for an edit: name, organisation, text, kind and
 *  delivery, the full width of the row. Enter or Save sends the fields
 *  that changed since it opened; Escape or Cancel closes it. */
function editRow(entry) {
  const id = entry.id;
  const was = { name: entry.person.name, affiliation: entry.person.affiliation || "", text: entry.text || "",
    kind: entry.kind || "question", delivery: entry.delivery || "remote_audio" };
  const name = el("input", { id: `edit-name-${id}`, autocomplete: "off", value: was.name });
  const affiliation = el("input", { id: `edit-affiliation-${id}`, autocomplete: "off", value: was.affiliation });
  const text = el("textarea", { id: `edit-text-${id}`, rows: "3", "aria-describedby": `edit-count-${id}` });
  text.value = was.text;
  const counter = el("p", { id: `edit-count-${id}`, class: "count" });
  countChars(text, counter, LIMITS.text);
  const kind = choice(`edit-kind-${id}`, was.kind, [["question", t("kind.question")], ["comment", t("kind.comment")]]);
  const delivery = choice(`edit-delivery-${id}`, was.delivery,
    [["remote_audio", t("delivery.remote_audio")], ["read_aloud", t("delivery.read_aloud")]]);
  const error = el("p", { class: "error wide", role: "alert" });
  const save = el("button", { type: "submit" }, t("moderator.save"));
  const cancel = el("button", { type: "button", class: "secondary", onclick: () => closeRow(id, "edit") }, t("moderator.cancel"));
  const form = el("form", { class: "opened edit", novalidate: true, "aria-label": t("moderator.editing", { name: was.name }) },
    field(name, t("moderator.name")), field(affiliation, t("moderator.affiliation")),
    field(text, t("moderator.text"), true, counter),
    field(kind, t("moderator.kind")), field(delivery, t("moderator.delivery")),
    el("div", { class: "row wide" }, save, cancel), error);
  enterSends(text, form);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeRow(id, "edit"); }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = { name: name.value, affiliation: affiliation.value, text: text.value };
    if (refuse(fields, { name, affiliation, text }, error)) return;
    const patch = changes(was, { ...fields, kind: kind.value, delivery: delivery.value });
    if (Object.keys(patch).length === 0) return closeRow(id, "edit");
    save.disabled = true;
    floor.send({ type: "edit", entry_id: id, patch }).then(() => closeRow(id, "edit"), (refusal) => {
      save.disabled = false;
      error.textContent = refusalText(refusal);
    });
  });
  const top = head(floor, entry);
  return { node: el("li", { "data-entry": id, class: "opened" }, top.node, form), standing: top.where, first: name };
}

/** The `edit` patch from what the row showed when it opened (`was`) to
 *  what it holds now: only the fields that changed; a cleared
 *  organisation or text is `null`. */
function changes(was, now) {
  const patch = {};
  for (const key of ["name", "affiliation", "text"]) {
    const value = trim(now[key]);
    if (value !== trim(was[key])) patch[key] = value === "" ? null : value;
  }
  for (const key of ["kind", "delivery"]) if (now[key] !== was[key]) patch[key] = now[key];
  return patch;
}

/** An online row asking to confirm a removal (`reject`, with an optional
 *  reason shown to the submitter). Escape or Keep closes it. */
function removeRow(entry) {
  const id = entry.id;
  const pending = entry.status === "pending";
  const question = t(pending ? "moderator.reject_confirm" : "moderator.remove_confirm", { name: entry.person.name });
  const back = pending ? "reject" : "remove";
  const reason = el("input", { id: `reason-${id}`, autocomplete: "off" });
  const error = el("p", { class: "error wide", role: "alert" });
  const yes = el("button", { type: "submit", class: "danger" }, t(pending ? "moderator.reject" : "moderator.remove_yes"));
  const form = el("form", { class: "opened remove", novalidate: true,
    "aria-label": question },
  el("p", { class: "wide" }, el("strong", {}, question)),
  field(reason, t("moderator.remove_reason"), true),
  el("div", { class: "row wide" }, yes,
    el("button", { type: "button", class: "secondary", onclick: () => closeRow(id, back) }, t("moderator.remove_no"))),
  error);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeRow(id, back); }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (refuse({ reason: reason.value }, { reason }, error)) return;
    const command = { type: "reject", entry_id: id };
    if (trim(reason.value)) command.reason = trim(reason.value);
    yes.disabled = true;
    floor.send(command).then(() => closeRow(id), (refusal) => {
      yes.disabled = false;
      error.textContent = refusalText(refusal);
    });
  });
  const top = head(floor, entry);
  return { node: el("li", { "data-entry": id, class: "opened" }, top.node, form), standing: top.where, first: reason };
}
