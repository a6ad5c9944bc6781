"""The house style's rule, checked over the code: audit rows are written by services, never by
views. A view hands the service its request's plain values (`audit.origin_of(request)`: the
client's address and the agency the person acts for) and the service writes the row."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["agencies", "referrals", "panels", "notifications", "casework", "board", "missing"]
APPS += ["intelligence", "workspace", "config"]


def view_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            if path.name == "views.py" or path.name.endswith("_views.py"):
                yield path


def audit_writes(path: Path) -> list[int]:
    """Lines where the module calls audit.record(...) or AuditEvent.objects.create(...)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        func = node.func
        if func.attr in {"record", "record_view"} and getattr(func.value, "id", "") == "audit":
            lines.append(node.lineno)
        if func.attr in {"create", "bulk_create"} and "AuditEvent" in ast.unparse(func.value):
            lines.append(node.lineno)
    return lines


def test_there_are_views_to_check():
    assert len(list(view_modules())) >= 10


def test_no_view_writes_an_audit_row():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in view_modules()
        if (lines := audit_writes(path))
    }

    assert found == {}, "call a service that records it instead"
