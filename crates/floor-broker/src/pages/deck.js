// Where the mic runner takes the microphone next, from the room view and
// the broker's order alone: as floor-client's `OnDeck::of` (the command
// line's), and tests/pages/rules.test.mjs holds the two equal. Pure: node
// imports it.

/** The onsite speaker without a microphone (`speaking`: take it to them
 *  now), else the first onsite entry of the order with how many come
 *  before it (`ahead`); null when nobody in the room waits. */
export function onDeck(view, order) {
  const entry = (id) => view.entries.find((e) => e.id === id);
  const speaker = view.speaking ? entry(view.speaking.entry_id) : null;
  if (speaker && speaker.channel === "onsite" && !speaker.mic_in_hand) return { entry: speaker, ahead: 0, speaking: true };
  const queue = order.map((slot) => ({ slot, entry: entry(slot.entry_id) })).filter((x) => x.entry);
  const ahead = queue.findIndex((x) => x.slot.channel === "onsite");
  return ahead < 0 ? null : { entry: queue[ahead].entry, ahead, speaking: false };
}
