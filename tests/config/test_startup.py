"""The process refuses to start on bad configuration with one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DEBUG"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_python("import django; django.setup()", DJANGO_ENV="production")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Safeguarding Panels cannot start: SECRET_KEY is not set. "
        "Set SECRET_KEY to a long random string."
    ]


def test_server_refuses_to_start_when_database_url_is_unreachable():
    result = run_python(
        "import config.asgi", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere"
    )

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_server_refuses_to_start_when_redis_url_is_unreachable():
    result = run_python("import config.asgi", REDIS_URL="redis://127.0.0.1:1/0")

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "REDIS_URL" in lines[0]


def test_management_commands_name_database_url_when_the_database_is_unreachable():
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip().startswith("Cannot reach the database named by DATABASE_URL")
    assert "Traceback" not in result.stderr
