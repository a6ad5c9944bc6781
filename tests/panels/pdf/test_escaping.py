"""Text from users prints as typed: it can never become ReportLab paragraph markup."""

from dataclasses import replace

import pytest

from panels.pdf import render_action_log, render_agency_extract, render_board_copy, render_minutes
from panels.pdf.layout import esc
from panels.pdf.model import ActionLogDoc

from .conftest import MEETING_DAY, action, meeting, page_texts

MARKUP = '<b>Jo</b> & co <font size=200>BIG</font> <a href="x">link</a> &amp; <br/> "q" \'s\''


def with_markup_everywhere():
    doc = meeting(extra_cases=0)
    item = doc.items[1]
    item = replace(
        item,
        summary=MARKUP,
        decision=MARKUP,
        discussion=MARKUP,
        risk_level="<i>High</i>",
        actions=(replace(item.actions[0], text=MARKUP, owner="<u>Ann</u>"),),
    )
    return replace(
        doc, place="<b>Room</b> & 4", chair="<font size=80>Chair</font>", items=(doc.items[0], item)
    )


def test_esc_escapes_markup_quotes_and_drops_characters_xml_forbids():
    assert esc("<b>Jo</b> & \"co\" 'x'") == "&lt;b&gt;Jo&lt;/b&gt; &amp; &quot;co&quot; &#39;x&#39;"
    assert esc("a\x00b\x0bc\r\nd") == "abc<br/>d"


@pytest.mark.parametrize("render", [render_minutes, render_board_copy])
def test_markup_in_user_text_prints_literally(render):
    text = " ".join(page_texts(render(with_markup_everywhere())))
    assert text.count(MARKUP) >= 4
    assert "<b>Room</b> & 4" in text
    assert "<font size=80>Chair</font>" in text
    assert "<i>High</i>" in text


def test_markup_cannot_change_the_layout():
    """The same meeting with plain text of the same length takes the same pages."""
    plain = "x" * len(MARKUP)
    marked = with_markup_everywhere()
    unmarked = replace(
        marked,
        items=(
            marked.items[0],
            replace(marked.items[1], summary=plain, decision=plain, discussion=plain),
        ),
    )
    assert len(page_texts(render_minutes(marked))) == len(page_texts(render_minutes(unmarked)))


def test_markup_in_an_agency_name_prints_literally_in_the_extract_and_the_log():
    agency = "<b>Jo</b> & co"
    doc = meeting(extra_cases=0, carried=(action(1, agency, text="ACT-0001 <font size=200>"),))
    text = " ".join(page_texts(render_agency_extract(doc, agency)))
    assert "Actions for <b>Jo</b> & co" in text
    assert "ACT-0001 <font size=200>" in text
    log = ActionLogDoc(panel_name="<i>P</i>", generated_on=MEETING_DAY, actions=doc.carried_forward)
    text = " ".join(page_texts(render_action_log(log)))
    assert "<b>Jo</b> & co: 1 open" in text
    assert "Action log: <i>P</i>" in text


def test_control_characters_in_user_text_do_not_break_the_document():
    doc = replace(meeting(extra_cases=0), place="Room\x00 4\x1b", chair="Ch\x0cair")
    text = " ".join(page_texts(render_minutes(doc)))
    assert "Room 4" in text and "Chair" in text
