// The pages' client of the floor protocol (protocol/README.md): hello and
// resume, the room state (snapshot + events, folded exactly as
// floor_core::LiveView folds them, + the broker's order), commands that
// wait out a dropped connection and are sent again with their request id,
// reconnection with backoff and jitter, and another link opened in the
// same tab (`hashchange`).

import { t, applyStrings, langTag, fill } from "./strings.js";
import { describeError } from "./errors.js";
import { fold } from "./fold.js";
import { expandOrder } from "./order.js";
import { RETRY_CODES, FINAL_CLOSES, RETRY_AFTER_MS, RECONNECT_MIN_MS, RECONNECT_MAX_MS } from "./protocol.js";

/** Room, page and token of this page; the token moves from the link's
 *  #fragment into session storage and out of the address bar. */
export function pageInfo() {
  const parts = location.pathname.split("/").filter(Boolean);
  const page = parts[parts.length - 1];
  const room = decodeURIComponent(parts[parts.length - 2] || "");
  const key = `floor:${room}:${page}`;
  const hash = new URLSearchParams(location.hash.slice(1));
  // A link with a token is a whole link: a `join` it lacks is gone too.
  if (hash.get("token")) sessionStorage.removeItem(`${key}:join`);
  for (const name of ["token", "join", "theme"]) {
    const value = hash.get(name);
    if (value) sessionStorage.setItem(`${key}:${name}`, value);
  }
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  const get = (name) => sessionStorage.getItem(`${key}:${name}`);
  return { room, page, key, token: get("token"), join: get("join"), theme: get("theme") };
}

/** A random RFC 4122 version 4 UUID. `crypto.randomUUID` exists only in
 *  secure contexts (HTTPS or localhost), not on a venue's plain-HTTP LAN;
 *  there it is built from 16 bytes of `crypto.getRandomValues`, which
 *  every context has. Never `Math.random`: a client id is a secret. */
export function uuid() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RETRY = new Set(RETRY_CODES);
const FINAL = new Set(FINAL_CLOSES);

/** One page's connection to its room. */
export class Floor {
  constructor({ room, token, key, channel = null, onState = () => {}, onStatus = () => {}, onError = () => {} }) {
    this.room = room;
    this.token = token;
    this.channel = channel;
    this.onState = onState;
    this.onStatus = onStatus;
    this.onError = onError;
    /** Called with each event just before it is folded into `working`
     *  (a page may set it). */
    this.onEvent = () => {};
    /** Called after each `welcome`: the first connection and every
     *  reconnection (a page may set it). */
    this.onWelcome = () => {};
    this.closed = false;
    this.timer = null;
    this.resyncTimer = null;
    this.outstanding = new Map();
    this.status = "connecting";
    this.skew = 0;
    this.identify(key);
    this.forget();
  }

  /** The client id of this page (one per room and page, kept). */
  identify(key) {
    this.key = key;
    this.clientId = localStorage.getItem(`${key}:client`) || uuid();
    localStorage.setItem(`${key}:client`, this.clientId);
  }

  /** Drops the room state, so the next `hello` asks for a snapshot. */
  forget() {
    this.view = null;
    this.order = [];
    this.epoch = null;
    this.working = null;
    this.attempt = 0;
    this.ready = false;
    this.resyncing = false;
    this.lastError = null;
  }

  /** Fails every command not yet answered. */
  failOutstanding(error) {
    for (const request of this.outstanding.values()) request.reject(error);
    this.outstanding.clear();
  }

  /** Broker time now, in milliseconds. */
  now() { return Date.now() + this.skew; }

  /** Stops for good: no reconnection; commands not yet answered fail. */
  close() {
    this.closed = true;
    this.hangUp(new Error("closed"));
  }

  /** Starts over with another link's room and token (a new link opened
   *  in this tab): the old connection and room state go, commands not yet
   *  answered fail, and a new connection says `hello` with the new token. */
  relink({ room, token, key }) {
    this.hangUp(new Error(t("error.relinked")));
    this.room = room;
    this.token = token;
    if (key !== this.key) this.identify(key);
    this.forget();
    this.closed = false;
    this.setStatus("connecting");
    this.connect();
  }

  hangUp(error) {
    clearTimeout(this.timer);
    clearTimeout(this.resyncTimer);
    this.failOutstanding(error);
    const ws = this.ws;
    // Nothing the old socket still says reaches this page (see `connect`).
    this.ws = null;
    if (ws) ws.close();
  }

