"""Settings of the daphne processes started by benchmarks/meeting_fanout.py: the project's own,
with the channel layer being measured (BENCH_CHANNEL_LAYER: core or pubsub) and the database
connections production has (BENCH_DATABASE=pool: psycopg's pool with production's sizes, as
config/settings.py sets it when DJANGO_ENV=production), or persistent connections
(BENCH_CONN_MAX_AGE), or a new connection per database call (BENCH_DATABASE=per-call)."""

import os

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_PREFIX, DATABASE_POOL_DEFAULTS, DATABASES, REDIS_URL

CHANNEL_LAYER_BACKENDS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": CHANNEL_LAYER_BACKENDS[os.environ.get("BENCH_CHANNEL_LAYER", "core")],
        "CONFIG": {
            # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that
            # RedisChannelLayer blocks in BZPOPMIN: the read times out and takes the process's
            # sockets down with it (django/channels_redis#422). Give the blocking read room.
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
            "prefix": CHANNEL_PREFIX,
        },
    }
}

if os.environ.get("BENCH_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_CONN_MAX_AGE"])
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif os.environ.get("BENCH_DATABASE", "pool") == "pool":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = dict(DATABASE_POOL_DEFAULTS)


def _log_collector_pauses() -> None:
    """Each garbage collection longer than 5 ms, with its wall-clock end, to the daphne log:
    meeting_fanout.py counts those inside each row's timed commands."""
    import gc
    import sys
    import time

    started = [0.0]

    def callback(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
            return
        pause_ms = (time.perf_counter() - started[0]) * 1000
        if pause_ms > 5:
            sys.stderr.write(
                f"BENCH-GC-PAUSE at={time.time():.3f} generation={info['generation']} "
                f"ms={pause_ms:.1f}\n"
            )

    gc.callbacks.append(callback)


_log_collector_pauses()
