"""The policy's two refusals: the same 404 whether an object is missing or hidden from the
person, and a 403 for a person who may know it exists but may not do this to it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NotFoundForUser(Http404):
    """The object is missing or the person may not know it exists: the same answer for both."""

    def __init__(self, *, object_type: str, object_id, referral_id=None, child_id=None):
        super().__init__(f"No {object_type} found.")
        self.object_type = object_type
        self.object_id = object_id
        self.referral_id = referral_id
        self.child_id = child_id


class ForbiddenForUser(PermissionDenied):
    """The person may know the object exists but may not do this to it."""

    def __init__(self, *, action: str, object_type: str, object_id, referral_id=None):
        super().__init__(f"You may not {action} this {object_type}.")
        self.action = action
        self.object_type = object_type
        self.object_id = object_id
        self.referral_id = referral_id


def refusal(action: str, object_type: str, object_id="") -> ForbiddenForUser:
    """The 403 of a managing door, whose object may be a whole page rather than one row."""
    return ForbiddenForUser(action=action, object_type=object_type, object_id=object_id)