  connect() {
    if (this.closed) return;
    if (!this.token) return this.setStatus("refused", t("status.refused", { reason: "no token in the link" }));
    const url = new URL("../../ws", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.hash = "";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      const hello = { type: "hello", protocol: 1, room: this.room, token: this.token, client_id: this.clientId, agent: "floor-web/1", compact_order: true };
      if (this.channel) hello.channel = this.channel;
      if (this.working && !this.resyncing) hello.resume = { epoch: this.epoch, seq: this.working.seq };
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (message) => {
      if (this.ws !== ws) return;
      let parsed;
      try { parsed = JSON.parse(message.data); } catch { return; }
      this.receive(parsed);
    };
    ws.onclose = (close) => {
      if (this.ws !== ws || this.closed) return;
      this.ready = false;
      for (const request of this.outstanding.values()) request.sent = false;
      if (FINAL.has(close.code)) {
        const reason = this.lastError ? this.lastError.message : close.reason;
        this.failOutstanding(new Error(reason));
        return this.setStatus("refused", this.refusal(reason));
      }
      this.setStatus("reconnecting");
      const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(this.attempt, 10));
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * ceiling / 2);
    };
  }

  /** Sends a command; resolves with its ack, rejects with its error. While
   *  the connection is down it waits, and it is sent again with the same
   *  request id after a reconnection, so it takes effect once. */
  send(command) {
    // A refused link never sends: fail now rather than wait forever.
    if (this.status === "refused") return Promise.reject(Object.assign(new Error(this.detail), { code: "refused" }));
    const request_id = uuid();
    const frame = JSON.stringify({ type: "command", request_id, command });
    return new Promise((resolve, reject) => {
      this.outstanding.set(request_id, { frame, resolve, reject, sent: false });
      this.flush();
      this.setStatus(this.status);
    });
  }

  flush() {
    if (!this.ready) return;
    for (const request of this.outstanding.values()) {
      if (!request.sent) {
        this.ws.send(request.frame);
        request.sent = true;
      }
    }
  }

  /** Asks for a fresh snapshot. If it is refused or does not come within
   *  10 s, reconnects without `resume`, which always brings one. */
  resync() {
    this.resyncing = true;
    if (this.ready) this.ws.send(JSON.stringify({ type: "sync" }));
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => this.reconnectFresh(), 10000);
  }

  reconnectFresh() {
    if (this.resyncing && this.ws) this.ws.close();
  }

  receive(message) {
    switch (message.type) {
      case "welcome":
        sessionStorage.setItem(`${this.key}:welcomed`, this.token);
        this.role = message.role;
        this.clientKey = message.client;
        this.roomInfo = message.room;
        this.skew = message.server_time_ms - Date.now();
        this.ready = true;
        this.lastError = null;
        this.setStatus("connected");
        this.flush();
        this.onWelcome(message);
        break;
      case "snapshot":
        this.epoch = message.epoch;
        this.working = message.room;
        this.order = message.order;
        this.resyncing = false;
        clearTimeout(this.resyncTimer);
        this.attempt = 0;
        this.publish();
        break;
      case "events":
        if (this.resyncing || !this.working) return;
        if (message.epoch !== this.epoch) return this.resync();
        try {
          for (const event of message.events) { this.onEvent(event); fold(this.working, event); }
        } catch {
          return this.resync();
        }
        break;
      case "order":
        if (this.resyncing || !this.working) return;
        if (message.epoch !== this.epoch || message.seq !== this.working.seq) return this.resync();
        {
          const order = expandOrder(message.order, this.order);
          if (!order) return this.resync();
          this.order = order;
        }
        this.attempt = 0;
        this.publish();
        break;
      case "ack": {
        const request = this.outstanding.get(message.request_id);
        if (!request) return;
        this.outstanding.delete(message.request_id);
        request.resolve(message);
        this.setStatus(this.status);
        break;
      }
      case "error": {
        if (!message.request_id) {
          this.lastError = message;
          // A refused `sync` (rate limited): a fresh connection instead.
          if (this.resyncing) return this.reconnectFresh();
          // A refused token: the status line says what it means.
          if (message.code !== "unauthorized") this.onError({ ...message, human: describeError(message, this) });
          return;
        }
        const request = this.outstanding.get(message.request_id);
        if (!request) return;
        if (RETRY.has(message.code)) {
          request.sent = false;
          setTimeout(() => this.flush(), RETRY_AFTER_MS);
          return;
        }
        this.outstanding.delete(message.request_id);
        request.reject(Object.assign(new Error(message.message), message, { human: describeError(message, this) }));
        this.setStatus(this.status);
        break;
      }
    }
  }

  /** Shows the state: a copy, so that the events of a batch appear
   *  together with the order that follows them. */
  publish() {
    this.view = structuredClone(this.working);
    this.onState(this);
  }

  /** Why the broker refused this page. `unauthorized` (the token opens
   *  nothing, or was revoked while connected) does not say whether the
   *  link was replaced or never worked; a token this tab was welcomed
   *  with before did work, so it was replaced (rotated). */
  refusal(reason) {
    if (!this.lastError || this.lastError.code !== "unauthorized") return t("status.refused", { reason });
    const welcomed = sessionStorage.getItem(`${this.key}:welcomed`) === this.token;
    return t(welcomed ? "status.replaced" : "status.unknown_link");
  }

  setStatus(status, detail = status === this.status ? this.detail : "") {
    this.status = status;
    this.detail = detail;
    this.onStatus(status, detail, [...this.outstanding.values()].filter((r) => !r.sent).length);
  }

  // Reading the state.

  entry(id) { return this.view && this.view.entries.find((e) => e.id === id); }

  /** The waiting entries in the broker's order, with their slots. */
  queue() {
    return this.order.map((slot, place) => ({ slot, place, entry: this.entry(slot.entry_id) })).filter((x) => x.entry);
  }

  place(id) {
    const index = this.order.findIndex((s) => s.entry_id === id);
    return index < 0 ? null : index;
  }

  speaker() {
    const speaking = this.view && this.view.speaking;
    return speaking ? { speaking, entry: this.entry(speaking.entry_id) } : null;
  }

  /** Who has the floor: whoever's turn began last, the queue's speaker
   *  (`speaker`, as `speaker()` gives it) or the run of show's presenter
   *  (`presenter`, as `stage()` gives it); both absent when neither. */
  onStage() {
    const running = this.stage();
    let presenter = running && running.presenter && running.presenter.person ? running.presenter : null;
    let speaker = this.speaker();
    if (speaker && !speaker.entry) speaker = null;
    if (speaker && presenter) {
      if (presenter.turn.since_ms >= speaker.speaking.since_ms) speaker = null; else presenter = null;
    }
    return { speaker, presenter };
  }

  /** The running phase and presenter, if a run of show is running. */
  stage() {
    const view = this.view;
    if (!view || !view.stage || !view.programme) return null;
    const phase = view.programme.phases[view.stage.phase];
    const presenter = view.stage.presenter;
    return {
      stage: view.stage,
      phase,
      presenter: presenter ? { turn: presenter, person: (phase.speakers || [])[presenter.index] } : null,
      next: view.programme.phases[view.stage.phase + 1] || null,
    };
  }
}

