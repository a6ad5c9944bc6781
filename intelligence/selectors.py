"""Reads about subjects of concern: a subject's links (naming only the children the reader
may see), a panel's network drawn as an SVG on the server with its table, the quarter's
hotspots and repeat persons, and the board's counts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

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

# A picture of thousands of lines is unreadable: it draws the subjects and the children with
# the most links, and the table (paged) and the CSV hold every link.
PICTURE_SUBJECTS = 25
PICTURE_CHILDREN = 40
ROW_HEIGHT = 26
TOP = 30
SUBJECT_X = 20
CHILD_X = 520
WIDTH = 760
KIND_COLOURS = {
    SubjectKind.PERSON: "#d4351c",
    SubjectKind.PLACE: "#1d70b8",
    SubjectKind.VEHICLE: "#f47738",
}
OTHER_COLOUR = "#4c2c92"


@dataclass
class Network:
    panel: Panel
    rows: list[tuple] = field(default_factory=list)  # every link: subject, child, nature, source
    svg: str = ""  # the picture, drawn from plain tuples and escaped (format_html)
    subjects: int = 0  # the panel's subjects
    children: int = 0  # the children the reader may see linked to them
    subjects_drawn: int = 0
    children_drawn: int = 0
    links_drawn: int = 0
    hidden: dict[int, int] = field(default_factory=dict)  # subject id -> children not shown

    @property
    def subjects_not_drawn(self) -> int:
        return self.subjects - self.subjects_drawn

    @property
    def children_not_drawn(self) -> int:
        return self.children - self.children_drawn


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


def panel_network(
    *,
    user,
    panel: Panel,
    top_subjects: int | None = None,
    top_children: int | None = None,
) -> Network:
    """Every link between the panel's subjects and the children this person may see, as table
    rows, and a picture of the most linked: the `top_subjects` subjects with the most children
    the person may see, and the `top_children` children with the most links among those.
    Four queries whatever the size: the links, the panel's subjects, and which of the children
    the person may see (asked once, for all of them)."""
    top_subjects = PICTURE_SUBJECTS if top_subjects is None else top_subjects
    top_children = PICTURE_CHILDREN if top_children is None else top_children
    kinds = dict(SubjectKind.choices)
    links = list(network_links(panel=panel))
    visible = access.child_ids_visible_among(user, {row[3] for row in links})
    subject_label: dict[int, str] = {}
    subject_kind: dict[int, str] = {}
    for pk, kind, name in (
        Subject.objects.filter(discussions__panel=panel)
        .order_by("kind", "name", "pk")
        .values_list("pk", "kind", "name")
    ):
        subject_label[pk] = f"{kinds[kind]}: {name}"
        subject_kind[pk] = kind
    child_label: dict[int, str] = {}
    children_of: dict[int, set[int]] = defaultdict(set)  # subject -> children shown
    hidden: dict[int, set[int]] = defaultdict(set)  # subject -> children not shown
    natures: dict[tuple[int, int], list[str]] = defaultdict(list)
    rows = []
    for subject_id, _, _, child_id, first_name, last_name, nature, source in links:
        if child_id not in visible:
            hidden[subject_id].add(child_id)
            continue
        label = child_label.get(child_id)
        if label is None:
            label = child_label[child_id] = f"{first_name} {last_name}"
        children_of[subject_id].add(child_id)
        natures[subject_id, child_id].append(nature)
        rows.append((subject_label[subject_id], label, nature, source))
    network = Network(
        panel=panel,
        rows=rows,
        subjects=len(subject_label),
        children=len(child_label),
        hidden={subject_id: len(ids) for subject_id, ids in hidden.items()},
    )

    # The picture: subjects by the children shown, then those hidden (the table's order
    # breaks ties); children by their links to the subjects drawn.
    order = {pk: position for position, pk in enumerate(subject_label)}
    drawn_subjects = sorted(
        subject_label,
        key=lambda pk: (-len(children_of[pk]), -network.hidden.get(pk, 0), order[pk]),
    )[:top_subjects]
    degree: dict[int, int] = defaultdict(int)
    first_subject: dict[int, int] = {}
    for position, subject_id in enumerate(drawn_subjects):
        for child_id in children_of[subject_id]:
            degree[child_id] += 1
            first_subject.setdefault(child_id, position)
    drawn_children = sorted(degree, key=lambda pk: (-degree[pk], child_label[pk], pk))
    # Each child sits level with the first subject it links to, so lines cross less.
    drawn_children = sorted(
        drawn_children[:top_children],
        key=lambda pk: (first_subject[pk], child_label[pk], pk),
    )
    subject_y = {pk: TOP + ROW_HEIGHT * i for i, pk in enumerate(drawn_subjects)}
    child_y = {pk: TOP + ROW_HEIGHT * i for i, pk in enumerate(drawn_children)}
    edges = [
        (
            SUBJECT_X + 200,
            subject_y[subject_id],
            CHILD_X,
            y,
            f"{subject_label[subject_id]}: {', '.join(natures[subject_id, child_id])}",
        )
        for subject_id in drawn_subjects
        for child_id, y in child_y.items()
        if (subject_id, child_id) in natures
    ]
    network.subjects_drawn = len(drawn_subjects)
    network.children_drawn = len(drawn_children)
    network.links_drawn = len(edges)
    network.svg = _network_svg(
        edges=edges,
        subjects=[
            (
                SUBJECT_X + 200,
                y,
                KIND_COLOURS.get(subject_kind[pk], OTHER_COLOUR),
                SUBJECT_X,
                y + 4,
                Truncator(subject_label[pk]).chars(32)
                + (f" (+{network.hidden[pk]} not shown)" if network.hidden.get(pk) else ""),
            )
            for pk, y in subject_y.items()
        ],
        children=[
            (CHILD_X, y, CHILD_X + 12, y + 4, Truncator(child_label[pk]).chars(28))
            for pk, y in child_y.items()
        ],
        height=TOP + ROW_HEIGHT * max(len(drawn_subjects), len(drawn_children), 1) + 20,
        title=(
            f"The {len(edges)} link{pluralize(len(edges))} between the "
            f"{len(drawn_subjects)} most linked subject{pluralize(len(drawn_subjects))} of "
            f"concern (left) and {len(drawn_children)} child{pluralize(len(drawn_children), 'ren')}"
            f" (right), of {len(rows)} link{pluralize(len(rows))} in the table"
        ),
    )
    return network


def _network_svg(*, edges, subjects, children, height: int, title: str) -> str:
    """The picture as one escaped string: a template loop per line costs a page thousands of
    variable lookups."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="network-title"'
        ' width="100%" viewBox="0 0 {} {}" data-testid="network">'
        '<title id="network-title">{}</title>{}{}{}</svg>',
        WIDTH,
        height,
        title,
        format_html_join(
            "\n",
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#505a5f" stroke-width="1">'
            "<title>{}</title></line>",
            edges,
        ),
        format_html_join(
            "\n",
            '<g><circle cx="{}" cy="{}" r="6" fill="{}"/>'
            '<text x="{}" y="{}" font-size="12" fill="#0b0c0c">{}</text></g>',
            subjects,
        ),
        format_html_join(
            "\n",
            '<g><circle cx="{}" cy="{}" r="6" fill="#00703c"/>'
            '<text x="{}" y="{}" font-size="12" fill="#0b0c0c">{}</text></g>',
            children,
        ),
    )


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
