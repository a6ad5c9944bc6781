// Keeps the header's unread count live over /ws/notifications/ (the person's own stream).
// The server sends the count from the database on connect and after every change.
//
// Reconnecting waits longer each time (1 s doubling to 30 s, with jitter) and starts again
// from 1 s only after a connection has stayed up for 10 s: never a tight loop, even when the
// server accepts and at once drops every socket.
const badge = document.querySelector("[data-unread-count]");

const RETRY_FIRST_MS = 1000;
const RETRY_CAP_MS = 30000;
const STABLE_AFTER_MS = 10000;

let attempt = 0; // reconnects since the last connection that stayed up

function retryDelay(n, random = Math.random) {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_FIRST_MS * 2 ** Math.min(n, 16));
  return Math.round(ceiling * (0.75 + random() / 2));
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/`);
  let stableTimer = null;
  socket.addEventListener("message", (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    const count = data.type === "unread" ? data.count : data.unread;
    if (typeof count === "number" && badge) {
      badge.textContent = String(count);
      badge.dataset.unreadCount = String(count);
    }
  });
  socket.addEventListener("open", () => {
    stableTimer = setTimeout(() => {
      attempt = 0;
    }, STABLE_AFTER_MS);
  });
  socket.addEventListener("close", (event) => {
    clearTimeout(stableTimer);
    // Signed out (4401) or refused (4403): asking again would be refused too.
    if (event.code === 4401 || event.code === 4403) return;
    setTimeout(connect, retryDelay(attempt));
    attempt += 1;
  });
}

if (badge) {
  connect();
}
