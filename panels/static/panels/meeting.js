// The meeting room, live. A served module (the CSP forbids inline script); everything it
// needs comes from data-* attributes on #meeting-room. Without it the page still works:
// every form posts and the page is reloaded.
//
// Events carry a per-meeting sequence number. They are applied strictly in order: one
// already applied is ignored, one that skips a number makes us ask the server again from the
// last we applied. A reconnect says the last number seen (?last_seq=N) and gets exactly the
// events missed; "reload" means we are too far behind (or ahead, after the server's data was
// restored): the room's changing part is fetched again, as for a structural event, and the
// count is taken from it. The page itself is never reloaded.
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
  people: null, // who is connected, as the socket last said
  behind: false, // a part of the room was kept for the person's typing, not brought up to date
  catchingUp: false, // the server said "reload": the live part is being fetched
  held: [], // events that arrived while catching up, applied after it
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
      return catchUp();
    case "evicted":
      state.stopped = true;
      notice(message.message);
      return;
    default:
      if (message.request_id) answer(message);
  }
}

function receiveEvent(event) {
  if (state.catchingUp) {
    state.held.push(event); // may be newer than what the fetch reads: applied after it
    return;
  }
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
//
// Most events are applied where they land (a text, a row, a tag). Those that change the
// shape of the room (started, closed, the agenda, who is invited, the item being discussed)
// fetch the room's changing part from the server (data-live-url, the same page the room is
// made of) and put it in place region by region, keeping the person's place: focus, scroll
// position and anything typed but not saved (that part is kept as it is, and they are told).
// Each change is said in words in the room's aria-live region.

function itemSection(id) {
  return room.querySelector(`[data-item-id="${id}"]`);
}

function itemLabel(id) {
  const section = itemSection(id);
  return section ? `item ${section.dataset.number}` : "an item";
}

function nowBeingDiscussed(id) {
  const section = itemSection(id);
  if (!section) return "";
  return `Item ${section.dataset.number} is now being discussed: ${section.dataset.name}`;
}

const HANDLERS = {
  "meeting.started": (payload) =>
    refreshRoom(() =>
      announce(["The meeting has started.", nowBeingDiscussed(payload.current_item)].join(" ")),
    ),
  "meeting.closed": () => refreshRoom(() => announce("The meeting has been closed.")),
  "agenda.changed": () => refreshRoom(() => announce("The agenda has changed.")),
  "agenda.reordered": () => refreshRoom(() => announce("The agenda has been reordered.")),
  "invitation.added": (payload) =>
    refreshRoom(() => announce(`${payload.person?.name ?? "Someone"} was invited.`)),
  "invitation.withdrawn": (payload) =>
    refreshRoom(() =>
      announce(`The invitation of ${payload.person?.name ?? "someone"} was withdrawn.`),
    ),
  "meeting.confidentiality_read": (payload, event) => {
    const when = new Date(payload.at).toLocaleTimeString("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
    });
    room.querySelector("[data-testid=confidentiality]").textContent =
      `Read at ${when} by ${event.actor?.name ?? "the chair"}`;
    room.querySelector("[data-command=confidentiality_read]")?.remove();
    announce("The confidentiality statement has been read.");
  },
  "meeting.item_changed": (payload) => {
    const left = payload.left && itemSection(payload.left.item);
    if (left) left.dataset.secondsSpent = String(payload.left.seconds_spent);
    state.currentItem = String(payload.current_item);
    state.currentStartedAt = Date.parse(payload.current_item_started_at);
    refreshRoom(() => announce(`${nowBeingDiscussed(payload.current_item)}.`));
  },
  "item.notes_saved": (payload, event) => {
    const section = itemSection(payload.item);
    if (!section) return;
    section.querySelector("[data-role=notes-text]").textContent = payload.text || "No notes yet.";
    syncVersioned(section.querySelector("[data-versioned=notes]"), payload, event);
    announce(`Notes saved for ${itemLabel(payload.item)}.`);
  },
  "item.decision_recorded": (payload, event) => {
    const section = itemSection(payload.item);
    if (!section) return;
    section.querySelector("[data-role=decision-text]").textContent =
      payload.text || "None recorded yet.";
    syncVersioned(section.querySelector("[data-versioned=decision]"), payload, event);
    announce(`A decision was recorded for ${itemLabel(payload.item)}.`);
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
    announce(`The update from ${payload.agency.name} was recorded for ${itemLabel(payload.item)}.`);
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
    announce(`The agreed risk for ${itemLabel(payload.item)} is ${payload.risk_label}.`);
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
    announce(`An action for ${payload.owner_agency.name} was added to ${itemLabel(payload.item)}.`);
  },
  "attendance.set": (payload) => {
    const cell = room.querySelector(
      `[data-testid=attendance] [data-person-id="${payload.person.id}"] [data-role=attendance-status]`,
    );
    const said = payload.deputy_for
      ? `${payload.status_label}, deputy for ${payload.deputy_for.name}`
      : payload.status_label;
    if (cell) cell.textContent = said;
    showQuorum(payload.quorum);
    announce(`Attendance of ${payload.person.name}: ${said}.`);
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

// Said by screen readers (the region is aria-live="polite") and shown. Emptied first, so that
// the same words twice (two actions for one agency) are said twice.
let announceTimer = null;
function announce(text) {
  const region = room.querySelector("[data-role=announcement]");
  if (!region || !text) return;
  clearTimeout(announceTimer);
  region.textContent = "";
  announceTimer = setTimeout(() => {
    region.textContent = text;
  }, 50);
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
  state.people = people;
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
  takeText(input, payload.text);
  form.querySelector("[data-role=version]").value = String(payload.version);
}

// The saved text, now also what counts as "not changed by the person".
function takeText(input, text) {
  input.defaultValue = text;
  input.value = text;
  input.dataset.base = text;
}

// Too far behind for the events missed to be sent one by one: fetch the room's changing part
// (what a structural event fetches), take the sequence number it was read at, then apply the
// events that came meanwhile, in order (those it already shows are skipped, a gap is asked
// for again). Focus, scroll position and unsaved typing are kept as for any structural event.
function catchUp() {
  if (state.catchingUp) return;
  state.catchingUp = true;
  state.held = [];
  refreshRoom(() => announce("This page has been brought up to date."), { resync: true });
}

function endCatchUp(fresh) {
  if (!state.catchingUp) return;
  state.catchingUp = false;
  const held = state.held.sort((a, b) => a.seq - b.seq);
  state.held = [];
  if (!fresh) return; // not fetched: the person was told to reload the page
  state.lastSeq = Number(fresh.dataset.lastSeq || 0);
  room.dataset.lastSeq = String(state.lastSeq);
  state.askedAfter = null;
  for (const event of held) receiveEvent(event);
}

// --- Bringing the room's changing part up to date, in place ----------------------------------

const refresh = { running: false, again: false, resync: false, after: [] };
const MAX_ROUNDS = 5;

// Fetch the room's changing part and put it in place; `then` runs once it is. Calls made
// while one is under way are folded into one more round after it. With `resync`, the room's
// sequence number is then taken from what was fetched (catchUp).
function refreshRoom(then, { resync = false } = {}) {
  if (then) refresh.after.push(then);
  if (resync) refresh.resync = true;
  if (refresh.running) {
    refresh.again = true;
    return;
  }
  refresh.running = true;
  (async () => {
    try {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        refresh.again = false;
        const fresh = await fetchLive();
        if (!fresh) {
          refresh.after = [];
          refresh.resync = false;
          endCatchUp(null);
          return;
        }
        swapLive(fresh);
        if (refresh.resync) {
          refresh.resync = false;
          endCatchUp(fresh); // held structural events ask for one more round
        }
        // Read before an event we have applied since: once more, for a newer reading.
        if (Number(fresh.dataset.lastSeq) < state.lastSeq) refresh.again = true;
        if (!refresh.again) break;
      }
      for (const then of refresh.after.splice(0)) then();
    } catch (error) {
      refresh.after = [];
      refresh.resync = false;
      endCatchUp(null);
      notice("This page could not be brought up to date: reload the page to see the latest.");
    } finally {
      refresh.running = false;
    }
  })();
}

async function fetchLive() {
  const response = await fetch(room.dataset.liveUrl, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "text/html" },
  });
  if (response.redirected || !response.ok) {
    notice(
      response.redirected || response.status === 404
        ? "You can no longer see this meeting, or you have been signed out: reload the page."
        : "This page could not be brought up to date: reload the page to see the latest.",
    );
    return null;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  return page.querySelector("[data-role=live]");
}

