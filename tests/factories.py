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


def signed_in_session(user):
    """The session signing in leaves for `user`, as AuthMiddlewareStack puts it in a socket's
    scope (sockets check that it still signs the person in); an empty one for an anonymous
    visitor. Written on a thread of its own, so an async test may call it as it builds a
    socket."""
    from concurrent.futures import ThreadPoolExecutor
    from importlib import import_module

    from django.conf import settings
    from django.db import connections
    from django.test import Client

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not getattr(user, "is_authenticated", False):
        return store()

    def sign_in():
        try:
            client = Client()
            client.force_login(user)
            return store(client.cookies[settings.SESSION_COOKIE_NAME].value)
        finally:
            connections.close_all()  # else PostgreSQL's test database cannot be dropped

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign_in).result()
