"""Reads about subjects of concern: a subject's links (naming only the children the reader
may see), a panel's network drawn as an SVG on the server with its table, the quarter's
hotspots and repeat persons, and the board's counts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

import access
from intelligence.models import Link, Subject, SubjectKind
from panels.models import Panel


@dataclass
class SubjectLinks:
    shown: list[Link]
    hidden_children: int  # linked children this reader may not see: counted, never named


def subject_links(*, user, subject: Subject) -> SubjectLinks:
    """The subject's current links to children this person may see; the rest only counted."""
    links = list(
        Link.objects.current()
        .filter(subject=subject)
        .select_related("child", "episode", "referral", "recorded_by")
    )
    visible = access.child_ids_visible_among(user, {link.child_id for link in links})
    return SubjectLinks(
        shown=[link for link in links if link.child_id in visible],
        hidden_children=len({link.child_id for link in links if link.child_id not in visible}),
    )


def subjects_for(*, user) -> QuerySet[Subject]:
    return (
        access.visible_subjects(user)
        .select_related("holding_agency")
        .annotate(children=Count("links__child", distinct=True))
        .order_by("kind", "name")
    )


# --- A panel's network ------------------------------------------------------------------------

ROW_HEIGHT = 26
TOP = 30
SUBJECT_X = 20
CHILD_X = 520
WIDTH = 760


@dataclass
class Node:
    key: str
    label: str
    x: int
    y: int
    kind: str
    hidden: int = 0  # children linked that the reader may not see: counted, never named


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    title: str


@dataclass
class Network:
    panel: Panel
    subjects: list[Node] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # the table: subject, child, nature, source
    hidden: dict[int, int] = field(default_factory=dict)  # subject id -> children not shown
    height: int = 0
    width: int = WIDTH


NETWORK_FIELDS = (
    "subject_id",
    "subject__kind",
    "subject__name",
    "child_id",
    "child__first_name",
    "child__last_name",
    "nature",
    "source",
)


def network_links(*, panel: Panel) -> QuerySet:
    """The current links of the subjects discussed at the panel, as rows (no model objects:
    a network holds thousands)."""
    return (
        Link.objects.current()
        .filter(subject__discussions__panel=panel)
        .order_by("subject__kind", "subject__name", "subject_id", "child_id", "pk")
        .values_list(*NETWORK_FIELDS)
    )


def panel_network(*, user, panel: Panel) -> Network:
    """The panel's subjects and the children linked to them that this person may see, laid
    out in two columns (subjects, children) with a line for each link."""
    kinds = dict(SubjectKind.choices)
    links = list(network_links(panel=panel))
    visible = access.child_ids_visible_among(user, {row[3] for row in links})
    network = Network(panel=panel)
    subject_rows: dict[int, Node] = {}
    child_rows: dict[int, Node] = {}
    hidden: dict[int, set[int]] = defaultdict(set)
    subjects = (
        Subject.objects.filter(discussions__panel=panel)
        .order_by("kind", "name", "pk")
        .values_list("pk", "kind", "name")
    )
    for pk, kind, name in subjects:
        subject_rows[pk] = Node(
            f"s{pk}",
            f"{kinds[kind]}: {name}",
            SUBJECT_X,
            TOP + ROW_HEIGHT * len(subject_rows),
            kind,
        )
    for subject_id, _, _, child_id, first_name, last_name, nature, source in links:
        if child_id not in visible:
            hidden[subject_id].add(child_id)
            continue
        child = child_rows.get(child_id)
        if child is None:
            child = Node(
                f"c{child_id}",
                f"{first_name} {last_name}",
                CHILD_X,
                TOP + ROW_HEIGHT * len(child_rows),
                "child",
            )
            child_rows[child_id] = child
        subject = subject_rows[subject_id]
        network.edges.append(
            Edge(SUBJECT_X + 200, subject.y, CHILD_X, child.y, f"{subject.label}: {nature}")
        )
        network.rows.append((subject.label, child.label, nature, source))
    network.subjects = list(subject_rows.values())
    network.children = list(child_rows.values())
    network.hidden = {subject_id: len(ids) for subject_id, ids in hidden.items()}
    for subject_id, count in network.hidden.items():
        subject_rows[subject_id].hidden = count
    network.height = TOP + ROW_HEIGHT * max(len(subject_rows), len(child_rows), 1)
    return network


def quarter_of(day: date) -> tuple[datetime, datetime, str]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = timezone.make_aware(datetime(day.year, first_month, 1))
    end_year, end_month = (day.year + 1, 1) if first_month == 10 else (day.year, first_month + 3)
    end = timezone.make_aware(datetime(end_year, end_month, 1))
    return start, end, f"{day.year} Q{(first_month - 1) // 3 + 1}"


def hotspots(*, panel: Panel, day: date | None = None, limit: int = 5) -> dict:
    """Per quarter, the places and the persons discussed at the panel linked to the most
    children by links recorded in that quarter (counted, whoever may see the children)."""
    start, end, label = quarter_of(day or timezone.localdate())
    ranked = {}
    for kind in (SubjectKind.PLACE, SubjectKind.PERSON):
        ranked[kind.label] = list(
            Link.objects.filter(
                subject__discussions__panel=panel,
                subject__kind=kind,
                recorded_at__gte=start,
                recorded_at__lt=end,
            )
            .values("subject_id", "subject__name")
            .annotate(children=Count("child", distinct=True))
            .order_by("-children", "subject__name")[:limit]
        )
    return {"quarter": label, "ranked": ranked}


def intelligence_figures() -> dict:
    """Counts for the board: subjects by kind and the children linked to them; no names."""
    by_kind = dict(Subject.objects.values_list("kind").annotate(n=Count("pk")))
    return {
        "subjects": [(kind.label + "s", by_kind.get(kind.value, 0)) for kind in SubjectKind],
        "children": Link.objects.current().values("child").distinct().count(),
    }
