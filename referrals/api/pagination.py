"""Pages of a list: `?limit=` (1 to 100; PAGE_SIZE, 50, when not given) and `?offset=`.

A limit above the largest page is given the largest page, and an offset past the end an
empty page; a limit or offset that is not a whole number in range is a 400 naming it. (DRF
would quietly use the default instead; and with no largest page, a huge limit reached the
database and answered 500.)"""

from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination

MAX_PAGE_SIZE = 100


class ApiPagination(LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = (
            f"How many to return: 1 to {self.max_limit} (a larger number gets "
            f"{self.max_limit}), {self.default_limit} if not given."
        )
        limit["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_limit}
        offset["description"] = "How many to skip: 0 or more."
        offset["schema"] = {"type": "integer", "minimum": 0}
        return [limit, offset]

    def get_limit(self, request):
        limit = self._whole_number(request, self.limit_query_param, smallest=1)
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit)

    def get_offset(self, request):
        # An offset beyond the last referral is an empty page (paginate_queryset checks it
        # against the count before any query uses it).
        offset = self._whole_number(request, self.offset_query_param, smallest=0)
        return offset or 0

    def _whole_number(self, request, name: str, *, smallest: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        # isdigit alone would take "²".
        if not (raw.isascii() and raw.isdigit()):
            raise self._invalid(name, smallest)
        digits = raw.lstrip("0") or "0"
        # int() refuses more than 4,300 digits; a number this long is past every end anyway.
        value = int(digits) if len(digits) <= 30 else 10**30
        if value < smallest:
            raise self._invalid(name, smallest)
        return value

    def _invalid(self, name: str, smallest: int) -> exceptions.ValidationError:
        return exceptions.ValidationError(
            {name: [f"Enter {name} as a whole number, {smallest} or more"]}
        )