// A text box, date or choice the person changed and has not saved.
function changed(input) {
  if (input.tagName === "SELECT") {
    if (input.multiple) return false;
    const initial = Math.max(
      0,
      [...input.options].findIndex((option) => option.defaultSelected),
    );
    return input.selectedIndex !== initial;
  }
  return input.value !== input.defaultValue;
}

function changedForms(node) {
  const forms = new Set();
  for (const input of node.querySelectorAll("textarea, input[type=text], select")) {
    if (changed(input)) forms.add(input.closest("form") ?? node);
  }
  return forms;
}

// Where the person is: the element focused (and what of its text is selected), and the
// first part of the room on the screen with its distance from the top of the window.
function rememberPlace(live) {
  const active = document.activeElement;
  const place = { focus: null, anchor: null };
  if (active && active !== document.body && live.contains(active)) {
    let selection = null;
    try {
      if (typeof active.selectionStart === "number") {
        selection = [active.selectionStart, active.selectionEnd];
      }
    } catch {
      selection = null;
    }
    const form = active.closest("form[data-command]");
    place.focus = {
      node: active,
      id: active.id,
      command: form?.dataset.command,
      item: form?.querySelector("[name=item]")?.value,
      person: form?.querySelector("[name=person]")?.value,
      selection,
    };
  }
  const candidates = [
    ...live.querySelectorAll("[data-item-id], [data-region]:not([data-region=items])"),
  ];
  for (const node of candidates) {
    const box = node.getBoundingClientRect();
    if (box.bottom > 0 && box.height > 0) {
      place.anchor = { selector: selectorOf(node), top: box.top };
      break;
    }
  }
  return place;
}