// Rendering helpers shared by the pages.

/** Creates an element: el("li", { class: "x", onclick }, child, "text"). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function badge(channel) {
  const node = el("span", { class: `badge ${channel}` });
  fill(node, `channel.${channel}`);
  return node;
}

/** Where a relayed entry came from (`provenance.source`), as a small
 *  label ("via Matrix"), with the person's account there
 *  (`person.person_id`) when `withAccount` is set: the online moderator's
 *  page sets it, the projector and the chair do not. Nothing for an entry
 *  made on one of floor's own pages or clients. */
export function sourceLabel(entry, withAccount = false) {
  const source = entry.provenance && entry.provenance.source;
  if (!source) return "";
  const node = el("span", { class: "source", "data-source": source });
  fill(node, `source.${source}`);
  if (withAccount && entry.person.person_id) {
    node.append(" ", el("bdi", { class: "account" }, entry.person.person_id));
  }
  return node;
}

/** Why a slot stands where it does. A slot's reasons hold at its place in
 *  the order: `only_channel_waiting` far down the order means the other
 *  channel's requests are all called before it, so while `view` (if
 *  given) has some of them waiting, it says so instead. */
export function reasonText(reason, channel, view = null) {
  return t(reasonKey(reason, channel, view));
}

/** The string key of `reasonText`. */
export function reasonKey(reason, channel, view = null) {
  if (reason === "only_channel_waiting" && view) {
    const other = channel === "onsite" ? "online" : "onsite";
    if (view.entries.some((e) => e.channel === other && e.status === "waiting")) return `reason.after.${other}`;
  }
  if (reason === "channel_turn" || reason === "only_channel_waiting") return `reason.${reason}.${channel}`;
  return `reason.${reason}`;
}

/** m:ss, rounded up, in the page's digits. */
export function clock(ms) {
  const seconds = Math.ceil(Math.abs(ms) / 1000);
  const minutes = new Intl.NumberFormat(langTag(), { useGrouping: false });
  const two = new Intl.NumberFormat(langTag(), { useGrouping: false, minimumIntegerDigits: 2 });
  return `${minutes.format(Math.floor(seconds / 60))}:${two.format(seconds % 60)}`;
}

/** A countdown to `deadline_ms`: "1:23 left", or "+0:13 over" past it;
 *  `over` says which, `warn` that 30 s or less are left. */
export function countdown(deadlineMs, now) {
  const left = deadlineMs - now;
  const over = left < 0;
  const key = over ? "time.over" : "time.left";
  const params = { clock: clock(left) };
  return { text: t(key, params), key, params, over, warn: !over && left <= 30000 };
}

