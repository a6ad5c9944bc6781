"""Every name printed as written: embedded fonts for Latin Extended, Vietnamese, Greek,
Cyrillic, Arabic, Hebrew and Bengali, shaped and right to left where the script needs it,
read back by pypdf and pdftotext in logical order; a visible placeholder for the rest."""

import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace

import pytest
from pypdf import PdfReader

from panels.pdf import render_board_copy, render_minutes
from panels.pdf.fonts import font, runs, unprintable_characters
from panels.pdf.model import AgencyUpdate, AttendanceStatus, Attendee
from tests.panels.pdf.conftest import meeting, seeded_child

NAMES = (
    "Łukasz Wójcik",
    "Siân",
    "Σωκράτης",
    "Nguyễn Thị Hồng",
    "Şükrü",
    "Gyöngyvér Őry",
    "يوسف",
    "יוסף",
    "অমিত",
    "Ольга Петренко",
    "يوسف أحمد",
    "דוד כהן",
)
EMOJI = "\U0001f44d"


def named_meeting():
    doc = meeting(extra_cases=0)
    child = replace(
        seeded_child(),
        child_name="Łukasz Wójcik",
        initials="Ł.W.",
        household=NAMES[1:],
        summary="Family: " + ", ".join(NAMES) + f". Message signed {EMOJI}.",
        agency_updates=(AgencyUpdate("Fenmarsh Police", "Spoke to " + " and ".join(NAMES)),),
    )
    return replace(
        doc,
        items=(child, *doc.items[1:]),
        chair="Σωκράτης Παπαδόπουλος",
        attendance=(
            *doc.attendance,
            Attendee("Nguyễn Thị Hồng", "Fenmarsh Police", AttendanceStatus.PRESENT),
            Attendee("יוסף כהן", "Eastbrook Health Trust", AttendanceStatus.PRESENT),
        ),
    )


@pytest.fixture(scope="module")
def pdf():
    return render_minutes(named_meeting())


def _plain(text: str) -> str:
    """Extracted text without the direction marks pdftotext puts around right-to-left runs,
    and with its line breaks as spaces."""
    text = re.sub(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f]", "", text)
    return unicodedata.normalize("NFC", " ".join(text.split()))


@pytest.mark.parametrize("name", NAMES)
def test_pypdf_reads_each_name_back_as_written(pdf, name):
    text = _plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))

    assert name in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
@pytest.mark.parametrize("name", NAMES)
def test_pdftotext_reads_each_name_back_as_written(pdf, name):
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()

    assert name in _plain(text)


def test_a_character_no_font_has_prints_as_a_named_placeholder_and_is_listed(pdf):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    assert "[U+1F44D]" in text
    assert EMOJI not in text
    assert unprintable_characters(named_meeting()) == ["U+1F44D THUMBS UP SIGN"]


@pytest.mark.parametrize("bold", [False, True])
def test_each_run_is_in_a_font_whose_character_map_has_every_character(bold):
    for name in NAMES:
        for run in runs(name, bold):
            face = font(run.font).face
            assert all(ord(ch) in face.charToGlyph for ch in run.printed), (name, run)
            assert all(face.charToGlyph[ord(ch)] != 0 for ch in run.printed), (name, run)
            assert "[U+" not in run.text, (name, run)


def _to_unicode_maps(pdf: bytes) -> dict[str, set[str]]:
    """Each embedded font's ToUnicode entries, by font name."""
    maps: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font_dict = ref.get_object()
            assert "/FontFile2" in font_dict["/FontDescriptor"].get_object(), font_dict
            cmap = font_dict["/ToUnicode"].get_object().get_data().decode()
            entries = cmap.split("beginbfchar", 1)[1].split("endbfchar", 1)[0]
            targets = re.findall(r"<[0-9A-F]{2}> <([0-9A-F]*)>", entries)
            maps.setdefault(str(font_dict["/BaseFont"]), set()).update(
                bytes.fromhex(target).decode("utf-16-be") for target in targets
            )
    return maps


def test_every_font_is_embedded_and_maps_every_character_printed(pdf):
    maps = _to_unicode_maps(pdf)
    mapped = "".join("".join(texts) for texts in maps.values())

    assert any("DejaVuSans" in name for name in maps)
    assert any("NotoSansArabic" in name for name in maps)
    assert any("NotoSansHebrew" in name for name in maps)
    assert any("NotoSansBengali" in name for name in maps)
    for name in NAMES:
        assert set(name.replace(" ", "")) <= set(mapped), name


def test_the_board_copy_embeds_the_fonts_too():
    pdf = render_board_copy(named_meeting())

    text = _plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert _to_unicode_maps(pdf)
    assert "Σωκράτης Παπαδόπουλος" in text  # the chair is named: only families are redacted
    assert "Wójcik" not in text and "Ł.W." in text


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is not installed")
def test_qpdf_finds_the_file_sound(pdf, tmp_path):
    path = tmp_path / "names.pdf"
    path.write_bytes(pdf)

    checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_arabic_joins_and_hebrew_runs_right_to_left():
    (arabic,) = runs("يوسف")
    (hebrew,) = runs("יוסף")
    face = font("DocHebrew").face

    # Joined forms are other glyphs than the letters' own.
    assert [font("DocArabic").face.charToGlyph[ord(c)] for c in arabic.printed] != [
        font("DocArabic").face.charToGlyph.get(ord(c)) for c in "يوسف"
    ]
    # Hebrew is drawn from its last letter to its first.
    assert [face.charToGlyph[ord(c)] for c in hebrew.printed] == [
        face.charToGlyph[ord(c)] for c in reversed("יוסף")
    ]


def test_the_same_names_give_the_same_bytes(pdf):
    assert render_minutes(named_meeting()) == pdf
