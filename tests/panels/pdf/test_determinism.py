"""The same version gives the same bytes, so a hash identifies the file."""

import hashlib
from dataclasses import replace

import pytest
from reportlab import rl_config

from panels.pdf import render_action_log, render_agency_extract, render_board_copy, render_minutes

from .conftest import action_log, meeting

RENDERS = {
    "minutes": lambda doc: render_minutes(doc),
    "board copy": lambda doc: render_board_copy(doc),
    "agency extract": lambda doc: render_agency_extract(doc, "Fenmarsh Police"),
}


@pytest.mark.parametrize("kind", RENDERS)
@pytest.mark.parametrize("approved", [False, True])
def test_the_same_version_rendered_twice_gives_identical_bytes(kind, approved):
    render = RENDERS[kind]
    first = render(meeting(approved=approved))
    second = render(meeting(approved=approved))
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_the_same_action_log_rendered_twice_gives_identical_bytes():
    assert render_action_log(action_log(200)) == render_action_log(action_log(200))


def test_another_version_gives_other_bytes():
    assert render_minutes(meeting(version="2")) != render_minutes(meeting(version="3"))


def test_the_bytes_do_not_depend_on_the_process_wide_invariant_switch(monkeypatch):
    expected = render_minutes(meeting())
    monkeypatch.setattr(rl_config, "invariant", 0)
    assert render_minutes(meeting()) == expected


def test_rendering_leaves_the_process_wide_switch_alone():
    before = rl_config.invariant
    render_minutes(meeting())
    assert rl_config.invariant == before


def test_approval_changes_the_file_and_its_creation_date():
    draft = render_minutes(meeting())
    approved = render_minutes(replace(meeting(), approved_on=meeting(approved=True).approved_on))
    assert draft != approved
    assert b"D:20250319000000+00'00'" in approved
    assert b"D:20250312000000+00'00'" in draft


def test_another_process_with_another_hash_seed_gives_identical_bytes():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    script = (
        "import hashlib, sys\n"
        "from tests.panels.pdf.conftest import action_log, meeting\n"
        "from panels.pdf import render_action_log, render_board_copy, render_minutes\n"
        "for pdf in (render_minutes(meeting()), render_board_copy(meeting()),"
        " render_action_log(action_log(60))):\n"
        "    print(hashlib.sha256(pdf).hexdigest())\n"
    )
    expected = [
        hashlib.sha256(pdf).hexdigest()
        for pdf in (
            render_minutes(meeting()),
            render_board_copy(meeting()),
            render_action_log(action_log(60)),
        )
    ]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "Pacific/Auckland", "LC_ALL": "C"}
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == expected