/** Fills `target` with a running phase's clock (": 12:34 left", red
 *  past its end) and, during an open floor's intake, when calls begin. */
export function showStageClock(target, stage, now) {
  const time = countdown(stage.deadline_ms, now);
  const parts = [": ", el("span", { class: time.over ? "over" : "" }, time.text)];
  const intake = stage.intake_until_ms ? stage.intake_until_ms - now : 0;
  if (intake > 0) parts.push(` · ${t("stage.intake", { clock: clock(intake) })}`);
  target.replaceChildren(...parts);
}

/** Sets a node's text only when it changes, so that a live region
 *  announces changes, not every render. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function shortId(id) { return id.slice(0, 8); }

/** Starts a page: strings, theme, the status line, the connection; a
 *  link opened later in the same tab takes over without a reload, and
 *  `onLink(info)` then sees it (e.g. the projector's new `join`). */
export function start({ channel = null, onState, onLink = () => {} }) {
  const info = pageInfo();
  applyStrings();
  applyTheme(info);
  const floor = new Floor({
    room: info.room,
    token: info.token,
    key: info.key,
    channel,
    onState,
    onError: (error) => showError(document.getElementById("error"), error),
    onStatus: showStatus,
  });
  floor.info = info;
  if (STAFF_PAGES.includes(info.page)) addCopyLink(() => floor.info);
  onLinkChange((next) => {
    floor.info = next;
    applyTheme(next);
    floor.relink(next);
    onLink(next);
  });
  floor.connect();
  return floor;
}

/** The pages whose header offers "Copy link". */
const STAFF_PAGES = ["chair", "moderator", "runner"];

/** The page's whole link, with its token: what opens it in another tab,
 *  on another device or from a bookmark (the address bar has no token). */
export function pageLink(info) {
  const link = new URL(location.pathname, location.href);
  const hash = new URLSearchParams({ token: info.token || "" });
  if (info.theme) hash.set("theme", info.theme);
  link.hash = hash.toString();
  return link.href;
}

/** A "Copy link" button in the page's header. Without a clipboard (a
 *  plain-HTTP address that is not localhost), the link is shown selected
 *  in a field, to copy by hand. */
function addCopyLink(currentInfo) {
  const header = document.querySelector("header.bar");
  if (!header) return;
  const said = el("span", { class: "muted", role: "status" });
  const field = el("input", { readonly: "", "aria-label": t("copy.manual"), hidden: "" });
  const button = el("button", { type: "button", id: "copy-link" }, t("copy.button"));
  button.addEventListener("click", async () => {
    const link = pageLink(currentInfo());
    try {
      await navigator.clipboard.writeText(link);
      field.hidden = true;
      said.textContent = t("copy.done");
    } catch {
      field.value = link;
      field.hidden = false;
      field.select();
      said.textContent = t("copy.manual");
    }
  });
  header.append(el("div", { class: "copy-link" }, button, " ", said, field));
}

function applyTheme(info) {
  if (info.theme === "light" || info.theme === "dark") document.documentElement.dataset.theme = info.theme;
}

/** Shows a connection's status in the page's status line (and as
 *  `body[data-status]`, which the tests wait for). */
export function showStatus(state, detail, queued) {
  document.body.dataset.status = state;
  const status = document.getElementById("status");
  if (!status) return;
  status.dataset.status = state;
  const base = state === "refused" ? detail : t(`status.${state}`);
  status.textContent = queued > 0 ? `${base} · ${t("status.queued", { n: queued })}` : base;
}

/** Calls `change(info)` when a link with a `#token=` is opened in this
 *  tab over the page (pasted into the address bar: only the fragment
 *  changes, so the browser does not load the page again). */
export function onLinkChange(change) {
  window.addEventListener("hashchange", () => {
    if (!new URLSearchParams(location.hash.slice(1)).get("token")) return;
    change(pageInfo());
  });
}

/** A refusal as the pages say it: "Not done: " and its sentence in
 *  people's words (errors.js), else its message. */
export function refusalText(error) {
  return t("error.generic", { message: error.human || error.message || String(error) });
}

/** Shows a refusal in an alert region (always in the page, so screen
 *  readers announce the change), for a few seconds. */
export function showError(target, error) {
  if (!target) return;
  target.textContent = refusalText(error);
  clearTimeout(target.timer);
  target.timer = setTimeout(() => { target.textContent = ""; }, 8000);
}

/** Runs `render`, which replaces the children of `container`, and puts
 *  the keyboard focus back on the control with the same label. */
export function keepFocus(container, render) {
  const active = document.activeElement;
  const label = active && container.contains(active) ? active.getAttribute("aria-label") : null;
  render();
  if (!label) return;
  const again = [...container.querySelectorAll("[aria-label]")].find((n) => n.getAttribute("aria-label") === label);
  if (again) again.focus();
}
