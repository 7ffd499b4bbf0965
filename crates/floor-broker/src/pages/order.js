// The compact `order` (protocol/README.md, section 9.4): a slot given as
// an integer is the slot at that index of the previous order the
// connection received. The rule's source is floor_protocol::order::expand;
// tests/pages/order.test.mjs holds this copy to it.

/** The order `slots` stands for after `previous`, or null when a slot
 *  names an index `previous` does not have (the client resyncs). */
export function expandOrder(slots, previous) {
  const order = [];
  for (const slot of slots) {
    if (typeof slot === "number") {
      if (!Number.isInteger(slot) || slot < 0 || slot >= previous.length) return null;
      order.push(previous[slot]);
    } else {
      order.push(slot);
    }
  }
  return order;
}
