"""The action log: every open action of a panel, grouped by agency, with a summary."""

import re
from datetime import timedelta

from reportlab.lib.units import mm

from panels.pdf import render_action_log
from panels.pdf.layout import MARKING
from panels.pdf.model import ActionLogDoc, Rag

from .conftest import AGENCIES, MEETING_DAY, action, action_log, marking_heights, page_texts


def test_every_action_is_in_the_log_once():
    log = action_log(400)
    text = " ".join(page_texts(render_action_log(log)))
    codes = re.findall(r"ACT-\d{4}", text)
    assert sorted(codes) == sorted(a.text.split()[0] for a in log.actions)


def test_every_page_is_marked_and_numbered():
    pdf = render_action_log(action_log(400))
    pages = page_texts(pdf)
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert (
            "Action log of Fenmarsh Exploitation and Missing Panel, generated 12 March 2025" in text
        )
    for height, marks in marking_heights(pdf, MARKING):
        assert any(y > height - 15 * mm for y in marks) and any(y < 15 * mm for y in marks)


def test_the_log_is_never_watermarked_as_a_draft():
    assert all("DRAFT" not in text for text in page_texts(render_action_log(action_log(50))))


def test_the_summary_counts_open_overdue_and_rag_per_agency():
    log = ActionLogDoc(
        panel_name="Panel",
        generated_on=MEETING_DAY,
        actions=(
            action(1, "Fenmarsh Police", overdue=4, rag=Rag.RED),
            action(2, "Fenmarsh Police", overdue=0, rag=Rag.GREEN),
            action(3, "Fenmarsh Police", overdue=9, rag=Rag.RED),
            action(4, "Eastbrook Health Trust", overdue=0, rag=Rag.AMBER),
        ),
    )
    first_page = page_texts(render_action_log(log))[0]
    assert "Open actions on 12 March 2025: 4 open, 2 overdue" in first_page
    assert "Eastbrook Health Trust 1 0 0 1 0 0" in first_page
    assert "Fenmarsh Police 3 2 2 0 1 9" in first_page
    assert "All agencies 4 2 2 1 1 9" in first_page


def test_each_agencys_actions_are_grouped_most_overdue_first():
    log = ActionLogDoc(
        panel_name="Panel",
        generated_on=MEETING_DAY,
        actions=(
            action(1, "Fenmarsh Police", overdue=2, due=MEETING_DAY - timedelta(days=2)),
            action(2, "Eastbrook Health Trust", overdue=0),
            action(3, "Fenmarsh Police", overdue=11, due=MEETING_DAY - timedelta(days=15)),
            action(4, "Fenmarsh Police", overdue=0),
        ),
    )
    text = " ".join(page_texts(render_action_log(log))[0:])
    body = text[text.index("Eastbrook Health Trust: 1 open") :]
    assert re.findall(r"ACT-\d{4}", body) == ["ACT-0002", "ACT-0003", "ACT-0001", "ACT-0004"]
    assert "Fenmarsh Police: 3 open, 2 overdue" in body


def test_each_row_shows_due_date_days_overdue_and_rag_in_words():
    log = ActionLogDoc(
        panel_name="Panel",
        generated_on=MEETING_DAY,
        actions=(action(7, "Fenmarsh Police", overdue=6, rag=Rag.RED, due=MEETING_DAY),),
    )
    text = " ".join(page_texts(render_action_log(log)))
    assert "Officer 0007 12/03/2025 12/03/2025 Open 6 Red" in text


def test_an_empty_log_says_there_are_no_open_actions():
    log = ActionLogDoc(panel_name="Panel", generated_on=MEETING_DAY, actions=())
    assert "There are no open actions." in page_texts(render_action_log(log))[0]


def test_agencies_are_listed_in_name_order():
    text = page_texts(render_action_log(action_log(25)))[0]
    positions = [text.index(agency) for agency in sorted(AGENCIES, key=str.casefold)]
    assert positions == sorted(positions)
