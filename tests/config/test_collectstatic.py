"""The README's production install works: collectstatic with production settings gathers and
fingerprints every static file (issue 14: govuk-frontend named source maps that are not in
the repository, so the manifest storage refused to finish)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production(*args: str, static_root: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="collectstatic-test-only",
        ALLOWED_HOSTS="panels.example.org",
        STATIC_ROOT=str(static_root),
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_collectstatic_with_production_settings_succeeds(tmp_path):
    result = production("collectstatic", "--no-input", "-v0", static_root=tmp_path)

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "vendor/govuk-frontend/govuk-frontend.min.css" in manifest
    assert "vendor/govuk-frontend/govuk-frontend.min.js" in manifest
    assert (tmp_path / manifest["vendor/govuk-frontend/govuk-frontend.min.css"]).is_file()


def test_vendored_files_name_no_source_map_that_is_not_there():
    for path in (ROOT / "static").rglob("*.[cj]s"):
        assert "sourceMappingURL" not in path.read_text(errors="replace"), path


def test_production_hashes_passwords_with_argon2(tmp_path):
    result = production(
        "shell",
        "-c",
        "from django.contrib.auth.hashers import get_hasher; print(get_hasher().algorithm)",
        static_root=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "argon2"
