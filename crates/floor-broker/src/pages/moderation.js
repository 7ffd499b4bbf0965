// The online moderator's page checks, as pure functions (no page, no
// strings; the page turns each key into a sentence): a draft's fields
// against the protocol's limits (through fields.js), so that
// a blank name or an over-long question is refused before it is sent, and
// which lines of a pasted chat transcript are obviously not questions.

import { LIMITS, fieldProblem, length, trim } from "./fields.js";

export { LIMITS, length, trim };

/** The first problem of a draft's fields, as `{ key, field, count, limit }`
 *  (`key` names a `moderator.problem.*` string), or `null` when the broker
 *  would take them (`fieldProblem` in fields.js). */
export function draftProblem(fields) {
  const found = fieldProblem(fields);
  if (!found) return null;
  const { problem, ...rest } = found;
  return { key: `moderator.problem.${found.field}_${problem}`, ...rest };
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
