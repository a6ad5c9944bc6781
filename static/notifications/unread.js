// Keeps the header's unread count live over /ws/notifications/ (the person's own stream).
// The server sends the count from the database on connect and after every change.
const badge = document.querySelector("[data-unread-count]");

function connect(delay) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/`);
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    const count = data.type === "unread" ? data.count : data.unread;
    if (typeof count === "number" && badge) {
      badge.textContent = String(count);
      badge.dataset.unreadCount = String(count);
    }
  });
  socket.addEventListener("open", () => { delay = 1000; });
  socket.addEventListener("close", (event) => {
    // Signed out (4401) or refused (4403): asking again would be refused too.
    if (event.code === 4401 || event.code === 4403) return;
    window.setTimeout(() => connect(Math.min(delay * 2, 10000)), delay);
  });
}

if (badge) {
  connect(1000);
}
