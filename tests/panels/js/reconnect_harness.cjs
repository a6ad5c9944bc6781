// Runs a page script (meeting.js or unread.js) against a fake browser with a virtual clock
// and a server that accepts every socket, says hello, and drops it at once (as when Redis
// restarts). Prints JSON: the wait before each reconnect, then the wait after a connection
// that stayed up for 15 s. Usage: node reconnect_harness.cjs <script> <flapping seconds>
const fs = require("fs");
const vm = require("vm");

const [file, flapSeconds] = [process.argv[2], Number(process.argv[3] || 120)];
let now = 0;
let nextId = 1;
const timers = new Map();

function schedule(fn, ms, every) {
  const id = nextId++;
  timers.set(id, { at: now + Math.max(0, ms || 0), fn, every });
  return id;
}
const cancel = (id) => timers.delete(id);

// Any element: every property is another element, every call returns one, lists are empty.
function element() {
  const target = function () {};
  target.dataset = {};
  return new Proxy(target, {
    get(t, p) {
      if (p === Symbol.iterator) return [][Symbol.iterator].bind([]);
      if (p === Symbol.toPrimitive) return () => "";
      if (!(p in t)) t[p] = element();
      return t[p];
    },
    set(t, p, v) {
      t[p] = v;
      return true;
    },
    apply: () => element(),
  });
}

const opened = []; // virtual time of each new socket
const closed = []; // virtual time each socket closed
let stableFrom = Infinity; // sockets opened after this stay up 15 s

class FakeWebSocket {
  static OPEN = 1;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.listeners = {};
    opened.push(now);
    const upFor = now >= stableFrom ? 15000 : 20;
    schedule(() => {
      this.readyState = 1;
      this.fire("open", {});
      this.fire("message", { data: JSON.stringify({ type: "hello", people: [], last_seq: 0 }) });
    }, 10);
    schedule(() => this.close(1011), 10 + upFor);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  fire(type, event) {
    for (const fn of this.listeners[type] || []) fn(event);
  }
  send() {}
  close(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    closed.push(now);
    this.fire("close", { code });
  }
}

const room = element();
room.dataset.lastSeq = "0";
room.dataset.socketPath = "/ws/meetings/1/";
room.dataset.status = "scheduled";
const context = {
  console,
  JSON,
  Math,
  Date: { now: () => now, parse: () => 0 },
  Number,
  String,
  Map,
  Set,
  Object,
  setTimeout: schedule,
  clearTimeout: cancel,
  setInterval: (fn, ms) => schedule(fn, ms, ms),
  clearInterval: cancel,
  WebSocket: FakeWebSocket,
  document: {
    getElementById: () => room,
    querySelector: () => element(),
    createElement: () => element(),
  },
  crypto: { randomUUID: () => "00000000-0000-4000-8000-000000000000" },
};
context.window = {
  location: { protocol: "http:", host: "test", reload() {} },
  setTimeout: schedule,
};
context.globalThis = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });

function runUntil(end) {
  while (true) {
    const due = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
    if (!due || due[1].at > end) break;
    const [id, timer] = due;
    now = timer.at;
    if (timer.every) timer.at = now + timer.every;
    else timers.delete(id);
    timer.fn();
  }
  now = end;
}

runUntil(flapSeconds * 1000);
const flapping = opened.slice(1).map((t, i) => t - closed[i]);
// From now on the server is healthy: the next socket stays up 15 s, then drops once more.
stableFrom = now;
const before = opened.length;
runUntil(now + 60000);
const afterStable = opened[before + 1] - closed[before];
console.log(JSON.stringify({ flapping, afterStable, connections: opened.length }));
