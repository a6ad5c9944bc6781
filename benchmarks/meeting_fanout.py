"""Benchmark: one chair command in a live meeting room, delivered to 100 and to 500 connected
WebSocket clients spread over two daphne processes on channels-redis, beside the floor: raw
Redis pub/sub relayed by a minimal `websockets` server to the same number of clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench_meetings \\
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python benchmarks/meeting_fanout.py

For each channel layer (RedisChannelLayer, then RedisPubSubChannelLayer) it starts two
daphne processes on the project's own settings (DEBUG off) and, for each size, connects the
clients half to each process (from two client processes, so one client loop does not become
the bottleneck), then the chair sends COMMANDS "go to item" commands over its own socket,
one at a time. Latency is from just before the chair's socket sends the command to the moment
each client has read the event (the command's transaction, commit, the doorbell through
Redis, the consumer's forward, the network and the client's parse). "Lost" counts the
events a client never received; every client's events are also checked to arrive in order,
none twice. The raw floor does the same with a message published straight to Redis and
relayed by two minimal `websockets` servers: no database, no Django, no channel layer.

Then, per layer, a client that missed REPLAY_EVENTS events reconnects with its last sequence
number, and the time until it has received all of them (in order) is measured.

Issue 19 adds, per size: the resident memory of each daphne process (VmRSS) before the
clients connect and once they all have; and, with `--idle-seconds N` at the sizes given by
`--idle-at`, the database's commits per second while the sockets sit idle for N seconds
(the delta of pg_stat_database.xact_commit for the benchmark's database, which the measuring
connection's own two reads barely touch). `--commands` shortens a run.

The clients are spread over PEOPLE invited people (several sockets each, as tabs): presence
("who is connected") is announced per person, not per socket.

At 2,000 clients a process holds about 1,000 sockets: the script raises its open-files soft
limit (inherited by the daphnes and client processes) and stops when the hard limit is too
low. A handshake daphne drops (not accepted within its 5 s on a loaded machine) is tried
again with backoff, as the page does, and counted in the row. The chair's request ids are
new for each run (a repeated id is answered from its receipt), and the replay's chair waits
and resends when beyond the connection's command budget.

Creates the database if it is missing, migrates it and seeds its own small panel each run;
refuses a database holding data it did not seed. Exit status: 0 when every target is met,
1 when a latency target is missed, 2 when an event was lost or out of order.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")

SIZES = (100, 500)
PEOPLE = 25
COMMANDS = 100
WARMUP_COMMANDS = 5
REPLAY_EVENTS = 1000
CLIENT_PROCESSES = 2
PROCESSES = 2  # daphne processes (and raw relays): --processes
CONNECT_BATCH = 10
HANDSHAKE_ATTEMPTS = 5
P95_TARGET_MS = 50.0
RAW_RATIO_TARGET = 3.0
MARKER = "safeguarding-panels meeting_fanout benchmark"
LAYERS = {
    "core": "RedisChannelLayer",
    "pubsub": "RedisPubSubChannelLayer",
}
RAW_CHANNEL = "meeting-fanout-raw"


def fail(message: str, status: int = 2) -> None:
    sys.stderr.write(f"meeting_fanout benchmark: {message}\n")
    raise SystemExit(status)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def raise_open_files_limit(size: int) -> int:
    """Each daphne holds half the sockets (and its Redis and database connections), each
    client process its share: at 2,000 clients a 1,024 soft limit refuses connections
    ("Too many open files"). Raise the soft limit towards the hard one; the daphnes, relays
    and client processes started afterwards inherit it."""
    import resource

    needed = size + 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        fail(
            f"{size:,} clients need about {needed:,} open files per process and the hard "
            f"limit is {hard:,}: raise it (ulimit -Hn, or LimitNOFILE) and run again."
        )
    return soft


# --- The database: the benchmark's own small panel -----------------------------------------


def prepare_database() -> None:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url or not os.environ.get("REDIS_URL"):
        fail(
            "DATABASE_URL and REDIS_URL must be set. This benchmark runs on PostgreSQL and "
            "Redis only, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
            "safeguarding_bench_meetings REDIS_URL=redis://127.0.0.1:6379/2 "
            ".venv/bin/python benchmarks/meeting_fanout.py"
        )
    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        fail(f"DATABASE_URL must point at PostgreSQL (postgres://...), not {db['ENGINE']}.")
    from benchmarks.visible_referrals import ensure_database

    ensure_database(db)
    # Shared with the daphne processes: a session's auth hash is keyed on it.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        ours = (cursor.fetchone()[0] or "").startswith(MARKER)
        if not ours:
            cursor.execute("SELECT to_regclass('auth_user') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT EXISTS (SELECT 1 FROM auth_user)")
                if cursor.fetchone()[0]:
                    fail(
                        f"database {connection.settings_dict['NAME']!r} holds data this "
                        "benchmark did not seed. It empties its database each run, so point "
                        "DATABASE_URL at one of its own (e.g. .../safeguarding_bench_meetings)."
                    )
    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"COMMENT ON DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} "
            f"IS '{MARKER}'"
        )


def seed() -> dict:
    """A panel of four agencies, a chair, PEOPLE members, two listed cases, a started meeting."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from agencies import services as agency_services
    from agencies.models import Agency, AgencyType, Membership, Role
    from panels import services
    from panels.models import AgendaItem, Meeting, Panel, PanelKind, PanelMembership
    from referrals.models import Child, Referral, ReferralState

    User = get_user_model()
    agencies = []
    for name, kind in (
        ("Bench Police", AgencyType.POLICE),
        ("Bench Health", AgencyType.HEALTH),
        ("Bench School", AgencyType.EDUCATION),
        ("Bench Children's Social Care", AgencyType.CHILDRENS_SOCIAL_CARE),
    ):
        agency = Agency.objects.create(name=name, agency_type=kind)
        agency_services.agency_ensure_permission_group(agency=agency)
        agencies.append(agency)
    csc = agencies[-1]
    panel = Panel.objects.create(name="Bench Panel", kind=PanelKind.EXPLOITATION)
    panel.member_agencies.add(*agencies)

    def person(username, role, agency, seat_role):
        user = User.objects.create(username=username, first_name=username, last_name="Bench")
        Membership.objects.create(user=user, agency=agency, role=role)
        PanelMembership.objects.create(panel=panel, user=user, agency=agency, role=seat_role)
        return user

    chair = person("bench.chair", Role.PANEL_CHAIR, csc, "chair")
    members = [
        person(f"bench.member{n}", Role.PANEL_MEMBER, agencies[n % 4], "member")
        for n in range(PEOPLE)
    ]
    meeting = Meeting.objects.create(panel=panel, starts_at=timezone.now(), place="Bench")
    for n in range(2):  # two cases: the chair goes from one to the other
        child = Child.objects.create(first_name=f"Child{n}", last_name="Bench")
        referral = Referral.objects.create(
            reference=f"BENCH-{n}",
            child=child,
            agency=agencies[0],
            referrer=chair,
            state=ReferralState.LISTED_FOR_PANEL,
            submitted_at=timezone.now(),
        )
        AgendaItem.objects.create(meeting=meeting, referral=referral, position=n + 1)
    services._invite_panel(actor=chair, meeting=meeting)
    services.meeting_start(actor=chair, meeting=meeting)
    cases = list(meeting.agenda_items.filter(kind="case").values_list("pk", flat=True))

    def session(user) -> str:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        # Sockets want a session that has passed its second factor (agencies.two_factor).
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from agencies import two_factor

        device = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).first() or TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[two_factor.VERIFIED_AT] = int(time.time())
        store.create()
        return store.session_key

    return {
        "meeting_id": meeting.pk,
        "items": cases,
        "chair": session(chair),
        "members": [session(member) for member in members],
    }


