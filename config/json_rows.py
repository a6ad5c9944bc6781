"""Several short lists in one query: each list a subquery that returns its rows as one JSON
array, the rows turned back into model instances with their related objects, as
`select_related` would have given them.

A page that shows one object with many short lists of its own (a referral's household,
history, shares ...; a meeting's agenda, actions, attendance ...) pays one round trip for all
of them instead of one per list, whatever their lengths (issue 13). The subqueries are the
same querysets the page would have run, policy filters included; only the transport changes.
Works on PostgreSQL (`json_agg`) and SQLite (`json_group_array`).

    lists = Referral.objects.filter(pk=pk).annotate(
        history=JSONRows(referral.transitions.all(), related=["actor"]),
    ).values("history").get()
    steps = JSONRows.decode(lists["history"])
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F, JSONField, Model, QuerySet, Subquery, TextField
from django.utils.dateparse import parse_datetime


def _concrete(model: type[Model]) -> list:
    return list(model._meta.concrete_fields)


class JSONRows(Subquery):
    """The rows of `queryset` (every concrete field, and those of the `related` foreign keys,
    nested with `__` as in select_related), in its order, as one JSON array of arrays."""

    output_field = TextField()

    def __init__(self, queryset: QuerySet, *, related: list[str] = ()):
        self.model_spec = _spec(queryset.model, list(related))
        columns = {f"c{i}": F(path) for i, (path, _) in enumerate(_columns(self.model_spec))}
        self.width = len(columns)
        super().__init__(queryset.values(**columns))

    def as_sql(self, compiler, conn, template=None, **extra):
        sql, params = self.query.as_sql(compiler, conn)
        cells = ", ".join(f"_r.c{i}" for i in range(self.width))
        if conn.vendor == "postgresql":
            agg = f"COALESCE(json_agg(json_build_array({cells}))::text, '[]')"
        else:
            agg = f"COALESCE(json_group_array(json_array({cells})), '[]')"
        # Only column names made here and the compiled queryset's SQL: values stay parameters.
        return f"(SELECT {agg} FROM {sql} _r)", params  # noqa: S608

    def decode(self, text: str) -> list[Model]:
        """The model instances of the rows, their related objects cached on them."""
        return [_build(self.model_spec, iter(row)) for row in json.loads(text or "[]")]


# A spec: (model, fields, {relation name: spec}), walked in the same order to select and build.
def _spec(model: type[Model], related: list[str]) -> tuple:
    children: dict[str, list[str]] = {}
    for path in related:
        head, _, rest = path.partition("__")
        children.setdefault(head, [])
        if rest:
            children[head].append(rest)
    nested = {
        name: _spec(model._meta.get_field(name).related_model, rest)
        for name, rest in children.items()
    }
    return model, _concrete(model), nested


def _columns(spec: tuple, prefix: str = "") -> list[tuple[str, object]]:
    model, fields, nested = spec
    out = [(prefix + f.attname, f) for f in fields]
    for name, child in nested.items():
        out += _columns(child, f"{prefix}{name}__")
    return out


def _value(field, value):
    if value is None:
        return None
    if isinstance(field, JSONField):
        # SQLite keeps JSON as text, which json_array() embeds as a string.
        text = connection.vendor == "sqlite" and isinstance(value, str)
        return json.loads(value) if text else value
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        parsed = parse_datetime(value) if isinstance(value, str) else value
        # SQLite stores UTC without an offset (USE_TZ): the same instant as PostgreSQL's.
        return parsed.replace(tzinfo=UTC) if parsed and parsed.tzinfo is None else parsed
    if internal == "DateField" and isinstance(value, str):
        return datetime.fromisoformat(value).date()
    return field.to_python(value)


def _build(spec: tuple, cells) -> Model | None:
    model, fields, nested = spec
    values = {f.attname: _value(f, next(cells)) for f in fields}
    related = {name: _build(child, cells) for name, child in nested.items()}
    if values.get(model._meta.pk.attname) is None:
        return None
    obj = model.from_db(connection.alias, [f.attname for f in fields], list(values.values()))
    for name, child in related.items():
        setattr(obj, name, child)
    return obj


def prefetched(obj: Model, name: str, rows: list[Model]) -> None:
    """Cache `rows` as `obj.<name>.all()`, as prefetch_related would have."""
    queryset = getattr(obj, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    obj._prefetched_objects_cache = getattr(obj, "_prefetched_objects_cache", {})
    manager = getattr(obj, name)
    # A reverse foreign key's manager keeps its cache under the relation's name.
    key = getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name
    obj._prefetched_objects_cache[key] = queryset


def as_queryset(model: type[Model], rows: list[Model]) -> QuerySet:
    """A queryset of exactly `rows`, its results already known: for a form field that wants a
    queryset to validate against, while the page shows the rows without asking again."""
    queryset = model._default_manager.filter(pk__in=[row.pk for row in rows])
    queryset._result_cache = list(rows)
    return queryset
