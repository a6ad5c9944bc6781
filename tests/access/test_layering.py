"""The access policy sits above the apps it judges, and the apps ask it only at their doors.

Read from the code's own imports (ast), every import counted, inside functions too:

- `access` imports the apps' models and nothing else of theirs: never a view, an API, a
  consumer, a service. It imports nothing inside a function.
- In agencies/, referrals/, panels/ and notifications/, a module that imports `access` is a
  door or one of the few modules named below that the code honestly needs to ask it:
  - doors, by kind: views (`views.py`, `*_views.py`), the API (`referrals/api/`), consumers,
    services, forms (`forms.py`, `*_forms.py`), management commands, urls, middleware,
    context processors, and the demo (which seeds what the rules show);
  - services under their own names: `agencies/grants.py` (the two-person rule's writes,
    shared by agencies' and panels' services), `agencies/two_factor.py` (second factors'
    writes: an administrator's reset asks it), `referrals/intake.py`, `referrals/clocks_for.py`
    (a hub's clocks, its one write), `panels/minutes.py`, `panels/actions.py`, and
    `panels/commands.py` (the meeting room's commands, whose people are those who may join);
  - selectors that need it: `referrals/selectors.py` and `panels/selectors.py` (a list
    starts from what the person may read);
  - notifications' recipients: `notifications/reminders.py`.
  Everything else (models, workflow, matching, clocks, audit, sockets, events, fan-out, the
  PDFs, documents) is judged by `access`, and never asks it. A named module that stops
  asking `access` must leave the list.
- Nothing imports `agencies.policy`, which is gone.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("agencies", "referrals", "panels", "notifications")

DOOR_NAMES = {
    "views.py",
    "consumers.py",
    "services.py",
    "forms.py",
    "urls.py",
    "middleware.py",
    "context_processors.py",
    "demo.py",
}
DOOR_SUFFIXES = ("_views.py", "_forms.py", "_urls.py")
DOOR_FOLDERS = ("referrals/api/", "/management/commands/")
NAMED = {
    "agencies/grants.py",
    "agencies/two_factor.py",
    "referrals/intake.py",
    "referrals/clocks_for.py",
    "referrals/selectors.py",
    "panels/minutes.py",
    "panels/minutes_rendering.py",  # the distribution after the render: whom to tell
    "panels/actions.py",
    "panels/commands.py",
    "panels/selectors.py",
    "notifications/reminders.py",
}


def modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path) -> list[tuple[str, bool]]:
    """(module named, whether the import sits inside a function) for every import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module, inside))
                found.extend((f"{child.module}.{alias.name}", inside) for alias in child.names)
            visit(child, inside)

    visit(tree, False)
    return found


def imports_access(path: Path) -> bool:
    return any(name == "access" or name.startswith("access.") for name, _ in imported(path))


def is_door(name: str) -> bool:
    file_name = name.rsplit("/", 1)[-1]
    return (
        file_name in DOOR_NAMES
        or file_name.endswith(DOOR_SUFFIXES)
        or any(folder in name for folder in DOOR_FOLDERS)
    )


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", modules("access"), ids=relative)
def test_access_imports_only_the_apps_models(path):
    of_apps = {
        name.split(".")[0] + "." + name.split(".")[1]
        for name, _ in imported(path)
        if name.split(".")[0] in APPS and "." in name
    }

    assert of_apps <= {f"{app}.models" for app in APPS}


@pytest.mark.parametrize("path", modules("access"), ids=relative)
def test_access_never_imports_a_view_an_api_or_a_consumer(path):
    names = [name for name, _ in imported(path)]

    assert not [
        name
        for name in names
        if any(
            part in {"views", "api", "consumers"} or part.endswith("_views")
            for part in name.split(".")
        )
    ]


@pytest.mark.parametrize("path", modules("access"), ids=relative)
def test_access_imports_nothing_inside_a_function(path):
    assert [name for name, inside in imported(path) if inside] == []


# --- The apps --------------------------------------------------------------------------------


def test_only_the_apps_doors_and_the_named_modules_ask_access():
    asking = {relative(p) for app in APPS for p in modules(app) if imports_access(p)}

    assert sorted(name for name in asking if not is_door(name) and name not in NAMED) == []


def test_every_named_module_still_needs_access():
    asking = {relative(p) for app in APPS for p in modules(app) if imports_access(p)}

    assert sorted(NAMED - asking) == []


def test_nothing_imports_the_old_policy_package():
    everywhere = [
        p
        for folder in (*APPS, "access", "config", "benchmarks", "tests")
        for p in (ROOT / folder).rglob("*.py")
    ]

    assert [
        relative(p)
        for p in everywhere
        if any(name.startswith("agencies.policy") for name, _ in imported(p))
    ] == []
