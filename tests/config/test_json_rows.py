"""Several lists in one query (config/json_rows.py): the rows come back as the ORM would have
given them, field for field, with their related objects, in the queryset's order."""

import pytest

from agencies.models import Agency
from config.json_rows import JSONRows, as_queryset, prefetched
from panels.models import AgendaItem, Meeting
from referrals.models import Referral
from tests.test_page_query_counts import build_world


def same_fields(got, want) -> None:
    assert type(got) is type(want)
    assert {f.attname: getattr(got, f.attname) for f in got._meta.concrete_fields} == {
        f.attname: getattr(want, f.attname) for f in want._meta.concrete_fields
    }


def read(owner, rows: JSONRows) -> list:
    text = type(owner).objects.filter(pk=owner.pk).annotate(x=rows).values_list("x", flat=True)
    return rows.decode(text.get())


@pytest.mark.django_db
def test_rows_and_their_related_objects_equal_the_orms_in_the_same_order():
    world = build_world(3)
    queryset = world.referral.transitions.all()

    got = read(world.referral, JSONRows(queryset, related=["actor"]))

    want = list(queryset.select_related("actor"))
    assert len(got) == len(want) == 4
    for one, other in zip(got, want, strict=True):
        same_fields(one, other)
        same_fields(one.actor, other.actor)


@pytest.mark.django_db
def test_nested_relations_json_fields_dates_and_a_missing_relation_come_back_as_the_orms():
    world = build_world(3)
    queryset = AgendaItem.objects.filter(meeting=world.meeting)
    related = ["referral__child", "referral__agency", "notes_saved_by"]

    got = read(world.meeting, JSONRows(queryset, related=related))

    want = list(queryset.select_related(*related))
    assert len(got) == len(want) == 3
    for one, other in zip(got, want, strict=True):
        same_fields(one, other)
        same_fields(one.referral, other.referral)
        same_fields(one.referral.child, other.referral.child)
        assert one.referral.categories == ["missing"]
        assert one.notes_saved_by is None


@pytest.mark.django_db
def test_an_empty_list_and_a_queryset_that_is_none_read_as_no_rows():
    world = build_world(3)

    assert read(world.meeting, JSONRows(Referral.objects.none())) == []
    assert read(world.meeting, JSONRows(Agency.objects.filter(pk=-1))) == []


@pytest.mark.django_db
def test_prefetched_rows_answer_the_relation_without_a_query(django_assert_num_queries):
    world = build_world(3)
    item = AgendaItem.objects.filter(meeting=world.meeting).first()
    updates = list(item.updates.all())
    prefetched(item, "updates", updates)
    agencies = as_queryset(Agency, [update.agency for update in updates])

    with django_assert_num_queries(0):
        assert list(item.updates.all()) == updates
        assert list(agencies) == [update.agency for update in updates]
    assert Meeting.objects.filter(pk=world.meeting.pk).exists()