function selectorOf(node) {
  return node.dataset.itemId
    ? `[data-item-id="${node.dataset.itemId}"]`
    : `[data-region="${node.dataset.region}"]`;
}

function restorePlace(live, place) {
  if (place.anchor) {
    const node = live.querySelector(place.anchor.selector);
    if (node) {
      const moved = node.getBoundingClientRect().top - place.anchor.top;
      if (moved) window.scrollBy(0, moved);
    }
  }
  const was = place.focus;
  if (!was || (was.node.isConnected && document.activeElement === was.node)) return;
  let target = was.node.isConnected ? was.node : null;
  if (!target && was.id) target = document.getElementById(was.id);
  if (!target && was.command) {
    const forms = live.querySelectorAll(`form[data-command="${was.command}"]`);
    const form = [...forms].find(
      (f) =>
        (f.querySelector("[name=item]")?.value ?? undefined) === was.item &&
        (f.querySelector("[name=person]")?.value ?? undefined) === was.person,
    );
    target = form?.querySelector("button[type=submit]") ?? null;
  }
  // The control the person used is gone (the meeting started, the last item came): the item
  // now being discussed.
  if (!target) target = live.querySelector(".app-item--current [tabindex='-1']");
  if (!target) return;
  target.focus({ preventScroll: true });
  if (was.selection && target === was.node) {
    try {
      target.setSelectionRange(...was.selection);
    } catch {
      // not a text box
    }
  }
}

