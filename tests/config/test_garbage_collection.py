"""A daphne process tunes its garbage collector once the application is built: the fan-out's
short-lived objects die young instead of growing the oldest generation, and what the process
loaded at start is left out of every full collection (config/garbage_collection.py)."""

from tests.config.test_startup import run_python

REPORT = "import config.asgi, gc; print(gc.get_threshold(), gc.get_freeze_count() > 0)"


def test_the_server_process_raises_the_thresholds_and_freezes_what_it_loaded():
    result = run_python(REPORT, SKIP_STARTUP_CHECKS="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(50000, 20, 100) True"


def test_the_thresholds_and_the_freeze_are_configurable():
    result = run_python(
        REPORT, SKIP_STARTUP_CHECKS="1", GC_THRESHOLDS="700,10,10", GC_FREEZE_AT_START="0"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(700, 10, 10) False"


def test_bad_thresholds_stop_the_process_with_one_clear_line():
    result = run_python(REPORT, SKIP_STARTUP_CHECKS="1", GC_THRESHOLDS="lots")

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Safeguarding Panels cannot start: GC_THRESHOLDS must be three whole numbers such as "
        "50000,20,100, not 'lots'"
    ]


def test_a_management_command_keeps_the_default_collector():
    # Only the server process is tuned: importing the settings changes nothing.
    python_default = run_python("import gc; print(gc.get_threshold())")
    result = run_python("import django, gc; django.setup(); print(gc.get_threshold())")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == python_default.stdout.strip()
    assert result.stdout.strip() != "(50000, 20, 100)"
