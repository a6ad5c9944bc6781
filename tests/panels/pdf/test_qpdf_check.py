"""Every kind of document passes `qpdf --check` (structure, cross-reference table, streams)."""

import os
import shutil
import subprocess

import pytest

from panels.pdf import render_action_log, render_agency_extract, render_board_copy, render_minutes

from .conftest import action_log, meeting

DOCUMENTS = {
    "draft minutes": lambda: render_minutes(meeting()),
    "approved minutes": lambda: render_minutes(meeting(approved=True)),
    "board copy": lambda: render_board_copy(meeting(approved=True)),
    "agency extract": lambda: render_agency_extract(meeting(), "Fenmarsh Police"),
    "action log": lambda: render_action_log(action_log(300)),
}


def qpdf() -> str:
    found = shutil.which("qpdf")
    if found:
        return found
    if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_QPDF") == "1":
        pytest.fail("qpdf is not installed (apt-get install -y qpdf); CI requires it")
    pytest.skip("qpdf is not installed (apt-get install -y qpdf)")


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_qpdf_check_passes(kind, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(DOCUMENTS[kind]())
    result = subprocess.run([qpdf(), "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
