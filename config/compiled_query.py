"""A query asked on every request, compiled to SQL once per process and database.

Django builds a queryset's SQL afresh each time it runs: for a query with a join and three
EXISTS subqueries (a person's roles, read on every page, API call and socket command) that
compiling costs more than PostgreSQL takes to answer it (issue 13: about 2 ms of CPU against
0.2 ms in the database). A `CompiledQuery` builds the queryset once with stand-in values,
keeps its SQL and the positions where those values landed among the parameters, and runs the
same SQL with the real values each time after. The queryset stays the one definition (its
managers, filters and model rules); only the compiling is done once.

    ROLES = CompiledQuery(
        lambda user_id, now: Membership.objects.active(now).filter(user_id=user_id)
        .values_list("role", "agency_id"),
        user_id=-7_301_999,
        now=datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC),
    )
    rows = ROLES.rows(user_id=user.pk, now=timezone.now())

Stand-in values must be unlikely to occur as constants in the query (checked: each must land
in the parameters at least once, and a parameter equal to one is taken for it). Rows come
back as the database driver gives them (no field converters): plain values, as a
`values_list` of ints, strings and booleans (SQLite's booleans as 0 and 1) gives them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from django.db import connections
from django.db.models import QuerySet


class _Slot:
    """Where a stand-in landed among the parameters: the real value goes there."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, tuple[str, list]] = {}
        self._lock = threading.Lock()

    def _prepare(self, connection, value):
        """A value as the ORM hands it to the driver (datetimes are adapted per database)."""
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def _compile(self, using: str) -> tuple[str, list]:
        connection = connections[using]
        queryset = self.build(**self.stand_ins).using(using)
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        prepared = {
            name: self._prepare(connection, value) for name, value in self.stand_ins.items()
        }
        slots: list = []
        found = set()
        for param in params:
            for name, stand_in in prepared.items():
                if type(param) is type(stand_in) and param == stand_in:
                    slots.append(_Slot(name))
                    found.add(name)
                    break
            else:
                slots.append(param)  # a constant of the query, kept as compiled
        missing = set(self.stand_ins) - found
        if missing:
            raise ValueError(
                f"stand-in values not found among the compiled query's parameters: "
                f"{', '.join(sorted(missing))}"
            )
        return sql, slots

    def compiled(self, using: str = "default") -> tuple[str, list]:
        key = f"{using}:{connections[using].vendor}"
        if key not in self._compiled:
            with self._lock:
                if key not in self._compiled:
                    self._compiled[key] = self._compile(using)
        return self._compiled[key]

    def rows(self, using: str = "default", **values) -> list[tuple]:
        if set(values) != set(self.stand_ins):
            raise TypeError(f"give exactly these values: {', '.join(sorted(self.stand_ins))}")
        connection = connections[using]
        sql, slots = self.compiled(using)
        params = [
            self._prepare(connection, values[slot.name]) if isinstance(slot, _Slot) else slot
            for slot in slots
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