def last_seq(meeting_id: int) -> int:
    return meeting_row(meeting_id)[0]


def meeting_row(meeting_id: int) -> tuple[int, int | None]:
    """The meeting's last sequence number and its current item."""
    from django.db import close_old_connections

    from panels.models import Meeting

    close_old_connections()
    return Meeting.objects.values_list("last_seq", "current_item_id").get(pk=meeting_id)


def alternating_items(seeded: dict, current: int | None):
    """Item ids to go to, one after the other, never the one the meeting is on."""
    first, second = seeded["items"]
    order = (second, first) if current == first else (first, second)
    n = 0
    while True:
        yield order[n % 2]
        n += 1


# --- Servers ------------------------------------------------------------------------------


def wait_for_port(process: subprocess.Popen, port: int, log: Path, path: str = "/") -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"a server exited ({process.returncode}):\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    fail(f"a server did not answer on port {port}:\n{log.read_text()}")


def start_daphnes(layer: str, prefix: str, logs: Path, args) -> list[tuple[subprocess.Popen, int]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.meeting_fanout_settings",
        "BENCH_CHANNEL_LAYER": layer,
        "DJANGO_ENV": "development",
        "DEBUG": "0",  # as in production: no query log, no debug pages
        "LOG_LEVEL": "WARNING",
        "CHANNEL_PREFIX": prefix,
        "PYTHONUNBUFFERED": "1",
    }
    if args.conn_max_age is not None:
        env["BENCH_CONN_MAX_AGE"] = str(args.conn_max_age)
    env["BENCH_DATABASE"] = args.database
    servers = []
    for n in range(PROCESSES):
        port = free_port()
        log = logs / f"meeting-fanout-daphne-{layer}-{n}.log"
        if args.profile:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            env = {**env, "PROFILE_TO": str(Path(args.profile) / f"daphne-{layer}-{n}.prof")}
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable]
                + (
                    [str(ROOT / "benchmarks" / "profiled_daphne.py")]
                    if args.profile
                    else ["-m", "daphne"]
                )
                + ["-b", "127.0.0.1", "-p", str(port)]
                + ["config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        servers.append((process, port))
    for (process, port), n in zip(servers, range(PROCESSES), strict=True):
        wait_for_port(process, port, logs / f"meeting-fanout-daphne-{layer}-{n}.log", "/healthz")
    return servers


def start_relays(logs: Path) -> list[tuple[subprocess.Popen, int]]:
    servers = []
    for n in range(PROCESSES):
        port = free_port()
        log = logs / f"meeting-fanout-relay-{n}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, __file__, "relay", str(port)],
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        servers.append((process, port))
        wait_for_port(process, port, log)
    return servers


def stop(servers) -> None:
    for process, _ in servers:
        process.terminate()
    for process, _ in servers:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def relay_server(port: int) -> None:
    """The floor: Redis pub/sub straight to the sockets, nothing in between."""
    import redis.asyncio as redis
    from websockets.asyncio.server import broadcast, serve

    clients = set()

    async def handler(websocket):
        clients.add(websocket)
        try:
            await websocket.wait_closed()
        finally:
            clients.discard(websocket)

    def answer_http(connection, request):
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(200, "relay\n")
        return None

    pubsub = redis.from_url(os.environ["REDIS_URL"]).pubsub()
    await pubsub.subscribe(RAW_CHANNEL)
    async with serve(handler, "127.0.0.1", port, compression=None, process_request=answer_http):
        async for message in pubsub.listen():
            if message["type"] == "message":
                broadcast(clients, message["data"].decode())


# --- Clients ------------------------------------------------------------------------------


async def client_process(config: dict) -> None:
    """Hold `count` sockets; on "stop" on stdin, print what each received, as JSON."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidMessage

    received: list[list[tuple[int, float]]] = []
    sockets = []
    retried = [0]

    async def read(websocket, log):
        async for raw in websocket:
            now = time.monotonic()
            message = json.loads(raw)
            if message.get("type", "event") == "event" and "seq" in message:
                log.append((message["seq"], now))

    async def open_one(n):
        address = config["addresses"][n % len(config["addresses"])]
        headers = {}
        if config["cookies"]:
            headers["Cookie"] = f"sessionid={config['cookies'][n % len(config['cookies'])]}"
        for attempt in range(HANDSHAKE_ATTEMPTS):
            try:
                websocket = await connect(
                    f"ws://{address}{config['path']}",
                    origin=f"http://{address}",
                    additional_headers=headers,
                    compression=None,
                    max_queue=None,
                    open_timeout=60,
                )
                break
            except (InvalidMessage, ConnectionError, TimeoutError):
                # daphne drops a handshake it has not accepted within 5 s (a loaded machine):
                # try again after a pause, as the page's script does (with backoff).
                if attempt == HANDSHAKE_ATTEMPTS - 1:
                    raise
                retried[0] += 1
                await asyncio.sleep(0.5 * 2**attempt)
        log: list[tuple[int, float]] = []
        received.append(log)
        sockets.append(websocket)
        return asyncio.ensure_future(read(websocket, log))

    readers = []
    step = config.get("connect_batch", CONNECT_BATCH)
    for start in range(0, config["count"], step):
        batch = range(start, min(start + step, config["count"]))
        readers += await asyncio.gather(*(open_one(n) for n in batch))
    print(f"ready {retried[0]}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for websocket in sockets:
        await websocket.close()
    for reader in readers:
        reader.cancel()
    print(json.dumps(received), flush=True)


class Clients:
    """CLIENT_PROCESSES processes holding `count` sockets between them."""

    def __init__(self, *, count, addresses, path, cookies):
        self.processes = []
        share = [
            count // CLIENT_PROCESSES + (n < count % CLIENT_PROCESSES)
            for n in range(CLIENT_PROCESSES)
        ]
        for n, size in enumerate(share):
            config = {
                "count": size,
                "addresses": addresses,
                "path": path,
                "cookies": cookies[n::CLIENT_PROCESSES] if cookies else [],
                "connect_batch": CONNECT_BATCH,
            }
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, __file__, "clients", json.dumps(config)],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )

    def wait_ready(self) -> int:
        """Once every socket is open; how many handshakes had to be tried again."""
        retried = 0
        for process in self.processes:
            line = process.stdout.readline().split()
            if not line or line[0] != "ready":
                fail(f"a client process did not connect its sockets: {line!r}")
            retried += int(line[1])
        return retried

    def results(self) -> list[list[tuple[int, float]]]:
        received = []
        for process in self.processes:
            process.stdin.write("stop\n")
            process.stdin.flush()
        for process in self.processes:
            received += json.loads(process.stdout.readline())
            process.wait(timeout=30)
        return received


# --- One run: send, measure --------------------------------------------------------------


def summarise(sent: dict[int, float], received, first_seq: int) -> dict:
    """Latencies (ms) of the timed events, events lost, sockets out of order or doubled."""
    latencies = []
    lost = 0
    disordered = 0
    wanted = set(sent)
    for log in received:
        seqs = [seq for seq, _ in log if seq >= first_seq]
        if seqs != sorted(set(seqs)):
            disordered += 1
        got = dict(log)
        lost += len(wanted - set(got))
        latencies += [(got[seq] - sent[seq]) * 1000 for seq in wanted & set(got)]
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "samples": len(latencies),
        "lost": lost,
        "disordered": disordered,
    }


async def chair_run(address: str, seeded: dict, size: int, acks: list) -> tuple[dict, int]:
    """Send WARMUP_COMMANDS + COMMANDS commands; returns send times by seq of the timed ones
    (and appends to `acks` how long each took to be acknowledged to the chair)."""
    from websockets.asyncio.client import connect

    seq, current = await asyncio.to_thread(meeting_row, seeded["meeting_id"])
    items = alternating_items(seeded, current)
    sent = {}
    pause = 0.05 + size / 5000  # let one fan-out finish before the next command
    # Request ids are kept (a retry is answered from its receipt): new ones for each run.
    run_id = secrets.token_hex(4)
    async with connect(
        f"ws://{address}/ws/meetings/{seeded['meeting_id']}/?last_seq={seq}",
        origin=f"http://{address}",
        additional_headers={"Cookie": f"sessionid={seeded['chair']}"},
        compression=None,
        max_queue=None,
    ) as chair:
        await wait_for(chair, lambda m: m.get("type") == "hello")
        for n in range(WARMUP_COMMANDS + COMMANDS):
            command = {
                "type": "command",
                "command": "go_to_item",
                "args": {"item": next(items)},
                "request_id": f"{run_id}-{n}",
            }
            started = time.monotonic()
            await chair.send(json.dumps(command))
            request_id = command["request_id"]
            reply = await wait_for(chair, lambda m, r=request_id: m.get("request_id") == r)
            if reply["type"] != "ack":
                fail(f"the chair's command was refused: {reply}")
            seq += 1
            if n >= WARMUP_COMMANDS:
                sent[seq] = started
                acks.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(pause)
    return sent, seq


async def wait_for(websocket, predicate, timeout: float = 30):
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await websocket.recv())
            if predicate(message):
                return message


async def raw_run(size: int) -> dict:
    import redis.asyncio as redis

    sent = {}
    pause = 0.05 + size / 5000
    connection = redis.from_url(os.environ["REDIS_URL"])
    for n in range(WARMUP_COMMANDS + COMMANDS):
        started = time.monotonic()
        await connection.publish(RAW_CHANNEL, json.dumps({"seq": n + 1}))
        if n >= WARMUP_COMMANDS:
            sent[n + 1] = started
        await asyncio.sleep(pause)
    await connection.aclose()
    return sent


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def commits() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def idle_commits_per_second(seconds: float) -> float:
    from django.db import connection

    time.sleep(12)  # the backends' pending counts reach pg_stat_database (PostgreSQL 15)
    before, started = commits(), time.monotonic()
    connection.close()
    time.sleep(seconds)
    after = commits()
    connection.close()
    return (after - before) / (time.monotonic() - started)


def measure_meeting(daphnes, seeded, size, idle_seconds: float = 0) -> dict:
    addresses = [port for _, port in daphnes]
    memory_before = [resident_mb(process.pid) for process, _ in daphnes]
    first = last_seq(seeded["meeting_id"]) + 1 + WARMUP_COMMANDS
    connect_started = time.monotonic()
    clients = Clients(
        count=size,
        addresses=[f"127.0.0.1:{port}" for port in addresses],
        path=f"/ws/meetings/{seeded['meeting_id']}/?last_seq={first - 1 - WARMUP_COMMANDS}",
        cookies=seeded["members"],
    )
    retried = clients.wait_ready()
    connect_seconds = time.monotonic() - connect_started
    time.sleep(2)  # presence announcements of the connecting people settle
    memory_after = [resident_mb(process.pid) for process, _ in daphnes]
    idle = idle_commits_per_second(idle_seconds) if idle_seconds else None
    acks: list[float] = []
    window_started = time.time()
    sent, _ = asyncio.run(chair_run(f"127.0.0.1:{addresses[0]}", seeded, size, acks))
    window_ended = time.time()
    time.sleep(2)  # stragglers
    result = summarise(sent, clients.results(), first)
    result["ack_p50"], result["ack_p95"] = percentile(acks, 50), percentile(acks, 95)
    result["memory_before"], result["memory_after"] = memory_before, memory_after
    result["connect_seconds"] = connect_seconds
    result["handshakes_retried"] = retried
    result["idle_commits"] = idle
    result["window"] = (window_started, window_ended)
    return result


def collector_pauses(log: Path, window: tuple[float, float]) -> list[tuple[int, float]]:
    """(generation, ms) of each garbage collection over 5 ms a daphne logged in `window`
    (benchmarks/meeting_fanout_settings.py writes them)."""
    pauses = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("BENCH-GC-PAUSE "):
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            if window[0] <= float(fields["at"]) <= window[1]:
                pauses.append((int(fields["generation"]), float(fields["ms"])))
    return pauses


def measure_raw(ports, size) -> dict:
    clients = Clients(
        count=size, addresses=[f"127.0.0.1:{port}" for port in ports], path="/", cookies=[]
    )
    clients.wait_ready()
    time.sleep(1)
    sent = asyncio.run(raw_run(size))
    time.sleep(2)
    return summarise(sent, clients.results(), WARMUP_COMMANDS + 1)


async def replay_run(address: str, seeded: dict) -> dict:
    """A client misses REPLAY_EVENTS events, reconnects, and is sent all of them."""
    from websockets.asyncio.client import connect

    base, current = await asyncio.to_thread(meeting_row, seeded["meeting_id"])
    items = alternating_items(seeded, current)
    url = f"ws://{address}/ws/meetings/{seeded['meeting_id']}/"
    headers = {"Cookie": f"sessionid={seeded['chair']}"}
    run_id = secrets.token_hex(4)  # request ids are kept: new ones for each run
    async with connect(
        f"{url}?last_seq={base}", origin=f"http://{address}", additional_headers=headers
    ) as chair:
        await wait_for(chair, lambda m: m.get("type") == "hello")
        for n in range(REPLAY_EVENTS):
            command = {
                "type": "command",
                "command": "go_to_item",
                "args": {"item": next(items)},
                "request_id": f"{run_id}-{n}",
            }
            while True:
                await chair.send(json.dumps(command))
                reply = await wait_for(
                    chair, lambda m, r=command["request_id"]: m.get("request_id") == r
                )
                if reply["type"] == "ack":
                    break
                if not reply.get("message", "").startswith("Too many commands"):
                    fail(f"the chair's command was refused: {reply}")
                # Beyond the connection's command budget (MEETING_SOCKET_COMMAND_RATE a
                # second): wait, and send the same command again.
                await asyncio.sleep(0.1)
    started = time.monotonic()
    seqs = []
    async with connect(
        f"{url}?last_seq={base}",
        origin=f"http://{address}",
        additional_headers={"Cookie": f"sessionid={seeded['members'][0]}"},
        max_queue=None,
    ) as member:
        async with asyncio.timeout(120):
            while len(seqs) < REPLAY_EVENTS:
                message = json.loads(await member.recv())
                if message.get("type") == "reload":
                    fail("the reconnecting client was told to reload instead of replayed")
                if message.get("type") == "event":
                    seqs.append(message["seq"])
    elapsed = time.monotonic() - started
    return {
        "seconds": elapsed,
        "in_order": seqs == list(range(base + 1, base + REPLAY_EVENTS + 1)),
        "count": len(seqs),
    }


# --- Main ---------------------------------------------------------------------------------


def row(label: str, result: dict) -> str:
    return (
        f"{label:<26} {result['p50']:7.1f} {result['p95']:7.1f} {result['p99']:7.1f} "
        f"{result['max']:7.1f} {result['samples']:8,d} {result['lost']:5d} "
        f"{result['disordered']:9d}"
    )


def main(argv: list[str] | None = None) -> int:
    global COMMANDS, CONNECT_BATCH, CLIENT_PROCESSES, PROCESSES  # options set these
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", default="core,pubsub", help="core, pubsub or both")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="run daphne with persistent database connections (CONN_MAX_AGE, seconds) "
        "instead of the project's setting (0: a connection per database call)",
    )
    parser.add_argument(
        "--database",
        choices=["pool", "per-call"],
        default="pool",
        help="pool: production's psycopg pool (the default, as DJANGO_ENV=production runs); "
        "per-call: a new connection per database call (the development default)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=PROCESSES,
        help="daphne processes (and raw relays) the clients are spread over; 1 puts every "
        "socket on one process",
    )
    parser.add_argument("--commands", type=int, default=COMMANDS, help="timed commands per row")
    parser.add_argument(
        "--idle-seconds", type=float, default=0, help="measure idle commits/s for this long"
    )
    parser.add_argument(
        "--connect-batch",
        type=int,
        default=CONNECT_BATCH,
        help="handshakes in flight per client process (fewer on a loaded machine: daphne "
        "drops a handshake not accepted within 5 s)",
    )
    parser.add_argument(
        "--skip-raw", action="store_true", help="leave out the raw floor (see its earlier rows)"
    )
    parser.add_argument("--idle-at", default="1000", help="sizes at which to measure idle")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=CLIENT_PROCESSES,
        help="processes holding the client sockets between them",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run each daphne under cProfile (benchmarks/profiled_daphne.py), its profile "
        "written to DIR/daphne-<layer>-<n>.prof when it stops",
    )
    args = parser.parse_args(argv)
    COMMANDS = args.commands
    PROCESSES = max(1, args.processes)
    CONNECT_BATCH = args.connect_batch
    CLIENT_PROCESSES = max(1, args.client_processes)
    idle_at = {int(size) for size in args.idle_at.split(",") if size.strip()}
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]
    sizes = [int(size) for size in args.sizes.split(",")]
    open_files = raise_open_files_limit(max(sizes))
    logs = ROOT / "test-artifacts"
    logs.mkdir(exist_ok=True)

    prepare_database()
    seeded = seed()
    from django.db import connection

    print(
        f"meeting_fanout: PostgreSQL {connection.pg_version // 10000}, Redis at "
        f"{os.environ['REDIS_URL']}; {os.cpu_count()} CPUs; load average {load_average()} at "
        f"the start; open files limit {open_files:,}. {COMMANDS} timed commands (after "
        f"{WARMUP_COMMANDS} warm-ups) per row; "
        f"clients from {CLIENT_PROCESSES} processes over {PEOPLE} invited people; "
        f"{PROCESSES} daphne process{'es' if PROCESSES != 1 else ''} (and as many raw "
        "relays), DEBUG off, database connections: "
        + (
            f"persistent (CONN_MAX_AGE={args.conn_max_age})"
            if args.conn_max_age is not None
            else "production's psycopg pool (min 2, max 10 per process)"
            if args.database == "pool"
            else "a new one per database call (the development default)"
        )
        + "; garbage collector thresholds "
        + os.environ.get("GC_THRESHOLDS", "50000,20,100 (the default)")
        + (", nothing frozen at start" if os.environ.get("GC_FREEZE_AT_START") == "0" else "")
        + (f"; profiled into {args.profile}" if args.profile else "")
        + "."
    )
    connection.close()
    header = (
        f"{'':<26} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'samples':>8} {'lost':>5} "
        f"{'disorder':>9}   (ms from the chair's send to each client's read)"
    )
    results: dict[tuple[str, int], dict] = {}
    replays = {}
    crashes = dict.fromkeys(layers, 0)
    # Sides interleaved size by size, so that a change in the machine's load falls on all.
    for size in sizes:
        if not args.skip_raw:
            relays = start_relays(logs)
            try:
                results[("raw", size)] = measure_raw([port for _, port in relays], size)
            finally:
                stop(relays)
        for layer in layers:
            daphnes = start_daphnes(layer, f"bench-{secrets.token_hex(4)}", logs, args)
            try:
                ports = [port for _, port in daphnes]
                results[(layer, size)] = measure_meeting(
                    daphnes, seeded, size, args.idle_seconds if size in idle_at else 0
                )
                if size == sizes[-1]:
                    time.sleep(10)  # the run's sockets have all closed
                    replays[layer] = asyncio.run(replay_run(f"127.0.0.1:{ports[-1]}", seeded))
            finally:
                stop(daphnes)
            if (layer, size) in results:
                results[(layer, size)]["pauses"] = [
                    pause
                    for n in range(PROCESSES)
                    for pause in collector_pauses(
                        logs / f"meeting-fanout-daphne-{layer}-{n}.log",
                        results[(layer, size)]["window"],
                    )
                ]
            crashes[layer] += sum(
                (logs / f"meeting-fanout-daphne-{layer}-{n}.log")
                .read_text()
                .count("Exception inside application")
                for n in range(PROCESSES)
            )

    status = 0
    print(header)
    for size in sizes:
        raw = results.get(("raw", size))
        if raw is not None:
            print(row(f"raw pub/sub, {size} clients", raw))
        for layer in layers:
            result = results[(layer, size)]
            ratio = result["p95"] / raw["p95"] if raw and raw["p95"] else float("nan")
            verdict = []
            if result["lost"] or result["disordered"]:
                verdict.append("EVENTS LOST OR OUT OF ORDER")
                status = 2
            if size >= max(sizes) and result["p95"] > P95_TARGET_MS:
                verdict.append(f"p95 > {P95_TARGET_MS:.0f} ms")
                status = max(status, 1)
            if ratio > RAW_RATIO_TARGET:
                verdict.append(f"p95 {ratio:.1f}x raw > {RAW_RATIO_TARGET:.0f}x")
                status = max(status, 1)
            print(
                row(f"{LAYERS[layer]}, {size}", result)
                + f"   p95 {ratio:.1f}x raw  {'; '.join(verdict) or 'PASS'}"
            )
            print(
                f"{'':<26} the chair's own round trip (command applied and acknowledged): "
                f"p50 {result['ack_p50']:.1f}, p95 {result['ack_p95']:.1f}"
            )
            memory = ", ".join(
                f"{before:.0f} -> {after:.0f} MB"
                for before, after in zip(
                    result["memory_before"], result["memory_after"], strict=True
                )
            )
            print(
                f"{'':<26} resident memory per daphne (no sockets -> all connected): {memory}; "
                f"{size:,} sockets connected in {result['connect_seconds']:.1f} s "
                f"({result['handshakes_retried']} handshakes tried again)"
            )
            full = [ms for generation, ms in result["pauses"] if generation == 2]
            young = [ms for generation, ms in result["pauses"] if generation < 2]
            print(
                f"{'':<26} garbage collections over 5 ms in daphne during the timed commands: "
                f"{len(full)} full (longest {max(full, default=0):.0f} ms), {len(young)} young "
                f"(longest {max(young, default=0):.0f} ms)"
            )
            if result["idle_commits"] is not None:
                print(
                    f"{'':<26} database commits/s with the {size:,} sockets idle for "
                    f"{args.idle_seconds:.0f} s: {result['idle_commits']:.1f}"
                )
    for layer, replay in replays.items():
        ok = replay["in_order"] and replay["count"] == REPLAY_EVENTS
        if not ok:
            status = 2
        print(
            f"Reconnect after missing {REPLAY_EVENTS:,} events ({LAYERS[layer]}): "
            f"{replay['count']:,} received {'in order, none twice' if ok else 'NOT IN ORDER'} "
            f"in {replay['seconds'] * 1000:.0f} ms"
        )
    for layer, count in crashes.items():
        print(f"Consumer crashes logged by daphne ({LAYERS[layer]}): {count}")
    print(
        f"Target: p95 <= {P95_TARGET_MS:.0f} ms at {max(sizes)} clients and <= "
        f"{RAW_RATIO_TARGET:.0f}x the raw floor's p95; no event lost. Load average "
        f"{load_average()} at the end."
    )
    return status


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "relay":
        asyncio.run(relay_server(int(sys.argv[2])))
    elif len(sys.argv) > 1 and sys.argv[1] == "clients":
        asyncio.run(client_process(json.loads(sys.argv[2])))
    else:
        raise SystemExit(main())
