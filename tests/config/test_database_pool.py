"""In production each process borrows its PostgreSQL connections from a psycopg pool, sized
from the environment; DATABASE_POOL=off, SQLite, development and tests keep a connection per
request as before."""

import json
import os
from urllib.parse import urlsplit

import pytest

from tests.config.test_startup import run_python

POSTGRES_URL = "postgres://panels@db.internal:5432/panels"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-for-the-settings-test-only-0123456789",
    "ALLOWED_HOSTS": "panels.example.org",
    "DATABASE_URL": POSTGRES_URL,
    # Whatever the environment running the tests says, these start from their defaults.
    "CONN_MAX_AGE": "0",
    "DATABASE_POOL": "",
    "DATABASE_POOL_MIN_SIZE": "",
    "DATABASE_POOL_MAX_SIZE": "",
}
PRINT_DATABASE = (
    "import json; from django.conf import settings; d = settings.DATABASES['default']; "
    "print(json.dumps({'options': d.get('OPTIONS', {}), 'conn_max_age': d['CONN_MAX_AGE'], "
    "'health_checks': d['CONN_HEALTH_CHECKS']}))"
)


def database_settings(**env: str) -> dict:
    result = run_python(PRINT_DATABASE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_on_postgresql_pools_connections_with_default_sizes():
    database = database_settings(**PRODUCTION)

    assert database["options"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 5}
    assert database["conn_max_age"] == 0  # Django refuses persistent connections with a pool
    assert database["health_checks"] is True  # the pool checks a connection before lending it


def test_the_pool_sizes_come_from_the_environment():
    database = database_settings(
        **{**PRODUCTION, "DATABASE_POOL_MIN_SIZE": "4", "DATABASE_POOL_MAX_SIZE": "16"}
    )

    assert database["options"]["pool"] == {"min_size": 4, "max_size": 16, "timeout": 5}


@pytest.mark.parametrize("value", ["off", "0", "false"])
def test_database_pool_off_turns_the_pool_off(value):
    database = database_settings(**{**PRODUCTION, "DATABASE_POOL": value, "CONN_MAX_AGE": "60"})

    assert "pool" not in database["options"]
    assert database["conn_max_age"] == 60


@pytest.mark.parametrize(
    "env",
    [
        {**PRODUCTION, "DATABASE_URL": "sqlite:////tmp/panels-pool-test.sqlite3"},
        {**PRODUCTION, "DJANGO_ENV": "development", "DEBUG": "1"},
        {**PRODUCTION, "DJANGO_ENV": "test"},
    ],
    ids=["sqlite", "development", "test"],
)
def test_no_pool_outside_production_on_postgresql(env):
    assert "pool" not in database_settings(**env)["options"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CONN_MAX_AGE": "60"}, "CONN_MAX_AGE must be 0 while the database pool is on"),
        ({"DATABASE_POOL_MAX_SIZE": "ten"}, "DATABASE_POOL_MAX_SIZE must be a whole number"),
        (
            {"DATABASE_POOL_MIN_SIZE": "12", "DATABASE_POOL_MAX_SIZE": "8"},
            "DATABASE_POOL_MAX_SIZE must be at least 1 and at least DATABASE_POOL_MIN_SIZE",
        ),
    ],
    ids=["conn-max-age", "not-a-number", "min-above-max"],
)
def test_a_pool_configuration_django_would_refuse_stops_the_start_with_one_line(env, named):
    result = run_python("import django; django.setup()", **{**PRODUCTION, **env})

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Safeguarding Panels cannot start: ")
    assert named in lines[0]


@pytest.mark.postgres
def test_on_postgresql_a_closed_connection_goes_back_to_the_pool_and_is_lent_again():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL to name a PostgreSQL server")
    server = urlsplit(url)._replace(path="/postgres").geturl()
    code = (
        "import json, django; django.setup(); from django.db import connection; pids = []\n"
        "for _ in range(6):\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute('SELECT pg_backend_pid()'); pids.append(cursor.fetchone()[0])\n"
        "    connection.close()\n"
        "opened = connection.pool.get_stats()['connections_num']\n"
        "print(json.dumps({'pids': pids, 'opened': opened}))"
    )

    env = {**PRODUCTION, "DATABASE_URL": server, "DATABASE_POOL_MIN_SIZE": "1"}
    result = run_python(code, **env)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Without the pool each close would end the connection: six server processes. The pool
    # may open a second one in the background while filling itself at first use (lent or
    # not, depending on timing); then it lends them again.
    assert len(set(seen["pids"])) <= 2
    assert seen["opened"] <= 2
