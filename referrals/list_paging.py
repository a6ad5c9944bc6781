"""The referral list's pages, counted only as far as anyone pages.

An exact count of everything a person may see walks every referral through the access
policy (35 to 45 ms at 100,000 referrals on PostgreSQL, whatever the page shows); counting
up to CAP and saying "more than CAP" above it stops as soon as CAP are found. Nobody pages
through more than CAP referrals: beyond it the page asks them to narrow the list with the
filters.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections

CAP = 500


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` + 1: `capped` says there are more than `cap`,
    and the pages reach the cap's last page."""

    def __init__(self, object_list, per_page, *, counted_parts=None, cap: int | None = None):
        """`counted_parts`: querysets whose union is the rows of `object_list` (one per rule
        of access.listable_referrals, filtered as the list is), counted part by part; the
        pages are read from `object_list`."""
        super().__init__(object_list, per_page)
        self.counted_parts = counted_parts or [object_list]
        self.cap = CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        limit = self.cap + 1
        parts = [part.values("pk") for part in self.counted_parts]
        if len(parts) == 1:
            # SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1): the database stops at cap + 1,
            # walking the list's own order (for a person who may read every case, the newest
            # are where the live cases are, found at once down the list's index).
            return parts[0][:limit].count()
        # Unordered: a part stops as soon as it has found cap + 1, in whatever order its
        # index gives them (sorting would read the whole part first).
        parts = [part.order_by() for part in parts]
        if connections[parts[0].db].features.supports_slicing_ordering_in_compound:
            # Each part stops at cap + 1 on its own: if one reaches it there are more than
            # the cap; if none does, each is whole, and so is their union.
            parts = [part[:limit] for part in parts]
        # (SQLite cannot limit the parts of a UNION: there the union is counted to the cap.)
        return parts[0].union(*parts[1:])[:limit].count()

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)
