"""The page scripts reconnect with backoff (issue 19): run through node against a fake
browser whose server accepts every socket, says hello and drops it at once (Redis
restarting). Skipped where node is not installed."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests/panels/js/reconnect_harness.cjs"
SCRIPTS = ["panels/static/panels/meeting.js", "static/notifications/unread.js"]


def reconnects(script: str, flapping_seconds: int = 120) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run(
        [node, str(HARNESS), str(ROOT / script), str(flapping_seconds)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_socket_dropped_after_every_hello_is_retried_ever_more_slowly(script):
    waits = reconnects(script)["flapping"]

    # 1 s doubling to 30 s, each within 75%..125% of its step: never a tight loop.
    assert 750 <= waits[0] <= 1250
    for n, wait in enumerate(waits):
        step = min(30_000, 1000 * 2**n)
        assert 0.75 * step <= wait <= 1.25 * step, waits
    assert len(waits) <= 8  # in two minutes (it was every half second)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_connection_that_stayed_up_starts_the_backoff_again(script):
    assert 750 <= reconnects(script)["afterStable"] <= 1250
