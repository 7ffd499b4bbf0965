// A request's free-text fields as the broker reads them: trimmed of Unicode
// White_Space, counted in Unicode scalar values, within the protocol's
// limits (protocol/README.md, section 11.2; the limits come from
// protocol.js, generated from floor-protocol). Pure: node imports it. The
// pages check a draft here before it is sent, and say what is wrong
// rather than cut what was typed (`maxlength` drops pasted text silently).

import { LIMITS } from "./protocol.js";

export { LIMITS };

const EDGES = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** `value` trimmed as the broker trims it (Unicode White_Space). */
export function trim(value) {
  return String(value ?? "").replace(EDGES, "");
}

/** The length the broker counts: Unicode scalar values, after trimming. */
export function length(value) {
  return [...trim(value)].length;
}

/** The first problem of a draft's fields, as `{ problem, field, count,
 *  limit }` (`problem` is `blank` or `long`; `field` one of LIMITS's
 *  names: name, affiliation, text, location, language, reason), or `null`
 *  when the broker would take them. `name`, when given (not `undefined`),
 *  is required; the other fields are optional. */
export function fieldProblem(fields) {
  if (fields.name !== undefined && length(fields.name) === 0) return { problem: "blank", field: "name" };
  for (const field of Object.keys(LIMITS)) {
    if (fields[field] === undefined) continue;
    const count = length(fields[field]);
    if (count > LIMITS[field]) return { problem: "long", field, count, limit: LIMITS[field] };
  }
  return null;
}
