"""What the meeting types can be long or odd; the document still builds and shows it all."""

from dataclasses import replace

from panels.pdf import render_action_log, render_minutes
from panels.pdf.model import ActionLogDoc

from .conftest import MEETING_DAY, action, meeting, page_texts, squashed


def test_an_action_longer_than_a_page_splits_across_pages_instead_of_failing():
    long_text = "ACT-0777 " + " ".join(f"step{n:04d}" for n in range(1500))
    doc = meeting(extra_cases=0, carried=(action(777, "Fenmarsh Police", text=long_text),))
    pages = page_texts(render_minutes(doc))
    text = squashed(" ".join(pages))
    assert "step0000" in text and "step1499" in text


def test_a_very_long_summary_and_a_word_without_spaces_still_render():
    doc = meeting(extra_cases=0)
    item = replace(doc.items[1], summary="word " * 4000, decision="x" * 3000)
    pages = page_texts(render_minutes(replace(doc, items=(doc.items[0], item))))
    assert len(pages) > 3


def test_a_log_of_one_agency_running_over_many_pages_names_the_agency_on_each():
    log = ActionLogDoc(
        panel_name="Panel",
        generated_on=MEETING_DAY,
        actions=tuple(action(n, "Fenmarsh Police") for n in range(150)),
    )
    pages = page_texts(render_action_log(log))
    assert len(pages) > 3
    for text in pages[1:]:
        assert "Fenmarsh Police: 150 open, 0 overdue" in text
        assert "Case Action Owner Raised Due Status Days overdue RAG" in text