// Details (an item, its forms, the agenda on a phone) the person opened or closed stay so.
function keepOpenState(old, fresh) {
  const toggled = new Map();
  for (const details of old.querySelectorAll("details[data-key]")) {
    if (details.open !== (details.dataset.serverOpen === "true")) {
      toggled.set(details.dataset.key, details.open);
    }
  }
  if (old.matches?.("details[data-key]") && old.open !== (old.dataset.serverOpen === "true")) {
    toggled.set(old.dataset.key, old.open);
  }
  for (const details of [fresh, ...fresh.querySelectorAll("details[data-key]")]) {
    if (!details.matches?.("details[data-key]")) continue;
    details.dataset.serverOpen = String(details.open);
    // Only a closed item stays closed, never the one now discussed (a section, not details).
    if (toggled.has(details.dataset.key)) details.open = toggled.get(details.dataset.key);
  }
}

function markServerOpen(node) {
  for (const details of node.querySelectorAll("details[data-key]")) {
    details.dataset.serverOpen = String(details.open);
  }
}

// The person's unsaved typing is kept where it is: that part is not replaced, they are told.
function keepTyping(forms) {
  for (const form of forms) {
    formNote(
      form,
      "The meeting changed while you were typing. What you typed is kept: save it, and this " +
        "part of the page will then catch up.",
    );
  }
  state.behind = true;
}

function swapLive(fresh) {
  const live = room.querySelector("[data-role=live]");
  const place = rememberPlace(live);
  for (const region of [...live.querySelectorAll("[data-region]")]) {
    const next = fresh.querySelector(`[data-region="${region.dataset.region}"]`);
    if (!next) continue;
    if (region.dataset.region === "items") {
      swapItems(region, next);
      continue;
    }
    const typing = changedForms(region);
    if (typing.size) {
      keepTyping(typing);
      continue;
    }
    keepOpenState(region, next);
    region.replaceWith(next);
  }
  for (const [key, value] of Object.entries(fresh.dataset)) live.dataset[key] = value;
  room.dataset.status = fresh.dataset.status;
  room.dataset.currentItem = fresh.dataset.currentItem;
  state.currentItem = fresh.dataset.currentItem || "";
  state.currentStartedAt = fresh.dataset.currentItemStartedAt
    ? Date.parse(fresh.dataset.currentItemStartedAt)
    : null;
  if (state.people) showPresence(state.people);
  prepare(live);
  restorePlace(live, place);
  startTicking();
}

// Item by item: one with unsaved typing stays as it is (moved to its new place); the others
// are the server's.
function swapItems(region, next) {
  const old = new Map(
    [...region.querySelectorAll("[data-item-id]")].map((node) => [node.dataset.itemId, node]),
  );
  const nodes = [];
  for (const node of [...next.children]) {
    const before = old.get(node.dataset.itemId);
    const typing = before ? changedForms(before) : new Set();
    if (typing.size) {
      keepTyping(typing);
      nodes.push(before);
    } else {
      if (before) keepOpenState(before, node);
      nodes.push(node);
    }
  }
  region.replaceChildren(...nodes);
}

// --- Opening an item the agenda links to ------------------------------------------------------

function openTarget(hash) {
  if (!hash || !hash.startsWith("#item-")) return;
  const target = document.getElementById(hash.slice(1));
  if (target && target.tagName === "DETAILS") target.open = true;
}

