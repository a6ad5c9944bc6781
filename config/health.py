"""Reachability of the database and the channel layer, for /healthz and start-up."""

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connections
from django.db.utils import DatabaseError


@dataclass(frozen=True)
class CheckResult:
    name: str
    variable: str
    ok: bool
    detail: str = ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_database(alias: str = "default") -> CheckResult:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return CheckResult("database", "DATABASE_URL", False, _first_line(exc))
    return CheckResult("database", "DATABASE_URL", True)


def check_channel_layer() -> CheckResult:
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels.layers.InMemoryChannelLayer":
        return CheckResult("channel layer", "REDIS_URL", True, "in-memory")
    hosts = layer.get("CONFIG", {}).get("hosts", [])
    try:
        for host in hosts:
            address = host if isinstance(host, str) else host.get("address")
            client = redis.Redis.from_url(address, socket_connect_timeout=2, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
    except (redis.RedisError, OSError) as exc:
        return CheckResult("channel layer", "REDIS_URL", False, _first_line(exc))
    return CheckResult("channel layer", "REDIS_URL", True, "redis")
