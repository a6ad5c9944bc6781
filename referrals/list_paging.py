"""The referral list's pages, counted only as far as anyone pages.

An exact count of everything a person may see walks every referral through the access
policy (35 to 45 ms at 100,000 referrals on PostgreSQL, whatever the page shows); counting
up to CAP and saying "more than CAP" above it stops as soon as CAP are found. Nobody pages
through more than CAP referrals: beyond it the page asks them to narrow the list with the
filters.
"""

from functools import cached_property

from django.core.paginator import Paginator

CAP = 500


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` + 1: `capped` says there are more than `cap`,
    and the pages reach the cap's last page."""

    def __init__(self, object_list, per_page, *, counted=None, cap: int | None = None):
        """`counted`: the same rows as `object_list`, in the shape cheapest to count
        (the second of access.listable_referrals); the pages are read from `object_list`."""
        super().__init__(object_list, per_page)
        self.counted = object_list if counted is None else counted
        self.cap = CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        # SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1): the database stops at cap + 1.
        return self.counted[: self.cap + 1].count()

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)