function onClick(event) {
  const link = event.target.closest?.("a[href^='#item-']");
  if (link) openTarget(link.getAttribute("href"));
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

// Not an error: something the person should know about what they are typing.
function formNote(form, text) {
  form.querySelector(".app-form-note")?.remove();
  form.prepend(element("p", "govuk-inset-text app-form-note", text));
}

// The GOV.UK error pattern for a form sent over the socket: a summary at the top of the form
// linking to each input to fix, the message at the input, "Error: " in the page title.
function showFormErrors(form, errors) {
  clearFormErrors(form);
  const list = element("ul", "govuk-list govuk-error-summary__list");
  for (const [name, messages] of Object.entries(errors)) {
    const text = messages[0];
    const group =
      form.querySelector(`[data-field="${name}"]`) ??
      form.querySelector(`[name="${name}"]`)?.closest(".govuk-form-group");
    const fields = group
      ? [...group.querySelectorAll("input:not([type=hidden]), textarea, select")]
      : [];
    // A date with some boxes filled: only the empty ones are wrong (the GOV.UK pattern).
    const empty = fields.filter((field) => field.tagName === "INPUT" && !field.value.trim());
    const wrong = fields.length > 1 && empty.length && empty.length < fields.length ? empty : fields;
    const input = wrong[0];
    const link = element("a", "", text);
    link.href = input?.id ? `#${input.id}` : "#";
    const entry = element("li");
    entry.append(link);
    list.append(entry);
    if (!group) continue;
    group.classList.add("govuk-form-group--error");
    const message = element("p", "govuk-error-message app-field-error");
    message.id = `${input?.id || name}-error`;
    message.append(element("span", "govuk-visually-hidden", "Error:"), ` ${text}`);
    const after = group.querySelector(".govuk-hint") ?? group.querySelector("label, legend");
    if (after) after.after(message);
    else group.prepend(message);
    for (const field of wrong) {
      field.classList.add(`govuk-${field.tagName === "INPUT" ? "input" : field.tagName.toLowerCase()}--error`);
      const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!described.includes(message.id)) field.setAttribute("aria-describedby", [...described, message.id].join(" "));
    }
  }
  const summary = element("div", "govuk-error-summary app-form-errors");
  summary.tabIndex = -1;
  const alert = element("div");
  alert.setAttribute("role", "alert");
  const body = element("div", "govuk-error-summary__body");
  body.append(list);
  alert.append(element("h2", "govuk-error-summary__title", "There is a problem"), body);
  summary.append(alert);
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && link.getAttribute("href") !== "#" && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    target.focus();
  });
  form.prepend(summary);
  if (!document.title.startsWith("Error: ")) document.title = `Error: ${document.title}`;
  summary.focus();
}

function clearFormErrors(form) {
  form.querySelector(".app-form-errors")?.remove();
  for (const message of form.querySelectorAll(".app-field-error")) {
    for (const field of form.querySelectorAll(`[aria-describedby~="${message.id}"]`)) {
      const rest = field.getAttribute("aria-describedby").split(" ").filter((id) => id !== message.id);
      if (rest.length) field.setAttribute("aria-describedby", rest.join(" "));
      else field.removeAttribute("aria-describedby");
    }
    message.remove();
  }
  for (const group of form.querySelectorAll(".govuk-form-group--error")) {
    group.classList.remove("govuk-form-group--error");
  }
  for (const field of form.querySelectorAll(".govuk-input--error, .govuk-textarea--error, .govuk-select--error")) {
    field.classList.remove("govuk-input--error", "govuk-textarea--error", "govuk-select--error");
  }
  if (!room.querySelector(".app-form-errors, .govuk-error-summary")) {
    document.title = document.title.replace(/^Error: /, "");
  }
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
  form.querySelector(".app-form-note")?.remove();
  clearFormErrors(form);
  if (message.type === "ack" || message.type === "conflict") {
    // Answered for good: the next submission is a new change.
    delete form.dataset.requestId;
    delete form.dataset.requestKey;
  }
  if (message.type === "ack") {
    if (form.hasAttribute("data-reset-on-success")) form.reset();
    if (state.behind) {
      // A part kept for the person's typing can now catch up.
      state.behind = false;
      refreshRoom();
    }
  } else if (message.type === "conflict") {
    const input = form.querySelector("[data-role=versioned-text]");
    const lost = input.value;
    takeText(input, message.current.text);
    form.querySelector("[data-role=version]").value = String(message.current.version);
    formMessage(form, message.message, lost);
  } else if (message.errors && Object.keys(message.errors).length) {
    showFormErrors(form, message.errors);
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

// What the script needs of a part of the room the server has just rendered.
function prepare(node) {
  for (const input of node.querySelectorAll("[data-role=versioned-text]")) {
    input.dataset.base = input.value;
  }
  markServerOpen(node);
}

let ticking = null;
function startTicking() {
  if (ticking === null && room.dataset.status === "in_progress") ticking = setInterval(tick, 1000);
  tick();
}

if (room) {
  prepare(room);
  room.addEventListener("submit", onSubmit);
  room.addEventListener("click", onClick);
  openTarget(window.location.hash);
  startTicking();
  connect();
}
