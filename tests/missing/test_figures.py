"""/missing/figures/ shows each part behind its own rule: the missing counts behind
can_view_missing_figures, the counts of persons, places, vehicles and accounts of concern
behind can_view_intelligence_figures."""

import pytest

import access
from agencies.models import Role
from tests.factories import person


@pytest.fixture
def board(db):
    return person(Role.BOARD_MEMBER, username="board")


def test_the_board_sees_both_the_missing_and_the_intelligence_counts(client, board):
    client.force_login(board)

    body = client.get("/missing/figures/").content.decode()

    assert "Missing episodes" in body and "Persons of concern" in body


def test_the_intelligence_counts_ask_the_intelligence_rule_not_the_missing_one(
    client, board, monkeypatch
):
    monkeypatch.setattr(access, "can_view_intelligence_figures", lambda user: False)
    client.force_login(board)

    response = client.get("/missing/figures/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Missing episodes" in body
    assert "of concern" not in body.split("<dl", 1)[1]
    assert "Children linked to them" not in body
