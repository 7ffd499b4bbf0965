// The online moderator's page checks, as pure functions (no page, no
// strings; the page turns each key into a sentence): a draft's fields
// against the protocol's limits (protocol/README.md section 11.2), so that
// a blank name or an over-long question is refused before it is sent, and
// which lines of a pasted chat transcript are obviously not questions.

/** The protocol's limits, in Unicode scalar values after trimming. */
export const LIMITS = { name: 80, affiliation: 120, text: 1000, reason: 200 };

const EDGES = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** `value` trimmed as the broker trims it (Unicode White_Space). */
export function trim(value) {
  return String(value ?? "").replace(EDGES, "");
}

/** The length the broker counts: Unicode scalar values, after trimming. */
export function length(value) {
  return [...trim(value)].length;
}

/** The first problem of a draft's fields, as `{ key, field, count, limit }`
 *  (`key` names a `moderator.problem.*` string), or `null` when the broker
 *  would take them. `name`, when given (not `undefined`), is required;
 *  the other fields are optional. */
export function draftProblem(fields) {
  if (fields.name !== undefined && length(fields.name) === 0) {
    return { key: "moderator.problem.name_blank", field: "name" };
  }
  for (const field of ["name", "affiliation", "text", "reason"]) {
    if (fields[field] === undefined) continue;
    const count = length(fields[field]);
    if (count > LIMITS[field]) return { key: `moderator.problem.${field}_long`, field, count, limit: LIMITS[field] };
  }
  return null;
}

const STAFF = /\b(host|co-?host|moderator|organi[sz]er|facilitator)\b/i;
const AGREEMENT = /^(\+\s*1|plus one|same (here|question)|i agree|agreed|me too)(\b|\s|$)/i;
const GREETING = /^(hi|hello|hey|good (morning|afternoon|evening)|thanks|thank you|thx|welcome|bye|great (panel|session|talk|point))\b/i;

/** Why a line read from a chat is obviously not a question, or `null`
 *  when it may be one. The rule, in order: a line from the host, a
 *  moderator, an organiser or a facilitator (by the speaker's name, e.g.
 *  "Host" or "Ana (Co-host)") is `host`; one that starts by agreeing
 *  ("+1", "same question", "I agree", "me too") is `agreement`; one
 *  without a question mark that starts with a greeting or thanks is
 *  `greeting`; one without a question mark under 3 words is `short`. */
export function notAQuestion(name, text) {
  const said = trim(text);
  if (STAFF.test(name)) return "host";
  if (AGREEMENT.test(said)) return "agreement";
  if (said.includes("?")) return null;
  if (GREETING.test(said)) return "greeting";
  if (said.split(/\s+/u).filter(Boolean).length < 3) return "short";
  return null;
}
