"""factory_boy factories shared by every test folder."""

import factory
from django.contrib.auth import get_user_model

from agencies import services as agency_services
from agencies.models import Agency, AgencyType, Membership, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Agency {n}")
    agency_type = AgencyType.POLICE

    @factory.post_generation
    def permission_group(self, create, extracted, **kwargs):
        if create:
            agency_services.agency_ensure_permission_group(agency=self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.REFERRER


def person(role: str, agency: Agency | None = None, **user_fields):
    """A user holding one active role in an agency (a new agency unless one is given)."""
    membership = MembershipFactory(
        role=role, agency=agency or AgencyFactory(), user=UserFactory(**user_fields)
    )
    return membership.user
