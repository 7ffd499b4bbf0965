// Every string the pages show, in one place, so that the pages can be
// translated (the IGF works in six UN languages): add a language object
// with the same keys and it is picked from the browser's language.

const en = {
  "app.name": "floor",
  "status.connecting": "Connecting…",
  "status.connected": "Live",
  "status.reconnecting": "Reconnecting…",
  "status.refused": "This link does not work any more: {reason}",
  "status.queued": "{n} waiting to be sent",
  "channel.onsite": "In the room",
  "channel.online": "Online",
  "channel.short.onsite": "Room",
  "channel.short.online": "Online",
  "delivery.room_mic": "Room microphone",
  "delivery.remote_audio": "Speaks from the call",
  "delivery.read_aloud": "Read aloud by the moderator",
  "kind.question": "Question",
  "kind.comment": "Comment",
  "reason.pinned": "Moved up by the chair",
  "reason.channel_turn.onsite": "The room's turn",
  "reason.channel_turn.online": "Online's turn",
  "reason.only_channel_waiting.onsite": "Only the room is waiting",
  "reason.only_channel_waiting.online": "Only online is waiting",
  "reason.first_time_speaker": "First-time speaker",
  "reason.arrival_order": "Asked first",
  "status.pending": "Waiting for approval",
  "status.waiting": "In line",
  "status.speaking": "Speaking",
  "status.done": "Has spoken",
  "status.withdrawn": "Withdrawn",
  "status.rejected": "Not taken",
  "status.merged": "Merged with another question",
  "policy.alternate": "Room and online take turns",
  "policy.weighted": "Room {onsite} : online {online}",
  "policy.fifo": "First come, first served",
  "time.left": "{clock} left",
  "time.over": "{clock} over time",
  "time.waited": "waiting {minutes} min",
  "phase.opening": "Opening",
  "phase.presentations": "Presentations",
  "phase.open_floor": "Open floor",
  "phase.closing": "Closing",
  "phase.other": "Session",
  "stage.left": "{title}: {clock} left",
  "stage.over": "{title}: {clock} over",
  "stage.presenter": "Presenting: {name} · {clock}",
  "stage.none": "The session has not started",
  "stage.intake": "Floor open: requests until {clock}",
  "chair.programme": "Run of show",
  "chair.forecast": "At about {minutes} min per turn, {late} of {waiting} waiting requests will not fit in the time left ({left}).",
  "chair.forecast_fits": "At about {minutes} min per turn, all {waiting} waiting requests fit in the time left ({left}).",
  "chair.next_phase": "Start the next phase",
  "chair.next_presenter": "Next presenter",
  "chair.start_phase": "Start",
  "display.speaking": "Speaking now",
  "display.nobody": "The floor is open",
  "display.next": "Next",
  "display.empty": "Nobody is waiting yet",
  "display.more": "and {n} more",
  "display.turns": "Turns so far",
  "display.queue_open": "Queue open",
  "display.queue_closed": "Queue closed",
  "display.join": "Ask to speak",
  "display.join_missing": "Ask the chair for the link to ask a question",
  "chair.title": "Chair",
  "chair.next": "Next speaker",
  "chair.next_hint": "Key: N",
  "chair.finish": "End this turn",
  "chair.call": "Call now",
  "chair.pin": "Pin",
  "chair.unpin": "Unpin",
  "chair.open": "Open the queue",
  "chair.close": "Close the queue",
  "chair.policy": "Fairness",
  "chair.limit": "Speaking time (seconds)",
  "chair.moderated": "Participants' own requests need approval",
  "chair.apply": "Apply",
  "chair.shortcut": "The N key calls the next speaker",
  "chair.place": "#{n}",
  "moderator.title": "Online moderator",
  "moderator.add": "Add a remote question",
  "moderator.name": "Name",
  "moderator.affiliation": "Organisation (optional)",
  "moderator.text": "Question or comment",
  "moderator.comment": "It is a comment",
  "moderator.read_aloud": "I will read it aloud",
  "moderator.submit": "Add to the queue",
  "moderator.import": "Paste a chat transcript (one \"Name: text\" per line)",
  "moderator.import_button": "Import",
  "moderator.import_report": "Imported {imported}; refused {refused}; unreadable {unreadable}",
  "moderator.line": "Line {line}: {reason}",
  "moderator.pending": "Waiting for approval",
  "moderator.approve": "Approve",
  "moderator.reject": "Reject",
  "moderator.online": "Online questions",
  "moderator.edit": "Edit",
  "moderator.save": "Save",
  "moderator.merge": "Merge into…",
  "moderator.merge_none": "Merge into…",
  "moderator.merge_button": "Merge",
  "moderator.none": "Nothing here yet",
  "moderator.audience": "People following online now (from the video platform)",
  "moderator.audience_button": "Record",
  "moderator.audience_last": "Last count: {count}",
  "runner.title": "Mic runner",
  "runner.add": "Add a raised hand",
  "runner.name": "Name",
  "runner.seat": "Seat or zone",
  "runner.submit": "Add hand",
  "runner.on_deck": "Take the microphone to",
  "runner.nobody": "Nobody in the room is waiting",
  "runner.ahead": "{n} speak before them",
  "runner.next_up": "Called next",
  "runner.speaking_no_mic": "Speaking now, without a microphone",
  "runner.mic": "Mic in hand",
  "runner.has_mic": "Has the microphone",
  "runner.withdraw": "Hand down",
  "runner.hands": "Hands in the room",
  "runner.pending": "Waiting for approval",
  "runner.approve": "Approve",
  "runner.reject": "Reject",
  "join.title": "Ask to speak",
  "join.where": "Where are you?",
  "join.onsite": "In the room",
  "join.online": "On the call",
  "join.name": "Your name",
  "join.seat": "Where you sit (optional)",
  "join.text": "Your question (optional)",
  "join.submit": "Ask for the floor",
  "join.position": "You are number {n} in line",
  "join.wait": "About {minutes} min to wait",
  "join.speaking": "You have the floor",
  "join.withdraw": "Withdraw my request",
  "join.closed": "The queue is closed for now",
  "join.rejected": "Your request was not taken",
  "join.rejected_reason": "Your request was not taken: {reason}",
  "error.generic": "Not done: {message}",
};

const languages = { en };

function pick() {
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (languages[base]) return base;
  }
  return "en";
}

export const lang = pick();
const table = languages[lang];

/** The string `key`, with `{name}` replaced from `params`. */
export function t(key, params = {}) {
  const text = table[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Fills `data-t` (text), `data-t-placeholder` and `data-t-label` under `root`. */
export function applyStrings(root = document) {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of root.querySelectorAll("[data-t-placeholder]")) node.placeholder = t(node.dataset.tPlaceholder);
  for (const node of root.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(node.dataset.tLabel));
}
