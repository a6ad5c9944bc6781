"""Every write about agencies and people's memberships."""

from django.contrib.auth.models import Group
from django.db import transaction

from agencies.models import Agency


@transaction.atomic
def agency_ensure_permission_group(*, agency: Agency) -> Group:
    """The guardian group that holds object permissions granted to this agency."""
    if agency.permission_group_id:
        return agency.permission_group
    group, _ = Group.objects.get_or_create(name=f"agency:{agency.pk}")
    agency.permission_group = group
    agency.save(update_fields=["permission_group"])
    return group
