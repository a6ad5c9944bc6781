"""Helpers for writing rows of the access matrix (tests/agencies/test_access_matrix.py and
the doors_*.py tables it reads). A row: name -> (method, path builder taking the `world`
fixture, data or None, {position: expected status})."""

from tests.agencies.conftest import POSITIONS

SIGNED_IN = [p for p in POSITIONS if p != "anonymous"]


def everyone(status, **exceptions):
    table = dict.fromkeys(SIGNED_IN, status)
    table["anonymous"] = 302
    table.update(exceptions)
    return table


def only(allowed: dict, *, knowers=(), default=404):
    """allowed: position -> status; knowers get 403; everyone else `default`."""
    table = dict.fromkeys(SIGNED_IN, default)
    table.update(dict.fromkeys(knowers, 403))
    table.update(allowed)
    table["anonymous"] = 302
    return table


VIEWERS = ["referrer_a", "lead_a", "lead_b", "coordinator", "chair", "member_p", "auditor"]
LEADS = ["lead_a", "lead_b", "lead_c"]
