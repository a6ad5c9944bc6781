"""Reads about agencies and people that are more than a .get()."""

from django.contrib.auth.models import AbstractBaseUser

from agencies.models import Membership


def active_memberships(*, user: AbstractBaseUser) -> list[Membership]:
    """The person's current memberships, with their agency, in one query."""
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("agency", "team")
        .order_by("agency__name", "role")
    )
