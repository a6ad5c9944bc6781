// The meeting room, live. A served module (the CSP forbids inline script); everything it
// needs comes from data-* attributes on #meeting-room. Without it the page still works:
// every form posts and the page is reloaded.
//
// Events carry a per-meeting sequence number. They are applied strictly in order: one
// already applied is ignored, one that skips a number makes us ask the server again from the
// last we applied. A reconnect says the last number seen (?last_seq=N) and gets exactly the
// events missed; "reload" means we are too far behind and the page is fetched again.
//
// Reconnecting waits longer each time (1 s doubling to 30 s, with jitter) and starts again
// from 1 s only after a connection has stayed up for 10 s: a server that accepts and then
// drops every socket (Redis restarting) is not hammered. A command keeps its request id
// (a UUID) until it is answered: one the connection dropped is sent again, with the same
// id, after reconnecting, and the server applies a request id once.

const room = document.getElementById("meeting-room");

const RETRY_FIRST_MS = 1000;
const RETRY_CAP_MS = 30000;
const STABLE_AFTER_MS = 10000; // a connection up this long resets the backoff
const PING_EVERY_MS = 20000;
const PONG_WITHIN_MS = 10000;
const NO_RETRY_CODES = new Set([4400, 4401, 4403]);

const state = {
  lastSeq: Number(room?.dataset.lastSeq || 0),
  socket: null,
  attempt: 0, // reconnects since the last connection that stayed up
  retryTimer: null,
  stableTimer: null,
  pingTimer: null,
  pongTimer: null,
  askedAfter: null,
  stopped: false,
  pending: new Map(), // request id -> {form, message}: sent, not yet answered
  currentItem: room?.dataset.currentItem || "",
  currentStartedAt: room?.dataset.currentItemStartedAt
    ? Date.parse(room.dataset.currentItemStartedAt)
    : null,
};

// --- Connection state, shown in a GOV.UK tag ----------------------------------------------

const CONNECTION = {
  connecting: ["Connecting", "govuk-tag--grey"],
  live: ["Live", "govuk-tag--green"],
  reconnecting: ["Reconnecting", "govuk-tag--orange"],
  paused: ["Live updates paused", "govuk-tag--yellow"],
  offline: ["Not connected", "govuk-tag--red"],
};

function showConnection(name) {
  const tag = room.querySelector("[data-testid=connection-state]");
  const [text, colour] = CONNECTION[name];
  tag.hidden = false;
  tag.textContent = text;
  tag.dataset.state = name;
  tag.classList.remove(...Object.values(CONNECTION).map(([, c]) => c));
  tag.classList.add(colour);
}

function notice(text) {
  const banner = room.querySelector("[data-testid=room-notice]");
  banner.querySelector("[data-role=room-notice-text]").textContent = text;
  banner.hidden = false;
  banner.dataset.paused = "";
}

// The server lost its channel layer (Redis): the socket stays, changes are still saved and
// events still come (read from the database), only slower. Said once, taken back when over.
function showPaused(message) {
  if (message.paused) {
    showConnection("paused");
    notice(message.message);
    room.querySelector("[data-testid=room-notice]").dataset.paused = "yes";
    return;
  }
  showConnection("live");
  const banner = room.querySelector("[data-testid=room-notice]");
  if (banner.dataset.paused === "yes") banner.hidden = true;
}

// --- The socket ---------------------------------------------------------------------------

function socketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${room.dataset.socketPath}?last_seq=${state.lastSeq}`;
}

// The wait before reconnect number `attempt` (0 for the first): RETRY_FIRST_MS doubling up to
// RETRY_CAP_MS, then between 75% and 125% of that, so a room full of phones does not
// reconnect in one burst after a blip.
function retryDelay(attempt, random = Math.random) {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_FIRST_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling * (0.75 + random() / 2));
}

function connect() {
  clearTimeout(state.retryTimer);
  showConnection(state.socket ? "reconnecting" : "connecting");
  const socket = new WebSocket(socketUrl());
  state.socket = socket;
  socket.addEventListener("message", (message) => {
    if (socket === state.socket) receive(JSON.parse(message.data));
  });
  socket.addEventListener("close", (event) => {
    if (socket !== state.socket) return;
    stopHeartbeat();
    clearTimeout(state.stableTimer); // dropped before it proved stable: keep backing off
    if (state.stopped || NO_RETRY_CODES.has(event.code)) {
      failPending("The connection closed before the server answered. Reload the page to check.");
      showConnection("offline");
      if (event.code !== 4400 && !state.stopped) notice("You cannot join this meeting.");
      return;
    }
    // Commands not yet answered stay pending and are sent again, same request ids, after
    // reconnecting: one that was saved is answered as saved, and is not applied twice.
    for (const { form } of state.pending.values()) {
      formMessage(form, "The connection dropped: your change will be sent again on reconnecting.");
    }
    showConnection("reconnecting");
    state.retryTimer = setTimeout(connect, retryDelay(state.attempt));
    state.attempt += 1;
  });
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(message));
    return true;
  }
  return false;
}

function startHeartbeat() {
  stopHeartbeat();
  state.pingTimer = setInterval(() => {
    if (!send({ type: "ping" })) return;
    clearTimeout(state.pongTimer);
    // A half-open connection (a phone that changed network) never fires "close" by itself.
    state.pongTimer = setTimeout(() => state.socket?.close(), PONG_WITHIN_MS);
  }, PING_EVERY_MS);
}

function stopHeartbeat() {
  clearInterval(state.pingTimer);
  clearTimeout(state.pongTimer);
}

function receive(message) {
  switch (message.type) {
    case "hello":
      clearTimeout(state.stableTimer);
      state.stableTimer = setTimeout(() => {
        state.attempt = 0;
      }, STABLE_AFTER_MS);
      state.askedAfter = null;
      showConnection(message.live === false ? "paused" : "live");
      showPresence(message.people);
      startHeartbeat();
      resendPending();
      return;
    case "event":
      return receiveEvent(message);
    case "presence":
      return showPresence(message.people);
    case "live":
      return showPaused(message);
    case "pong":
      clearTimeout(state.pongTimer);
      return;
    case "reload":
      return reloadWhenSafe("This page is out of date.");
    case "evicted":
      state.stopped = true;
      notice(message.message);
      return;
    default:
      if (message.request_id) answer(message);
  }
}

function receiveEvent(event) {
  if (event.seq <= state.lastSeq) return; // already applied
  if (event.seq !== state.lastSeq + 1) {
    // A gap: ask once for everything after the last applied; the answer comes in order.
    if (state.askedAfter !== state.lastSeq) {
      state.askedAfter = state.lastSeq;
      send({ type: "replay", after: state.lastSeq });
    }
    return;
  }
  apply(event);
  state.lastSeq = event.seq;
  room.dataset.lastSeq = String(event.seq);
}

// --- Applying events to the page -----------------------------------------------------------

function itemSection(id) {
  return room.querySelector(`[data-item-id="${id}"]`);
}

const HANDLERS = {
  "meeting.started": () => reloadWhenSafe("The meeting has started."),
  "meeting.closed": () => reloadWhenSafe("The meeting has been closed."),
  "agenda.changed": () => reloadWhenSafe("The agenda has changed."),
  "agenda.reordered": () => reloadWhenSafe("The agenda has been reordered."),
  "invitation.added": () => reloadWhenSafe("Someone was invited."),
  "invitation.withdrawn": () => reloadWhenSafe("An invitation was withdrawn."),
  "meeting.confidentiality_read": (payload, event) => {
    const when = new Date(payload.at).toLocaleTimeString("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
    });
    room.querySelector("[data-testid=confidentiality]").textContent =
      `Read at ${when} by ${event.actor?.name ?? "the chair"}`;
    room.querySelector("[data-command=confidentiality_read]")?.remove();
  },
  "meeting.item_changed": (payload) => {
    if (payload.left) {
      const left = itemSection(payload.left.item);
      if (left) left.dataset.secondsSpent = String(payload.left.seconds_spent);
    }
    for (const section of room.querySelectorAll("[data-item-id]")) {
      const current = section.dataset.itemId === String(payload.current_item);
      section.classList.toggle("app-item--current", current);
      section.querySelector("[data-role=current-tag]").hidden = !current;
      const forms = section.querySelector("[data-role=item-forms]");
      if (forms && current) forms.open = true;
      section.querySelector("[data-command=go_to_item]")?.toggleAttribute("hidden", current);
    }
    const section = itemSection(payload.current_item);
    if (section) {
      section.dataset.secondsSpent = String(payload.seconds_spent);
      room.querySelector("[data-testid=current-item]").textContent = section.dataset.title;
    }
    state.currentItem = String(payload.current_item);
    state.currentStartedAt = Date.parse(payload.current_item_started_at);
    tick();
  },
  "item.notes_saved": (payload, event) => {
    const section = itemSection(payload.item);
    if (!section) return;
    section.querySelector("[data-role=notes-text]").textContent = payload.text || "No notes yet.";
    syncVersioned(section.querySelector("[data-versioned=notes]"), payload, event);
  },
  "item.decision_recorded": (payload, event) => {
    const section = itemSection(payload.item);
    if (!section) return;
    section.querySelector("[data-role=decision-text]").textContent =
      payload.text || "None recorded yet.";
    syncVersioned(section.querySelector("[data-versioned=decision]"), payload, event);
  },
  "item.update_recorded": (payload, event) => {
    const section = itemSection(payload.item);
    if (!section) return;
    const list = section.querySelector("[data-role=updates]");
    let row = list.querySelector(`[data-agency-id="${payload.agency.id}"]`);
    if (!row) {
      row = element("div", "govuk-summary-list__row");
      row.dataset.agencyId = String(payload.agency.id);
      row.append(element("dt", "govuk-summary-list__key", payload.agency.name));
      const text = element("dd", "govuk-summary-list__value app-text");
      text.dataset.role = "update-text";
      row.append(text);
      list.append(row);
    }
    row.querySelector("[data-role=update-text]").textContent = payload.text;
    const form = section.querySelector(`[data-versioned=update][data-agency-id="${payload.agency.id}"]`);
    const sensitivity = form?.querySelector("[data-role=sensitivity]");
    if (sensitivity && payload.sensitivity) sensitivity.value = payload.sensitivity;
    syncVersioned(form, payload, event);
  },
  "item.risk_set": (payload) => {
    const tag = itemSection(payload.item)?.querySelector("[data-role=risk]");
    if (!tag) return;
    tag.textContent = payload.risk_label;
    tag.classList.remove("govuk-tag--grey", "govuk-tag--green", "govuk-tag--orange", "govuk-tag--red");
    tag.classList.add(
      { low: "govuk-tag--green", medium: "govuk-tag--orange", high: "govuk-tag--red" }[
        payload.risk_level
      ] || "govuk-tag--grey",
    );
  },
  "action.added": (payload) => {
    const section = itemSection(payload.item);
    if (!section || section.querySelector(`[data-action-id="${payload.id}"]`)) return;
    const row = element("tr", "govuk-table__row");
    row.dataset.actionId = String(payload.id);
    row.dataset.testid = "action";
    row.append(element("td", "govuk-table__cell app-text", payload.text));
    const owner = element("td", "govuk-table__cell", payload.owner_agency.name);
    if (payload.owner_person) {
      owner.append(document.createElement("br"), payload.owner_person.name);
    }
    row.append(owner);
    row.append(element("td", "govuk-table__cell", payload.due_label));
    row.append(element("td", "govuk-table__cell", payload.status_label));
    section.querySelector("[data-role=action-rows]").append(row);
    section.querySelector("[data-role=no-actions]").hidden = true;
  },
  "attendance.set": (payload) => {
    const cell = room.querySelector(
      `[data-testid=attendance] [data-person-id="${payload.person.id}"] [data-role=attendance-status]`,
    );
    if (cell) {
      cell.textContent = payload.deputy_for
        ? `${payload.status_label}, deputy for ${payload.deputy_for.name}`
        : payload.status_label;
    }
    showQuorum(payload.quorum);
  },
};

function apply(event) {
  const handler = HANDLERS[event.event];
  if (handler) handler(event.payload, event);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // never innerHTML: texts are typed by people
  return node;
}

function showQuorum(quorum) {
  const target = room.querySelector("[data-role=quorum]");
  target.replaceChildren();
  if (!quorum.required.length) {
    target.textContent = "No quorum rule";
  } else if (quorum.met) {
    target.append(element("strong", "govuk-tag govuk-tag--green", "Quorum met"));
  } else {
    target.append(
      element("strong", "govuk-tag govuk-tag--red", "Not quorate"),
      ` missing ${quorum.missing.join(", ")}`,
    );
  }
}

function showPresence(people) {
  const list = room.querySelector("[data-role=presence]");
  list.replaceChildren(
    ...(people.length
      ? people.map((person) => {
          const item = element("li", "", person.name);
          item.dataset.personId = String(person.id);
          return item;
        })
      : [element("li", "", "Nobody has the room open.")]),
  );
}

// A text someone saved: take it into the form unless the person is typing a change of their
// own, which then stays, made from the older version, and will be refused rather than
// silently overwrite what was saved.
function syncVersioned(form, payload, event) {
  if (!form) return;
  const input = form.querySelector("[data-role=versioned-text]");
  const dirty = input.value !== input.dataset.base && input.value !== payload.text;
  if (dirty) {
    formMessage(form, `${event.actor?.name ?? "Someone"} saved a newer version while you were typing.`);
    return;
  }
  input.value = payload.text;
  input.dataset.base = payload.text;
  form.querySelector("[data-role=version]").value = String(payload.version);
}

function isDirty() {
  return [...room.querySelectorAll("textarea")].some((input) =>
    input.dataset.base !== undefined ? input.value !== input.dataset.base : input.value !== "",
  );
}

function reloadWhenSafe(reason) {
  if (!isDirty()) {
    state.stopped = true;
    window.location.reload();
    return;
  }
  notice(`${reason} Save or copy what you are typing, then reload the page.`);
}

// --- Commands: the page's forms, sent over the socket when it is open ----------------------

function formMessage(form, text, lostText) {
  form.querySelector(".app-form-message")?.remove();
  const box = element("div", "app-form-message govuk-error-message");
  box.append(element("span", "", text));
  if (lostText) {
    box.append(element("p", "govuk-body-s", "Your text, not saved:"));
    box.append(element("p", "govuk-body app-lost-text", lostText));
  }
  form.prepend(box);
}

function onSubmit(event) {
  const form = event.target.closest("form[data-command]");
  if (!form || !state.socket || state.socket.readyState !== WebSocket.OPEN) return; // plain POST
  event.preventDefault();
  const args = {};
  for (const [name, value] of new FormData(form)) {
    // request_id is the no-JavaScript form's own; the socket sends one of its own below.
    if (!["csrfmiddlewaretoken", "command", "request_id"].includes(name)) args[name] = value;
  }
  const requestId = requestIdFor(form, args);
  const message = { type: "command", command: form.dataset.command, args, request_id: requestId };
  state.pending.set(requestId, { form, message });
  form.querySelector("button[type=submit]")?.setAttribute("disabled", "");
  send(message);
}

// The same change sent again (the same form, the same fields, not yet acknowledged) keeps its
// request id, so the server can tell a retry from a new change; anything else gets a new one.
function requestIdFor(form, args) {
  const key = JSON.stringify([form.dataset.command, args]);
  if (!form.dataset.requestId || form.dataset.requestKey !== key) {
    form.dataset.requestId = newRequestId();
    form.dataset.requestKey = key;
  }
  return form.dataset.requestId;
}

function newRequestId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID(); // secure contexts only
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function resendPending() {
  for (const { message } of state.pending.values()) send(message);
}

function answer(message) {
  const { form } = state.pending.get(message.request_id) ?? {};
  state.pending.delete(message.request_id);
  if (!form) return;
  form.querySelector("button[type=submit]")?.removeAttribute("disabled");
  form.querySelector(".app-form-message")?.remove();
  if (message.type === "ack" || message.type === "conflict") {
    // Answered for good: the next submission is a new change.
    delete form.dataset.requestId;
    delete form.dataset.requestKey;
  }
  if (message.type === "ack") {
    if (form.hasAttribute("data-reset-on-success")) form.reset();
  } else if (message.type === "conflict") {
    const input = form.querySelector("[data-role=versioned-text]");
    const lost = input.value;
    input.value = message.current.text;
    input.dataset.base = message.current.text;
    form.querySelector("[data-role=version]").value = String(message.current.version);
    formMessage(form, message.message, lost);
  } else {
    formMessage(form, message.message);
  }
}

function failPending(text) {
  for (const { form } of state.pending.values()) {
    form.querySelector("button[type=submit]")?.removeAttribute("disabled");
    formMessage(form, text);
  }
  state.pending.clear();
}

// --- The item timer ------------------------------------------------------------------------

function clock(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

function tick() {
  for (const section of room.querySelectorAll("[data-item-id]")) {
    const tag = section.querySelector("[data-role=timer]");
    const target = Number(section.dataset.targetSeconds);
    let spent = Number(section.dataset.secondsSpent);
    if (section.dataset.itemId === state.currentItem && state.currentStartedAt) {
      spent += Math.max(0, Math.floor((Date.now() - state.currentStartedAt) / 1000));
    }
    tag.textContent = `${clock(spent)} of ${clock(target)}`;
    tag.classList.toggle("govuk-tag--red", spent > target);
    tag.classList.toggle("govuk-tag--grey", spent <= target);
  }
}

// --- Start ---------------------------------------------------------------------------------

if (room) {
  for (const input of room.querySelectorAll("[data-role=versioned-text]")) {
    input.dataset.base = input.value;
  }
  room.addEventListener("submit", onSubmit);
  if (room.dataset.status === "in_progress") setInterval(tick, 1000);
  tick();
  connect();
}
