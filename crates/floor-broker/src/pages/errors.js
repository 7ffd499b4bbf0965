// A refusal in people's words. The broker's `message` is a sentence for
// developers whose wording may change (protocol section 9.6); the pages
// say what happened from the error's `code`, `field` and `entry_id`, and
// name the person an `entry_id` points at, never the id itself.

import { t } from "./strings.js";

/** What each `invalid_field` path is called on the pages. Paths of an
 *  `edit`'s patch (`patch.name`, …) read as the entry's fields. */
const FIELDS = {
  "entry.person.name": "field.name",
  "entry.person.affiliation": "field.affiliation",
  "entry.text": "field.text",
  "entry.location": "field.location",
  "entry.language": "field.language",
  "patch.name": "field.name",
  "patch.affiliation": "field.affiliation",
  "patch.text": "field.text",
  "patch.location": "field.location",
  "patch.language": "field.language",
  reason: "field.reason",
  count: "field.count",
  into: "field.into",
};

/** The codes whose sentence needs nothing but the code. */
const PLAIN = new Set([
  "participant_limit", "queue_closed", "room_full", "forbidden", "entry_not_found",
  "nothing_to_call", "no_current_speaker", "channel_mismatch", "message_too_large",
  "internal", "storage_unavailable", "outcome_unknown", "rate_limited",
]);

/** Where an entry stands, in words: its place in line, or its status. */
function standing(floor, entry) {
  if (entry.status !== "waiting") return t(`status.${entry.status}`);
  const place = floor.place(entry.id);
  return place === null ? t("status.waiting") : t("error.place", { n: place + 1 });
}

/** The person an error's `entry_id` names, with where they stand, or
 *  null when this page does not hold that entry. */
function who(floor, id) {
  const entry = id && floor && floor.entry(id);
  return entry ? { name: entry.person.name, standing: standing(floor, entry) } : null;
}

/** The sentence a page shows for a refused command: `error` is the
 *  broker's `error` message (or an Error carrying its fields), `floor`
 *  the page's connection, whose view names the entries. */
export function describeError(error, floor = null) {
  const code = error && error.code;
  if (code === "duplicate_person") {
    const found = who(floor, error.entry_id);
    return found ? t("error.duplicate_person", found) : t("error.duplicate_person_unseen");
  }
  if (code === "speaker_changed") {
    const found = who(floor, error.entry_id);
    return found ? t("error.speaker_changed", found) : t("error.speaker_changed_nobody");
  }
  if (code === "invalid_field") {
    const key = FIELDS[error.field] || (String(error.field || "").startsWith("programme") ? "field.programme" : null);
    const detail = detailOf(error);
    return t("error.invalid_field", { field: key ? t(key) : error.field || "", detail });
  }
  if (code === "invalid_transition") return t("error.invalid_transition", { detail: detailOf(error) });
  if (PLAIN.has(code)) return t(`error.${code}`);
  return error && error.message ? String(error.message) : String(error);
}

/** The broker's own words after the field's path, which its messages
 *  repeat ("entry.text: is 1,020 characters long; …" → "is 1,020 …"). */
function detailOf(error) {
  const message = String(error.message || "");
  const prefix = `${error.field}: `;
  return error.field && message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
